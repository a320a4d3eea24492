"""Observed per-minute demand on a capacity reservation, from request logs or 1-minute usage.

* **Request log** (timestamp, prompt tokens, output tokens; e.g. the Azure LLM inference traces):
  each request's tokens land in the minute of its timestamp, counted in the product's units
  (prompt tokens for ``input_tpm``, output tokens for ``output_tpm``, list dollars for
  ``usd_per_minute``). Requests whose prompt exceeds the model's long-context threshold carry the
  long-context weight. Minutes with no request count as zero demand.
* **Admin API usage report** with ``bucket_width=1m``: each bucket is a minute; rows on the
  product's model in the standard tier count (batch never uses reserved capacity), cache reads
  and writes weighted by the product's burn-down weights, ``context_window: 200k-1M`` rows with
  the long-context weight.

The overflow price per unit is the list dollars of that demand over its units, so overflow is
priced at the traffic's own pay-as-you-go rates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from simulator.catalog.prices import Catalog, Rates, load_catalog
from simulator.errors import ImportDataError, Problem
from simulator.scenario import CapacityProduct
from simulator.usage.common import DEFAULT_CATALOG, BadRows, RowLog, normalise_model
from simulator.usage.jsonloc import JsonDoc, load_json
from simulator.usage.requests_log import read_requests

F64 = npt.NDArray[np.float64]
_CLASSES = {
    "uncached_input_tokens": "input",
    "cache_read_input_tokens": "cache_read",
    "ephemeral_5m_input_tokens": "cache_write_5m",
    "ephemeral_1h_input_tokens": "cache_write_1h",
    "output_tokens": "output",
}


@dataclass
class MinuteDemand:
    """Demand in the product's units for every minute from the first to the last observed."""

    source: str
    start: dt.datetime
    demand: F64
    dollars: float
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def overflow_price_per_unit(self) -> float:
        """List dollars per unit of this demand (``nan`` when there is none)."""
        total = float(self.demand.sum())
        return self.dollars / total if total > 0 else float("nan")

    def hour_weekday(self) -> F64:
        """Mean demand per minute by weekday (rows, Monday first) and UTC hour (columns)."""
        out = np.full((7, 24), np.nan)
        t = [self.start + dt.timedelta(minutes=i) for i in range(self.demand.size)]
        keys = np.array([x.weekday() * 24 + x.hour for x in t])
        for k in np.unique(keys):
            out[k // 24, k % 24] = float(self.demand[keys == k].mean())
        return out


def _rates(catalog: Catalog, product: CapacityProduct, day: dt.date) -> Rates:
    return catalog.rates(product.model, day)


def _weights(product: CapacityProduct, cls: str, long: bool, rates: Rates) -> tuple[float, float]:
    """(units, list dollars) per token of one class for this product; (0, 0) if not counted."""
    w = product.weights
    lc = long and rates.lc is not None
    usd = rates.rate(cls, long_context=lc) / 1e6  # type: ignore[arg-type]
    if product.unit == "usd_per_minute":
        return usd, usd
    if product.unit == "output_tpm":
        if cls != "output":
            return 0.0, 0.0
        return (w.long_context_output if lc else 1.0), usd
    if cls == "output":
        return 0.0, 0.0
    base = {"input": 1.0, "cache_read": w.cache_read}.get(cls)
    if base is None:
        base = w.cache_write_5m if cls == "cache_write_5m" else w.cache_write_1h
    return base * (w.long_context_input if lc else 1.0), usd


def _bin(source: str, times: list[dt.datetime], units: list[float], dollars: float) -> MinuteDemand:
    start = min(times).replace(second=0, microsecond=0)
    idx = np.array([int((t - start).total_seconds() // 60) for t in times])
    demand = np.bincount(idx, weights=np.asarray(units, dtype=np.float64))
    return MinuteDemand(source, start, demand.astype(np.float64), dollars)


def request_log_demand(
    path: str | Path,
    product: CapacityProduct,
    *,
    bad_rows: BadRows = "reject",
    catalog_name: str = DEFAULT_CATALOG,
) -> MinuteDemand:
    """Per-minute demand on ``product`` from a per-request log.

    Parameters
    ----------
    path : path
        CSV with timestamp, prompt-token and output-token columns (as ``commitsim import
        requests`` reads them).
    product : CapacityProduct
        The reservation; its model prices the requests and sets the long-context threshold.
    bad_rows : {'reject', 'skip'}
        Reject a file with bad rows, or skip them (listed in ``summary['skipped']``).
    catalog_name : str
        Price catalog.

    Returns
    -------
    MinuteDemand
    """
    source = str(path)
    log = RowLog(bad_rows)
    times, prompts, outputs = read_requests(path, log)
    log.finish()
    if not times:
        raise ImportDataError([Problem(source, 0, "", "no requests in the log", 0)])
    rates = _rates(load_catalog(catalog_name), product, min(times).date())
    units: list[float] = []
    dollars = 0.0
    for p, o in zip(prompts, outputs, strict=True):
        long = rates.lc_threshold is not None and p > rates.lc_threshold
        ui, di = _weights(product, "input", long, rates)
        uo, do = _weights(product, "output", long, rates)
        units.append(p * ui + o * uo)
        dollars += p * di * (ui > 0) + o * do * (uo > 0)
    out = _bin(source, times, units, dollars)
    out.summary = {
        "source": source,
        "requests": len(times),
        "rows_skipped": len(log.problems),
        "skipped": [str(x) for x in log.problems],
        "minutes": int(out.demand.size),
    }
    return out


def _pages(doc: JsonDoc) -> list[tuple[str, Any]]:
    if isinstance(doc.data, list):
        return [(f"[{i}]", page) for i, page in enumerate(doc.data)]
    return [("", doc.data)]


def _when(text: Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when


def usage_report_demand(
    paths: Sequence[str | Path],
    product: CapacityProduct,
    *,
    bad_rows: BadRows = "reject",
    catalog_name: str = DEFAULT_CATALOG,
) -> MinuteDemand:
    """Per-minute demand on ``product`` from usage report pages in 1-minute buckets.

    Parameters
    ----------
    paths : sequence of path
        Usage report JSON files (``bucket_width=1m``), one page or a list of pages each.
    product : CapacityProduct
        The reservation.
    bad_rows : {'reject', 'skip'}
        Reject files with bad buckets or rows, or skip them.
    catalog_name : str
        Price catalog.

    Returns
    -------
    MinuteDemand
    """
    log = RowLog(bad_rows)
    catalog = load_catalog(catalog_name)
    times: list[dt.datetime] = []
    units: list[float] = []
    dollars = 0.0
    for path in paths:
        doc = load_json(path)
        for ppath, page in _pages(doc):
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                log.bad(doc.name, doc.line(page), f"{ppath}.data".lstrip("."), "no data list")
                continue
            for b, bucket in enumerate(data):
                where = f"{ppath}.data[{b}]".lstrip(".")
                ok = isinstance(bucket, dict)
                start = _when(bucket.get("starting_at")) if ok else None
                end = _when(bucket.get("ending_at")) if ok else None
                if start is None or end is None or (end - start) != dt.timedelta(minutes=1):
                    log.bad(
                        doc.name,
                        doc.line(bucket, "starting_at"),
                        f"{where}.starting_at",
                        "need 1-minute buckets (export with bucket_width=1m)",
                        bucket.get("starting_at") if ok else bucket,
                    )
                    continue
                total, usd = _bucket(doc, where, bucket, product, catalog, start, log)
                times.append(start)
                units.append(total)
                dollars += usd
    log.finish()
    source = ", ".join(str(p) for p in paths)
    if not times:
        raise ImportDataError([Problem(source, 0, "", "no 1-minute buckets found", 0)])
    out = _bin(source, times, units, dollars)
    out.summary = {
        "source": source,
        "buckets": len(times),
        "rows_skipped": len(log.problems),
        "skipped": [str(x) for x in log.problems],
        "minutes": int(out.demand.size),
    }
    return out


def _bucket(
    doc: JsonDoc,
    where: str,
    bucket: dict[str, Any],
    product: CapacityProduct,
    catalog: Catalog,
    start: dt.datetime,
    log: RowLog,
) -> tuple[float, float]:
    rates = catalog.rates(product.model, start.date())
    total = usd = 0.0
    rows = bucket.get("results")
    if not isinstance(rows, list):
        log.bad(doc.name, doc.line(bucket), f"{where}.results", "results must be a list")
        return 0.0, 0.0
    for r, row in enumerate(rows):
        if not isinstance(row, dict):
            continue
        model = row.get("model")
        if not isinstance(model, str) or normalise_model(model, catalog) != product.model:
            continue
        if row.get("service_tier") == "batch":
            continue
        long = row.get("context_window") == "200k-1M"
        counts = dict(row)
        counts.update(row.get("cache_creation") or {})
        for key, cls in _CLASSES.items():
            value = counts.get(key) or 0
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                log.bad(
                    doc.name,
                    doc.line(row, key),
                    f"{where}.results[{r}].{key}",
                    "token count must be a non-negative integer",
                    value,
                )
                continue
            u, d = _weights(product, cls, long, rates)
            total += value * u
            usd += value * d if u > 0 else 0.0
    return total, usd
