"""Capacity reservations next to the spend commitment: size each product, then combine.

For each ``capacity_products`` entry: monthly units per path from the forecast's own draws (with
and without the wave plan), per-minute demand over a representative week of every month of the
reservation's term, and :func:`~simulator.commitment.reservation.size_reservation` at
``r = price_per_unit_month / MINUTES_PER_MONTH`` against overflow at the traffic's own list price
per unit. Sample costs cover one week per month; term figures scale them by
``MINUTES_PER_MONTH / 10,080``.

The combined view re-sizes the spend commitment on the same paths with the reservation in place:
list spend the reservation serves leaves the commitment's spend, and a reservation that counts
toward the commitment adds its fee, grossed up to list at the commitment's discount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.commitment import CommitRecommendation, recommend_commit
from simulator.commitment.reservation import Reservation, reservation_at, size_reservation
from simulator.commitment.reservation_errors import BATCHES
from simulator.forecast.engine import blocks
from simulator.forecast.minute_demand import (
    MINUTES_PER_MONTH,
    WEEK_MINUTES,
    minute_demand,
    monthly_units,
    path_subset,
)
from simulator.forecast.montecarlo import Forecast, simulate
from simulator.forecast.randomness import F64, Sampling, batch_index, even_paths, stream
from simulator.pricing.costs import rates_in_month, scenario_catalog
from simulator.scenario import CapacityProduct, Scenario

SCALE = MINUTES_PER_MONTH / WEEK_MINUTES
# keep paths x minutes of one product's sizing sample near this many values (memory, speed)
SAMPLE_BUDGET = 2_500_000


@dataclass
class ProductSizing:
    """One product sized on demand after the plan, and on demand before it."""

    product: CapacityProduct
    unit_price_per_minute: float
    overflow_price_per_unit: float
    sized: Reservation
    unoptimised: Reservation
    unoptimised_on_plan: Reservation
    demand_mean: float
    demand_p99: float
    hour_weekday: F64 = field(repr=False)
    units: F64 = field(repr=False)
    dollars: F64 = field(repr=False)

    def term(self, dollars: float) -> float:
        """Sample dollars (one week per month) as dollars over the reservation's term."""
        return dollars * SCALE

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``commitsim capacity --json``; costs over the reservation's term."""

        def dollars(r: Reservation) -> dict[str, Any]:
            d = r.to_dict()
            for k in ("expected_cost", "reservation_cost", "overflow_cost", "payg_cost"):
                d[k] = self.term(d[k])
            for k in ("expected_savings", "idle_cost", "cvar95_cost"):
                d[k] = self.term(d[k])
            for k in ("expected_cost_se", "expected_savings_se"):
                d[k] = None if d[k] is None else self.term(d[k])
            return d

        p = self.product
        return {
            "name": p.name,
            "channel": p.channel,
            "model": p.model,
            "unit": p.unit,
            "term_months": p.term_months,
            "start_month": p.start_month,
            "counts_toward_commitment": p.counts_toward_commitment,
            "unit_price_per_minute": self.unit_price_per_minute,
            "overflow_price_per_unit": self.overflow_price_per_unit,
            "demand_per_minute": {"mean": self.demand_mean, "p99": self.demand_p99},
            "with_plan": dollars(self.sized),
            "without_plan": dollars(self.unoptimised),
            "sized_before_plan_cost_after_plan": dollars(self.unoptimised_on_plan),
        }


