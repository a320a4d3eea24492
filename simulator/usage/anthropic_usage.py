"""Anthropic Admin API exports: the messages usage report and the cost report.

Both endpoints return pages ``{data: [{starting_at, ending_at, results: [row]}], has_more,
next_page}``. A file may hold one page or a list of pages; several files are read in the order
given and the ``has_more``/``next_page`` chain is checked (a chain that ends with ``has_more:
true`` means pages are missing, which is a warning in the summary).

Null dimensions: ``workspace_id`` (or ``api_key_id``) null is the ``default`` workspace; a null
``model`` (report not grouped by model) is priced as ``--model``; both are counted in warnings.

Rows are told apart by every dimension they carry (``speed``, ``account_id``,
``service_account_id`` and any other grouping), so only a row repeating all of them in the same
bucket is a duplicate. ``speed: fast`` is priced at the fast-mode multiplier where one is known.
``server_tool_use`` counts (web searches) are summed and named in the warnings: they are billed
per use, not per token, and are not part of the token forecast. A retired Claude model the
catalog does not price (Claude 3.x) is left out with a warning giving its tokens, not rejected.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from simulator.catalog.prices import Catalog, load_catalog
from simulator.usage.admin_costs import read_costs
from simulator.usage.common import (
    DEFAULT_CATALOG,
    DEFAULT_INPUT_TOKENS_PER_REQUEST,
    DEFAULT_MODEL,
    FAST_MODE_MULTIPLIER,
    ImportResult,
    RowLog,
    UsageRecord,
    build_import,
    normalise_model,
)
from simulator.usage.jsonloc import JsonDoc
from simulator.usage.naming import claude_name
from simulator.usage.pages import buckets
from simulator.usage.reconcile import explain_gaps, reconcile
from simulator.usage.rowsafety import MAX_ROW_TOKENS

GroupBy = Literal["workspace", "api_key"]
_TOKEN_KEYS = {
    "uncached": ("uncached_input_tokens",),
    "cache_read": ("cache_read_input_tokens",),
    "write_5m": ("cache_creation", "ephemeral_5m_input_tokens"),
    "write_1h": ("cache_creation", "ephemeral_1h_input_tokens"),
    "output": ("output_tokens",),
}
_TOKEN_ROOTS = {keys[0] for keys in _TOKEN_KEYS.values()} | {"server_tool_use"}
# web search is billed per use: $10 per 1,000 searches (Anthropic pricing page)
WEB_SEARCH_DOLLARS = 0.01
_CONTEXT = {None: False, "0-200k": False, "200k-1M": True}


def _tokens(row: dict[str, Any], doc: JsonDoc, rpath: str, log: RowLog) -> dict[str, int] | None:
    out: dict[str, int] = {}
    ok = True
    for name, keys in _TOKEN_KEYS.items():
        holder: Any = row
        for k in keys[:-1]:
            parent, holder = holder, holder.get(k) if isinstance(holder, dict) else None
            if holder is not None and not isinstance(holder, dict):
                # a malformed cache_creation must not be read as "no cache writes"
                log.bad(doc.name, doc.line(parent, k), f"{rpath}.{k}", "must be an object", holder)
                return None
        value = holder.get(keys[-1]) if isinstance(holder, dict) else None
        if value is None:  # absent or null: the API omits classes it has nothing for
            out[name] = 0
        elif isinstance(value, int) and not isinstance(value, bool) and value > MAX_ROW_TOKENS:
            log.bad(
                doc.name,
                doc.line(holder, keys[-1]),
                f"{rpath}.{'.'.join(keys)}",
                f"token count above {MAX_ROW_TOKENS:.0e} is not plausible for one row",
                value,
            )
            ok = False
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
    days_out: set[dt.date] | None = None,
) -> tuple[list[UsageRecord], tuple[dt.date, dt.date]]:
    """Parse usage report pages into records; bad rows go to ``log``.

    ``days_out``, when given, receives every day a bucket covers (empty buckets included), so
    days with no bucket can be told from days of zero usage.

    Returns
    -------
    records, window
        Good rows, and the data's window ``[first day, day after the last bucket ends)``.
    """
    records: list[UsageRecord] = []
    seen: dict[tuple[Any, ...], str] = {}
    nulls: dict[str, int] = defaultdict(int)
    unpriced: dict[str, float] = defaultdict(float)
    fast_tokens: dict[str, float] = defaultdict(float)
    tool_uses: dict[str, float] = defaultdict(float)
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    dim = "workspace_id" if group_by == "workspace" else "api_key_id"
    for doc, bpath, bucket, start, end in buckets(paths, log):
        first = start if first is None or start < first else first
        last = end if last is None or end > last else last
        if days_out is not None:
            day = start.date()
            while dt.datetime.combine(day, dt.time(0)) < end:
                days_out.add(day)
                day += dt.timedelta(days=1)
        for r, row in enumerate(bucket["results"]):
            rpath = f"{bpath}.results[{r}]"
            if not isinstance(row, dict):
                log.bad(doc.name, doc.line(bucket, "results"), rpath, "row must be an object", row)
                continue
            where = f"{doc.name}:{doc.line(row)}"
            # same bucket and every dimension the same twice means a page was exported twice;
            # any grouping (speed, account_id, service_account_id, ...) tells rows apart
            key = (start, *sorted((k, str(v)) for k, v in row.items() if k not in _TOKEN_ROOTS))
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
            retired = claude_name(raw_model) if isinstance(raw_model, str) else None
            if model is None and retired is not None:
                toks = _tokens(row, doc, rpath, RowLog("skip")) or {}
                unpriced[str(raw_model)] += sum(toks.values())
                continue
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
            if not isinstance(cw, str | None) or cw not in _CONTEXT:  # a list is unhashable
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
            fast = row.get("speed") == "fast"
            if fast:
                fast_tokens[model] += sum(tokens.values())
            tools = row.get("server_tool_use")
            if isinstance(tools, dict):
                for k, v in tools.items():
                    if isinstance(v, int | float) and not isinstance(v, bool) and v > 0:
                        tool_uses[str(k)] += float(v)
            records.append(
                UsageRecord(
                    workspace=str(ws) if ws is not None else "default",
                    model=model,
                    day=start.date(),
                    batch=tier == "batch",
                    long_context=_CONTEXT[cw],
                    geo_us=row.get("inference_geo") == "us",
                    fast=fast,
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
    _usage_warnings(log, unpriced, fast_tokens, tool_uses, catalog)
    if first is None or last is None:
        return records, (dt.date.today(), dt.date.today())
    end_day = last.date() if last.time() == dt.time(0) else last.date() + dt.timedelta(days=1)
    return records, (first.date(), end_day)


def _usage_warnings(
    log: RowLog,
    unpriced: dict[str, float],
    fast_tokens: dict[str, float],
    tool_uses: dict[str, float],
    catalog: Catalog,
) -> None:
    for raw, n in sorted(unpriced.items()):
        log.warnings.append(
            f"model {raw} is not in price catalog {catalog.name} (retired?): its {n:,.0f} "
            "tokens are left out of the scenario and the priced usage"
        )
    for model, n in sorted(fast_tokens.items()):
        mult = FAST_MODE_MULTIPLIER.get(model)
        how = (
            f"priced at {mult:g}x in the reconciliation"
            if mult
            else "priced at standard rates (no fast-mode rate known for this model)"
        )
        log.warnings.append(
            f"{n:,.0f} fast-mode tokens of {model} {how}; the scenario has no speed field, so "
            "its forecast prices them at standard rates"
        )
    for kind, n in sorted(tool_uses.items()):
        extra = (
            f" (about ${n * WEB_SEARCH_DOLLARS:,.2f} at $10 per 1,000)"
            if kind == "web_search_requests"
            else ""
        )
        log.warnings.append(
            f"server_tool_use: {n:,.0f} {kind}{extra} are billed per use, not per token, and are "
            "not in the forecast"
        )


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
    have: set[dt.date] = set()
    records, window = read_usage(
        paths, log, catalog=catalog, default_model=default_model, group_by=group_by, days_out=have
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
        have_days=have,
    )
    if costs is not None:
        rec = reconcile(result.summary["priced_usage_by_model"], costs[0], costs[1])
        result.summary["warnings"] += explain_gaps(rec)
        if costs[2] is not None:
            (c0, c1), (u0, u1) = costs[2], window
            rec["window"] = [c0.isoformat(), c1.isoformat()]
            if (c0, c1) != (u0, u1):
                result.summary["warnings"].append(
                    f"cost report covers {c0}..{c1}, usage {u0}..{u1}"
                )
        result.summary["reconciliation"] = rec
    return result
