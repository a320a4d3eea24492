"""The planner's columns: every workload's lever-to-wave trajectories, stored compactly, with the
constraint matrix of the multiple-choice knapsack (choice rows, wave capacity rows, and linking
rows for ``requires``/``excludes`` across workloads) built only for the columns a solve needs.

A column is one trajectory of one workload: a small integer per lever (its wave, -1 if not
funded) and its exact expected value. Its effort per wave and its linking coefficients follow
from those integers, so they are never stored; reduced costs are priced from per-lever lookup
tables (:meth:`Columns.reduced_costs`). At 30 workloads x 8 levers x 4 waves that is 11.7M
trajectories before pruning in about 20 bytes each, instead of a sparse matrix of gigabytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from simulator.forecast.randomness import F64
from simulator.planning.trajectories import WorkloadTable
from simulator.scenario import Scenario

I64 = npt.NDArray[np.int64]
Waves = npt.NDArray[np.signedinteger[Any]]


@dataclass
class Block:
    """One workload's kept trajectories: ``assign[r, j]`` is lever ``j``'s wave (-1: not funded)."""

    ids: list[str]
    effort: F64  # (n,) engineering weeks of each lever
    assign: Waves  # (rows, n)
    value: F64  # (rows,)


@dataclass(frozen=True)
class Term:
    """Coefficient ``coef`` on the columns of ``block`` whose lever ``lever`` is in waves lo..hi."""

    block: int
    lever: int
    lo: int
    hi: int
    coef: float


@dataclass
class Columns:
    """All kept trajectories of all workloads, plus linking rows."""

    waves: int
    ship: I64
    blocks: list[Block] = field(default_factory=list)
    enumerated: int = 0  # trajectories enumerated, before dominated ones were pruned
    # linking rows: (terms, lower, upper)
    links: list[tuple[list[Term], float, float]] = field(default_factory=list)

    def add(self, table: WorkloadTable, assignment: I64, value: F64) -> None:
        """Append one workload's trajectories (``assignment`` rows, -1 = not funded)."""
        effort = np.array([lv.effort_weeks for lv in table.levers], dtype=np.float64)
        assign: Waves = assignment.astype(np.int8 if self.waves < 127 else np.int16)
        self.blocks.append(Block([lv.id for lv in table.levers], effort, assign, value))

    @property
    def offsets(self) -> I64:
        """Index of each block's first column in the stacked arrays."""
        sizes = [len(b.value) for b in self.blocks]
        return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    @property
    def size(self) -> int:
        """Number of columns."""
        return sum(len(b.value) for b in self.blocks)

    def values(self) -> F64:
        """Expected value of every column, stacked."""
        if not self.blocks:
            return np.zeros(0)
        return np.concatenate([b.value for b in self.blocks])

    def effort(self, b: int, rows: I64 | slice) -> F64:
        """Engineering weeks per wave of rows of block ``b``, shape ``(rows, waves)``."""
        blk = self.blocks[b]
        a = blk.assign[rows]
        out = np.zeros((a.shape[0], self.waves))
        for k in range(self.waves):
            out[:, k] = (a == k) @ blk.effort if len(blk.effort) else 0.0
        return out

    def _where(self, lever: str) -> tuple[int, int] | None:
        for b, blk in enumerate(self.blocks):
            if lever in blk.ids:
                return b, blk.ids.index(lever)
        return None

    def link(self, scenario: Scenario) -> None:
        """Add rows for requires/excludes between levers of different workloads."""
        where = {lid: (b, j) for b, blk in enumerate(self.blocks) for j, lid in enumerate(blk.ids)}
        last = self.waves - 1
        for lv in scenario.levers:
            if lv.id not in where:
                continue
            b, j = where[lv.id]
            for r in lv.requires:
                if r not in where or where[r][0] == b:
                    continue
                rb, rj = where[r]
                for k in range(self.waves):
                    # funded in wave k => requirement funded in a wave <= k
                    terms = [Term(rb, rj, 0, k, 1.0), Term(b, j, k, k, -1.0)]
                    self.links.append((terms, 0.0, np.inf))
        pairs = {frozenset((lv.id, x)) for lv in scenario.levers for x in lv.excludes}
        for pair in sorted(tuple(sorted(p)) for p in pairs):
            if pair[0] not in where or pair[1] not in where:
                continue
            (b, j), (xb, xj) = where[pair[0]], where[pair[1]]
            if b == xb:
                continue  # same workload: enforced when enumerating trajectories
            terms = [Term(b, j, 0, last, 1.0), Term(xb, xj, 0, last, 1.0)]
            self.links.append((terms, -np.inf, 1.0))

    def linked_levers(self, b: int) -> list[int]:
        """Levers of block ``b`` that appear in a linking row."""
        return sorted({t.lever for terms, _, _ in self.links for t in terms if t.block == b})

    def bounds(self, capacity: list[float]) -> tuple[F64, F64]:
        """Row bounds: choice rows = 1, capacity rows <= capacity, link rows as declared."""
        nb = len(self.blocks)
        lo = np.concatenate(
            [np.ones(nb), np.full(self.waves, -np.inf), [lk[1] for lk in self.links]]
        ).astype(np.float64)
        hi = np.concatenate(
            [np.ones(nb), np.asarray(capacity, dtype=np.float64), [lk[2] for lk in self.links]]
        ).astype(np.float64)
        return lo, hi

    def _tables(self, y: F64) -> list[F64]:
        """Per block, ``(n, waves + 1)``: the dual price of lever j sitting in wave a - 1."""
        nb = len(self.blocks)
        cap = np.concatenate([[0.0], y[nb : nb + self.waves]])
        out = [np.outer(blk.effort, cap) for blk in self.blocks]
        for i, (terms, _, _) in enumerate(self.links):
            yi = y[nb + self.waves + i]
            for t in terms:
                out[t.block][t.lever, t.lo + 1 : t.hi + 2] += yi * t.coef
        return out

    def reduced_costs(self, y: F64) -> F64:
        """``d = -value - A^T y`` for every column (min form), without building ``A``."""
        out = np.empty(self.size)
        off = self.offsets
        for b, (blk, tab) in enumerate(zip(self.blocks, self._tables(y), strict=True)):
            d = out[off[b] : off[b + 1]]
            np.negative(blk.value, out=d)
            d -= y[b]
            for j in range(len(blk.ids)):
                d -= tab[j][blk.assign[:, j].astype(np.intp) + 1]
        return out

    def matrix(self, columns: I64 | None = None) -> sp.csc_matrix:
        """Constraint matrix over the given (sorted) column indices, or over every column."""
        off = self.offsets
        sel = np.arange(off[-1]) if columns is None else np.asarray(columns, dtype=np.int64)
        nb = len(self.blocks)
        rows: list[I64] = []
        cols: list[I64] = []
        vals: list[F64] = []
        starts = np.searchsorted(sel, off)
        for b in range(len(self.blocks)):
            s, e = int(starts[b]), int(starts[b + 1])
            if s == e:
                continue
            local = sel[s:e] - off[b]
            pos = np.arange(s, e, dtype=np.int64)
            rows.append(np.full(e - s, b, dtype=np.int64))
            cols.append(pos)
            vals.append(np.ones(e - s))
            effort = self.effort(b, local)
            for k in range(self.waves):
                nz = np.flatnonzero(effort[:, k] > 0)
                rows.append(np.full(len(nz), nb + k, dtype=np.int64))
                cols.append(pos[nz])
                vals.append(effort[nz, k])
        for i, (terms, _, _) in enumerate(self.links):
            for t in terms:
                s, e = int(starts[t.block]), int(starts[t.block + 1])
                a = self.blocks[t.block].assign[sel[s:e] - off[t.block], t.lever]
                hit = np.flatnonzero((a >= t.lo) & (a <= t.hi))
                rows.append(np.full(len(hit), nb + self.waves + i, dtype=np.int64))
                cols.append(s + hit.astype(np.int64))
                vals.append(np.full(len(hit), t.coef))
        m = nb + self.waves + len(self.links)
        coo = sp.coo_matrix(
            (
                np.concatenate(vals) if vals else np.zeros(0),
                (
                    np.concatenate(rows) if rows else np.zeros(0, np.int64),
                    np.concatenate(cols) if cols else np.zeros(0, np.int64),
                ),
            ),
            shape=(m, len(sel)),
        )
        return coo.tocsc()  # duplicates (two terms on one column) are summed

    def locate(self, assignment: dict[str, int]) -> I64 | None:
        """Global column index of each block's trajectory matching ``assignment`` (None if any
        block has no such trajectory)."""
        off = self.offsets
        out = []
        for b, blk in enumerate(self.blocks):
            want = np.array([assignment.get(i, -1) for i in blk.ids], dtype=np.int64)
            hit = np.flatnonzero(np.all(blk.assign == want, axis=1)) if blk.ids else np.array([0])
            if len(hit) == 0:
                return None
            out.append(off[b] + int(hit[0]))
        return np.array(out, dtype=np.int64)

    def decode(self, picked: I64) -> dict[str, int]:
        """Lever -> wave assignment of chosen global columns (one per block)."""
        off = self.offsets
        out: dict[str, int] = {}
        for g in picked:
            b = int(np.searchsorted(off, g, side="right")) - 1
            blk = self.blocks[b]
            for lid, k in zip(blk.ids, blk.assign[int(g - off[b])], strict=True):
                if k >= 0:
                    out[lid] = int(k)
        return out