@dataclass
class CapacityReport:
    """Every product sized, and the spend commitment with and without the reservations."""

    scenario: Scenario
    assignment: dict[str, int]
    products: list[ProductSizing]
    paths: int
    commit_without: CommitRecommendation | None
    commit_with: CommitRecommendation | None
    fees_outside_commitment: float
    served_list_spend: float

    @property
    def total_without(self) -> float:
        """Expected cost of the commitment with every token at pay-as-you-go through it."""
        return self.commit_without.expected_cost if self.commit_without else float("nan")

    @property
    def total_with(self) -> float:
        """Expected commitment cost with the reservations, plus fees paid outside it."""
        if self.commit_with is None:
            return float("nan")
        return self.commit_with.expected_cost + self.fees_outside_commitment

    def to_dict(self) -> dict[str, Any]:
        """The ``commitsim capacity --json`` object."""
        combined: dict[str, Any] | None = None
        if self.commit_without is not None and self.commit_with is not None:
            combined = {
                "commit_without_reservations": self.commit_without.to_dict(),
                "commit_with_reservations": self.commit_with.to_dict(),
                "reservation_fees_outside_commitment": self.fees_outside_commitment,
                "list_spend_served_by_reservations": self.served_list_spend,
                "total_cost_without_reservations": self.total_without,
                "total_cost_with_reservations": self.total_with,
                "saving": self.total_without - self.total_with,
            }
        return {
            "scenario": self.scenario.name,
            "plan": dict(self.assignment),
            "paths": self.paths,
            "products": [p.to_dict() for p in self.products],
            "combined": combined,
        }


def _fallback_price(scenario: Scenario, product: CapacityProduct, month: int) -> float:
    """List price of one unit when the product has no demand to average over."""
    rates = rates_in_month(scenario, scenario_catalog(scenario), month).get(product.model)
    if product.unit == "usd_per_minute" or rates is None:
        return 1.0
    return (rates.output if product.unit == "output_tpm" else rates.input) / 1e6


def _demand(units: F64, product: CapacityProduct, months: range, seed: int) -> F64:
    return np.concatenate(
        [
            minute_demand(units[:, m], product.profile, stream(seed, f"minutes:{product.name}:{m}"))
            for m in months
        ],
        axis=1,
    )


def _hour_weekday(demand: F64) -> F64:
    week = demand[:, :WEEK_MINUTES].reshape(demand.shape[0], 7, 24, 60)
    out: F64 = week.mean(axis=(0, 3))
    return out


