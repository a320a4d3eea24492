"""The whole pipeline: plan the waves, forecast with and without the plan on the same draws,
size the commitment on both, price the vendor's offers and generate counteroffers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.commitment import CommitRecommendation, recommend_commit
from simulator.commitment.offers import Counteroffer, OfferEvaluation, counteroffers, evaluate_offer
from simulator.commitment.risk import SpendSamples
from simulator.commitment.whatif import (
    PathOutcomes,
    batch_se,
    path_outcomes,
    recommendation_outcomes,
)
from simulator.decision.capacity import CapacityReport, capacity_report
from simulator.decision.choose import Candidate, Decision, candidates, choose
from simulator.decision.rationale import Context, rationale_parts
from simulator.forecast.montecarlo import Forecast, simulate
from simulator.forecast.randomness import F64
from simulator.planning.planner import Plan, plan_waves
from simulator.scenario import Contract, Scenario
from simulator.version import __version__

Step = Callable[[str, float], None]


def _version() -> str:
    return __version__


def term_stats(x: F64) -> dict[str, float]:
    """Mean and P10/P50/P90 of term spend (summed over years when ramped)."""
    x = x.sum(axis=1) if x.ndim == 2 else x
    p10, p50, p90 = np.quantile(x, [0.1, 0.5, 0.9])
    return {"mean": float(x.mean()), "p10": float(p10), "p50": float(p50), "p90": float(p90)}


def unused_on(term_spend: F64, rec: CommitRecommendation, contract: Contract) -> float:
    """Expected unused commitment if ``rec`` is signed and spend turns out as ``term_spend``."""
    if rec.years:
        return sum(
            unused_on(term_spend[:, y], year, contract.model_copy(update={"ramped": False}))
            for y, year in enumerate(rec.years)
        )
    x = term_spend.sum(axis=1) if term_spend.ndim == 2 else term_spend
    if rec.recommended <= 0:
        return 0.0
    m = SpendSamples.from_array(x).metrics(
        rec.recommended, rec.discount, contract.overage, contract.rollover_share
    )
    return float(m.expected_unused[0])


@dataclass
class Report:
    """Everything the negotiation needs, with provenance."""

    scenario: Scenario
    plan: Plan
    forecast: Forecast
    baseline_term: F64
    optimized_term: F64
    commit: CommitRecommendation
    commit_unoptimized: CommitRecommendation
    exposure_avoided: float
    unused_if_committed_unoptimized: float
    offers: list[OfferEvaluation]
    counteroffers: dict[str, list[Counteroffer]]
    timings: dict[str, float] = field(default_factory=dict)
    capacity: CapacityReport | None = None
    decision: Decision | None = None
    #: expected cost (on the optimised forecast) of the commitment sized on the unoptimised one,
    #: minus that of ours: the money behind ``exposure_avoided``
    extra_cost_if_committed_unoptimized: float = float("nan")
    standard_errors: dict[str, float] = field(default_factory=dict)

    @property
    def provenance(self) -> dict[str, Any]:
        """Seed, paths, scenario hash, package version, solver and its gap."""
        return {
            "scenario": self.scenario.name,
            "scenario_hash": self.scenario.content_hash(),
            "seed": self.forecast.seed,
            "paths": self.forecast.paths,
            "sampling": self.forecast.sampling,
            "version": _version(),
            "solver": self.plan.solver,
            "solver_status": self.plan.status,
            "gap": self.plan.gap,
        }

    def to_dict(self) -> dict[str, Any]:
        """The ``commitsim recommend --json`` object."""
        s = self.scenario
        return {
            "scenario": s.name,
            "contract": {
                "start_month": s.contract.start_month,
                "term_months": s.contract.term_months,
                "start": s.month_label(s.contract.start_month),
                "ramped": s.contract.ramped,
            },
            "baseline": term_stats(self.baseline_term),
            "optimized": term_stats(self.optimized_term),
            "plan": self.plan.to_dict(s),
            "commit": self.commit.to_dict(full=True),
            "commit_unoptimized": self.commit_unoptimized.to_dict(full=True),
            "exposure_avoided": self.exposure_avoided,
            "unused_if_committed_unoptimized": self.unused_if_committed_unoptimized,
            "extra_cost_if_committed_unoptimized": self.extra_cost_if_committed_unoptimized,
            "standard_errors": self.standard_errors,
            "decision": None if self.decision is None else self.decision.to_dict(),
            "offers": [
                o.to_dict() | {"counteroffers": [c.__dict__ for c in self.counteroffers[o.name]]}
                for o in self.offers
            ],
            "provenance": self.provenance,
            "timings": self.timings,
        } | ({"capacity": self.capacity.to_dict()} if self.capacity else {})


def recommend(
    scenario: Scenario,
    *,
    paths: int | None = None,
    seed: int | None = None,
    plan: Plan | None = None,
    step: Step | None = None,
) -> Report:
    """Run the pipeline: plan, forecast (unoptimised and optimised), recommend, price offers.

    Parameters
    ----------
    scenario : Scenario
        The programme and contract.
    paths, seed : int, optional
        Override ``scenario.simulation``.
    plan : Plan, optional
        Use this plan instead of solving one (e.g. from a cache).
    step : callable(name, fraction), optional
        Progress callback: the stage name and the fraction of the pipeline done.

    Returns
    -------
    Report
    """
    timings: dict[str, float] = {}
    notify = step or (lambda _name, _frac: None)
    t = time.perf_counter()
    notify("planning waves", 0.0)
    plan = plan if plan is not None else plan_waves(scenario)
    timings["plan"] = time.perf_counter() - t
    t = time.perf_counter()
    notify("simulating spend", 0.2)
    forecast = simulate(
        scenario,
        plan.assignment,
        paths=paths,
        seed=seed,
        progress=lambda done, total: notify("simulating spend", 0.2 + 0.6 * done / total),
    )
    timings["forecast"] = time.perf_counter() - t
    t = time.perf_counter()
    notify("sizing the commitment", 0.8)
    contract = scenario.contract
    optimized = forecast.contract_term_spend()
    baseline = forecast.contract_term_spend(baseline=True)
    rec = recommend_commit(optimized, contract)
    rec_unopt = recommend_commit(baseline, contract)
    unused_unopt = unused_on(optimized, rec_unopt, contract)
    exposure = unused_unopt - rec.expected_unused
    offers = [evaluate_offer(optimized, o, contract, rec) for o in scenario.offers]
    counters = {o.name: counteroffers(optimized, o, contract, rec) for o in scenario.offers}
    timings["commit"] = time.perf_counter() - t
    capacity = None
    if scenario.capacity_products:
        t = time.perf_counter()
        notify("sizing capacity reservations", 0.9)
        capacity = capacity_report(
            scenario, plan.assignment, paths=paths, seed=seed, forecast=forecast
        )
        timings["capacity"] = time.perf_counter() - t
    t = time.perf_counter()
    notify("choosing the deal", 0.9)
    ours = recommendation_outcomes(optimized, rec, contract)
    unopt = recommendation_outcomes(optimized, rec_unopt, contract)
    extra = float(unopt.cost.mean() - ours.cost.mean())
    errors = ours.standard_errors(forecast.batch) | {
        "extra_cost_if_committed_unoptimized": batch_se(unopt.cost - ours.cost, forecast.batch)
    }
    decision = decide(scenario, optimized, rec, offers, counters, forecast.batch, extra)
    timings["decision"] = time.perf_counter() - t
    notify("done", 1.0)
    return Report(
        scenario=scenario,
        plan=plan,
        forecast=forecast,
        baseline_term=baseline,
        optimized_term=optimized,
        commit=rec,
        commit_unoptimized=rec_unopt,
        exposure_avoided=exposure,
        unused_if_committed_unoptimized=unused_unopt,
        offers=offers,
        counteroffers=counters,
        timings=timings,
        capacity=capacity,
        decision=decision,
        extra_cost_if_committed_unoptimized=extra,
        standard_errors=errors,
    )


def _outcomes(
    c: Candidate,
    term_spend: F64,
    rec: CommitRecommendation,
    offers: list[OfferEvaluation],
    contract: Contract,
) -> PathOutcomes:
    """Per-path outcomes of a candidate: ours, or an offer's (or its counter's) terms."""
    if c.kind == "ours":
        return recommendation_outcomes(term_spend, rec, contract)
    o = next(o for o in offers if o.name == (c.answers or c.name))
    return path_outcomes(term_spend, c.commit, c.discount, o.overage, o.rollover_share)


def decide(
    scenario: Scenario,
    term_spend: F64,
    rec: CommitRecommendation,
    offers: list[OfferEvaluation],
    counters: dict[str, list[Counteroffer]],
    batch: Any = None,
    extra_cost_unoptimized: float = float("nan"),
) -> Decision:
    """Reconcile our number, the offers and the counters into one decision with its rationale.

    Parameters
    ----------
    scenario : Scenario
        For the contract, its risk limits and the calendar.
    term_spend : numpy.ndarray
        Optimised list-price term spend (2-D for a ramped contract).
    rec : CommitRecommendation
        Our commitment on the tier schedule.
    offers, counters
        The vendor offers as priced and each offer's counteroffers.
    batch : array_like of int, optional
        Batch label per path for the standard errors.
    extra_cost_unoptimized : float
        Net expected cost of sizing on the unoptimised forecast (for the rationale).

    Returns
    -------
    Decision
    """
    contract = scenario.contract
    cands = candidates(rec, offers, counters, contract)
    chosen, fallback = choose(cands)
    se = _outcomes(chosen, term_spend, rec, offers, contract).standard_errors(batch)
    n_batches = int(np.unique(batch).size) if batch is not None else 10
    ctx = Context(scenario, term_spend, rec, se, n_batches, extra_cost_unoptimized)
    parts = rationale_parts(chosen, fallback, cands, ctx)
    text = " ".join(p for p in parts.values() if p)
    return Decision(chosen, fallback, tuple(cands), text, se, parts)
