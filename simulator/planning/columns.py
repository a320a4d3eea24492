"""The planner's columns: every workload's lever-to-wave trajectories stacked, with the
constraint matrix of the multiple-choice knapsack (choice rows, wave capacity rows, and linking
rows for ``requires``/``excludes`` across workloads)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from simulator.forecast.randomness import F64
from simulator.planning.trajectories import WorkloadTable
from simulator.scenario import Scenario

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
        pairs = {frozenset((lv.id, x)) for lv in scenario.levers for x in lv.excludes}
        for pair in sorted(tuple(sorted(p)) for p in pairs):
            here, there = self._where(pair[0]), self._where(pair[1])
            if here is None or there is None or here[0] == there[0]:
                continue  # same workload: enforced when enumerating trajectories
            (b, j), (xb, xj) = here, there
            a = self.blocks[b][1][:, j]
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
