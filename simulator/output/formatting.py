"""Numbers for people: money and percentages, one definition for the CLI, the app and the memo."""

from __future__ import annotations

import math

from simulator.decision.words import compact_money as money_short
from simulator.decision.words import percent, points


def money(x: float | None) -> str:
    """Dollars as ``$1,234,567`` (``-$5`` for negatives, ``-`` for missing or NaN, infinity as
    ``never``, e.g. a break-even that is never reached)."""
    if x is None or math.isnan(x):
        return "-"
    if math.isinf(x):
        return "never"
    return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"


def pct(x: float | None, digits: int = 1) -> str:
    """A share as a percentage: ``0.081`` -> ``8.1%`` (``-`` for missing or not finite)."""
    if x is None or not math.isfinite(x):
        return "-"
    return f"{100 * x:.{digits}f}%"


__all__ = ["money", "money_short", "pct", "percent", "points"]
