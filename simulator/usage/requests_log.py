"""A per-request log (timestamp, prompt tokens, output tokens) becomes one workload per model.

Rules (printed in the summary):

* ``input_tokens`` and ``output_tokens`` are the log's means per request.
* ``requests_per_month = (n - 1) / (t_last - t_first) x 86,400 x 365.25 / 12``: ``n - 1``
  arrivals happen between the first and last timestamps, so that ratio is the observed rate.
* ``long_context_share`` is the token share of requests whose prompt exceeds the model's
  long-context threshold (priced on the whole request); cache shares are the token shares of
  cache reads and writes in the prompt when the log has cache columns (see
  :func:`read_requests`), else 0; batch share is 0.
* A ``model`` column splits the log into one workload per model, each with its share of the
  requests; without one every row is ``--model``.
* A log of hours holds no growth history: rate 0 and the prior volatility of
  :mod:`simulator.usage.fitting`.
* The token distributions' spread (standard deviation and percentiles) is kept in the summary.

Timestamps are ISO 8601 (naive ones read as UTC) or numbers of Unix seconds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import numpy as np

from simulator.catalog.prices import Catalog, load_catalog
from simulator.errors import ImportDataError, Problem
from simulator.scenario import scenario_from_data
from simulator.scenario.numbers import strip_control
from simulator.usage.common import (
    DEFAULT_CATALOG,
    DEFAULT_MODEL,
    HORIZON_MONTHS,
    ImportResult,
    RowLog,
    normalise_model,
    slugify,
)
from simulator.usage.fitting import fit_growth
from simulator.usage.naming import claude_name
from simulator.usage.request_rows import SECONDS_PER_MONTH, LogRows, read_log_rows
from simulator.usage.rowsafety import plain_name


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
    """Timestamps, whole prompt tokens (cache included) and output tokens per request.

    The plain form of :func:`simulator.usage.request_rows.read_log_rows` for callers that need
    no cache split or model (the per-minute capacity demand).
    """
    rows = read_log_rows(path, log, DEFAULT_MODEL)
    return rows.times, rows.prompts, rows.output


def _by_model(rows: LogRows, source: str, catalog: Catalog, log: RowLog) -> dict[str, list[int]]:
    """Row indices by catalog model; each unknown model is one bad row (its first line, count)."""
    groups: dict[str, list[int]] = {}
    unknown: dict[str, list[int]] = {}
    for i, raw in enumerate(rows.models):
        model = normalise_model(raw, catalog)
        if model is None:
            unknown.setdefault(raw, []).append(rows.lines[i])
            continue
        groups.setdefault(model, []).append(i)
    for raw, lines in sorted(unknown.items(), key=lambda kv: kv[1][0]):
        log.bad(
            source,
            lines[0],
            "model",
            f"not in price catalog {catalog.name}: {len(lines)} request(s) of it"
            + (" (a retired Claude model?)" if claude_name(raw) else ""),
            raw,
        )
    return groups


def import_requests(
    path: str | Path,
    *,
    model: str = DEFAULT_MODEL,
    bad_rows: Literal["skip", "reject"] = "reject",
    workload_id: str | None = None,
    name: str | None = None,
    catalog_name: str = DEFAULT_CATALOG,
) -> ImportResult:
    """Build a scenario from a per-request log: one workload per model in it.

    Parameters
    ----------
    path : path
        CSV with a timestamp, prompt-token and output-token column (see :data:`COLUMNS`), and
        optionally cache and model columns (:data:`OPTIONAL`): Anthropic-style logs
        (``input_tokens`` + ``cache_read_input_tokens`` + ``cache_creation_input_tokens``) and
        LiteLLM spend logs (``startTime``, ``model``, ``prompt_tokens``) both read.
    model : str
        Catalog model id of rows without a model column (or an empty cell).
    bad_rows : {'reject', 'skip'}
        Reject the file listing every bad row, or skip them and list them in the summary.
    workload_id : str, optional
        Workload id; defaults to the file's stem, slugified (suffixed by the model when the log
        holds several models).
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
    rows = read_log_rows(path, log, resolved)
    groups = _by_model(rows, source, catalog, log)
    log.finish()
    times = rows.times
    if len(times) < 2 or max(times) == min(times):
        raise ImportDataError(
            [Problem(source, 0, "", "need at least two requests at different times", len(times))]
        )
    first, last = min(times), max(times)
    span = (last - first).total_seconds()
    per_second = (len(times) - 1) / span
    p_all = np.array(rows.prompts, dtype=float)
    o_all = np.array(rows.output, dtype=float)
    fit = fit_growth([1.0])
    y, m = (last.year + 1, 1) if last.month == 12 else (last.year, last.month + 1)
    base = slugify(workload_id or Path(path).stem)
    workloads, infos = [], []
    for model_id in sorted(groups):
        idx = np.array(groups[model_id])
        wid = base if len(groups) == 1 else slugify(f"{base}-{model_id}")
        w, info = _workload(rows, idx, wid, model_id, catalog, first.date())
        w["requests_per_month"] = round(per_second * len(idx) / len(times) * SECONDS_PER_MONTH, 3)
        # no month-0 growth here, unlike build_import: a log of hours has no growth history,
        # so its rate is 0 and no trend sd is carried, and growth_multiplier would be exactly 1
        w["growth"] = {"monthly_rate": fit.monthly_rate, "volatility": fit.volatility}
        w["description"] = strip_control(
            f"imported from {Path(path).name}: {len(idx)} requests of {model_id}"
        )
        info["fit"] = fit.as_dict()
        workloads.append(w)
        infos.append(info)
    data = {
        "schema_version": 1,
        "name": plain_name(name or f"Imported from request log ({Path(path).name})"),
        "start": f"{y:04d}-{m:02d}",
        "horizon_months": HORIZON_MONTHS,
        "pricing": {"catalog": catalog_name, "overrides": {}},
        "workloads": workloads,
        "levers": [],
    }
    scenario = scenario_from_data(data, source)
    log.warnings.append(
        f"the log spans {span:,.0f} s, no growth history: monthly_rate 0, "
        f"prior volatility {fit.volatility}"
    )
    summary: dict[str, Any] = {
        "source": source,
        "rows_used": sum(len(v) for v in groups.values()),
        "rows_skipped": len(log.problems),
        "skipped": [str(x) for x in log.problems],
        "warnings": list(log.warnings),
        "window": [first.isoformat(), last.isoformat()],
        "span_seconds": span,
        "requests_per_second": per_second,
        "start": scenario.start,
        "requests_rule": (
            "requests_per_month = (n - 1) / (last - first timestamp) x "
            f"{SECONDS_PER_MONTH:,.0f} s per month, split by each model's share of requests; "
            "tokens per request are the log's means"
        ),
        "prompt_rule": rows.prompt_rule,
        "input_tokens": _spread(p_all),
        "output_tokens": _spread(o_all),
        "long_context_requests": sum(i["long_context_requests"] for i in infos),
        "workloads": infos,
    }
    return ImportResult(scenario, summary, list(log.problems))


