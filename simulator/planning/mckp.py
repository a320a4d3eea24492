"""Multiple-choice knapsack over the waves' capacities, with linking rows, solved exactly.

One binary per (workload, trajectory); exactly one trajectory per workload; per wave, effort <=
capacity; cross-workload ``requires``/``excludes`` as linking rows. The LP relaxation is solved
by column generation (HiGHS, called directly for speed), which gives the bound ``z_LP`` and the
exact reduced cost ``d_j`` of every column. A plan containing column ``j`` is worth at most
``z_LP - d_j``, so MIPs restricted to columns with ``d_j <= delta`` (HiGHS, or any PuLP solver)
prove optimality as soon as their optimum ``z`` satisfies ``z_LP - z <= delta``; see
:func:`solve_mckp` and ``docs/methodology.md``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulator.errors import PlanInfeasibleError, SolverError
from simulator.forecast.randomness import F64
from simulator.planning.columns import Columns
from simulator.planning.mip import highs_lp, solve_restricted

I64 = npt.NDArray[np.int64]


@dataclass
class MckpResult:
    """Chosen trajectories as a lever -> wave assignment, with proof status."""

    assignment: dict[str, int]
    objective: float
    status: str
    gap: float
    stats: dict[str, int]
    bound: float = float("nan")


@dataclass
class Bound:
    """An upper bound on every plan's value and each column's slack to it.

    A plan containing column ``j`` is worth at most ``value - slack[j]``. From column generation
    run to the end, ``value`` is ``z_LP`` and ``slack`` the exact reduced costs; cut short by the
    time limit, it is the Lagrangian bound of the last restricted master, still valid.
    """

    value: float
    slack: F64
    converged: bool


def trivial_bound(cols: Columns) -> Bound:
    """Every workload at its most valuable trajectory, capacities ignored (duals all zero)."""
    value = cols.values()
    off = cols.offsets
    best = np.array([b.value.max() for b in cols.blocks])
    slack = np.repeat(best, np.diff(off)) - value
    return Bound(float(best.sum()), slack, False)


def _lp_relaxation(
    cols: Columns, lo: F64, hi: F64, value: F64, seed: I64 | None, deadline: float
) -> Bound:
    """LP relaxation by column generation, stopped at ``deadline`` with a valid bound.

    The restricted master starts from each workload's empty trajectory (and the incumbent); each
    round prices every column in numpy (``d = -value - A^T y``, from per-lever tables) and adds
    the most attractive ones per workload, until none has a negative reduced cost: then the
    restricted optimum is the optimum over all columns and ``d`` is exact for every column.
    Before that, with ``m_b`` the most negative ``d`` of workload ``b``, any plan is worth at
    most ``z_RMP + sum_b max(0, -m_b)`` (each workload picks one column), and a plan containing
    column ``j`` of workload ``b`` at most that minus ``d_j + max(0, -m_b)``.
    """
    off = cols.offsets
    n = len(value)
    nb = len(cols.blocks)
    active = np.zeros(n, dtype=bool)
    for b in range(nb):
        active[off[b]] = True  # the empty trajectory comes first in enumeration order
        active[off[b] + int(np.argmax(value[off[b] : off[b + 1]]))] = True
    if seed is not None:
        active[seed] = True
    scale = max(1.0, float(np.abs(value).max()))
    bound = trivial_bound(cols)
    for _ in range(500):
        idx = np.flatnonzero(active)
        left = deadline - time.perf_counter()
        if left <= 0:
            return bound
        ok, z, _, y = highs_lp(cols.matrix(idx), lo, hi, value[idx], time_limit=left)
        if not ok and time.perf_counter() >= deadline:
            return bound
        if not ok and not active.all():
            active[:] = True  # the restricted master may be infeasible where the full LP is not
            continue
        if not ok:
            raise PlanInfeasibleError(
                "the wave plan's constraints cannot all hold: relax plan.pinned,"
                " requires/excludes or wave capacities"
            )
        d = cols.reduced_costs(y)
        added = 0
        gaps = np.zeros(nb)
        for b in range(nb):
            dseg = d[off[b] : off[b + 1]]
            k = min(8, len(dseg))
            cand = np.argpartition(dseg, k - 1)[:k]
            gaps[b] = max(0.0, -float(dseg[cand].min()))
            cand = cand[dseg[cand] < -1e-9 * scale]
            cand = cand[~active[off[b] + cand]]
            active[off[b] + cand] = True
            added += len(cand)
        if not added:
            return Bound(z, np.maximum(d, 0.0), True)
        lagrange = z + float(gaps.sum())
        if lagrange < bound.value:
            d += np.repeat(gaps, np.diff(off))
            bound = Bound(lagrange, np.maximum(d, 0.0), False)
    raise SolverError("column generation did not converge in 500 rounds")


def _feasible(cols: Columns, lo: F64, hi: F64, picked: I64) -> bool:
    r = cols.matrix(np.sort(picked)) @ np.ones(len(picked))
    return bool(np.all(r >= lo - 1e-7) and np.all(r <= hi + 1e-7))


def solve_mckp(
    cols: Columns,
    capacity: list[float],
    start: dict[str, int],
    solver: str,
    deadline: float,
    gap_rel: float,
) -> MckpResult:
    """Solve exactly: a bound by column generation, then MIPs over reduced-cost-filtered columns.

    With ``z_LP`` the bound and ``d_j`` the columns' slack to it (reduced costs), a column can be
    in a plan worth more than ``z`` only if ``d_j <= z_LP - z``. So solve the MIP over columns
    with ``d_j <= delta``; if its optimum ``z_delta`` satisfies ``z_LP - z_delta <= delta``, no
    column left out can improve on it and ``z_delta`` is the global optimum. Otherwise widen
    ``delta`` to ``z_LP - z_delta`` and solve once more (warm-started). The bound also gives an
    honest gap if ``deadline`` (a ``time.perf_counter()`` instant) stops the search first.
    """
    value = cols.values()
    n = len(value)
    lo, hi = cols.bounds(capacity)
    stats: dict[str, int] = {
        "enumerated": cols.enumerated,
        "columns": n,
        "workloads": len(cols.blocks),
        "links": len(cols.links),
    }
    if n == 0:
        return MckpResult({}, 0.0, "optimal", 0.0, stats | {"columns_kept": 0, "rounds": 0})
    if any(len(b.value) == 0 for b in cols.blocks):
        raise PlanInfeasibleError(
            "a workload has no feasible lever-to-wave assignment: relax plan.pinned or the"
            " requires/excludes of its pinned levers"
        )
    greedy = cols.locate(start)
    if greedy is not None and not _feasible(cols, lo, hi, greedy):
        greedy = None
    bound = _lp_relaxation(cols, lo, hi, value, greedy, deadline)
    z_lp, d = bound.value, bound.slack
    scale = max(1.0, abs(z_lp))
    tol = 1e-7 * scale  # guards the accuracy of the duals
    off = cols.offsets
    always = np.zeros(n, dtype=bool)
    always[off[:-1]] = True  # each workload's first trajectory keeps the restricted MIP feasible
    best = greedy
    z_best = float(value[greedy].sum()) if greedy is not None else -np.inf
    delta = min(max(z_lp - z_best, 0.0), 2e-4 * scale) if greedy is not None else 2e-4 * scale
    proven = False
    rounds = 0
    kept_count = 0
    while time.perf_counter() < deadline:
        rounds += 1
        keep = (d <= delta + tol) | always
        if best is not None:
            keep[best] = True
        kept = np.flatnonzero(keep)
        kept_count = len(kept)
        warm = np.isin(kept, best) if best is not None else None
        left = deadline - time.perf_counter()
        x, optimal = solve_restricted(
            cols.matrix(kept), lo, hi, value[kept], warm, solver, left, gap_rel
        )
        pick = kept[x > 0.5] if x is not None else None
        if pick is not None and float(value[pick].sum()) >= z_best:
            best, z_best = pick, float(value[pick].sum())
        if pick is None and not optimal:
            break  # time limit without a new solution
        if pick is None:
            if keep.all():
                break  # every column was in and the MIP is infeasible: no plan exists
            delta = 2 * delta + tol  # restricted set infeasible: widen it
            continue
        # the proof needs the restricted MIP solved exactly, not to a user's gap tolerance
        exact = optimal and gap_rel <= 1e-9
        if exact and z_lp - float(value[pick].sum()) <= delta + tol:
            proven = True
            break
        if not optimal:
            break
        delta = z_lp - z_best
    if best is None and time.perf_counter() >= deadline:
        raise SolverError(
            "the time limit passed before any plan was found (the greedy start breaks a pin or"
            " a requires/excludes): allow more time"
        )
    if best is None:
        raise PlanInfeasibleError(
            "no wave plan satisfies the constraints: relax plan.pinned, requires/excludes or"
            " wave capacities"
        )
    gap = 0.0 if proven else max(0.0, (z_lp - z_best) / max(abs(z_best), 1e-9))
    stats |= {"columns_kept": kept_count, "rounds": rounds, "bound_converged": int(bound.converged)}
    return MckpResult(
        cols.decode(best), z_best, "optimal" if proven else "feasible", gap, stats, z_lp
    )
