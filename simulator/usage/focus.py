"""FinOps FOCUS (1.0-1.2) cost and usage exports filtered to Claude.

FOCUS names no token classes, so each usage row is read from its SKU text, the concatenation of
``SkuMeter``, ``SkuId``, ``ChargeDescription``, ``SkuPriceDetails`` and ``x_TokenType`` (those
present), lower-cased with ``-``/``_`` read as spaces:

* model: the ``x_Model`` column when present, else the longest catalog model id in the SKU text;
* token class: ``cache read``/``cache hit`` -> cache reads; ``cache write``/``cache creation``
  -> cache writes (1-hour when the text says ``1h``/``1 hour``, else 5-minute); ``output``;
  ``input``; anything else is a bad row;
* ``batch`` in the text -> batch tier; ``long context`` or ``200k 1m`` -> long context;
* tokens = ``ConsumedQuantity`` x the ``ConsumedUnit`` scale (``Tokens``, ``1K Tokens``,
  ``1M Tokens`` and spelled-out forms); workspace = ``SubAccountId`` (empty -> ``default``).

Rows from other services, and non-usage charges (purchases, credits, tax, unused commitment),
are counted and summed in the summary, never used as traffic.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Literal

from simulator.catalog.prices import Catalog, load_catalog
from simulator.errors import ImportDataError, Problem
from simulator.usage.anthropic_usage import GroupBy
from simulator.usage.common import (
    DEFAULT_CATALOG,
    DEFAULT_INPUT_TOKENS_PER_REQUEST,
    ImportResult,
    RowLog,
    UsageRecord,
    build_import,
    reconcile,
)

REQUIRED = ("ChargePeriodStart", "ChargeCategory", "ConsumedQuantity", "ConsumedUnit")
_SKU_COLUMNS = ("SkuMeter", "SkuId", "ChargeDescription", "SkuPriceDetails", "x_TokenType")
_PROVIDER_COLUMNS = ("ServiceName", "Provider", "ProviderName", "PublisherName", "SkuId")
_UNITS = {
    "token": 1.0,
    "tokens": 1.0,
    "1k tokens": 1e3,
    "1000 tokens": 1e3,
    "thousand tokens": 1e3,
    "1m tokens": 1e6,
    "1000000 tokens": 1e6,
    "million tokens": 1e6,
    "mtok": 1e6,
}
_ONE_HOUR = re.compile(r"\b1 ?h(ou)?r?\b")
_LONG = re.compile(r"long context|200k 1m|over 200k|> ?200k")


def token_class(text: str) -> str | None:
    """Token class named by a SKU text (already lower-case, ``-``/``_`` as spaces)."""
    if "cache read" in text or "cache hit" in text:
        return "cache_read"
    if "cache write" in text or "cache creation" in text:
        return "write_1h" if _ONE_HOUR.search(text) else "write_5m"
    if "output" in text:
        return "output"
    if "input" in text:
        return "uncached"
    return None


def _model_in(text: str, catalog: Catalog) -> str | None:
    # "Claude Opus 4.5" and "claude-opus-4-5" both become "claude opus 4 5"; a match must not be
    # followed by another version digit, or "opus 4" would swallow "opus 4 5"
    spaced = re.sub(r"(\d)\.(\d)", r"\1 \2", text.lower()).replace("-", " ")
    found = [m for m in catalog.models if re.search(rf"\b{m.replace('-', ' ')}(?! ?\d)", spaced)]
    return max(found, key=len) if found else None


def _date(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def import_focus(
    path: str | Path,
    *,
    bad_rows: Literal["skip", "reject"] = "reject",
    group_by: GroupBy = "workspace",
    tokens_per_request: float = DEFAULT_INPUT_TOKENS_PER_REQUEST,
    name: str | None = None,
    catalog_name: str = DEFAULT_CATALOG,
) -> ImportResult:
    """Build a scenario from a FOCUS CSV export, reconciled with its own ``ListCost``.

    Parameters
    ----------
    path : path
        FOCUS CSV (header row of FOCUS column names).
    bad_rows : {'reject', 'skip'}
        Reject listing every bad row, or skip them and list them in the summary.
    group_by : {'workspace', 'api_key'}
        ``workspace`` groups by ``SubAccountId``; ``api_key`` by ``ResourceId``.
    tokens_per_request : float
        Prompt tokens per request assumed to derive request counts (FOCUS has none).
    name : str, optional
        Scenario name.
    catalog_name : str
        Price catalog.

    Returns
    -------
    ImportResult
        The summary's ``reconciliation`` compares ``ListCost`` (else ``BilledCost``) by model with
        the catalog-priced usage; ``other_costs`` sums non-usage charges by category.
    """
    source = str(path)
    catalog = load_catalog(catalog_name)
    log = RowLog(bad_rows)
    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportDataError(
            [Problem(source, 0, "", f"cannot read file: {exc}", None, False)]
        ) from None
    records: list[UsageRecord] = []
    reported: dict[str, float] = defaultdict(float)
    other: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    starts: list[dt.datetime] = []
    ends: list[dt.datetime] = []
    with io.StringIO(raw) as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ImportDataError(
                [Problem(source, 1, c, "missing FOCUS column", None, False) for c in missing]
            )
        cost_col = "ListCost" if "ListCost" in header else "BilledCost"
        group_col = "SubAccountId" if group_by == "workspace" else "ResourceId"
        for row in reader:
            line = reader.line_num

            def cell(col: str, row: dict[str, Any] = row) -> str:
                return str(row.get(col) or "").strip()

            who = " ".join(cell(c) for c in _PROVIDER_COLUMNS).lower()
            if "claude" not in who and "anthropic" not in who:
                counts["rows from other services ignored"] += 1
                continue
            cost_text = cell(cost_col)
            cost = _number(cost_text) if cost_text else 0.0
            if cost is None:
                log.bad(source, line, cost_col, "not a number", cost_text)
                continue
            category = cell("ChargeCategory")
            if cell("CommitmentDiscountStatus").lower() == "unused":
                other["unused commitment"] += cost
                continue
            if category.lower() != "usage":
                other[category or "(no ChargeCategory)"] += cost
                continue
            start = _date(cell("ChargePeriodStart"))
            if start is None:
                log.bad(
                    source, line, "ChargePeriodStart", "not an ISO date", cell("ChargePeriodStart")
                )
                continue
            text = re.sub(r"[-_]+", " ", " ".join(cell(c) for c in _SKU_COLUMNS).lower())
            model = cell("x_Model").lower() or None
            if model is not None:
                model = model if model in catalog.models else _model_in(model, catalog)
            else:
                model = _model_in(text, catalog)
            if model is None:
                log.bad(
                    source,
                    line,
                    "x_Model" if cell("x_Model") else "SkuId",
                    f"no model of price catalog {catalog.name} named",
                    cell("x_Model") or cell("SkuId") or cell("ChargeDescription"),
                )
                continue
            klass = token_class(text)
            if klass is None:
                log.bad(
                    source,
                    line,
                    "SkuMeter",
                    "no token class (input, output, cache) named",
                    cell("SkuMeter") or cell("SkuId"),
                )
                continue
            scale = _UNITS.get(re.sub(r"\s+", " ", cell("ConsumedUnit").lower()))
            if scale is None:
                log.bad(source, line, "ConsumedUnit", "not a token unit", cell("ConsumedUnit"))
                continue
            qty = _number(cell("ConsumedQuantity"))
            if qty is None or qty < 0:
                log.bad(
                    source,
                    line,
                    "ConsumedQuantity",
                    "not a non-negative number",
                    cell("ConsumedQuantity"),
                )
                continue
            end = _date(cell("ChargePeriodEnd"))
            starts.append(start)
            ends.append(end if end is not None and end > start else start + dt.timedelta(days=1))
            reported[model] += cost
            rec = UsageRecord(
                workspace=cell(group_col) or "default",
                model=model,
                day=start.date(),
                batch="batch" in text,
                long_context=bool(_LONG.search(text)),
            )
            setattr(rec, klass, qty * scale)
            records.append(rec)
    for what, n in sorted(counts.items()):
        log.warnings.append(f"{n} {what}")
    if not starts:
        log.finish()
        raise ImportDataError([Problem(source, 0, "", "no Claude usage rows", None, False)])
    last = max(ends)
    end_day = last.date() if last.time() == dt.time(0) else last.date() + dt.timedelta(days=1)
    result = build_import(
        records,
        window=(min(starts).date(), end_day),
        name=name or f"Imported from FOCUS export ({Path(path).name})",
        source=source,
        log=log,
        tokens_per_request=tokens_per_request,
        catalog_name=catalog_name,
    )
    rec_summary = reconcile(result.summary["priced_usage_by_model"], dict(reported), dict(other))
    rec_summary["reported_column"] = cost_col
    result.summary["reconciliation"] = rec_summary
    return result
