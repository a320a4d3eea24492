"""Anthropic Admin API exports: the messages usage report and the cost report.

Both endpoints return pages ``{data: [{starting_at, ending_at, results: [row]}], has_more,
next_page}``. A file may hold one page or a list of pages; several files are read in the order
given and the ``has_more``/``next_page`` chain is checked (a chain that ends with ``has_more:
true`` means pages are missing, which is a warning in the summary).

Null dimensions: ``workspace_id`` (or ``api_key_id``) null is the ``default`` workspace; a null
``model`` (report not grouped by model) is priced as ``--model``; both are counted in warnings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from simulator.catalog.prices import Catalog, load_catalog
from simulator.usage.common import (
    DEFAULT_CATALOG,
    DEFAULT_INPUT_TOKENS_PER_REQUEST,
    DEFAULT_MODEL,
    ImportResult,
    RowLog,
    UsageRecord,
    build_import,
    normalise_model,
    reconcile,
)
from simulator.usage.jsonloc import JsonDoc, load_json

GroupBy = Literal["workspace", "api_key"]
_TOKEN_KEYS = {
    "uncached": ("uncached_input_tokens",),
    "cache_read": ("cache_read_input_tokens",),
    "write_5m": ("cache_creation", "ephemeral_5m_input_tokens"),
    "write_1h": ("cache_creation", "ephemeral_1h_input_tokens"),
    "output": ("output_tokens",),
}
_DIMENSIONS = (
    "model",
    "service_tier",
    "context_window",
    "workspace_id",
    "api_key_id",
    "inference_geo",
)
_CONTEXT = {None: False, "0-200k": False, "200k-1M": True}


def _pages(doc: JsonDoc) -> Iterator[tuple[str, Any]]:
    """Yield ``(json path, page)`` for a file holding one page or a list of pages."""
    if isinstance(doc.data, list):
        for i, page in enumerate(doc.data):
            yield f"[{i}]", page
    else:
        yield "", doc.data


def _check_chain(chain: list[tuple[str, Any]], log: RowLog) -> None:
    seen: dict[str, str] = {}
    for i, (where, page) in enumerate(chain):
        more, token = page.get("has_more"), page.get("next_page")
        last = i == len(chain) - 1
        if more and last:
            log.warnings.append(
                f"{where}: has_more is true (next_page {token!r}) but no later page was given; "
                "the export is missing pages"
            )
        elif not more and not last:
            log.warnings.append(
                f"{where}: has_more is false but more pages follow; "
                "pages from different queries or out of order?"
            )
        if more and token is not None:
            if token in seen:
                log.warnings.append(f"{where}: next_page {token!r} repeats {seen[token]}")
            seen[str(token)] = where


def _when(text: Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    # naive and aware stamps must compare; the API speaks UTC
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when


def _buckets(
    paths: Sequence[str | Path], log: RowLog
) -> Iterator[tuple[JsonDoc, str, Any, dt.datetime, dt.datetime]]:
    """Every well-formed bucket of every page, with its file and JSON path."""
    chain: list[tuple[str, Any]] = []
    for path in paths:
        doc = load_json(path)
        for ppath, page in _pages(doc):
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                log.bad(
                    doc.name, doc.line(page), f"{ppath}.data".lstrip("."), "page has no data list"
                )
                continue
            chain.append((f"{doc.name}{ppath or ''}", page))
            for b, bucket in enumerate(page["data"]):
                bpath = f"{ppath}.data[{b}]".lstrip(".")
                start = _when(bucket.get("starting_at")) if isinstance(bucket, dict) else None
                end = _when(bucket.get("ending_at")) if isinstance(bucket, dict) else None
                if start is None or end is None or end <= start:
                    log.bad(
                        doc.name,
                        doc.line(bucket, "starting_at"),
                        f"{bpath}.starting_at",
                        "bucket needs ISO starting_at < ending_at",
                        bucket.get("starting_at") if isinstance(bucket, dict) else bucket,
                    )
                    continue
                if not isinstance(bucket.get("results"), list):
                    log.bad(
                        doc.name, doc.line(bucket), f"{bpath}.results", "results must be a list"
                    )
                    continue
                yield doc, bpath, bucket, start, end
    _check_chain(chain, log)


def _tokens(row: dict[str, Any], doc: JsonDoc, rpath: str, log: RowLog) -> dict[str, int] | None:
    out: dict[str, int] = {}
    ok = True
    for name, keys in _TOKEN_KEYS.items():
        holder: Any = row
        for k in keys[:-1]:
            holder = holder.get(k) if isinstance(holder, dict) else None
        value = holder.get(keys[-1]) if isinstance(holder, dict) else None
        if value is None:  # absent or null: the API omits classes it has nothing for
            out[name] = 0
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            log.bad(
                doc.name,
                doc.line(holder, keys[-1]),
                f"{rpath}.{'.'.join(keys)}",
                "token count must be a non-negative integer",
                value,
            )
            ok = False
        else:
            out[name] = value
    return out if ok else None


def read_usage(
    paths: Sequence[str | Path],
    log: RowLog,
    *,
    catalog: Catalog,
    default_model: str = DEFAULT_MODEL,
    group_by: GroupBy = "workspace",
) -> tuple[list[UsageRecord], tuple[dt.date, dt.date]]:
    """Parse usage report pages into records; bad rows go to ``log``.

    Returns
    -------
    records, window
        Good rows, and the data's window ``[first day, day after the last bucket ends)``.
    """
    records: list[UsageRecord] = []
    seen: dict[tuple[Any, ...], str] = {}
    nulls: dict[str, int] = defaultdict(int)
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    dim = "workspace_id" if group_by == "workspace" else "api_key_id"
    for doc, bpath, bucket, start, end in _buckets(paths, log):
        first = start if first is None or start < first else first
        last = end if last is None or end > last else last
        for r, row in enumerate(bucket["results"]):
            rpath = f"{bpath}.results[{r}]"
            if not isinstance(row, dict):
                log.bad(doc.name, doc.line(bucket, "results"), rpath, "row must be an object", row)
                continue
            where = f"{doc.name}:{doc.line(row)}"
            # same bucket and same dimensions twice means a page was exported twice
            key = (start, *(str(row.get(k)) for k in _DIMENSIONS))
            if key in seen:
                log.bad(doc.name, doc.line(row), rpath, f"duplicate of the row at {seen[key]}")
                continue
            seen[key] = where
            raw_model = row.get("model")
            if raw_model is None:
                nulls["model"] += 1
                model: str | None = default_model
            elif isinstance(raw_model, str):
                model = normalise_model(raw_model, catalog)
            else:
                model = None
            if model is None:
                log.bad(
                    doc.name,
                    doc.line(row, "model"),
                    f"{rpath}.model",
                    f"model not in price catalog {catalog.name}",
                    raw_model,
                )
                continue
            cw = row.get("context_window")
            if cw not in _CONTEXT:
                log.bad(
                    doc.name,
                    doc.line(row, "context_window"),
                    f"{rpath}.context_window",
                    "expected '0-200k', '200k-1M' or null",
                    cw,
                )
                continue
            tokens = _tokens(row, doc, rpath, log)
            if tokens is None:
                continue
            ws = row.get(dim)
            if ws is None:
                nulls[dim] += 1
            tier = row.get("service_tier")
            if tier not in (None, "standard", "batch"):
                nulls[f"service_tier {tier} priced as standard"] += 1
            records.append(
                UsageRecord(
                    workspace=str(ws) if ws is not None else "default",
                    model=model,
                    day=start.date(),
                    batch=tier == "batch",
                    long_context=_CONTEXT[cw],
                    geo_us=row.get("inference_geo") == "us",
                    **tokens,
                )
            )
    for what, n in sorted(nulls.items()):
        if what == "model":
            log.warnings.append(f"{n} row(s) with model null priced as {default_model}")
        elif what == dim:
            log.warnings.append(f"{n} row(s) with {dim} null put in workspace 'default'")
        else:
            log.warnings.append(f"{n} row(s) with {what}")
    if first is None or last is None:
        return records, (dt.date.today(), dt.date.today())
    end_day = last.date() if last.time() == dt.time(0) else last.date() + dt.timedelta(days=1)
    return records, (first.date(), end_day)


def read_costs(
    paths: Sequence[str | Path], log: RowLog, *, catalog: Catalog
) -> tuple[dict[str, float], dict[str, float], tuple[dt.date, dt.date] | None]:
    """Sum a cost report's ``amount`` (decimal string, cents) into dollars.

    Returns
    -------
    tokens, other, window
        Token costs by model (``unattributed`` when model is null), other costs by cost type, and
        the report's window.
    """
    tokens: dict[str, float] = defaultdict(float)
    other: dict[str, float] = defaultdict(float)
    days: list[dt.date] = []
    for doc, bpath, bucket, start, end in _buckets(paths, log):
        days += [start.date(), end.date()]
        for r, row in enumerate(bucket["results"]):
            rpath = f"{bpath}.results[{r}]"
            if not isinstance(row, dict):
                log.bad(doc.name, doc.line(bucket, "results"), rpath, "row must be an object", row)
                continue
            amount = row.get("amount")
            try:
                cents = Decimal(str(amount)) if isinstance(amount, str | int | float) else None
            except InvalidOperation:
                cents = None
            if cents is None or not cents.is_finite() or isinstance(amount, bool):
                log.bad(
                    doc.name,
                    doc.line(row, "amount"),
                    f"{rpath}.amount",
                    "amount must be a decimal string in cents",
                    amount,
                )
                continue
            currency = row.get("currency", "USD")
            if currency not in (None, "USD"):
                log.bad(
                    doc.name,
                    doc.line(row, "currency"),
                    f"{rpath}.currency",
                    "only USD is supported",
                    currency,
                )
                continue
            dollars = float(cents / 100)
            cost_type = row.get("cost_type") or "tokens"
            if cost_type != "tokens":
                other[str(cost_type)] += dollars
                continue
            raw = row.get("model")
            model = normalise_model(raw, catalog) if isinstance(raw, str) else None
            tokens[model or (raw if isinstance(raw, str) else "unattributed")] += dollars
    window = (min(days), max(days)) if days else None
    return dict(tokens), dict(other), window


def import_anthropic_usage(
    paths: Sequence[str | Path],
    *,
    cost_report: Sequence[str | Path] = (),
    bad_rows: Literal["skip", "reject"] = "reject",
    default_model: str = DEFAULT_MODEL,
    group_by: GroupBy = "workspace",
    tokens_per_request: float = DEFAULT_INPUT_TOKENS_PER_REQUEST,
    name: str | None = None,
    catalog_name: str = DEFAULT_CATALOG,
) -> ImportResult:
    """Build a scenario from usage report pages, optionally reconciled with a cost report.

    Parameters
    ----------
    paths : sequence of path
        Usage report JSON files (pages, or lists of pages), in page order.
    cost_report : sequence of path
        Cost report JSON files; when given the summary gains ``reconciliation``.
    bad_rows : {'reject', 'skip'}
        ``reject`` raises :class:`~simulator.errors.ImportDataError` listing every bad row;
        ``skip`` imports the rest and lists the skipped rows in the summary.
    default_model : str
        Model for rows whose ``model`` is null.
    group_by : {'workspace', 'api_key'}
        Dimension that, with the model, defines a workload.
    tokens_per_request : float
        Prompt tokens per request assumed to derive request counts (see ``build_import``).
    name : str, optional
        Scenario name.
    catalog_name : str
        Price catalog.

    Returns
    -------
    ImportResult
    """
    log = RowLog(bad_rows)
    catalog = load_catalog(catalog_name)
    records, window = read_usage(
        paths, log, catalog=catalog, default_model=default_model, group_by=group_by
    )
    costs = read_costs(cost_report, log, catalog=catalog) if cost_report else None
    source = ", ".join(str(p) for p in paths)
    result = build_import(
        records,
        window=window,
        name=name or f"Imported from Anthropic usage report ({Path(paths[0]).name})",
        source=source,
        log=log,
        tokens_per_request=tokens_per_request,
        catalog_name=catalog_name,
    )
    if costs is not None:
        rec = reconcile(result.summary["priced_usage_by_model"], costs[0], costs[1])
        if costs[2] is not None:
            (c0, c1), (u0, u1) = costs[2], window
            rec["window"] = [c0.isoformat(), c1.isoformat()]
            if (c0, c1) != (u0, u1):
                result.summary["warnings"].append(
                    f"cost report covers {c0}..{c1}, usage {u0}..{u1}"
                )
        result.summary["reconciliation"] = rec
    return result
