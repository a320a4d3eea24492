"""The scenario file: a pydantic model of a buyer's situation (``schema_version: 1``).

Loading is in :mod:`simulator.scenario.load`. Saving writes back through the round-trip
document so comments and key order survive.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, field_validator
from pydantic.json_schema import DEFAULT_REF_TEMPLATE, GenerateJsonSchema, JsonSchemaMode

from simulator.catalog.prices import month_start
from simulator.scenario.capacity_products import CapacityProduct
from simulator.scenario.numbers import (
    MAX_MONEY,
    MAX_MONTH,
    MAX_RATE,
    MAX_REQUESTS_PER_MONTH,
    MAX_SEED,
    MAX_TOKENS_PER_REQUEST,
    MAX_WEEK_COST,
    MAX_WEEKS,
    BoundsJsonSchema,
    Finite,
    FreeText,
    MonthText,
    Name,
    Whole,
    strict_number,
)
from simulator.scenario.yamlio import TextStyle, dump_document, merge_into, write_atomic

Share = Annotated[Finite, Field(ge=0.0, le=1.0)]
Month = Annotated[Whole, Field(ge=0, le=MAX_MONTH)]
Rate = Annotated[Finite, Field(ge=0.0, le=MAX_RATE)]
Money = Annotated[Finite, Field(ge=0.0, le=MAX_MONEY)]
Weeks = Annotated[Finite, Field(ge=0.0, le=MAX_WEEKS)]
Tokens = Annotated[Finite, Field(ge=0.0, le=MAX_TOKENS_PER_REQUEST)]
LeverKind = Literal["routing", "batch", "caching", "output_control", "compression", "custom"]
LEVER_ORDER: tuple[str, ...] = (
    "routing",
    "batch",
    "compression",
    "caching",
    "output_control",
    "custom",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Simulation(_Strict):
    """Monte Carlo settings."""

    paths: Annotated[Whole, Field(ge=100, le=2_000_000)] = 20_000
    seed: Annotated[Whole, Field(ge=0, le=MAX_SEED)] = 7
    correlation: Share = 0.5
    sampling: Literal["antithetic", "plain", "sobol"] = "antithetic"


class RateOverride(_Strict):
    """Per-model rates in $ per million tokens; any subset of the catalog's columns."""

    input: Rate | None = None
    output: Rate | None = None
    cache_read: Rate | None = None
    cache_write_5m: Rate | None = None
    cache_write_1h: Rate | None = None
    batch_discount: Share | None = None


class Pricing(_Strict):
    """Which shipped catalog prices the traffic, and the buyer's overrides."""

    catalog: str = "anthropic-2026-11"
    overrides: dict[str, RateOverride] = Field(default_factory=dict)


class Growth(_Strict):
    """Monthly adoption growth: expected rate, its standard deviation, optional S-curve ceiling.

    ``trend_sd`` is the uncertainty of the trend itself (a fit's standard error of the monthly
    log growth): each path draws one log trend offset ``N(0, trend_sd^2)`` kept for all months,
    so a wrong trend persists along a path the way it does in reality. ``trend_elapsed_months``
    is how long that trend has already run at month 0 since the volume was last measured (an
    import's data end before month 0): month 0 is then uncertain too, and the trend's doubt
    grows from the measurement, not from month 0.
    """

    monthly_rate: Annotated[Finite, Field(gt=-0.5, le=1.0)] = 0.0
    volatility: Share = 0.0
    trend_sd: Annotated[Finite, Field(ge=0.0, le=0.5)] = 0.0
    trend_elapsed_months: Annotated[Finite, Field(ge=0.0, le=120.0)] = 0.0
    saturation: Annotated[Finite, Field(gt=1.0, le=1e6)] | None = None


class Launch(_Strict):
    """When a workload starts costing money: a month or an inclusive ``[first, last]`` range."""

    month: int | tuple[int, int] = 0
    probability: Share = 1.0

    @field_validator("month", mode="before")
    @classmethod
    def _month_or_range(cls, v: Any) -> int | tuple[int, int]:
        # one plain message for both forms instead of one error per union member
        def one(x: Any) -> int:
            whole = isinstance(x, int | float) and not isinstance(x, bool) and float(x).is_integer()
            if not whole or not 0 <= x <= MAX_MONTH:
                raise ValueError(
                    f"must be a month number 0-{MAX_MONTH} or a [first, last] list of two"
                )
            return int(x)

        if isinstance(v, list | tuple):
            if len(v) != 2:
                raise ValueError("a launch range is [first, last]: a list of two month numbers")
            first, last = one(v[0]), one(v[1])
            if first > last:
                raise ValueError("launch range must be [first, last] with first <= last")
            return (first, last)
        return one(v)

    @property
    def first(self) -> int:
        """Earliest launch month."""
        return self.month[0] if isinstance(self.month, tuple) else self.month

    @property
    def last(self) -> int:
        """Latest launch month."""
        return self.month[1] if isinstance(self.month, tuple) else self.month