def prune_dominated(
    assign: I64, value: F64, effort: F64, linked: list[int], protect: I64 | None = None
) -> I64:
    """Rows to keep: per group of trajectories with the same effort in every wave and the same
    waves for the levers in linking rows, only the most valuable (first on ties).

    Swapping a dropped trajectory for its group's best leaves every capacity and linking row
    unchanged and the plan's value no lower, so the optimum is unchanged. ``protect`` rows (the
    incumbent's) are kept too, so the warm start survives.
    """
    if len(value) <= 1:
        return np.arange(len(value), dtype=np.int64)
    # one integer per distinct (effort per wave, linked levers' waves): 1-D uniques, much faster
    # than np.unique over rows
    parts: list[npt.NDArray[Any]] = [np.round(effort[:, k], 9) for k in range(effort.shape[1])]
    parts += [assign[:, j] for j in linked]
    group = np.zeros(len(value), dtype=np.int64)
    for part in parts:
        levels, inverse = np.unique(part, return_inverse=True)
        if (int(group.max()) + 1) * len(levels) >= 2**62:  # renumber densely before overflow
            group = np.unique(group, return_inverse=True)[1].ravel().astype(np.int64)
        group = group * len(levels) + inverse.ravel()
    # best of each group: sort by group, then value descending (stable: first row on ties)
    order = np.lexsort((-value, group))
    first = np.ones(len(order), dtype=bool)
    first[1:] = group[order[1:]] != group[order[:-1]]
    keep = np.zeros(len(value), dtype=bool)
    keep[order[first]] = True
    if protect is not None:
        keep[protect] = True
    return np.flatnonzero(keep).astype(np.int64)
