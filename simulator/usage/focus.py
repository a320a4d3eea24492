"""FinOps FOCUS (1.0-1.3) cost and usage exports filtered to Claude.

Which rows are Claude: ``claude`` or ``anthropic`` in a provider column (``ServiceName``,
``Provider``, ``ProviderName``, ``PublisherName``, and the 1.3 ``ServiceProviderName`` /
``HostProviderName``), or a Claude model named anywhere in the row (a Bedrock row whose
``ServiceName`` is "Amazon Bedrock" but whose usage type names the model).

* model: ``x_Model``, ``ServiceName`` ("Claude 3.5 Haiku (Amazon Bedrock Edition)"),
  ``ResourceId``/``ResourceName`` (Bedrock ids and ARNs such as
  ``us.anthropic.claude-sonnet-4-5-20250929-v1:0``), then the SKU text; forms read are listed in
  :mod:`simulator.usage.naming`. A Claude model the catalog does not price (retired) is left out
  with a warning giving its tokens and cost;
* token class, batch and long context: :mod:`simulator.usage.focus_sku` (SKU text and the
  structured ``SkuPriceDetails``);
* tokens = ``ConsumedQuantity`` x the ``ConsumedUnit`` scale (``Tokens``, ``1K Tokens``,
  ``1M Tokens``, spelled-out forms). A count unit (``Units``, ``Count``) on a SKU that names
  tokens is read with the scale (1, 1,000 or 1,000,000 tokens per unit) the row's cost implies at
  catalog rates, 1 when the row has no cost; the scales used are named in the warnings;
* workspace = ``SubAccountId`` (empty -> ``default``).

Rows from other services, and non-usage charges (purchases, credits, tax, unused commitment),
are counted and summed in the summary, never used as traffic. Reconciliation gaps above 2% are
explained or warned about (:mod:`simulator.usage.reconcile`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Literal

from simulator.catalog.prices import load_catalog
from simulator.errors import ImportDataError, Problem
from simulator.usage.anthropic_usage import GroupBy
from simulator.usage.common import (
    DEFAULT_CATALOG,
    DEFAULT_INPUT_TOKENS_PER_REQUEST,
    ImportResult,
    RowLog,
    UsageRecord,
    build_import,
)
from simulator.usage.focus_sku import (
    COUNT_UNITS,
    SKU_COLUMNS,
    TOKEN_UNITS,
    details,
    infer_scale,
    names_tokens,
    sku_reading,
    token_class,
    words,
)
from simulator.usage.naming import claude_name, find_model
from simulator.usage.reconcile import explain_gaps, reconcile
from simulator.usage.rowsafety import MAX_ROW_TOKENS, csv_problem, csv_rows, sane_time

__all__ = ["import_focus", "token_class"]

REQUIRED = ("ChargePeriodStart", "ChargeCategory", "ConsumedQuantity", "ConsumedUnit")
_PROVIDER_COLUMNS = (
    "ServiceName",
    "Provider",
    "ProviderName",
    "PublisherName",
    "ServiceProviderName",
    "HostProviderName",
    "InvoiceIssuerName",
)
_MODEL_COLUMNS = ("x_Model", "ServiceName", "ResourceId", "ResourceName", "SkuId", "SkuMeter")
_CATALOG_CLASS = {
    "uncached": "input",
    "cache_read": "cache_read",
    "write_5m": "cache_write_5m",
    "write_1h": "cache_write_1h",
    "output": "output",
}


def _date(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return sane_time(when)  # None for year 1 or 9999: reported as a bad row


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
    seen: set[str] = set()
    unpriced: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    unit_scales: dict[str, int] = defaultdict(int)
    with io.StringIO(raw) as fh:
        reader = csv.DictReader(fh)
        try:
            header = reader.fieldnames or []
        except csv.Error as exc:
            raise csv_problem(source, 1, exc) from None
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ImportDataError(
                [Problem(source, 1, c, "missing FOCUS column", None, False) for c in missing]
            )
        cost_col = "ListCost" if "ListCost" in header else "BilledCost"
        group_col = "SubAccountId" if group_by == "workspace" else "ResourceId"
        charges: dict[tuple[str, ...], int] = {}
        for line, row in csv_rows(reader, source):

            def cell(col: str, row: dict[str, Any] = row) -> str:
                return str(row.get(col) or "").strip()

            seen.add(" / ".join(x for x in (cell("ServiceName"), cell("Provider")) if x) or "?")
            det = details(cell("SkuPriceDetails"))
            text = words(" ".join(cell(c) for c in SKU_COLUMNS))
            model_text = " | ".join(cell(c) for c in _MODEL_COLUMNS if cell(c))
            model = find_model(cell("x_Model"), catalog) or find_model(model_text, catalog)
            retired = None if model else claude_name(model_text)
            who = " ".join(cell(c) for c in _PROVIDER_COLUMNS).lower()
            if "claude" not in who and "anthropic" not in who and not (model or retired):
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
            if model is None and retired is not None:
                unpriced[retired][0] += cost
                unpriced[retired][1] += _number(cell("ConsumedQuantity")) or 0.0
                continue
            if model is None:
                log.bad(
                    source,
                    line,
                    "x_Model" if cell("x_Model") else "SkuId",
                    f"no model of price catalog {catalog.name} named",
                    cell("x_Model") or cell("SkuId") or cell("ChargeDescription"),
                )
                continue
            klass, batch, long_ctx = sku_reading(text, det)
            if klass is None:
                log.bad(
                    source,
                    line,
                    "SkuMeter",
                    "no token class (input, output, cache) named",
                    cell("SkuMeter") or cell("SkuId"),
                )
                continue
            qty = _number(cell("ConsumedQuantity"))
            if qty is None or qty < 0 or qty > MAX_ROW_TOKENS:
                log.bad(
                    source,
                    line,
                    "ConsumedQuantity",
                    "not a non-negative number",
                    cell("ConsumedQuantity"),
                )
                continue
            unit = re.sub(r"\s+", " ", cell("ConsumedUnit").lower())
            scale = TOKEN_UNITS.get(unit)
            if scale is None and unit in COUNT_UNITS and names_tokens(f"{text} {unit}"):
                rates = catalog.rates(model, start.date())
                rate = rates.rate(_CATALOG_CLASS[klass], long_ctx)  # type: ignore[arg-type]
                rate *= (1.0 - rates.batch_discount) if batch else 1.0
                scale = infer_scale(cost, qty, rate) or 1.0
                unit_scales[f"{cell('ConsumedUnit')} as {scale:,.0f} token(s)"] += 1
            if scale is None:
                log.bad(source, line, "ConsumedUnit", "not a token unit", cell("ConsumedUnit"))
                continue
            if qty * scale > MAX_ROW_TOKENS:
                log.bad(source, line, "ConsumedQuantity", "not a plausible token count", qty)
                continue
            # an exact repeat of a usage row is an export glitch; counting it would double usage
            key = tuple(str(v) for v in row.values())
            if key in charges:
                log.bad(
                    source, line, "", f"duplicate of line {charges[key]}: the same charge twice"
                )
                continue
            charges[key] = line
            end = _date(cell("ChargePeriodEnd"))
            starts.append(start)
            ends.append(end if end is not None and end > start else start + dt.timedelta(days=1))
            reported[model] += cost
            rec = UsageRecord(
                workspace=cell(group_col) or "default",
                model=model,
                day=start.date(),
                batch=batch,
                long_context=long_ctx,
            )
            setattr(rec, klass, qty * scale)
            records.append(rec)
    for what, n in sorted(counts.items()):
        log.warnings.append(f"{n} {what}")
    for what, n in sorted(unit_scales.items()):
        log.warnings.append(f"{n} row(s) with ConsumedUnit {what} per unit (implied by {cost_col})")
    for model_id, (dollars, qty) in sorted(unpriced.items()):
        log.warnings.append(
            f"model {model_id} is not in price catalog {catalog.name} (retired?): "
            f"{qty:,.0f} units and ${dollars:,.2f} left out of the scenario and reconciliation"
        )
    if not starts:
        log.finish()
        shown = ", ".join(sorted(seen)[:8]) or "none"
        raise ImportDataError(
            [
                Problem(
                    source,
                    0,
                    "",
                    f"no Claude usage rows: {counts['rows from other services ignored']} row(s) "
                    f"from other services; services seen: {shown}; Claude rows are found by "
                    "'claude'/'anthropic' in ServiceName, Provider, ServiceProviderName or "
                    "HostProviderName, or a Claude model id in the row",
                    None,
                    False,
                )
            ]
        )
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
    result.summary["warnings"] += explain_gaps(
        rec_summary,
        below_list=(
            "BilledCost is after negotiated discounts and credits (no ListCost column)"
            if cost_col != "ListCost"
            else ""
        ),
    )
    result.summary["reconciliation"] = rec_summary
    return result