class Workload(_Strict):
    """One stream of Claude traffic on one model, described per request."""

    id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    model: str
    requests_per_month: Annotated[Finite, Field(ge=0.0, le=MAX_REQUESTS_PER_MONTH)]
    input_tokens: Tokens
    output_tokens: Tokens
    cache_read_share: Share = 0.0
    cache_write_share: Share = 0.0
    cache_ttl: Literal["5m", "1h"] = "5m"
    batch_share: Share = 0.0
    # a share of tokens, not of requests: the cost model blends every token class's rate with it
    # and the importers measure it as tokens in long-context requests / all tokens
    long_context_share: Annotated[
        Share,
        Field(
            description="Share of tokens (input and output) in requests whose prompt exceeds the"
            " model's long-context threshold; those tokens bill at the lc_* rates."
        ),
    ] = 0.0
    growth: Growth = Field(default_factory=Growth)
    launch: Launch = Field(default_factory=Launch)
    description: FreeText = ""


class Triangular(_Strict):
    """A triangular prior on a lever's effect, all three points in [0, 1]."""

    low: Share
    mode: Share
    high: Share

    @property
    def mean(self) -> float:
        """Mean of the triangular distribution, ``(low + mode + high) / 3``."""
        return (self.low + self.mode + self.high) / 3.0


class Shipped(_Strict):
    """A lever that has shipped: when, and the effect it actually delivered."""

    month: MonthText
    realised_effect: Share


class Lever(_Strict):
    """One optimisation on one workload; see the scenario reference for each kind's semantics."""

    id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    workload: str
    kind: LeverKind
    effect: Triangular
    effort_weeks: Weeks
    success_probability: Share = 1.0
    to_model: str | None = None
    token_ratio: Annotated[Finite, Field(gt=0.0, le=10.0)] = 1.0
    write_share: Share = 0.0
    requires: list[str] = Field(default_factory=list)
    excludes: list[str] = Field(default_factory=list)
    description: FreeText = ""
    shipped: Shipped | None = None


class Wave(_Strict):
    """A block of engineering capacity; its levers save from ``start_month + duration_months``."""

    name: Name
    start_month: Month
    duration_months: Annotated[Whole, Field(ge=0, le=MAX_MONTH)]
    engineering_weeks: Weeks

    @property
    def ship_month(self) -> int:
        """First month in which the wave's levers save."""
        return self.start_month + self.duration_months


class Capacity(_Strict):
    """Engineering capacity by wave, and what an engineering week costs (for payback)."""

    waves: list[Wave] = Field(default_factory=list)
    week_cost: Annotated[Finite, Field(ge=0.0, le=MAX_WEEK_COST)] = 6000.0


class Tier(_Strict):
    """A tier of the discount table: commitments of at least ``min_commit`` get ``discount``."""

    min_commit: Money
    discount: Annotated[Finite, Field(ge=0.0, lt=1.0)]


class Contract(_Strict):
    """The spend commitment the vendor proposes: term, tiers, overage, rollover and risk limits."""

    start_month: Month = 0
    term_months: Annotated[Whole, Field(ge=1, le=120)] = 12
    overage: Literal["contract_rate", "list"] = "contract_rate"
    rollover_share: Share = 0.0
    tiers: list[Tier] = Field(default_factory=lambda: [Tier(min_commit=0, discount=0.0)])
    max_shortfall_probability: Share | None = 0.10
    cvar_limit: Money | None = None
    cvar_weight: Annotated[Finite, Field(ge=0.0, le=1e3)] = 0.0
    ramped: bool = False


class Offer(_Strict):
    """A vendor offer: a commitment and discount, optionally with its own overage and rollover."""

    name: Name
    commit: Money
    discount: Annotated[Finite, Field(ge=0.0, lt=1.0)]
    overage: Literal["contract_rate", "list"] | None = None
    rollover_share: Share | None = None


