"""Per-minute capacity reservations a scenario can buy (``capacity_products:``).

A product reserves tokens per minute (input or output, each token weighted by its burn-down
weight) or list-price dollars per minute on one model through one channel, for a term, at a price
per unit per month. Demand above the reservation overflows to pay-as-you-go at the workloads' own
rates; batch traffic never uses reserved capacity. The bundled weights are illustrative (the ones
Anthropic documented for Priority Tier); every vendor's terms are the user's to enter.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from simulator.scenario.numbers import MAX_MONEY, MAX_MONTH, Finite, FreeText, Name, Whole

# finite, strictly typed and bounded (simulator.scenario.numbers): no .inf, .nan or true-as-1
NonNeg = Annotated[Finite, Field(ge=0.0, le=MAX_MONEY)]
Share = Annotated[Finite, Field(ge=0.0, le=1.0)]
ReservationUnit = Literal["input_tpm", "output_tpm", "usd_per_minute"]
# a business-hours day (UTC hours 0..23) and a quieter weekend, both illustrative
DEFAULT_HOURLY: tuple[float, ...] = (
    0.35, 0.3, 0.3, 0.3, 0.35, 0.45, 0.65, 0.9, 1.25, 1.5, 1.6, 1.6,
    1.55, 1.6, 1.6, 1.55, 1.45, 1.3, 1.1, 0.9, 0.75, 0.6, 0.5, 0.4,
)  # fmt: skip
DEFAULT_WEEKDAY: tuple[float, ...] = (1.0, 1.05, 1.05, 1.05, 1.0, 0.45, 0.4)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class BurnDown(_Strict):
    """How many reserved units one token of each class uses (the weights multiply)."""

    cache_read: NonNeg = 0.1
    cache_write_5m: NonNeg = 1.25
    cache_write_1h: NonNeg = 2.0
    long_context_input: NonNeg = 2.0
    long_context_output: NonNeg = 1.5


class DemandProfile(_Strict):
    """Shape of demand within a month: hour of day (UTC) x weekday (Monday first), and bursts.

    Each month's volume is spread over the minutes of a representative week in proportion to
    ``hourly[h] * weekday[d]``; ``burstiness`` is the standard deviation of the log of an
    independent mean-one multiplier on every minute.
    """

    hourly: Annotated[list[NonNeg], Field(min_length=24, max_length=24)] = Field(
        default_factory=lambda: list(DEFAULT_HOURLY)
    )
    weekday: Annotated[list[NonNeg], Field(min_length=7, max_length=7)] = Field(
        default_factory=lambda: list(DEFAULT_WEEKDAY)
    )
    burstiness: Annotated[Finite, Field(ge=0.0, le=3.0)] = 0.3

    @field_validator("hourly", "weekday")
    @classmethod
    def _some_traffic(cls, v: list[float]) -> list[float]:
        if sum(v) <= 0:
            raise ValueError("needs at least one positive value")
        return v


class CapacityProduct(_Strict):
    """One reservation product: what it reserves, on which model, its price, term and lattice."""

    name: Annotated[Name, Field(min_length=1)]
    channel: Annotated[str, Field(min_length=1)] = "anthropic"
    model: str
    unit: ReservationUnit
    price_per_unit_month: NonNeg
    term_months: Annotated[Whole, Field(ge=1, le=120)] = 1
    start_month: Annotated[Whole, Field(ge=0, le=MAX_MONTH)] = 0
    minimum: NonNeg = 0.0
    increment: Annotated[Finite, Field(gt=0.0, le=MAX_MONEY)] = 1.0
    weights: BurnDown = Field(default_factory=BurnDown)
    counts_toward_commitment: bool = False
    workloads: list[str] = Field(default_factory=list)
    profile: DemandProfile = Field(default_factory=DemandProfile)
    target_utilisation: Share | None = None
    max_overflow_share: Share | None = None
    description: FreeText = ""
