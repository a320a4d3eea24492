"""Multiple-choice knapsack over the waves' capacities, with linking rows, solved exactly.

One binary per (workload, trajectory); exactly one trajectory per workload; per wave, effort <=
capacity; cross-workload ``requires``/``excludes`` as linking rows. The LP relaxation is solved
by column generation (HiGHS, called directly for speed), which gives the bound ``z_LP`` and the
exact reduced cost ``d_j`` of every column. A plan containing column ``j`` is worth at most
``z_LP - d_j``, so MIPs restricted to columns with ``d_j <= delta`` (built with PuLP, solved by
HiGHS) prove optimality as soon as their optimum ``z`` satisfies ``z_LP - z <= delta``; see
:func:`solve_mckp` and ``docs/methodology.md``.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from simulator.errors import PlanInfeasibleError, SolverError
from simulator.forecast.randomness import F64
from simulator.planning.columns import Columns

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


def _highs_solve(
    a: sp.csc_matrix, lo: F64, hi: F64, value: F64, integer: bool = False, time_limit: float = 0.0
) -> tuple[bool, float, F64, F64]:
    """Maximise ``value . x`` over ``lo <= A x <= hi``, ``x >= 0`` (binary if ``integer``).

    Returns (optimal, objective, x, row duals of the minimisation form). Upper bounds of 1 are
    implied by the choice rows, so they are left out and the duals stay clean.
    """
    import highspy

    h = quiet_highs()
    lp = highspy.HighsLp()
    lp.num_col_ = a.shape[1]
    lp.num_row_ = a.shape[0]
    lp.col_cost_ = -value
    lp.col_lower_ = np.zeros(a.shape[1])
    lp.col_upper_ = np.ones(a.shape[1]) if integer else np.full(a.shape[1], np.inf)
    lp.row_lower_ = lo
    lp.row_upper_ = hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr
    lp.a_matrix_.index_ = a.indices
    lp.a_matrix_.value_ = a.data
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * a.shape[1]
        if time_limit:
            h.setOptionValue("time_limit", float(time_limit))
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    ok = status == highspy.HighsModelStatus.kOptimal
    sol = h.getSolution()
    if not sol.value_valid:
        return False, -np.inf, np.zeros(a.shape[1]), np.zeros(a.shape[0])
    x = np.asarray(sol.col_value)
    y = np.asarray(sol.row_dual) if sol.dual_valid else np.zeros(a.shape[0])
    return ok, float(value @ x), x, y


def _lp_relaxation(
    cols: Columns, a: sp.csc_matrix, lo: F64, hi: F64, value: F64, seed: F64 | None
) -> tuple[float, F64, F64]:
    """LP relaxation by column generation; returns (z_LP, x, reduced costs d >= 0 of every column).

    The restricted master starts from each workload's empty trajectory (and the incumbent); each
    round prices every column in numpy (``d = -value - A^T y``) and adds the most attractive
    ones per workload, until none has a negative reduced cost: then the restricted optimum is
    the optimum over all columns and ``d`` is exact for every column.
    """
    off = cols.offsets
    n = len(value)
    at = a.T.tocsr()
    active = np.zeros(n, dtype=bool)
    for b in range(len(cols.blocks)):
        active[off[b]] = True  # the empty trajectory comes first in enumeration order
        seg = slice(off[b], off[b + 1])
        active[off[b] + int(np.argmax(value[seg]))] = True
    if seed is not None:
        active |= seed > 0.5
    scale = max(1.0, float(np.abs(value).max()))
    for _ in range(500):
        idx = np.flatnonzero(active)
        ok, z, x_sub, y = _highs_solve(a[:, idx], lo, hi, value[idx])
        if not ok and not active.all():
            active[:] = True  # the restricted master may be infeasible where the full LP is not
            continue
        if not ok:
            raise PlanInfeasibleError(
                "the wave plan's constraints cannot all hold: relax plan.pinned,"
                " requires/excludes or wave capacities"
            )
        d = -value - at @ y
        added = 0
        for b in range(len(cols.blocks)):
            seg = d[off[b] : off[b + 1]]
            cand = np.argsort(seg)[:8]
            cand = cand[seg[cand] < -1e-9 * scale]
            cand = cand[~active[off[b] + cand]]
            active[off[b] + cand] = True
            added += len(cand)
        if not added:
            x = np.zeros(n)
            x[idx] = x_sub
            return z, x, np.maximum(d, 0.0)
    raise SolverError("column generation did not converge in 500 rounds")


def quiet_highs() -> Any:
    """A ``highspy.Highs`` instance without the banner HiGHS prints on its first construction."""
    import highspy

    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    h.setOptionValue("output_flag", False)
    return h


def _feasible(a: sp.csc_matrix, lo: F64, hi: F64, x: F64) -> bool:
    r = a @ x
    return bool(np.all(r >= lo - 1e-7) and np.all(r <= hi + 1e-7))


def _incumbent_from(cols: Columns, assignment: dict[str, int]) -> F64 | None:
    off = cols.offsets
    pick = np.zeros(int(off[-1]))
    for b, (ids, traj) in enumerate(cols.blocks):
        want = np.array([assignment.get(i, -1) for i in ids], dtype=np.int64)
        hit = np.flatnonzero(np.all(traj == want, axis=1)) if ids else np.array([0])
        if len(hit) == 0:
            return None
        pick[off[b] + hit[0]] = 1
    return pick


def solve_mckp(
    cols: Columns,
    capacity: list[float],
    start: dict[str, int],
    solver: str,
    time_limit: float,
    gap_rel: float,
) -> MckpResult:
    """Solve exactly: LP bound by column generation, then MIPs over reduced-cost-filtered columns.

    With ``z_LP`` the LP bound and ``d_j`` the reduced costs, a column can be in a plan worth
    more than ``z`` only if ``d_j <= z_LP - z``. So solve the MIP over columns with
    ``d_j <= delta``; if its optimum ``z_delta`` satisfies ``z_LP - z_delta <= delta``, no
    column left out can improve on it and ``z_delta`` is the global optimum. Otherwise widen
    ``delta`` to ``z_LP - z_delta`` and solve once more (warm-started). The LP bound also gives
    an honest gap if the time limit stops the search.
    """
    value = np.concatenate(cols.values) if cols.values else np.zeros(0)
    n = len(value)
    a, lo, hi = cols.matrix()
    hi[len(cols.blocks) : len(cols.blocks) + cols.waves] = capacity
    stats: dict[str, int] = {"columns": n, "workloads": len(cols.blocks), "links": len(cols.links)}
    if n == 0:
        return MckpResult({}, 0.0, "optimal", 0.0, stats | {"columns_kept": 0, "rounds": 0})
    if any(len(v) == 0 for v in cols.values):
        raise PlanInfeasibleError(
            "a workload has no feasible lever-to-wave assignment: relax plan.pinned or the"
            " requires/excludes of its pinned levers"
        )
    deadline = time.perf_counter() + time_limit
    greedy = _incumbent_from(cols, start)
    if greedy is not None and not _feasible(a, lo, hi, greedy):
        greedy = None
    z_lp, _, d = _lp_relaxation(cols, a, lo, hi, value, greedy)
    scale = max(1.0, abs(z_lp))
    tol = 1e-7 * scale  # guards the accuracy of the duals
    off = cols.offsets
    always = np.zeros(n, dtype=bool)
    always[off[:-1]] = True  # each workload's first trajectory keeps the restricted MIP feasible
    best = greedy
    z_best = float(value @ greedy) if greedy is not None else -np.inf
    delta = min(max(z_lp - z_best, 0.0), 2e-4 * scale) if greedy is not None else 2e-4 * scale
    proven = False
    rounds = 0
    kept_count = 0
    while True:
        rounds += 1
        keep = (d <= delta + tol) | always
        if best is not None:
            keep |= best > 0.5
        kept = np.flatnonzero(keep)
        kept_count = len(kept)
        left = deadline - time.perf_counter()
        pick, optimal = _mip(a, lo, hi, value, kept, best, solver, max(left, 0.1), gap_rel)
        if pick is not None and float(value @ pick) >= z_best:
            best, z_best = pick, float(value @ pick)
        if pick is None and not optimal:
            break  # time limit without a new solution
        if pick is None:
            if keep.all():
                break  # every column was in and the MIP is infeasible: no plan exists
            if time.perf_counter() >= deadline:
                break
            delta = 2 * delta + tol  # restricted set infeasible: widen it
            continue
        # the proof needs the restricted MIP solved exactly, not to a user's gap tolerance
        exact = optimal and gap_rel <= 1e-9
        if exact and z_lp - float(value @ pick) <= delta + tol:
            proven = True
            break
        if not optimal or time.perf_counter() >= deadline:
            break
        delta = z_lp - z_best
    if best is None:
        raise PlanInfeasibleError(
            "no wave plan satisfies the constraints: relax plan.pinned, requires/excludes or"
            " wave capacities"
        )
    gap = 0.0 if proven else max(0.0, (z_lp - z_best) / max(abs(z_best), 1e-9))
    stats |= {"columns_kept": kept_count, "rounds": rounds}
    return MckpResult(
        _decode(cols, best), z_best, "optimal" if proven else "feasible", gap, stats, z_lp
    )


def _mip(
    a: sp.csc_matrix,
    lo: F64,
    hi: F64,
    value: F64,
    kept: I64,
    start: F64 | None,
    solver: str,
    time_limit: float,
    gap_rel: float,
) -> tuple[F64 | None, bool]:
    """The MIP over the ``kept`` columns, built with PuLP and solved by ``solver``."""
    import pulp

    prob = pulp.LpProblem("waves", pulp.LpMaximize)
    xs = prob.add_variable_dict("x", [int(j) for j in kept], 0, 1, cat="Binary")
    prob += pulp.lpSum(float(value[j]) * xs[int(j)] for j in kept), "expected_savings"
    sub = a[:, kept].tocsr()
    for i in range(a.shape[0]):
        s, e = sub.indptr[i], sub.indptr[i + 1]
        if s == e:
            continue
        expr = pulp.LpAffineExpression(
            [
                (xs[int(kept[c])], float(v))
                for c, v in zip(sub.indices[s:e], sub.data[s:e], strict=True)
            ]
        )
        if lo[i] == hi[i]:
            prob += expr == float(lo[i]), f"r{i}"
        else:
            if np.isfinite(hi[i]):
                prob += expr <= float(hi[i]), f"u{i}"
            if np.isfinite(lo[i]):
                prob += expr >= float(lo[i]), f"l{i}"
    warm = {f"x_{int(j)}": float(start[j]) for j in kept} if start is not None else {}
    prob.solve(_solver(solver, time_limit, gap_rel, warm))
    if pulp.LpStatus[prob.status] == "Infeasible":
        return None, True
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return None, False
    pick = np.zeros(len(value))
    for j in kept:
        if (xs[int(j)].value() or 0.0) > 0.5:
            pick[j] = 1.0
    return pick, prob.sol_status == pulp.LpSolutionOptimal


def _decode(cols: Columns, pick: F64) -> dict[str, int]:
    off = cols.offsets
    out: dict[str, int] = {}
    for b, (ids, traj) in enumerate(cols.blocks):
        seg = pick[off[b] : off[b + 1]]
        j = int(np.argmax(seg))
        for lid, k in zip(ids, traj[j], strict=True):
            if k >= 0:
                out[lid] = int(k)
    return out


def _solver(name: str, time_limit: float, gap_rel: float, warm: dict[str, float]) -> Any:
    import pulp

    if name != "HiGHS":
        try:
            return pulp.getSolver(name, msg=False, timeLimit=time_limit, gapRel=gap_rel)
        except Exception as exc:  # pulp raises PulpSolverError with its own message
            raise SolverError(f"cannot start solver {name!r}: {exc}") from None

    class WarmHiGHS(pulp.HiGHS):  # type: ignore[misc]
        """HiGHS through PuLP, given the incumbent as a starting solution."""

        def callSolver(self, lp: Any) -> None:  # noqa: N802 - PuLP's hook name
            import highspy

            if warm:
                ordered = sorted(lp.variables(), key=lambda v: v.index)
                sol = highspy.HighsSolution()
                sol.col_value = [warm.get(v.name, 0.0) for v in ordered]
                sol.value_valid = True
                lp.solverModel.setSolution(sol)
            lp.solverModel.run()

    return WarmHiGHS(msg=False, timeLimit=time_limit, gapRel=gap_rel)
