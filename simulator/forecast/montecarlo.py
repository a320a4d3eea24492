"""Monte Carlo spend forecast.

Adoption paths (:mod:`simulator.forecast.adoption`) priced by the cost model month by month,
with price changes on the catalog's dates and levers applied from their wave's ship month on the
paths where they pass their quality check. The unoptimised and optimised forecasts share every
draw (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from simulator.errors import ResourceLimitError
from simulator.forecast.engine import Results, blocks, run_block
from simulator.forecast.randomness import F32, F64, Sampling, batch_index, even_paths
from simulator.pricing.costs import price_periods, rates_in_month, scenario_catalog
from simulator.scenario import Scenario
from simulator.scenario.limits import run_size_problem

QUANTILES = (0.05, 0.10, 0.50, 0.90, 0.95)
BATCHES = 20
Progress = Callable[[int, int], None]


def ship_months(scenario: Scenario, assignment: Mapping[str, int]) -> dict[str, int]:
    """Month from which each assigned lever saves (its wave's start + duration)."""
    waves = scenario.capacity.waves
    return {lid: waves[k].ship_month for lid, k in assignment.items()}


def _assignment(plan: object) -> dict[str, int]:
    if plan is None:
        return {}
    if isinstance(plan, Mapping):
        return {str(k): int(v) for k, v in plan.items()}
    assignment = getattr(plan, "assignment", None)
    if isinstance(assignment, Mapping):
        return {str(k): int(v) for k, v in assignment.items()}
    raise TypeError("plan must be a mapping lever id -> wave index, or a Plan")


@dataclass
class Forecast:
    """Simulated list-price spend, one row per path and one column per month.

    Attributes
    ----------
    spend : ndarray, shape (paths, months)
        Total list-price spend with the plan's levers applied (equals ``baseline`` without a plan).
    baseline : ndarray, shape (paths, months)
        The same paths with no lever applied (common random numbers).
    lever_savings : dict of lever id to ndarray (paths,)
        Horizon saving attributed to each planned lever on each path; they add up to
        ``baseline - spend`` exactly (attribution in the cost model's lever order).
    workload_mean, workload_baseline_mean : dict of workload id to ndarray (months,)
        Mean monthly spend per workload with and without the plan.
    workload_spend : dict or None
        Per-workload spend arrays (float32), kept only when requested.
    """

    scenario: Scenario
    assignment: dict[str, int]
    paths: int
    seed: int
    sampling: Sampling
    spend: F64
    baseline: F64
    lever_savings: dict[str, F64]
    workload_mean: dict[str, F64]
    workload_baseline_mean: dict[str, F64]
    workload_spend: dict[str, F32] | None = None
    batch: npt.NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, dtype=np.intp))

    @property
    def months(self) -> int:
        """Number of simulated months."""
        return int(self.spend.shape[1])

    def term_spend(self, start: int, months: int, baseline: bool = False) -> F64:
        """List spend summed over months ``start .. start + months - 1``, one value per path."""
        if start < 0 or months < 1 or start + months > self.months:
            raise ValueError(
                f"term {start}..{start + months - 1} is outside the horizon 0..{self.months - 1}"
            )
        src = self.baseline if baseline else self.spend
        out: F64 = src[:, start : start + months].sum(axis=1)
        return out

    def contract_term_spend(self, baseline: bool = False) -> F64:
        """Term spend over the scenario's contract term; ``(paths, years)`` when ramped."""
        c = self.scenario.contract
        if c.ramped:
            years = c.term_months // 12
            cols = [self.term_spend(c.start_month + 12 * y, 12, baseline) for y in range(years)]
            return np.column_stack(cols)
        return self.term_spend(c.start_month, c.term_months, baseline)

    def _stats(self, x: F64) -> dict[str, float]:
        q = np.quantile(x, QUANTILES)
        out = {"mean": float(x.mean())}
        out.update({f"p{round(100 * p)}": float(v) for p, v in zip(QUANTILES, q, strict=True)})
        return out

    def standard_errors(self, x: F64) -> dict[str, float]:
        """Monte Carlo standard errors of the mean and the P10 of per-path values ``x``.

        Computed from independent batches (antithetic pairs kept together; Sobol replicates),
        ``se = sd(batch estimates) / sqrt(batches)``.
        """
        labels = np.unique(self.batch)
        means = np.array([x[self.batch == b].mean() for b in labels])
        p10s = np.array([np.quantile(x[self.batch == b], 0.10) for b in labels])
        k = len(labels)
        return {
            "se_mean": float(means.std(ddof=1) / np.sqrt(k)),
            "se_p10": float(p10s.std(ddof=1) / np.sqrt(k)),
        }

    def term_summary(self, start: int, months: int, baseline: bool = False) -> dict[str, Any]:
        """Mean, quantiles and standard errors of one term's spend."""
        x = self.term_spend(start, months, baseline)
        out: dict[str, Any] = {"start": start, "months": months}
        out.update(self._stats(x))
        out.update(self.standard_errors(x))
        return out

    def monthly_frame(self, baseline: bool = False) -> pd.DataFrame:
        """Per month: label, mean and P5/P10/P50/P90/P95 of total spend."""
        src = self.baseline if baseline else self.spend
        q = np.quantile(src, QUANTILES, axis=0)
        frame = pd.DataFrame({"month": np.arange(self.months)})
        frame["label"] = [self.scenario.month_label(m) for m in range(self.months)]
        frame["mean"] = src.mean(axis=0)
        for p, row in zip(QUANTILES, q, strict=True):
            frame[f"p{round(100 * p)}"] = row
        return frame

    def savings_frame(self) -> pd.DataFrame:
        """Per planned lever: wave, mean horizon saving, P10 and P90, share of the total."""
        total = sum(float(v.mean()) for v in self.lever_savings.values()) or 1.0
        rows = []
        for lid, v in self.lever_savings.items():
            rows.append(
                {
                    "lever": lid,
                    "wave": self.assignment[lid],
                    "mean": float(v.mean()),
                    "p10": float(np.quantile(v, 0.1)),
                    "p90": float(np.quantile(v, 0.9)),
                    "share": float(v.mean()) / total,
                }
            )
        return pd.DataFrame(rows, columns=["lever", "wave", "mean", "p10", "p90", "share"])

    def summary(self) -> dict[str, Any]:
        """Plain-data summary: monthly fan, contract-term and yearly totals, savings by lever."""
        s = self.scenario
        c = s.contract
        planned = bool(self.assignment)
        years = [(12 * y, min(12, self.months - 12 * y)) for y in range(-(-self.months // 12))]
        out: dict[str, Any] = {
            "scenario": s.name,
            "paths": self.paths,
            "seed": self.seed,
            "sampling": self.sampling,
            "plan": dict(self.assignment),
            "monthly": self.monthly_frame().to_dict(orient="records"),
            "term": self.term_summary(c.start_month, c.term_months),
            "years": [self.term_summary(a, n) for a, n in years],
        }
        if planned:
            out["monthly_baseline"] = self.monthly_frame(True).to_dict(orient="records")
            out["term_baseline"] = self.term_summary(c.start_month, c.term_months, True)
            out["lever_savings"] = self.savings_frame().to_dict(orient="records")
        return out


def simulate(
    scenario: Scenario,
    plan: object = None,
    paths: int | None = None,
    seed: int | None = None,
    *,
    sampling: Sampling | None = None,
    keep_workloads: bool = False,
    progress: Progress | None = None,
) -> Forecast:
    """Simulate monthly list-price spend, with and without a plan, on common random numbers.

    Parameters
    ----------
    scenario : Scenario
        The programme to simulate.
    plan : mapping or Plan, optional
        Lever id -> 0-based wave index (levers absent are not funded). ``None``: no levers.
    paths, seed : int, optional
        Override ``scenario.simulation``. Antithetic runs round ``paths`` up to an even number.
    sampling : {'antithetic', 'plain', 'sobol'}, optional
        Variance reduction; defaults to ``scenario.simulation.sampling``.
    keep_workloads : bool
        Keep per-workload spend arrays (float32, paths x months each).
    progress : callable(done, total), optional
        Called after each workload of each block of paths.

    Returns
    -------
    Forecast

    Examples
    --------
    >>> from simulator import load_scenario, simulate
    >>> f = simulate(load_scenario("scenarios/default.yaml"), paths=2000)
    >>> f.term_spend(0, 12).shape
    (2000,)
    """
    sim = scenario.simulation
    sampling = sampling or sim.sampling
    seed = sim.seed if seed is None else seed
    n = even_paths(paths or sim.paths, sampling)
    months = scenario.horizon_months
    assignment = _assignment(plan)
    too_big = run_size_problem(n, months, len(scenario.workloads), len(assignment))
    if too_big:
        raise ResourceLimitError(too_big)
    unknown = sorted(set(assignment) - {lv.id for lv in scenario.levers})
    if unknown:
        raise ValueError(f"plan names unknown levers: {', '.join(unknown)}")
    shipped = {lv.id for lv in scenario.levers if lv.shipped is not None}
    assignment = {k: v for k, v in assignment.items() if k not in shipped}
    ships = ship_months(scenario, assignment)
    catalog = scenario_catalog(scenario)
    periods = price_periods(scenario, catalog)
    period_rates = {p: rates_in_month(scenario, catalog, p) for p in periods}

    spend = np.zeros((n, months))
    baseline = np.zeros((n, months)) if assignment else spend
    sums = {w.id: np.zeros(months) for w in scenario.workloads}
    planned_wl = {scenario.lever(lid).workload for lid in assignment}
    base_sums = {
        w.id: np.zeros(months) if w.id in planned_wl else sums[w.id] for w in scenario.workloads
    }
    out = Results(
        spend=spend,
        baseline=baseline,
        lever_savings={lid: np.zeros(n) for lid in sorted(assignment)},
        workload_sum=sums,
        workload_baseline_sum=base_sums,
        kept={w.id: np.empty((n, months), np.float32) for w in scenario.workloads}
        if keep_workloads
        else None,
    )
    spans = blocks(n)
    steps = len(spans) * len(scenario.workloads)
    for k, span in enumerate(spans):
        done = k * len(scenario.workloads)
        tick = None if progress is None else (lambda i, d=done: progress(d + i, steps))
        run_block(scenario, ships, period_rates, seed, sampling, k, span, out, tick)
    scale = 1.0 / max(n, 1)
    wmean = {wid: v * scale for wid, v in sums.items()}
    wbase = {wid: wmean[wid] if v is sums[wid] else v * scale for wid, v in base_sums.items()}
    return Forecast(
        scenario=scenario,
        assignment=assignment,
        paths=n,
        seed=seed,
        sampling=sampling,
        spend=spend,
        baseline=baseline,
        lever_savings=out.lever_savings,
        workload_mean=wmean,
        workload_baseline_mean=wbase,
        workload_spend=out.kept,
        batch=np.concatenate([batch_index(q - p, sampling, BATCHES) for p, q in spans]),
    )
