"""Words and numbers for capacity reservations, shared by the CLI, the app and the memo."""

from __future__ import annotations

import math

from simulator.commitment.reservation import Reservation

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
        return "-"
    words = UNIT_WORDS.get(unit, unit)
    if unit == "usd_per_minute":
        return f"${x:,.2f}/min"
    return f"{x:,.0f} {words}"


def binding(r: Reservation) -> str:
    """Why this size, in plain words."""
    return BINDING_WORDS.get(r.binding, r.binding.replace("_", " "))
