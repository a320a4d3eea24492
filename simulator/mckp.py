"""Multiple-choice knapsack over the waves' capacities, with linking rows, solved exactly.

One binary per (workload, trajectory); exactly one trajectory per workload (the empty one is
always there); per wave, effort <= capacity; cross-workload ``requires``/``excludes`` as linking
rows. Before the MIP, the LP relaxation (HiGHS, called directly for speed) bounds every column:
a column whose LP reduced cost ``d_j`` satisfies ``z_LP - d_j < z_inc`` (maximisation) cannot be
in any plan better than the incumbent and is dropped. This is exact and removes most columns.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from simulator.errors import PlanInfeasibleError, SolverError
from simulator.randomness import F64

if TYPE_CHECKING:
    from simulator.scenario import Scenario
    from simulator.trajectories import WorkloadTable

I64 = npt.NDArray[np.int64]


@dataclass
class Columns:
    """All trajectories of all workloads, stacked, plus linking rows."""

    waves: int
    ship: I64
    owner: list[int] = field(default_factory=list)  # workload index per block
    blocks: list[tuple[list[str], I64]] = field(default_factory=list)
    values: list[F64] = field(default_factory=list)
    efforts: list[F64] = field(default_factory=list)
    # linking rows: (column indices, coefficients, lower, upper)
    links: list[tuple[I64, F64, float, float]] = field(default_factory=list)

    def add(self, table: WorkloadTable, assignment: I64, value: F64, effort: F64) -> None:
        """Append one workload's trajectories."""
        self.owner.append(len(self.blocks))
        self.blocks.append(([lv.id for lv in table.levers], assignment))
        self.values.append(value)
        self.efforts.append(effort)

    @property
    def offsets(self) -> I64:
        """Index of each block's first column in the stacked arrays."""
        sizes = [len(v) for v in self.values]
        return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def _where(self, lever: str) -> tuple[int, int] | None:
        for b, (ids, _) in enumerate(self.blocks):
            if lever in ids:
                return b, ids.index(lever)
        return None

    def link(self, scenario: Scenario) -> None:
        """Add rows for requires/excludes between levers of different workloads."""
        off = self.offsets
        for lv in scenario.levers:
            here = self._where(lv.id)
            if here is None:
                continue
            b, j = here
            a = self.blocks[b][1][:, j]
            for r in lv.requires:
                there = self._where(r)
                if there is None or there[0] == b:
                    continue
                rb, rj = there
                ra = self.blocks[rb][1][:, rj]
                for k in range(self.waves):
                    # funded in wave k => requirement funded in a wave <= k
                    cols = np.concatenate(
                        [
                            off[rb] + np.flatnonzero((ra >= 0) & (ra <= k)),
                            off[b] + np.flatnonzero(a == k),
                        ]
                    )
                    coef = np.concatenate(
                        [np.ones(int(((ra >= 0) & (ra <= k)).sum())), -np.ones(int((a == k).sum()))]
                    )
                    self.links.append((cols, coef, 0.0, np.inf))
            for x in lv.excludes:
                there = self._where(x)
                if there is None or there[0] == b or there[0] < b:
                    continue  # same workload: enumerated; other order: added once
                xb, xj = there
                xa = self.blocks[xb][1][:, xj]
                cols = np.concatenate(
                    [off[b] + np.flatnonzero(a >= 0), off[xb] + np.flatnonzero(xa >= 0)]
                )
                self.links.append((cols, np.ones(len(cols)), -np.inf, 1.0))

    def matrix(self) -> tuple[sp.csc_matrix, F64, F64]:
        """Constraint matrix (choice rows, capacity rows, link rows) with row bounds."""
        off = self.offsets
        n = int(off[-1])
        nb = len(self.blocks)
        effort = np.vstack(self.efforts) if self.efforts else np.zeros((0, self.waves))
        rows, cols, vals = [], [], []
        for b in range(nb):
            idx = np.arange(off[b], off[b + 1])
            rows.append(np.full(len(idx), b))
            cols.append(idx)
            vals.append(np.ones(len(idx)))
        for k in range(self.waves):
            nz = np.flatnonzero(effort[:, k] > 0)
            rows.append(np.full(len(nz), nb + k))
            cols.append(nz)
            vals.append(effort[nz, k])
        for i, (c, v, _, _) in enumerate(self.links):
            rows.append(np.full(len(c), nb + self.waves + i))
            cols.append(c)
            vals.append(v)
        m = nb + self.waves + len(self.links)
        a = sp.csc_matrix(
            (
                np.concatenate(vals) if vals else [],
                (np.concatenate(rows) if rows else [], np.concatenate(cols) if cols else []),
            ),
            shape=(m, n),
        )
        lo = np.concatenate(
            [np.ones(nb), np.full(self.waves, -np.inf), [lk[2] for lk in self.links]]
        ).astype(np.float64)
        hi = np.concatenate([np.ones(nb), np.zeros(self.waves), [lk[3] for lk in self.links]])
        return a, lo, hi.astype(np.float64)


@dataclass
class MckpResult:
    """Chosen trajectories as a lever -> wave assignment, with proof status."""

    assignment: dict[str, int]
    objective: float
    status: str
    gap: float
    stats: dict[str, int]


