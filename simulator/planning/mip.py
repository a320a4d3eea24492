"""Solving the planner's restricted problems: the LP masters of column generation and the MIPs
over reduced-cost-filtered columns.

HiGHS is called directly through ``highspy``: the model is passed as arrays, so building it costs
nothing next to the solve and the time limit HiGHS enforces covers all of it. Any other PuLP
solver gets the same MIP through a PuLP model.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from simulator.errors import SolverError
from simulator.forecast.randomness import F64

PRESOLVE_MAX_COLUMNS = 10_000


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


def _unit(value: F64) -> float:
    return max(1.0, float(np.abs(value).max())) if len(value) else 1.0


def _highs_model(a: sp.csc_matrix, lo: F64, hi: F64, value: F64, integer: bool) -> Any:
    import highspy

    lp = highspy.HighsLp()
    lp.num_col_ = a.shape[1]
    lp.num_row_ = a.shape[0]
    # dollars reach ~1e20 at the scenario's bounds: solve in units of the largest value so
    # HiGHS's absolute tolerances mean the same at every scale (highs_lp scales duals back)
    lp.col_cost_ = -value / _unit(value)
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
    return lp


def highs_lp(
    a: sp.csc_matrix, lo: F64, hi: F64, value: F64, time_limit: float = 0.0
) -> tuple[bool, float, F64, F64]:
    """Maximise ``value . x`` over ``lo <= A x <= hi``, ``x >= 0``.

    Returns (optimal, objective, x, row duals of the minimisation form). Upper bounds of 1 are
    implied by the choice rows, so they are left out and the duals stay clean.
    """
    import highspy

    h = quiet_highs()
    if time_limit > 0:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(_highs_model(a, lo, hi, value, integer=False))
    h.run()
    ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    sol = h.getSolution()
    if not sol.value_valid:
        return False, -np.inf, np.zeros(a.shape[1]), np.zeros(a.shape[0])
    x = np.asarray(sol.col_value)
    y = np.asarray(sol.row_dual) * _unit(value) if sol.dual_valid else np.zeros(a.shape[0])
    return ok, float(value @ x), x, y


def solve_restricted(
    a: sp.csc_matrix,
    lo: F64,
    hi: F64,
    value: F64,
    warm: Any,
    solver: str,
    time_limit: float,
    gap_rel: float,
) -> tuple[F64 | None, bool]:
    """Binary ``x`` maximising ``value . x`` over ``lo <= A x <= hi``, warm-started from ``warm``
    (a boolean mask or None).

    Returns ``(x, optimal)``: ``(None, True)`` if the problem is infeasible, ``(None, False)`` if
    the time limit struck before any solution.
    """
    if solver == "HiGHS":
        return _highs_mip(a, lo, hi, value, warm, time_limit, gap_rel)
    return _pulp_mip(a, lo, hi, value, warm, solver, time_limit, gap_rel)


def _highs_mip(
    a: sp.csc_matrix,
    lo: F64,
    hi: F64,
    value: F64,
    warm: Any,
    time_limit: float,
    gap_rel: float,
) -> tuple[F64 | None, bool]:
    import highspy

    h = quiet_highs()
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    # HiGHS checks its own time limit only now and then inside a MIP (it ran 137 s into a
    # 14 s limit here); its interrupt callbacks come often, so stop it from there as well
    stop_at = time.perf_counter() + max(time_limit, 0.01)

    def interrupt(event: Any) -> None:
        if time.perf_counter() >= stop_at:
            event.interrupt()

    h.cbMipInterrupt += interrupt
    h.cbSimplexInterrupt += interrupt
    h.cbIpmInterrupt += interrupt
    h.setOptionValue("mip_rel_gap", float(gap_rel))
    if a.shape[1] > PRESOLVE_MAX_COLUMNS:
        # HiGHS's presolve cannot be interrupted, and on restricted MIPs with tens of thousands
        # of columns in a few rows it ran for minutes (137 s into a 14 s limit); without it the
        # branch and bound honours the limit and was as fast or faster on those sizes
        h.setOptionValue("presolve", "off")
    h.setOptionValue("mip_abs_gap", 0.0)
    h.passModel(_highs_model(a, lo, hi, value, integer=True))
    if warm is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(warm, dtype=np.float64)
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None, True
    sol = h.getSolution()
    if not sol.value_valid:
        return None, False
    x = np.round(np.asarray(sol.col_value))
    ok = bool(np.all(np.abs(a @ x - np.clip(a @ x, lo, hi)) <= 1e-7))
    if not ok:
        return None, False
    return x, status == highspy.HighsModelStatus.kOptimal


def _pulp_mip(
    a: sp.csc_matrix,
    lo: F64,
    hi: F64,
    value: F64,
    warm: Any,
    solver: str,
    time_limit: float,
    gap_rel: float,
) -> tuple[F64 | None, bool]:
    """The same MIP built with PuLP, for solvers other than HiGHS."""
    import pulp

    n = a.shape[1]
    prob = pulp.LpProblem("waves", pulp.LpMaximize)
    xs = prob.add_variable_dict("x", list(range(n)), 0, 1, cat="Binary")
    prob += pulp.lpSum(float(value[j]) * xs[j] for j in range(n)), "expected_savings"
    sub = a.tocsr()
    for i in range(a.shape[0]):
        s, e = sub.indptr[i], sub.indptr[i + 1]
        if s == e:
            continue
        expr = pulp.LpAffineExpression(
            [(xs[int(c)], float(v)) for c, v in zip(sub.indices[s:e], sub.data[s:e], strict=True)]
        )
        if lo[i] == hi[i]:
            prob += expr == float(lo[i]), f"r{i}"
        else:
            if np.isfinite(hi[i]):
                prob += expr <= float(hi[i]), f"u{i}"
            if np.isfinite(lo[i]):
                prob += expr >= float(lo[i]), f"l{i}"
    if warm is not None:
        for j in range(n):
            xs[j].setInitialValue(float(warm[j]))
    try:
        engine = pulp.getSolver(
            solver, msg=False, timeLimit=time_limit, gapRel=gap_rel, warmStart=warm is not None
        )
    except Exception as exc:  # pulp raises PulpSolverError with its own message
        raise SolverError(f"cannot start solver {solver!r}: {exc}") from None
    prob.solve(engine)
    if pulp.LpStatus[prob.status] == "Infeasible":
        return None, True
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return None, False
    x = np.array([1.0 if (xs[j].value() or 0.0) > 0.5 else 0.0 for j in range(n)])
    return x, prob.sol_status == pulp.LpSolutionOptimal
