"""Per-workload lever-to-wave trajectories: enumeration, exact expected values, effort vectors.

A trajectory assigns each backlog lever of one workload to a wave or to nothing. Its value is
the expected list spend it avoids over the horizon::

    V = sum_t E[v_t] * (c_0(t) - c_{S(t)}(t))

where ``S(t)`` is the set of its levers shipped by month ``t`` and ``c_S`` the cost per request
with the levers of ``S`` at their expected effect ``p * mean`` (exact because the cost is
multilinear in independent effects). Savings therefore stack exactly as the cost model composes
them, never as a sum of stand-alone savings.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulator.errors import BacklogTooLargeError
from simulator.forecast.adoption import expected_volumes
from simulator.forecast.randomness import F64
from simulator.pricing.costs import Applied, cost_per_request, price_periods, rates_in_month
from simulator.pricing.costs import scenario_catalog as _catalog
from simulator.scenario import Lever, Scenario, Workload

I64 = npt.NDArray[np.int64]
MAX_TRAJECTORIES = 400_000


@dataclass
class WorkloadTable:
    """Everything the planner needs about one workload's backlog."""

    workload: Workload
    levers: list[Lever]
    suffix: F64  # (2^n, months + 1): expected saving of subset S from month m to the end

    def value(self, assignment: I64, ship: npt.NDArray[np.int64]) -> F64:
        """Expected horizon saving of trajectories ``assignment`` (rows; -1 = not funded)."""
        months = self.suffix.shape[1] - 1
        n = len(self.levers)
        rows = assignment.shape[0]
        if n == 0:
            return np.zeros(rows)
        marks = np.unique(np.clip(ship, 0, months))
        bounds = np.append(marks, months)
        total = np.zeros(rows)
        cols = [assignment[:, j].astype(np.intp) + 1 for j in range(n)]
        for a, b in itertools.pairwise(bounds):
            if a >= b:
                continue
            # lookup by wave + 1: is a lever in that wave shipped by month a (0: not funded)
            live = np.concatenate([[False], ship <= a])
            mask = np.zeros(rows, dtype=np.intp)
            for j, col in enumerate(cols):
                mask |= live[col].astype(np.intp) << j
            total += self.suffix[mask, a] - self.suffix[mask, b]
        return total


def expected_applied(levers: list[Lever]) -> list[Applied]:
    """Levers at their expected effect: ``p * mean``, cache writes weighted by ``p``."""
    return [
        Applied(lv, lv.success_probability * lv.effect.mean, lv.success_probability)
        for lv in levers
    ]


def build_tables(
    scenario: Scenario, levers_by_workload: dict[str, list[Lever]]
) -> list[WorkloadTable]:
    """Expected-saving suffix tables for every workload (2^n subsets x months)."""
    months = scenario.horizon_months
    volumes = expected_volumes(scenario)
    catalog = _catalog(scenario)
    periods = price_periods(scenario, catalog)
    rates = {p: rates_in_month(scenario, catalog, p) for p in periods}
    period_of = np.array([max(p for p in periods if p <= t) for t in range(months)])
    tables = []
    for i, w in enumerate(scenario.workloads):
        levers = levers_by_workload.get(w.id, [])
        n = len(levers)
        if n > 16:
            raise BacklogTooLargeError(
                f"workload {w.id} has {n} backlog levers; the planner handles up to 16"
            )
        saving = np.zeros((1 << n, months))
        for p in periods:
            cols = period_of == p
            base = float(cost_per_request(w, rates[p]))
            for mask in range(1 << n):
                subset = [lv for j, lv in enumerate(levers) if mask >> j & 1]
                cost = float(cost_per_request(w, rates[p], expected_applied(subset)))
                saving[mask, cols] = volumes[i, cols] * (base - cost)
        suffix = np.zeros((1 << n, months + 1))
        suffix[:, :months] = np.cumsum(saving[:, ::-1], axis=1)[:, ::-1]
        tables.append(WorkloadTable(w, levers, suffix))
    return tables


def enumerate_trajectories(
    table: WorkloadTable,
    waves: int,
    pinned: dict[str, int],
    blocked: set[str],
    wave_ok: dict[str, set[int]],
) -> I64:
    """All in-workload feasible assignments, shape ``(rows, n)`` with -1 for not funded.

    ``blocked`` levers cannot be funded (their requirement is out of the backlog); ``wave_ok``
    restricts a lever's waves. Requires/excludes between levers of the same workload are enforced
    here; those across workloads are left to the MIP's linking rows.
    """
    n = len(table.levers)
    count = (waves + 1) ** n
    if count > MAX_TRAJECTORIES:
        raise BacklogTooLargeError(
            f"workload {table.workload.id}: {n} levers x {waves} waves give {count:,} trajectories;"
            " pin some levers (plan.pinned) or exclude some (plan.excluded)"
        )
    grid = (
        np.indices((waves + 1,) * n).reshape(n, -1).T.astype(np.int64) - 1
        if n
        else np.zeros((1, 0), np.int64)
    )
    keep = np.ones(len(grid), dtype=bool)
    index = {lv.id: j for j, lv in enumerate(table.levers)}
    for j, lv in enumerate(table.levers):
        col = grid[:, j]
        if lv.id in pinned:
            keep &= col == pinned[lv.id]
        if lv.id in blocked:
            keep &= col < 0
        if lv.id in wave_ok:
            allowed = np.isin(col, sorted(wave_ok[lv.id]))
            keep &= (col < 0) | allowed
        for r in lv.requires:
            if r in index:
                rc = grid[:, index[r]]
                keep &= (col < 0) | ((rc >= 0) & (rc <= col))
        for x in lv.excludes:
            if x in index:
                keep &= (col < 0) | (grid[:, index[x]] < 0)
    out: I64 = grid[keep]
    return out


def effort_matrix(table: WorkloadTable, assignment: I64, waves: int) -> F64:
    """Engineering weeks each trajectory spends in each wave, shape ``(rows, waves)``."""
    effort = np.array([lv.effort_weeks for lv in table.levers])
    out = np.zeros((assignment.shape[0], waves))
    for k in range(waves):
        out[:, k] = (assignment == k) @ effort if len(effort) else 0.0
    return out