def _lp_relaxation(a: sp.csc_matrix, lo: F64, hi: F64, value: F64) -> tuple[float, F64, F64]:
    """Solve max value.x over the LP relaxation; return (z_LP, x, reduced costs of max form)."""
    import highspy

    h = quiet_highs()
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_ = a.shape[1]
    lp.num_row_ = a.shape[0]
    lp.col_cost_ = -value  # minimise -value
    lp.col_lower_ = np.zeros(a.shape[1])
    lp.col_upper_ = np.ones(a.shape[1])
    lp.row_lower_ = lo
    lp.row_upper_ = hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr
    lp.a_matrix_.index_ = a.indices
    lp.a_matrix_.value_ = a.data
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise PlanInfeasibleError(
            "the wave plan's constraints cannot all hold: relax plan.pinned, requires/excludes"
            f" or wave capacities (LP status: {h.modelStatusToString(h.getModelStatus())})"
        )
    sol = h.getSolution()
    x = np.asarray(sol.col_value)
    dual = np.asarray(sol.col_dual)  # of the min form: >= 0 at lower bound
    return -float(h.getInfo().objective_function_value), x, dual


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


def _round_lp(
    cols: Columns, a: sp.csc_matrix, lo: F64, hi: F64, x: F64, value: F64, cap: list[float]
) -> F64 | None:
    """Keep integral LP choices, then fill fractional workloads greedily by value within capacity."""
    off = cols.offsets
    effort = np.vstack(cols.efforts)
    pick = np.zeros(len(x))
    left = np.array(cap, dtype=np.float64)
    pending = []
    for b in range(len(cols.blocks)):
        seg = x[off[b] : off[b + 1]]
        j = int(np.argmax(seg))
        if seg[j] > 1 - 1e-6:
            pick[off[b] + j] = 1
            left -= effort[off[b] + j]
        else:
            pending.append(b)
    for b in pending:
        idx = np.arange(off[b], off[b + 1])
        fits = idx[np.all(effort[idx] <= left + 1e-9, axis=1)]
        j = int(fits[np.argmax(value[fits])])
        pick[j] = 1
        left -= effort[j]
    return pick if _feasible(a, lo, hi, pick) else None


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
    """Prune by reduced costs against the best incumbent, then solve the MIP with PuLP."""
    import pulp

    value = np.concatenate(cols.values) if cols.values else np.zeros(0)
    n = len(value)
    a, lo, hi = cols.matrix()
    hi[len(cols.blocks) : len(cols.blocks) + cols.waves] = capacity
    stats = {"columns": n, "workloads": len(cols.blocks), "links": len(cols.links)}
    if n == 0:
        return MckpResult({}, 0.0, "optimal", 0.0, stats | {"columns_kept": 0})
    z_lp, x_lp, dual = _lp_relaxation(a, lo, hi, value)
    candidates = [
        p
        for p in (_incumbent_from(cols, start), _round_lp(cols, a, lo, hi, x_lp, value, capacity))
        if p is not None and _feasible(a, lo, hi, p)
    ]
    best = max(candidates, key=lambda p: float(value @ p)) if candidates else None
    z_inc = float(value @ best) if best is not None else -np.inf
    # any plan using column j is worth at most z_LP - d_j; tolerance guards the dual's accuracy
    tol = 1e-7 * max(1.0, abs(z_lp))
    keep = (z_lp - dual >= z_inc - tol) | (x_lp > 1e-9)
    if best is not None:
        keep |= best > 0.5
    kept = np.flatnonzero(keep)
    stats |= {"columns_kept": len(kept)}
    stats_gap = {"lp_bound": z_lp, "incumbent": z_inc}

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
    warm = {f"x_{int(j)}": float(best[j]) for j in kept} if best is not None else {}
    engine = _solver(solver, time_limit, gap_rel, warm, xs)
    prob.solve(engine)
    status = pulp.LpStatus[prob.status]
    if status == "Infeasible":
        raise PlanInfeasibleError(
            "no wave plan satisfies the constraints: relax plan.pinned, requires/excludes or capacities"
        )
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        raise SolverError(f"{solver} found no plan ({status}); raise the time limit")
    chosen = np.array([j for j in kept if (xs[int(j)].value() or 0) > 0.5], dtype=np.int64)
    pick = np.zeros(n)
    pick[chosen] = 1
    if best is not None and float(value @ pick) < z_inc:
        pick = best  # the solver stopped early with something worse than our incumbent
    gap = _gap(prob, float(value @ pick))
    proven = prob.sol_status == pulp.LpSolutionOptimal
    stats |= {k: int(v) for k, v in stats_gap.items() if np.isfinite(v)}
    return MckpResult(
        _decode(cols, pick),
        float(value @ pick),
        "optimal" if proven else "feasible",
        0.0 if proven else gap,
        stats,
    )


def _gap(prob: Any, objective: float) -> float:
    model = getattr(prob, "solverModel", None)
    if model is None:
        return float("nan")
    info = model.getInfo()
    bound = float(info.mip_dual_bound)
    return max(0.0, (bound - objective) / max(abs(objective), 1e-9))


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


def _solver(
    name: str, time_limit: float, gap_rel: float, warm: dict[str, float], xs: dict[int, Any]
) -> Any:
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