def _workload(
    rows: LogRows,
    idx: np.ndarray[Any, np.dtype[np.int64]],
    wid: str,
    model_id: str,
    catalog: Catalog,
    day: dt.date,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Workload fields (all but rate and growth) and summary info for one model's rows."""

    def arr(values: list[int]) -> np.ndarray[Any, np.dtype[np.float64]]:
        out: np.ndarray[Any, np.dtype[np.float64]] = np.array(values, dtype=float)[idx]
        return out

    read, w5, w1 = arr(rows.cache_read), arr(rows.write_5m), arr(rows.write_1h)
    p = arr(rows.uncached) + read + w5 + w1
    o = arr(rows.output)
    threshold = catalog.rates(model_id, day).lc_threshold
    long_ = p > threshold if threshold is not None else np.zeros(len(p), dtype=bool)
    total, prompt = float((p + o).sum()), float(p.sum())
    read_share = round(float(read.sum()) / prompt, 6) if prompt > 0 else 0.0
    write_share = round(float((w5 + w1).sum()) / prompt, 6) if prompt > 0 else 0.0
    w = {
        "id": wid,
        "model": model_id,
        "input_tokens": round(float(p.mean()), 6),
        "output_tokens": round(float(o.mean()), 6),
        "cache_read_share": read_share,
        "cache_write_share": min(write_share, 1.0 - read_share),
        "cache_ttl": "1h" if float(w1.sum()) > float(w5.sum()) else "5m",
        "long_context_share": round(float((p + o)[long_].sum()) / total, 6) if total else 0.0,
    }
    info = {
        "id": wid,
        "model": model_id,
        "requests": len(idx),
        "cache_read_tokens": float(read.sum()),
        "cache_write_tokens": float((w5 + w1).sum()),
        "long_context_requests": int(long_.sum()),
    }
    return w, info