class Signed(_Strict):
    """A commitment already signed: what was agreed, tracked month by month with actuals.

    ``commit`` is in contract dollars (list spend x ``1 - discount`` draws it down), ``start``
    is the term's first calendar month. ``tiers``, ``overage`` and ``rollover_share`` are as
    signed; tracking prices unused commitment with ``rollover_share`` and reads the rest for the
    record.
    """

    commit: Annotated[float, Field(gt=0.0)]
    discount: Annotated[float, Field(ge=0.0, lt=1.0)]
    start: Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
    term_months: Annotated[int, Field(ge=1, le=120)] = 12
    tiers: list[Tier] = Field(default_factory=list)
    overage: Literal["contract_rate", "list"] = "contract_rate"
    rollover_share: Share = 0.0


class PlanSection(_Strict):
    """Decisions written into the scenario: pinned lever -> wave, excluded levers, last plan."""

    pinned: dict[str, Annotated[Whole, Field(ge=0, le=MAX_MONTH)]] = Field(default_factory=dict)
    excluded: list[str] = Field(default_factory=list)
    assignment: dict[str, Annotated[Whole, Field(ge=0, le=MAX_MONTH)]] = Field(default_factory=dict)


class Scenario(_Strict):
    """A buyer's whole situation. Sections are attributes: ``scenario.workloads`` and so on."""

    schema_version: Annotated[Literal[1], BeforeValidator(strict_number)]
    name: Name
    start: MonthText
    horizon_months: Annotated[Whole, Field(ge=1, le=120)]
    simulation: Simulation = Field(default_factory=Simulation)
    pricing: Pricing = Field(default_factory=Pricing)
    workloads: Annotated[list[Workload], Field(min_length=1)]
    levers: list[Lever] = Field(default_factory=list)
    capacity: Capacity = Field(default_factory=Capacity)
    contract: Contract = Field(default_factory=Contract)
    offers: list[Offer] = Field(default_factory=list)
    plan: PlanSection | None = None
    capacity_products: list[CapacityProduct] = Field(default_factory=list)
    signed: Signed | None = None

    @classmethod
    def model_json_schema(
        cls,
        by_alias: bool | None = None,
        ref_template: str = DEFAULT_REF_TEMPLATE,
        schema_generator: type[GenerateJsonSchema] = BoundsJsonSchema,
        mode: JsonSchemaMode = "validation",
        *,
        union_format: Literal["any_of", "primitive_type_array"] = "any_of",
    ) -> dict[str, Any]:
        """The JSON Schema of a scenario file, numeric bounds as ``minimum``/``maximum``."""
        return super().model_json_schema(
            by_alias, ref_template, schema_generator, mode, union_format=union_format
        )

    _document: Any = PrivateAttr(default=None)
    _source: str = PrivateAttr(default="<scenario>")
    _indent: tuple[int, int] = PrivateAttr(default=(4, 2))
    _style: TextStyle = PrivateAttr(default_factory=TextStyle)

    # -- helpers used everywhere -------------------------------------------------------------
    def workload(self, workload_id: str) -> Workload:
        """Return the workload with this id (``KeyError`` if absent)."""
        for w in self.workloads:
            if w.id == workload_id:
                return w
        raise KeyError(workload_id)

    def lever(self, lever_id: str) -> Lever:
        """Return the lever with this id (``KeyError`` if absent)."""
        for lv in self.levers:
            if lv.id == lever_id:
                return lv
        raise KeyError(lever_id)

    def month_label(self, month: int) -> str:
        """Calendar label ``YYYY-MM`` of a 0-based scenario month."""
        return month_start(self.start, month).strftime("%Y-%m")

    def content_hash(self) -> str:
        """Short SHA-256 of the scenario's content (not its comments or layout)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def to_yaml(self) -> str:
        """Serialise to YAML, reusing the loaded document so comments and order survive."""
        data = self.model_dump(mode="json", exclude_unset=True)
        doc = merge_into(self._document, data)
        self._document = doc
        return dump_document(doc, self._indent)

    def save(self, path: str | Path) -> None:
        """Write the scenario atomically (temp file then rename).

        The file keeps its permission bits, its line endings and BOM as loaded, and a symlink
        is written through to its target. Raises :class:`~simulator.errors.WriteError` when the
        path cannot be written.
        """
        write_atomic(Path(path), self.to_yaml(), self._style)
