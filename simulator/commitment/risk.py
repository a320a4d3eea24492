"""Cost of a spend commitment on Monte Carlo samples, and the risk measures built on it.

Everything here is a pure numpy function of list-price term spend samples ``L``. The cost of a
commitment ``C`` at discount ``d`` (``r = 1 - d``) on one path is

``cost = C + (r_o / r) * max(0, r*L - C) - rho * max(0, C - r*L)``

(``r_o`` the overage rate as a share of list, ``rho`` the rollover share). It is non-decreasing in
``L`` for a fixed ``C``, so the paths keep the same order by cost for every ``C``: the CVaR tail is
always the same set of paths (those with the largest ``L``). Both the mean and CVaR95 of cost are
therefore fixed weighted sums of per-path costs, and :class:`SpendSamples` evaluates them at any
number of commitments in ``O(log N)`` each from sorted prefix sums.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
Overage = Literal["contract_rate", "list"]

#: Confidence level of the CVaR reported everywhere (CVaR95).
ALPHA = 0.95
# Absorbs binary rounding in eps * N (0.29 * 100 = 28.999999999999996) so the count is exact.
_COUNT_TOL = 1e-9
#: The largest commitment still inside a tier sits this share below the next threshold.
BELOW_THRESHOLD = 1e-9


def _tail_split(n: int, alpha: float) -> tuple[float, int, float]:
    """Tail size ``m = (1 - alpha) * n`` split into whole samples and a fractional one."""
    if not 0.0 <= alpha < 1.0:
        raise ValueError(f"alpha must be in [0, 1), got {alpha}")
    m = (1.0 - alpha) * n
    full = min(n, math.floor(m + _COUNT_TOL))
    frac = max(0.0, m - full)
    if frac <= _COUNT_TOL:  # a whole number of tail samples: divide by exactly that many
        return float(full), full, 0.0
    return m, full, frac


def cvar(x: ArrayLike, alpha: float = ALPHA) -> float:
    """Conditional value at risk: the mean of the worst ``1 - alpha`` share of ``x``.

    Rockafellar-Uryasev form over equally weighted samples: with ``m = (1 - alpha) * N``, the
    ``floor(m)`` largest values count fully and the next one with weight ``m - floor(m)``, so ties
    and fractional tails are handled the same way as the minimum of
    ``eta + sum(max(0, x - eta)) / m``.

    Parameters
    ----------
    x : array_like
        Samples (e.g. cost per path); any shape, flattened.
    alpha : float
        Confidence level in [0, 1).

    Returns
    -------
    float
        CVaR of ``x``; the maximum when ``m <= 1``.
    """
    v = np.sort(np.asarray(x, dtype=np.float64).ravel())[::-1]
    if v.size == 0:
        raise ValueError("cvar of an empty array")
    m, full, frac = _tail_split(v.size, alpha)
    if m <= 1.0:
        return float(v[0])
    total = float(v[:full].sum())
    if frac and full < v.size:
        total += frac * float(v[full])
    return total / m


def tail_weights(n: int, alpha: float = ALPHA) -> FloatArray:
    """Weights on ascending-sorted samples whose dot product with them is :func:`cvar`.

    Parameters
    ----------
    n : int
        Number of samples.
    alpha : float
        Confidence level in [0, 1).

    Returns
    -------
    numpy.ndarray
        Non-negative weights summing to one, non-zero only on the top ``ceil((1-alpha) n)``.
    """
    w = np.zeros(n)
    m, full, frac = _tail_split(n, alpha)
    if m <= 1.0:
        w[-1] = 1.0
        return w
    w[n - full :] = 1.0 / m
    if frac and full < n:
        w[n - full - 1] = frac / m
    return w


def shortfall_count(n: int, eps: float) -> int:
    """Largest number of short paths out of ``n`` allowed by ``P(short) <= eps``."""
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"a shortfall probability limit must lie in [0, 1] (got {eps!r})")
    return min(n, math.floor(eps * n + _COUNT_TOL))


def overage_rate(overage: Overage, discount: float) -> float:
    """Rate of usage above the commitment as a share of list: ``r`` or ``1``."""
    return 1.0 - discount if overage == "contract_rate" else 1.0


def path_cost(
    list_spend: ArrayLike, commit: float, discount: float, overage: Overage, rollover: float
) -> FloatArray:
    """Effective cost of a commitment on each path (the direct formula, for checks and totals).

    Parameters
    ----------
    list_spend : array_like
        List-price term spend ``L`` per path.
    commit : float
        Commitment ``C`` in contract dollars.
    discount : float
        Discount ``d``; contract-rate usage is ``r * L`` with ``r = 1 - d``.
    overage : {'contract_rate', 'list'}
        How usage beyond the commitment is billed.
    rollover : float
        Share ``rho`` of unused commitment that rolls over (and so is not lost).

    Returns
    -------
    numpy.ndarray
        ``C + (r_o / r) * max(0, r L - C) - rho * max(0, C - r L)``.
    """
    r = 1.0 - discount
    used = r * np.asarray(list_spend, dtype=np.float64)
    ratio = overage_rate(overage, discount) / r
    return np.asarray(
        commit + ratio * np.maximum(0.0, used - commit) - rollover * np.maximum(0.0, commit - used)
    )


def break_even_list_spend(commit: float, discount: float, rollover: float) -> float:
    """List spend at which a commitment costs exactly pay-as-you-go.

    Below ``C / r`` the cost is ``(1 - rho) C + rho r L``, which equals ``L`` at
    ``L = (1 - rho) C / (1 - rho r)``; above ``C / r`` a discounted contract always saves, so this
    is the only crossing whatever the overage terms. ``0`` when nothing can be lost.
    """
    r = 1.0 - discount
    denom = 1.0 - rollover * r
    if commit <= 0.0 or denom <= 0.0:
        return 0.0
    return (1.0 - rollover) * commit / denom


@dataclass(frozen=True)
class CostMetrics:
    """Expected cost, CVaR95 of cost, shortfall probability and expected unused, per commitment."""

    commit: FloatArray
    expected_cost: FloatArray
    cvar95_cost: FloatArray
    shortfall_probability: FloatArray
    expected_unused: FloatArray


@dataclass(frozen=True, eq=False)
class SpendSamples:
    """Sorted list-price term spend samples with the prefix sums that price any commitment.

    Build with :meth:`from_array` once; then :meth:`metrics` is ``O(log N)`` per commitment, which
    is what lets a UI slider re-solve without re-simulating.
    """

    values: FloatArray
    cum_w: FloatArray
    cum_wl: FloatArray
    cum_t: FloatArray
    cum_tl: FloatArray

    @classmethod
    def from_array(cls, term_spend: ArrayLike, alpha: float = ALPHA) -> SpendSamples:
        """Sort samples and precompute uniform and CVaR-tail prefix sums.

        Parameters
        ----------
        term_spend : array_like
            One-dimensional list-price term spend per path; finite and non-negative.
        alpha : float
            CVaR confidence level.
        """
        v = np.sort(np.asarray(term_spend, dtype=np.float64).ravel())
        if v.size == 0 or not np.all(np.isfinite(v)) or v[0] < 0.0:
            raise ValueError("term spend samples must be a non-empty array of finite values >= 0")
        w = np.full(v.size, 1.0 / v.size)
        t = tail_weights(v.size, alpha)
        zero = np.zeros(1)
        return cls(
            values=v,
            cum_w=np.concatenate([zero, np.cumsum(w)]),
            cum_wl=np.concatenate([zero, np.cumsum(w * v)]),
            cum_t=np.concatenate([zero, np.cumsum(t)]),
            cum_tl=np.concatenate([zero, np.cumsum(t * v)]),
        )

    @property
    def n(self) -> int:
        """Number of paths."""
        return int(self.values.size)

    @property
    def mean(self) -> float:
        """Expected list spend, the expected cost of pay-as-you-go."""
        return float(self.cum_wl[-1])

    @property
    def payg_cvar(self) -> float:
        """CVaR95 of pay-as-you-go cost (``L`` itself)."""
        return float(self.cum_tl[-1])

    def shortfall_cap(self, discount: float, eps: float) -> float:
        """Largest commitment with ``P(r L < C) <= eps`` on these samples (``inf`` if none binds).

        It is ``r`` times the ``floor(eps N)``-th order statistic (0-based), so at most
        ``floor(eps N)`` paths fall short; the same product ``r * L`` is used when counting.
        """
        k = shortfall_count(self.n, eps)
        return math.inf if k >= self.n else float((1.0 - discount) * self.values[k])

    def metrics(
        self, commit: ArrayLike, discount: float, overage: Overage, rollover: float
    ) -> CostMetrics:
        """Expected cost, CVaR95, shortfall probability and expected unused at each commitment.

        Parameters
        ----------
        commit : array_like
            Commitments in contract dollars.
        discount, overage, rollover
            Contract terms, as in :func:`path_cost`.

        Returns
        -------
        CostMetrics
            Arrays aligned with ``commit``.
        """
        c = np.atleast_1d(np.asarray(commit, dtype=np.float64))
        r = 1.0 - discount
        ratio = overage_rate(overage, discount) / r
        rl = r * self.values
        j = np.searchsorted(rl, c, side="right")
        expected = self._weighted(c, j, r, ratio, rollover, self.cum_w, self.cum_wl)
        tail = self._weighted(c, j, r, ratio, rollover, self.cum_t, self.cum_tl)
        short = np.searchsorted(rl, c, side="left") / self.n
        unused = np.maximum(0.0, c * self.cum_w[j] - r * self.cum_wl[j])
        return CostMetrics(c, expected, tail, short.astype(np.float64), unused)

    @staticmethod
    def _weighted(
        c: FloatArray,
        j: NDArray[np.intp],
        r: float,
        ratio: float,
        rollover: float,
        cw: FloatArray,
        cwl: FloatArray,
    ) -> FloatArray:
        # sum_i w_i cost_i(C) split at the breakpoint index j = #{r L_i <= C}
        below_w, below_wl = cw[j], r * cwl[j]
        total_w, total_wl = cw[-1], r * cwl[-1]
        over = np.maximum(0.0, (total_wl - below_wl) - c * (total_w - below_w))
        under = np.maximum(0.0, c * below_w - below_wl)
        return np.asarray(c * total_w + ratio * over - rollover * under)


def cost_curve(
    s: SpendSamples,
    thresholds: Sequence[float],
    discounts: Sequence[float],
    overage: Overage,
    rollover: float,
    *,
    eps: float | None,
    cvar_limit: float | None,
    commit: float,
    points: int = 401,
) -> pd.DataFrame:
    """Cost versus commitment for plotting, across a tier table.

    Parameters
    ----------
    s : SpendSamples
        Term spend samples.
    thresholds, discounts : sequence of float
        The tier table (rising ``min_commit`` and their discounts).
    overage, rollover
        Contract terms, as in :func:`path_cost`.
    eps, cvar_limit : float or None
        Risk limits; they set the ``feasible`` column.
    commit : float
        The recommended commitment; the grid spans ``0 .. max(1.5 commit, 1.25 T_top)``.
    points : int
        Evenly spaced grid points; every threshold, the point just below it and ``commit`` are
        added.

    Returns
    -------
    pandas.DataFrame
        Columns ``commit, tier, discount, expected_cost, shortfall_probability, expected_unused,
        cvar95_cost, feasible``; ``tier = -1`` (no discount) below the first threshold.
    """
    top = max(1.5 * commit, 1.25 * thresholds[-1])
    if top <= 0.0:
        top = s.mean
    th = np.asarray(thresholds, dtype=np.float64)
    below = th[th > 0] * (1.0 - BELOW_THRESHOLD)
    grid = np.unique(np.concatenate([np.linspace(0.0, top, points), th, below, [commit]]))
    tier = np.searchsorted(th, grid, side="right") - 1
    frames = []
    for k in np.unique(tier):
        c = grid[tier == k]
        d = discounts[k] if k >= 0 else 0.0  # below the first tier no discount applies
        m = s.metrics(c, d, overage, rollover)
        ok = np.full(c.size, True) if k >= 0 else c == 0.0  # below tier 0 only "no commitment"
        if eps is not None:
            ok &= c <= s.shortfall_cap(d, eps)
        if cvar_limit is not None:
            ok &= m.cvar95_cost <= cvar_limit * (1.0 + 1e-12)
        frames.append(
            pd.DataFrame(
                {
                    "commit": c,
                    "tier": np.full(c.size, int(k)),
                    "discount": np.full(c.size, d),
                    "expected_cost": m.expected_cost,
                    "shortfall_probability": m.shortfall_probability,
                    "expected_unused": m.expected_unused,
                    "cvar95_cost": m.cvar95_cost,
                    "feasible": ok,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
