"""Wave planner: which levers to fund in which wave, proven optimal under the expected-value model.

Method (``docs/methodology.md`` has the formulas):

1. enumerate each workload's feasible lever-to-wave trajectories with their exact expected
   savings (:mod:`simulator.planning.trajectories`) and effort per wave;
2. a multiple-choice knapsack: one trajectory per workload, one capacity row per wave, linking
   rows for ``requires``/``excludes`` across workloads;
3. bound: the LP relaxation by column generation gives ``z_LP`` and every column's exact
   reduced cost;
4. solve MIPs (PuLP + HiGHS, warm-started from the best plan known) over the columns whose
   reduced cost leaves them a chance to beat it, widening the set until the bound proves the
   optimum (:func:`simulator.planning.mckp.solve_mckp`).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.errors import PlanInfeasibleError, SolverError
from simulator.forecast.adoption import expected_volumes
from simulator.planning.backlog import backlog_levers, by_workload, greedy_plan, pinned, unfundable
from simulator.planning.checks import funding_problems
from simulator.planning.columns import Columns, prune_dominated
from simulator.planning.mckp import MckpResult, solve_mckp
from simulator.planning.trajectories import (
    WorkloadTable,
    build_tables,
    effort_matrix,
    enumerate_trajectories,
    expected_applied,
)
from simulator.pricing.costs import (
    cost_per_request,
    price_periods,
    rates_in_month,
    scenario_catalog,
)
from simulator.scenario import Lever, Scenario
from simulator.scenario.checks import pin_problems


@dataclass
class Plan:
    """An assignment of levers to waves with its expected savings and how it was proven.

    ``assignment`` maps lever id to the 0-based wave index; unfunded levers are absent.
    ``status`` is ``optimal`` or ``feasible`` (time limit hit; ``gap`` says how far from proven).
    """

    assignment: dict[str, int]
    expected_savings: float
    status: str
    gap: float
    effort_used: list[float]
    capacity: list[float]
    greedy_assignment: dict[str, int]
    greedy_expected_savings: float
    solver: str
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    stats: dict[str, int] = field(default_factory=dict)
    wave_savings: list[float] = field(default_factory=list)

    @property
    def gain_over_greedy(self) -> float:
        """Expected savings the optimal plan adds over the greedy ratio plan."""
        return self.expected_savings - self.greedy_expected_savings

    def to_dict(self, scenario: Scenario) -> dict[str, Any]:
        """Plain data for JSON: waves with levers, effort, savings per wave and cumulative."""
        waves = []
        cumulative = 0.0
        for k, wave in enumerate(scenario.capacity.waves):
            saving = self.wave_savings[k] if k < len(self.wave_savings) else 0.0
            cumulative += saving
            waves.append(
                {
                    "index": k,
                    "name": wave.name,
                    "ship_month": wave.ship_month,
                    "levers": sorted(lid for lid, w in self.assignment.items() if w == k),
                    "effort_used": self.effort_used[k],
                    "effort_available": self.capacity[k],
                    "expected_savings": saving,
                    "cumulative_savings": cumulative,
                }
            )
        return {
            "status": self.status,
            "gap": self.gap,
            "solver": self.solver,
            "expected_savings": self.expected_savings,
            "assignment": dict(sorted(self.assignment.items())),
            "waves": waves,
            "greedy": {
                "assignment": dict(sorted(self.greedy_assignment.items())),
                "expected_savings": self.greedy_expected_savings,
                "gain_over_greedy": self.gain_over_greedy,
            },
            "build_seconds": self.build_seconds,
            "solve_seconds": self.solve_seconds,
            "stats": self.stats,
        }


def evaluate_plan(scenario: Scenario, assignment: dict[str, int]) -> float:
    """Expected list spend avoided over the horizon by an assignment (lever id -> wave index).

    Computed month by month from the cost model, independently of the planner's tables, so it
    checks the planner: ``sum_w sum_t E[v_wt] (c_w(t, none) - c_w(t, levers shipped by t))``.
    """
    waves = len(scenario.capacity.waves)
    return wave_values(scenario, assignment)[-1] if waves else 0.0


def wave_values(scenario: Scenario, assignment: dict[str, int]) -> list[float]:
    """:func:`evaluate_plan` of the assignment cut after each wave, all in one pass.

    Entry ``k`` is the value of the levers in waves ``0..k``; months are priced in epochs between
    price changes and ship months, where the set of live levers cannot change.
    """
    waves = scenario.capacity.waves
    by_id = {lv.id: lv for lv in scenario.levers}
    for lid, k in assignment.items():
        if lid not in by_id:
            raise KeyError(lid)
        if not 0 <= k < len(waves):
            raise ValueError(f"lever {lid}: no wave {k}")
    levers = [by_id[lid] for lid in assignment]
    volumes = expected_volumes(scenario)
    catalog = scenario_catalog(scenario)
    periods = price_periods(scenario, catalog)
    rates = {p: rates_in_month(scenario, catalog, p) for p in periods}
    months = scenario.horizon_months
    totals = [0.0] * len(waves)
    mine_of: dict[str, list[Lever]] = {}
    for lv in levers:
        if lv.shipped is None:
            mine_of.setdefault(lv.workload, []).append(lv)
    for i, w in enumerate(scenario.workloads):
        mine = mine_of.get(w.id, [])
        if not mine:
            continue
        # the live levers change only at price changes and ship months: price whole epochs
        ships = {waves[assignment[lv.id]].ship_month for lv in mine}
        cuts = sorted({*periods, *(m for m in ships if 0 < m < months), months})
        base_of = {p: float(cost_per_request(w, rates[p])) for p in periods}
        for a, b in itertools.pairwise(cuts):
            p = max(q for q in periods if q <= a)
            volume = float(volumes[i, a:b].sum())
            for cut in range(len(waves)):
                live = [
                    lv
                    for lv in mine
                    if assignment[lv.id] <= cut and waves[assignment[lv.id]].ship_month <= a
                ]
                if live:
                    cost = float(cost_per_request(w, rates[p], expected_applied(live)))
                    totals[cut] += volume * (base_of[p] - cost)
    return totals


def plan_waves(
    scenario: Scenario,
    solver: str = "HiGHS",
    time_limit: float = 60.0,
    gap_rel: float = 1e-9,
) -> Plan:
    """Optimal wave plan by mixed-integer programming (PuLP model, HiGHS solver).

    Parameters
    ----------
    scenario : Scenario
        Levers, waves and capacities; ``plan.pinned`` and ``plan.excluded`` are honoured.
    solver : str
        A PuLP solver name that is installed (``pulp.listSolvers(onlyAvailable=True)``).
    time_limit : float
        Seconds; on expiry the best plan found is returned with status ``feasible`` and its gap.
    gap_rel : float
        Relative optimality gap at which the solver may stop.

    Raises
    ------
    PlanInfeasibleError
        Pinned decisions that break a capacity, a ``requires`` or an ``excludes``.
    SolverError
        Unknown or unavailable solver, or a solver failure.
    """
    import pulp

    available = pulp.listSolvers(onlyAvailable=True)
    if solver not in available:
        raise SolverError(f"solver {solver!r} is not available; installed: {', '.join(available)}")
    waves = scenario.capacity.waves
    capacity = [w.engineering_weeks for w in waves]
    t0 = time.perf_counter()
    # one deadline for everything: greedy start, tables, columns, bound and MIPs
    deadline = t0 + time_limit
    _check_pins(scenario)
    greedy = greedy_plan(scenario)
    greedy_value = evaluate_plan(scenario, greedy) if greedy else 0.0
    levers = backlog_levers(scenario) if waves else []
    tables = build_tables(scenario, by_workload(levers))
    columns = _columns(scenario, tables, len(waves), greedy, deadline)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    if columns is None:  # out of time while enumerating: the greedy plan, against a loose bound
        bound = sum(_table_bound(t) for t in tables)
        gap = max(0.0, (bound - greedy_value) / max(abs(greedy_value), 1e-9))
        result = MckpResult(dict(greedy), greedy_value, "feasible", gap, {"timed_out_building": 1})
    else:
        result = solve_mckp(columns, capacity, greedy, solver, deadline, gap_rel)
    solve = time.perf_counter() - t1
    assignment = result.assignment
    used = [0.0] * len(waves)
    for lid, k in assignment.items():
        used[k] += scenario.lever(lid).effort_weeks
    cumulative = wave_values(scenario, assignment) if waves else []
    wave_savings = [c - p for c, p in zip(cumulative, [0.0, *cumulative[:-1]], strict=True)]
    return Plan(
        assignment=assignment,
        expected_savings=result.objective,
        status=result.status,
        gap=result.gap,
        effort_used=used,
        capacity=capacity,
        greedy_assignment=greedy,
        greedy_expected_savings=greedy_value,
        solver=solver,
        build_seconds=build,
        solve_seconds=solve,
        stats=result.stats,
        wave_savings=wave_savings,
    )


def _check_pins(scenario: Scenario) -> None:
    """Raise on pinned decisions no plan can honour (the checks validation also runs)."""
    for _, message, _ in pin_problems(scenario) + funding_problems(scenario):
        raise PlanInfeasibleError(message)


def _columns(
    scenario: Scenario,
    tables: list[WorkloadTable],
    waves: int,
    greedy: dict[str, int],
    deadline: float,
) -> Columns | None:
    """Every workload's trajectories as MCKP columns, dominated ones pruned (None: out of time)."""
    pins = pinned(scenario)
    backlog_ids = {lv.id for t in tables for lv in t.levers}
    blocked = unfundable(scenario, backlog_ids)
    linked = cross_linked(scenario)
    ship = np.array([w.ship_month for w in scenario.capacity.waves], dtype=np.int64)
    cols = Columns(waves=waves, ship=ship)
    for t in tables:
        if time.perf_counter() >= deadline:
            return None
        assignment = enumerate_trajectories(t, waves, pins, blocked, {})
        value = t.value(assignment, ship)
        want = np.array([greedy.get(lv.id, -1) for lv in t.levers], dtype=np.int64)
        protect = np.flatnonzero(np.all(assignment == want, axis=1))
        # the first trajectory (nothing funded but pins) keeps restricted problems feasible
        protect = np.concatenate([[0], protect]).astype(np.int64)
        mine = [j for j, lv in enumerate(t.levers) if lv.id in linked]
        keep = prune_dominated(
            assignment, value, effort_matrix(t, assignment, waves), mine, protect
        )
        cols.add(t, assignment[keep], value[keep])
        cols.enumerated += len(value)
    cols.link(scenario)
    return cols


def cross_linked(scenario: Scenario) -> set[str]:
    """Levers in a ``requires`` or ``excludes`` with a lever of another workload."""
    by_id = {lv.id: lv for lv in scenario.levers}
    out: set[str] = set()
    for lv in scenario.levers:
        for other in (*lv.requires, *lv.excludes):
            if other in by_id and by_id[other].workload != lv.workload:
                out |= {lv.id, other}
    return out


def _table_bound(table: WorkloadTable) -> float:
    """No trajectory of this workload saves more than the best lever set in every month."""
    monthly = table.suffix[:, :-1] - table.suffix[:, 1:]
    return float(monthly.max(axis=0).sum()) if len(monthly) else 0.0
