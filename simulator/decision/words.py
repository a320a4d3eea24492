"""Plain words for the decision: compact money, percentages and calendar periods.

Shared by the rationale here and, through :mod:`simulator.output.formatting`, by the CLI, the
app and the memo, so a figure reads the same everywhere.
"""

from __future__ import annotations

import math

from simulator.catalog.prices import month_start
from simulator.scenario import Scenario


def compact_money(x: float | None) -> str:
    """Dollars for headlines: ``$2.0M``, ``$1.2B``, ``$830K``, ``$950`` (``n/a`` if missing)."""
    if x is None or math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "never"
    sign, a = ("-" if x < 0 else ""), abs(x)
    if a >= 1e9:
        return f"{sign}${a / 1e9:,.1f}B"
    if a >= 1e6:
        return f"{sign}${a / 1e6:,.1f}M"
    if a >= 1e4:
        return f"{sign}${a / 1e3:,.0f}K"
    return f"{sign}${a:,.0f}"


def percent(x: float | None, digits: int = 1) -> str:
    """A share as a percentage: ``0.081`` -> ``8.1%``."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{100 * x:.{digits}f}%"


def points(x: float, digits: int = 1) -> str:
    """A difference of shares in percentage points: ``0.004`` -> ``0.4 pp``."""
    return f"{100 * x:.{digits}f} pp"


def month_name(scenario: Scenario, month: int) -> str:
    """A scenario month as ``January 2027``."""
    return month_start(scenario.start, month).strftime("%B %Y")


def contract_year(scenario: Scenario, year: int) -> str:
    """Contract year ``year`` (0-based) in calendar words: ``2027`` when the contract starts in
    January, else ``the year from March 2027``."""
    first = scenario.contract.start_month + 12 * year
    d = month_start(scenario.start, first)
    return str(d.year) if d.month == 1 else f"the year from {d.strftime('%B %Y')}"


def term_words(scenario: Scenario) -> str:
    """``36 months from January 2027``."""
    c = scenario.contract
    return f"{c.term_months} months from {month_name(scenario, c.start_month)}"


__all__ = ["compact_money", "contract_year", "month_name", "percent", "points", "term_words"]
