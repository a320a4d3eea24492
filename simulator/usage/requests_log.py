"""A per-request log (timestamp, prompt tokens, output tokens) becomes one workload.

Rules (printed in the summary):

* ``input_tokens`` and ``output_tokens`` are the log's means per request.
* ``requests_per_month = (n - 1) / (t_last - t_first) x 86,400 x 365.25 / 12``: ``n - 1``
  arrivals happen between the first and last timestamps, so that ratio is the observed rate.
* ``long_context_share`` is the token share of requests whose prompt exceeds the model's
  long-context threshold (priced on the whole request); cache and batch shares are 0 (a log
  has no such columns).
* A log of hours holds no growth history: rate 0 and the prior volatility of
  :mod:`simulator.usage.fitting`.
* The token distributions' spread (standard deviation and percentiles) is kept in the summary.

Timestamps are ISO 8601 (naive ones read as UTC) or numbers of Unix seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any, Literal

import numpy as np

from simulator.catalog.prices import load_catalog
from simulator.errors import ImportDataError, Problem
from simulator.scenario import scenario_from_data
from simulator.usage.common import (
    DAYS_PER_MONTH,
    DEFAULT_CATALOG,
    DEFAULT_MODEL,
    HORIZON_MONTHS,
    ImportResult,
    RowLog,
    normalise_model,
    slugify,
)
from simulator.usage.fitting import fit_growth

# accepted header names, compared case-insensitively
COLUMNS = {
    "timestamp": ("timestamp", "time", "created_at", "ts"),
    "prompt": ("contexttokens", "prompt_tokens", "input_tokens", "prompt", "context_tokens"),
    "output": ("generatedtokens", "output_tokens", "completion_tokens", "generated_tokens"),
}
SECONDS_PER_MONTH = DAYS_PER_MONTH * 86_400.0


def _parse_time(text: str) -> dt.datetime | None:
    text = text.strip()
    try:
        return dt.datetime.fromtimestamp(float(text), dt.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


def _parse_count(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value >= 0 and value.is_integer() else None


def _spread(values: np.ndarray[Any, np.dtype[np.float64]]) -> dict[str, float]:
    p = np.percentile(values, [10, 50, 90, 99])
    return {
        "mean": float(values.mean()),
        "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
        "min": float(values.min()),
        "p10": float(p[0]),
        "p50": float(p[1]),
        "p90": float(p[2]),
        "p99": float(p[3]),
        "max": float(values.max()),
    }


def read_requests(path: str | Path, log: RowLog) -> tuple[list[dt.datetime], list[int], list[int]]:
    """Read a request log; bad rows go to ``log`` with their line numbers."""
    name = str(path)
    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportDataError(
            [Problem(name, 0, "", f"cannot read file: {exc}", None, False)]
        ) from None
    times: list[dt.datetime] = []
    prompts: list[int] = []
    outputs: list[int] = []
    with io.StringIO(raw) as fh:
        reader = csv.reader(fh)
        header = [h.strip().lower() for h in next(reader, [])]
        cols: dict[str, int] = {}
        for key, names in COLUMNS.items():
            found = [header.index(n) for n in names if n in header]
            if not found:
                raise ImportDataError(
                    [
                        Problem(
                            name,
                            1,
                            key,
                            f"missing column; expected one of {', '.join(names)}",
                            ",".join(header),
                        )
                    ]
                )
            cols[key] = found[0]
        labels = {k: header[i] for k, i in cols.items()}
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            cells = {k: row[i] if i < len(row) else "" for k, i in cols.items()}
            when = _parse_time(cells["timestamp"])
            prompt = _parse_count(cells["prompt"])
            output = _parse_count(cells["output"])
            if when is None:
                log.bad(name, line, labels["timestamp"], "not a timestamp", cells["timestamp"])
            if prompt is None:
                log.bad(name, line, labels["prompt"], "not a non-negative integer", cells["prompt"])
            if output is None:
                log.bad(name, line, labels["output"], "not a non-negative integer", cells["output"])
            if when is None or prompt is None or output is None:
                continue
            times.append(when)
            prompts.append(prompt)
            outputs.append(output)
    return times, prompts, outputs


def import_requests(
    path: str | Path,
    *,
    model: str = DEFAULT_MODEL,
    bad_rows: Literal["skip", "reject"] = "reject",
    workload_id: str | None = None,
    name: str | None = None,
    catalog_name: str = DEFAULT_CATALOG,
) -> ImportResult:
    """Build a one-workload scenario from a per-request log.

    Parameters
    ----------
    path : path
        CSV with a timestamp, prompt-token and output-token column (see :data:`COLUMNS`).
    model : str
        Catalog model id of the traffic (a log carries none).
    bad_rows : {'reject', 'skip'}
        Reject the file listing every bad row, or skip them and list them in the summary.
    workload_id : str, optional
        Workload id; defaults to the file's stem, slugified.
    name : str, optional
        Scenario name.
    catalog_name : str
        Price catalog.

    Returns
    -------
    ImportResult
    """
    source = str(path)
    catalog = load_catalog(catalog_name)
    resolved = normalise_model(model, catalog)
    if resolved is None:
        raise ImportDataError(
            [Problem(source, 0, "--model", f"not in price catalog {catalog_name}", model)]
        )
    log = RowLog(bad_rows)
    times, prompts, outputs = read_requests(path, log)
    log.finish()
    if len(times) < 2 or max(times) == min(times):
        raise ImportDataError(
            [Problem(source, 0, "", "need at least two requests at different times", len(times))]
        )
    order = np.argsort(np.array([t.timestamp() for t in times]))
    first, last = times[int(order[0])], times[int(order[-1])]
    span = (last - first).total_seconds()
    per_second = (len(times) - 1) / span
    p = np.array(prompts, dtype=float)
    o = np.array(outputs, dtype=float)
    rates = catalog.rates(resolved, first.date())
    threshold = rates.lc_threshold
    long_ = p > threshold if threshold is not None else np.zeros(len(p), dtype=bool)
    total = float((p + o).sum())
    long_share = float((p + o)[long_].sum()) / total if total > 0 else 0.0
    fit = fit_growth([1.0])
    y, m = (last.year + 1, 1) if last.month == 12 else (last.year, last.month + 1)
    wid = slugify(workload_id or Path(path).stem)
    data = {
        "schema_version": 1,
        "name": name or f"Imported from request log ({Path(path).name})",
        "start": f"{y:04d}-{m:02d}",
        "horizon_months": HORIZON_MONTHS,
        "pricing": {"catalog": catalog_name, "overrides": {}},
        "workloads": [
            {
                "id": wid,
                "model": resolved,
                "requests_per_month": round(per_second * SECONDS_PER_MONTH, 3),
                "input_tokens": round(float(p.mean()), 6),
                "output_tokens": round(float(o.mean()), 6),
                "long_context_share": round(long_share, 6),
                "growth": {"monthly_rate": fit.monthly_rate, "volatility": fit.volatility},
                "description": f"imported from {Path(path).name}: {len(p)} requests",
            }
        ],
        "levers": [],
    }
    scenario = scenario_from_data(data, source)
    log.warnings.append(
        f"the log spans {span:,.0f} s, no growth history: monthly_rate 0, "
        f"prior volatility {fit.volatility}"
    )
    summary: dict[str, Any] = {
        "source": source,
        "rows_used": len(p),
        "rows_skipped": len(log.problems),
        "skipped": [str(x) for x in log.problems],
        "warnings": list(log.warnings),
        "window": [first.isoformat(), last.isoformat()],
        "span_seconds": span,
        "requests_per_second": per_second,
        "start": scenario.start,
        "requests_rule": (
            "requests_per_month = (n - 1) / (last - first timestamp) x "
            f"{SECONDS_PER_MONTH:,.0f} s per month; tokens per request are the log's means"
        ),
        "input_tokens": _spread(p),
        "output_tokens": _spread(o),
        "long_context_requests": int(long_.sum()),
        "workloads": [{"id": wid, "model": resolved, "fit": fit.as_dict()}],
    }
    return ImportResult(scenario, summary, list(log.problems))
