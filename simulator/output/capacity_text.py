"""Words and numbers for capacity reservations, shared by the CLI, the app and the memo."""

from __future__ import annotations

import math

from simulator.commitment.reservation import Reservation
from simulator.decision.words import compact_money

__all__ = ["BINDING_WORDS", "UNIT_WORDS", "binding", "compact", "compact_money", "units"]

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
