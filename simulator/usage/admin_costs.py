"""Anthropic Admin API cost report pages summed by model and cost type, for reconciliation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from simulator.catalog.prices import Catalog
from simulator.usage.common import RowLog, normalise_model
from simulator.usage.naming import claude_name
from simulator.usage.pages import buckets


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
    no_model = 0
    for doc, bpath, bucket, start, end in buckets(paths, log):
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
            if model is None and isinstance(raw, str):
                model = claude_name(raw)
            no_model += raw is None
            tokens[model or (raw if isinstance(raw, str) else "unattributed")] += dollars
    if no_model:
        log.warnings.append(
            f"{no_model} token cost row(s) carry no model (cost report not grouped by "
            "description): only the total reconciles, the per-model comparison does not"
        )
    window = (min(days), max(days)) if days else None
    return dict(tokens), dict(other), window
