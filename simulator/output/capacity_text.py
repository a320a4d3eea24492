"""Words and numbers for capacity reservations, shared by the CLI, the app and the memo."""

from __future__ import annotations

import math
from collections.abc import Callable

from simulator.commitment.reservation import Reservation
from simulator.decision.words import compact_money, percent, points

__all__ = [
    "BINDING_WORDS",
    "UNIT_WORDS",
    "binding",
    "compact",
    "compact_money",
    "plus_minus",
    "pm",
    "share_pm",
    "share_se",
    "units",
    "units_se",
]

UNIT_WORDS = {
    "input_tpm": "input tokens/min",
    "output_tpm": "output tokens/min",
    "usd_per_minute": "list $/min",
}
BINDING_WORDS = {
    "critical_fractile": "cheapest expected cost (critical fractile)",
    "minimum": "the vendor's minimum (the cost optimum is below it)",
    "no_reservation": "reserving nothing is cheaper",
    "utilisation_target": "the utilisation target",
    "overflow_target": "the overflow target",
}


def units(x: float, unit: str) -> str:
    """Reserved units in words: ``280,000 input tokens/min`` or ``$12.50 list $/min``."""
    if not math.isfinite(x):
        return "n/a"
    words = UNIT_WORDS.get(unit, unit)
    if unit == "usd_per_minute":
        return f"${x:,.2f}/min"
    return f"{x:,.0f} {words}"


def binding(r: Reservation) -> str:
    """Why this size, in plain words."""
    return BINDING_WORDS.get(r.binding, r.binding.replace("_", " "))


def compact(x: float) -> str:
    """A count for a headline: ``390k``, ``1.2M``, ``850`` (``n/a`` when not finite)."""
    if not math.isfinite(x):
        return "n/a"
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:.1f}B"
    if a >= 1e6:
        return f"{x / 1e6:.1f}M"
    if a >= 1e4:
        return f"{x / 1e3:.0f}k"
    if a >= 1e3:
        return f"{x / 1e3:.1f}k"
    return f"{x:,.0f}" if a >= 10 or x == int(x) else f"{x:.2f}"


def pm(se: float | None, fmt: Callable[[float], str]) -> str:
    """A standard error on its own: ``± $15K``; ``± n/a`` when there is none (one series of
    demand, or a size set by a rule), never ``± 0``."""
    if se is None or not math.isfinite(se):
        return "± n/a"
    return f"± {fmt(se)}"


def plus_minus(value: str, se: float | None, fmt: Callable[[float], str]) -> str:
    """A figure with its standard error: ``$523K ± $15K`` (``± n/a`` when it has none)."""
    return f"{value} {pm(se, fmt)}"


def share_se(se: float | None) -> str:
    """A share's standard error in percentage points: ``± 0.7 pp``."""
    # a second digit when one would print a non-zero error as 0.0 pp
    return pm(se, lambda e: points(e, 1 if e >= 0.0005 else 2))


def share_pm(x: float, se: float | None) -> str:
    """A share with its standard error: ``85.7% ± 0.7 pp``."""
    return f"{percent(x)} {share_se(se)}"


def units_se(se: float | None, unit: str) -> str:
    """The standard error of reserved units, short: ``12k`` or ``$0.40`` (``n/a`` if none)."""
    if se is None or not math.isfinite(se):
        return "n/a"
    return f"${se:,.2f}" if unit == "usd_per_minute" else compact(se)
