"""What-if at any commitment: cost, risk, utilisation and coverage, with batch standard errors.

A commitment ``C`` at discount ``d`` (``r = 1 - d``) on list-price term spend ``L``: the buyer
draws ``min(r L, C)`` against the commitment. Over the Monte Carlo paths

- utilisation = ``E[min(r L, C)] / C`` (expected used share of the commitment), which falls as
  ``C`` rises;
- coverage = ``E[min(r L, C)] / E[r L]`` (expected share of spend the commitment covers), which
  rises with ``C``.

Both stay monotone across tier thresholds (a threshold lowers ``r``, which moves ``C / r`` the
same way as raising ``C``), so the commitment meeting a target is found by bisection. A ramped
contract's spend is summed over years and treated as one commitment on the term, as offers are.
Standard errors come from independent batches of paths (:func:`batch_se`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from simulator.commitment.risk import FloatArray, Overage, cvar, path_cost, shortfall_count
from simulator.commitment.sizing import CommitRecommendation
from simulator.forecast.randomness import batch_index
from simulator.scenario import Contract

_STEPS = 100


def batch_se(x: ArrayLike, batch: ArrayLike | None = None, batches: int = 10) -> float:
    """Standard error of the mean of per-path values from independent batches.

    ``se = sd(batch means) / sqrt(number of batches)``. ``batch`` labels each path's batch (the
    forecast's :attr:`~simulator.forecast.montecarlo.Forecast.batch`, which keeps antithetic
    partners together); without it the paths are cut into ``batches`` contiguous blocks.

    Parameters
    ----------
    x : array_like
        One value per path.
    batch : array_like of int, optional
        Batch label per path.
    batches : int
        Number of contiguous blocks when ``batch`` is not given.

    Returns
    -------
    float
        The standard error; NaN with fewer than two batches.
    """
    v = np.asarray(x, dtype=np.float64).ravel()
    labels = batch_index(v.size, "plain", batches) if batch is None else np.asarray(batch).ravel()
    keys = np.unique(labels)
    if keys.size < 2:
        return math.nan
    means = np.array([v[labels == k].mean() for k in keys])
    return float(means.std(ddof=1) / math.sqrt(keys.size))


@dataclass(frozen=True)
class PathOutcomes:
    """Per path: list spend, cost, whether the commitment fell short, unused and used dollars."""

    list_spend: FloatArray
    cost: FloatArray
    short: FloatArray
    unused: FloatArray
    used: FloatArray

    def standard_errors(self, batch: ArrayLike | None = None) -> dict[str, float]:
        """Batch standard errors of expected cost, savings, shortfall probability and unused."""
        return {
            "expected_cost": batch_se(self.cost, batch),
            "expected_savings": batch_se(self.list_spend - self.cost, batch),
            "shortfall_probability": batch_se(self.short, batch),
            "expected_unused": batch_se(self.unused, batch),
        }


def path_outcomes(
    list_spend: ArrayLike, commit: float, discount: float, overage: Overage, rollover: float
) -> PathOutcomes:
    """Cost, shortfall, unused and used commitment on each path for one commitment."""
    x = np.asarray(list_spend, dtype=np.float64)
    x = x.sum(axis=1) if x.ndim == 2 else x
    used_full = (1.0 - discount) * x
    cost = path_cost(x, commit, discount, overage, rollover)
    short = (used_full < commit).astype(np.float64)
    return PathOutcomes(
        x, cost, short, np.maximum(0.0, commit - used_full), np.minimum(used_full, commit)
    )


def recommendation_outcomes(
    term_spend: ArrayLike, rec: CommitRecommendation, contract: Contract
) -> PathOutcomes:
    """Per-path outcomes of a recommendation; a ramped one sums its years (short in any year)."""
    arr = np.asarray(term_spend, dtype=np.float64)
    if not rec.years:
        return path_outcomes(
            arr, rec.recommended, rec.discount, contract.overage, contract.rollover_share
        )
    parts = [
        path_outcomes(
            arr[:, y], yr.recommended, yr.discount, contract.overage, contract.rollover_share
        )
        for y, yr in enumerate(rec.years)
    ]
    return PathOutcomes(
        arr.sum(axis=1),
        np.asarray(sum(p.cost for p in parts)),
        np.asarray(np.max([p.short for p in parts], axis=0)),
        np.asarray(sum(p.unused for p in parts)),
        np.asarray(sum(p.used for p in parts)),
    )


def tier_discount(contract: Contract, commit: float) -> float:
    """Discount of the highest tier whose minimum the commitment reaches (0 below the first)."""
    d = 0.0
    for t in contract.tiers:
        if commit >= t.min_commit:
            d = t.discount
    return d


@dataclass(frozen=True)
class WhatIf:
    """Cost and risk of signing one commitment; keys of ``commitsim evaluate --json``."""

    commit: float
    discount: float
    expected_cost: float
    expected_savings: float
    shortfall_probability: float
    expected_unused: float
    utilisation: float
    coverage: float
    cvar95_cost: float
    meets_risk_limits: bool
    standard_errors: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return asdict(self)


def evaluate_commit(
    term_spend: ArrayLike,
    contract: Contract,
    commit: float,
    discount: float | None = None,
    batch: ArrayLike | None = None,
) -> WhatIf:
    """Expected cost, savings, shortfall, unused, utilisation and coverage of one commitment.

    Parameters
    ----------
    term_spend : array_like
        List-price term spend per path (2-D arrays are summed over contract years).
    contract : Contract
        Overage, rollover, tiers (for the default discount) and risk limits.
    commit : float
        Commitment in contract dollars (>= 0).
    discount : float, optional
        Discount to assume; default the tier schedule's discount at ``commit``.
    batch : array_like of int, optional
        Batch label per path for the standard errors (:func:`batch_se`).

    Returns
    -------
    WhatIf
    """
    if not commit >= 0.0 or math.isinf(commit):
        raise ValueError(f"a commitment must be a finite amount >= 0 (got {commit!r})")
    d = tier_discount(contract, commit) if discount is None else discount
    if not 0.0 <= d < 1.0:
        raise ValueError(f"a discount must lie in [0, 1) (got {d!r})")
    o = path_outcomes(term_spend, commit, d, contract.overage, contract.rollover_share)
    spend_used = float(((1.0 - d) * o.list_spend).mean())
    used = float(o.used.mean())
    short = float(o.short.mean())
    tail = cvar(o.cost)
    ok = True
    if contract.max_shortfall_probability is not None:
        n = o.short.size
        ok = round(short * n) <= shortfall_count(n, contract.max_shortfall_probability)
    if contract.cvar_limit is not None:
        ok = ok and tail <= contract.cvar_limit * (1.0 + 1e-12)
    cost = float(o.cost.mean())
    return WhatIf(
        commit=commit,
        discount=d,
        expected_cost=cost,
        expected_savings=float(o.list_spend.mean()) - cost,
        shortfall_probability=short,
        expected_unused=float(o.unused.mean()),
        utilisation=used / commit if commit > 0 else 1.0,
        coverage=used / spend_used if spend_used > 0 else 0.0,
        cvar95_cost=tail,
        meets_risk_limits=bool(ok),
        standard_errors=o.standard_errors(batch),
    )


def _bisect(pred: Callable[[float], bool], lo: float, hi: float) -> tuple[float, float]:
    """The bracket ``(lo, hi)`` around where a predicate true at ``lo`` turns false at ``hi``."""
    for _ in range(_STEPS):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if pred(mid) else (lo, mid)
    return lo, hi


def _used_share(
    x: NDArray[np.float64], contract: Contract, discount: float | None
) -> Callable[[float], tuple[float, float]]:
    """Utilisation and coverage as functions of the commitment."""

    def measures(c: float) -> tuple[float, float]:
        d = tier_discount(contract, c) if discount is None else discount
        rl = (1.0 - d) * x
        used = float(np.minimum(rl, c).mean())
        return (used / c if c > 0 else 1.0), (used / float(rl.mean()) if rl.mean() > 0 else 0.0)

    return measures


def commit_for_utilisation(
    term_spend: ArrayLike, contract: Contract, utilisation: float, discount: float | None = None
) -> float:
    """The largest commitment whose expected utilisation is at least ``utilisation``.

    Utilisation falls as the commitment rises (it is 1 at a commitment of 0), so the smallest
    commitment meeting a floor would always be 0; the useful answer is the largest.
    """
    if not 0.0 < utilisation <= 1.0:
        raise ValueError(f"a utilisation must lie in (0, 1] (got {utilisation!r})")
    x = np.asarray(term_spend, dtype=np.float64)
    x = x.sum(axis=1) if x.ndim == 2 else x
    m = _used_share(x, contract, discount)
    hi = float(x.max()) * 1.01 + 1.0
    if m(hi)[0] >= utilisation:
        return hi
    return _bisect(lambda c: m(c)[0] >= utilisation, 0.0, hi)[0]


def commit_for_coverage(
    term_spend: ArrayLike, contract: Contract, coverage: float, discount: float | None = None
) -> float:
    """The smallest commitment whose expected coverage of spend is at least ``coverage``."""
    if not 0.0 < coverage <= 1.0:
        raise ValueError(f"a coverage must lie in (0, 1] (got {coverage!r})")
    x = np.asarray(term_spend, dtype=np.float64)
    x = x.sum(axis=1) if x.ndim == 2 else x
    m = _used_share(x, contract, discount)
    hi = float(x.max()) * 1.01 + 1.0
    if m(0.0)[1] >= coverage:
        return 0.0
    # bisect on "falls short of the target", true at 0 and false at hi; hi meets it
    return _bisect(lambda c: m(c)[1] < coverage, 0.0, hi)[1]


__all__ = [
    "PathOutcomes",
    "WhatIf",
    "batch_se",
    "commit_for_coverage",
    "commit_for_utilisation",
    "evaluate_commit",
    "path_outcomes",
    "recommendation_outcomes",
    "tier_discount",
]