def sample_batches(
    paths: int, idx: np.ndarray[Any, Any], sampling: Sampling
) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Batch label of each kept path for standard errors: the forecast's own batches.

    Labels come from :func:`~simulator.forecast.randomness.batch_index` on each block of paths,
    so antithetic partners (path ``j`` and ``j + half`` of a block) share a batch and Sobol
    replicates are the batches; then the kept paths' labels are taken.
    """
    full = np.concatenate([batch_index(q - a, sampling, BATCHES) for a, q in blocks(paths)])
    out: np.ndarray[Any, np.dtype[np.intp]] = full[idx]
    return out


def size_product(
    scenario: Scenario,
    product: CapacityProduct,
    assignment: dict[str, int] | None,
    *,
    paths: int | None = None,
    keep: int = 200,
    seed: int | None = None,
) -> ProductSizing:
    """Size one product on demand after ``assignment`` and before any plan.

    Parameters
    ----------
    scenario : Scenario
        The programme.
    product : CapacityProduct
        The reservation to size.
    assignment : dict of lever id to wave, optional
        The wave plan (``None``: size only on unoptimised demand, twice).
    paths, seed : int, optional
        Monte Carlo paths and seed (the scenario's by default); the same draws as the forecast.
    keep : int
        Paths kept for per-minute demand (fewer for long terms, to bound memory).

    Returns
    -------
    ProductSizing
    """
    seed = scenario.simulation.seed if seed is None else seed
    months = range(product.start_month, product.start_month + product.term_months)
    n = even_paths(paths or scenario.simulation.paths, scenario.simulation.sampling)
    idx = path_subset(n, min(keep, max(10, SAMPLE_BUDGET // (len(months) * WEEK_MINUTES))))
    r = product.price_per_unit_month / MINUTES_PER_MONTH
    out: dict[str, tuple[F64, float]] = {}
    every: dict[str, tuple[F64, F64]] = {}
    for key, plan in (("plan", assignment or {}), ("none", {})):
        every[key] = monthly_units(scenario, product, plan, paths=n, seed=seed)
        u, d = every[key][0][idx], every[key][1][idx]
        used = float(u[:, months.start : months.stop].sum())
        p = (
            float(d[:, months.start : months.stop].sum()) / used
            if used > 0
            else _fallback_price(scenario, product, months.start)
        )
        out[key] = (_demand(u, product, months, seed), p)
    demand, p = out["plan"]
    demand0, p0 = out["none"]
    labels = sample_batches(n, idx, scenario.simulation.sampling)
    kw: dict[str, Any] = {
        "batch": labels,
        "minimum": product.minimum,
        "increment": product.increment,
        "target_utilisation": product.target_utilisation,
        "max_overflow_share": product.max_overflow_share,
    }
    sized = size_reservation(demand, r, p, **kw)
    unopt = size_reservation(demand0, r, p0, **kw)
    return ProductSizing(
        product=product,
        unit_price_per_minute=r,
        overflow_price_per_unit=p,
        sized=sized,
        unoptimised=unopt,
        unoptimised_on_plan=reservation_at(demand, unopt.units, r, p, batch=labels),
        demand_mean=float(demand.mean()),
        demand_p99=float(np.quantile(demand, 0.99)),
        hour_weekday=_hour_weekday(demand),
        units=every["plan"][0],
        dollars=every["plan"][1],
    )


def _served(ps: ProductSizing, idx: np.ndarray[Any, Any], months: range, seed: int) -> F64:
    """List dollars the sized reservation serves per path and month (``months`` only)."""
    out = np.zeros((idx.size, len(months)))
    c = ps.sized.units
    for j, m in enumerate(months):
        u, d = ps.units[idx, m], ps.dollars[idx, m]
        demand = minute_demand(u, ps.product.profile, stream(seed, f"served:{ps.product.name}:{m}"))
        served = np.minimum(demand, c).sum(axis=1) * SCALE
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, j] = np.where(u > 0, served * d / u, 0.0)
    return out


def capacity_report(
    scenario: Scenario,
    assignment: dict[str, int] | None = None,
    *,
    paths: int | None = None,
    seed: int | None = None,
    keep: int = 200,
    forecast: Forecast | None = None,
) -> CapacityReport:
    """Size every capacity product and show the spend commitment with and without them.

    Parameters
    ----------
    scenario : Scenario
        The programme, with ``capacity_products``.
    assignment : dict of lever id to wave, optional
        The wave plan (e.g. ``plan_waves(scenario).assignment``); ``None``: no levers.
    paths, seed : int, optional
        Override ``scenario.simulation``.
    keep : int
        Paths kept for per-minute demand and the combined view.
    forecast : Forecast, optional
        The forecast with this plan, paths and seed (e.g. the report's), to avoid re-simulating.

    Returns
    -------
    CapacityReport
    """
    seed = scenario.simulation.seed if seed is None else seed
    n = even_paths(paths or scenario.simulation.paths, scenario.simulation.sampling)
    plan = dict(assignment or {})
    products = [
        size_product(scenario, p, plan, paths=n, keep=keep, seed=seed)
        for p in scenario.capacity_products
    ]
    if not products:
        return CapacityReport(scenario, plan, [], n, None, None, 0.0, 0.0)
    c = scenario.contract
    months = range(c.start_month, c.start_month + c.term_months)
    idx = path_subset(n, keep)
    spend_month = np.zeros((idx.size, len(months)))
    if forecast is None or forecast.paths != n or forecast.seed != seed:
        forecast = simulate(scenario, plan, paths=n, seed=seed)
    without = forecast.contract_term_spend()[idx]
    base = recommend_commit(without, c)
    served_total = 0.0
    outside = 0.0
    for ps in products:
        p = ps.product
        live = range(
            max(months.start, p.start_month), min(months.stop, p.start_month + p.term_months)
        )
        if not live or ps.sized.units <= 0:
            continue
        served = _served(ps, idx, live, seed)
        fee = p.price_per_unit_month * ps.sized.units
        cols = [m - months.start for m in live]
        spend_month[:, cols] -= served
        served_total += float(served.sum(axis=1).mean())
        if p.counts_toward_commitment:
            spend_month[:, cols] += fee / (1.0 - base.discount)
        else:
            outside += fee * len(live)
    # a ramped contract is sized per contract year
    adj = spend_month.reshape(idx.size, -1, 12).sum(axis=2) if c.ramped else spend_month.sum(axis=1)
    with_res = recommend_commit(np.maximum(without + adj, 0.0), c)
    return CapacityReport(scenario, plan, products, n, base, with_res, outside, served_total)
