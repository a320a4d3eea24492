"""Vendor offers and counteroffers, priced on the same spend samples as the recommendation.

An offer fixes a commitment ``C`` and discount ``d`` (optionally its own overage and rollover).
For a fixed ``C`` every path's cost falls as ``d`` rises (more usage fits under ``C`` and the rate
drops), so expected cost and CVaR95 are non-increasing in ``d`` while the shortfall probability
``P(r L < C)`` is non-decreasing. Discounts that meet a target are therefore found by bisection.
The buyer's objective is ``E[cost] + lam * CVaR95(cost)`` (``lam = contract.cvar_weight``, so just
expected cost by default). For a ramped contract an offer is one commitment on the term total.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from simulator.commitment.risk import Overage, SpendSamples, shortfall_count
from simulator.commitment.sizing import CommitRecommendation
from simulator.scenario import Contract, Offer

CounterKind = Literal["same_commit", "same_discount", "within_limits", "best_commit", "frontier"]
#: What each kind of counteroffer asks the vendor for, in plain words (CLI, app and memo).
COUNTER_LABELS: dict[str, str] = {
    "same_commit": "their commitment, at the discount that makes it worth signing for us",
    "same_discount": "their discount, on the commitment that makes it worth signing for us",
    "within_limits": "their discount, on the largest commitment our risk limits allow",
    "best_commit": "their discount, on the commitment that costs us least",
    "frontier": "another commitment and discount as good for us as our own number",
}
_D_MAX = 1.0 - 1e-9  # discounts live in [0, 1)
_STEPS = 200
_TOL = 1e-12
# Terms closer than this (relative commitment, absolute discount) are the same counter.
_SAME = 1e-9
# A counter must save at least this share of the offer's objective to count as better.
_GAIN = 1e-4


@dataclass(frozen=True)
class OfferEvaluation:
    """What a vendor offer costs the buyer and the discounts that would make it acceptable.

    ``savings_vs_recommendation`` is positive when the offer is cheaper than our recommendation.
    ``walk_away_discount`` is the smallest discount at which this commitment beats
    pay-as-you-go within the risk limits (NaN if none); ``indifference_discount`` the discount at
    which it costs the same as our recommendation (NaN if none in [0, 1)).
    """

    name: str
    commit: float
    discount: float
    overage: Overage
    rollover_share: float
    expected_cost: float
    expected_savings: float
    savings_vs_recommendation: float
    effective_savings_rate: float
    shortfall_probability: float
    expected_unused: float
    cvar95_cost: float
    meets_risk_limits: bool
    walk_away_discount: float
    indifference_discount: float

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values, for JSON."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Counteroffer:
    """A (commit, discount) pair at which the buyer is indifferent to our recommendation."""

    commit: float
    discount: float
    kind: CounterKind
    expected_cost: float
    shortfall_probability: float
    cvar95_cost: float
    meets_risk_limits: bool
    expected_unused: float = math.nan

    def as_pair(self) -> tuple[float, float]:
        """``(commit, discount)``."""
        return (self.commit, self.discount)


@dataclass(frozen=True)
class _Pricer:
    s: SpendSamples
    overage: Overage
    rollover: float
    eps: float | None
    cvar_limit: float | None
    lam: float

    def objective(self, commit: float, discount: float) -> float:
        m = self.s.metrics(commit, discount, self.overage, self.rollover)
        return float(m.expected_cost[0] + self.lam * m.cvar95_cost[0])

    def risk_ok(self, commit: float, discount: float) -> bool:
        m = self.s.metrics(commit, discount, self.overage, self.rollover)
        ok = True
        if self.eps is not None:
            # compare path counts, not a float product: (k / n) * n can exceed k by one ulp
            short_paths = round(float(m.shortfall_probability[0]) * self.s.n)
            ok = short_paths <= shortfall_count(self.s.n, self.eps)
        if self.cvar_limit is not None:
            ok = ok and bool(m.cvar95_cost[0] <= self.cvar_limit * (1.0 + _TOL))
        return bool(ok)


def _pricer(term_spend: ArrayLike, offer: Offer | None, contract: Contract) -> _Pricer:
    arr = np.asarray(term_spend, dtype=np.float64)
    if arr.ndim == 2:
        arr = arr.sum(axis=1)
    overage = contract.overage if offer is None or offer.overage is None else offer.overage
    rho = (
        contract.rollover_share
        if offer is None or offer.rollover_share is None
        else offer.rollover_share
    )
    return _Pricer(
        SpendSamples.from_array(arr),
        overage,
        rho,
        contract.max_shortfall_probability,
        contract.cvar_limit,
        contract.cvar_weight,
    )


def _smallest_meeting(f: Callable[[float], float], target: float, lo: float, hi: float) -> float:
    """Smallest ``x`` in ``[lo, hi]`` with ``f(x) <= target``, ``f`` non-increasing; else NaN."""
    if f(lo) <= target:
        return lo
    if f(hi) > target:
        return math.nan
    for _ in range(_STEPS):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (lo, mid) if f(mid) <= target else (mid, hi)
    return hi


def _discount_for(p: _Pricer, commit: float, target: float) -> float:
    return _smallest_meeting(lambda d: p.objective(commit, d), target, 0.0, _D_MAX)


def _walk_away(p: _Pricer, commit: float) -> float:
    payg = p.s.mean + p.lam * p.s.payg_cvar
    d = _discount_for(p, commit, payg)
    if p.cvar_limit is not None and not math.isnan(d):
        limit = p.cvar_limit
        d_cvar = _smallest_meeting(
            lambda x: float(p.s.metrics(commit, x, p.overage, p.rollover).cvar95_cost[0]),
            limit * (1.0 + _TOL),
            0.0,
            _D_MAX,
        )
        d = max(d, d_cvar)  # NaN propagates: no discount meets the CVaR limit
    # a larger discount only raises the shortfall probability, so the smallest is the one to test
    return d if not math.isnan(d) and p.risk_ok(commit, d) else math.nan


def _target(rec: CommitRecommendation, lam: float) -> float:
    return rec.expected_cost + lam * rec.cvar95_cost


def evaluate_offer(
    term_spend: ArrayLike, offer: Offer, contract: Contract, recommendation: CommitRecommendation
) -> OfferEvaluation:
    """Price a vendor offer against pay-as-you-go and against our recommendation.

    Parameters
    ----------
    term_spend : array_like
        List-price term spend per path (2-D arrays are summed over contract years).
    offer : Offer
        The vendor's commitment and discount; overage and rollover default to the contract's.
    contract : Contract
        Risk limits (``max_shortfall_probability``, ``cvar_limit``) and ``cvar_weight``.
    recommendation : CommitRecommendation
        Our recommendation on the same samples (:func:`simulator.commitment.recommend_commit`).

    Returns
    -------
    OfferEvaluation
        Cost and risk metrics, the walk-away discount and the indifference discount.
    """
    p = _pricer(term_spend, offer, contract)
    m = p.s.metrics(offer.commit, offer.discount, p.overage, p.rollover)
    cost = float(m.expected_cost[0])
    return OfferEvaluation(
        name=offer.name,
        commit=offer.commit,
        discount=offer.discount,
        overage=p.overage,
        rollover_share=p.rollover,
        expected_cost=cost,
        expected_savings=p.s.mean - cost,
        savings_vs_recommendation=recommendation.expected_cost - cost,
        effective_savings_rate=(p.s.mean - cost) / p.s.mean if p.s.mean > 0 else 0.0,
        shortfall_probability=float(m.shortfall_probability[0]),
        expected_unused=float(m.expected_unused[0]),
        cvar95_cost=float(m.cvar95_cost[0]),
        meets_risk_limits=p.risk_ok(offer.commit, offer.discount),
        walk_away_discount=_walk_away(p, offer.commit),
        indifference_discount=_discount_for(p, offer.commit, _target(recommendation, p.lam)),
    )


def _commit_for(p: _Pricer, offer: Offer, target: float) -> float:
    """Commitment at the offer's discount with objective ``target``, on the offer's side of the
    minimum (the objective is convex in ``C``); NaN if even the best commitment costs more."""
    d, c0 = offer.discount, offer.commit
    grid = np.concatenate([[0.0], (1.0 - d) * p.s.values])  # breakpoints: the exact minimum
    m = p.s.metrics(grid, d, p.overage, p.rollover)
    obj = m.expected_cost + p.lam * m.cvar95_cost
    c_min = float(grid[int(np.argmin(obj))])
    if float(obj.min()) > target or p.objective(c0, d) <= target:
        return math.nan
    if c0 < c_min:  # objective falls from c0 to c_min: the first C meeting the target
        return _smallest_meeting(lambda c: p.objective(c, d), target, c0, c_min)
    # objective rises from c_min to c0: reflect (x = -C) to get the last C meeting the target
    return -_smallest_meeting(lambda x: p.objective(-x, d), target, -c0, -c_min)


def _largest_within_limits(p: _Pricer, discount: float, target: float) -> float:
    """The largest commitment at ``discount`` (on the breakpoints) that is within the risk limits
    and no worse for the buyer than ``target``: what the buyer can put against the vendor's
    discount. NaN if none."""
    grid = (1.0 - discount) * p.s.values
    m = p.s.metrics(grid, discount, p.overage, p.rollover)
    obj = m.expected_cost + p.lam * m.cvar95_cost
    ok = grid > 0
    if p.eps is not None:  # the same integer count test as _Pricer.risk_ok
        ok &= np.round(m.shortfall_probability * p.s.n) <= shortfall_count(p.s.n, p.eps)
    if p.cvar_limit is not None:
        ok &= m.cvar95_cost <= p.cvar_limit * (1.0 + _TOL)
    ok &= obj <= target * (1.0 + _TOL)
    return float(grid[ok].max()) if ok.any() else math.nan


def counteroffers(
    term_spend: ArrayLike,
    offer: Offer,
    contract: Contract,
    recommendation: CommitRecommendation,
    n: int = 11,
    span: tuple[float, float] = (0.5, 1.5),
) -> list[Counteroffer]:
    """Commitment and discount pairs that improve on the offer, near the buyer's frontier.

    The bar is our recommendation's ``E[cost] + lam * CVaR95``, or the offer's when the offer
    already meets the risk limits and beats it. First the two natural counters (when they exist):
    the offer's commitment with the discount that meets the bar (``same_commit``) and the offer's
    discount with the commitment that meets it (``same_discount``); both carry
    ``meets_risk_limits``. When the latter breaks the risk limits (or does not exist),
    ``within_limits`` puts the largest commitment the limits allow against the vendor's discount,
    if it meets the bar. When the offer meets the limits and beats our number, ``best_commit`` is
    the offer's discount on the commitment that costs the buyer least within the limits. Then
    ``n`` frontier points with commitments from ``span[0]`` to ``span[1]`` times the offer's,
    kept only within the limits.

    Only counters better for the buyer than the offer are returned: never the offered commitment
    (or more) at the offered discount (or less), and otherwise cheaper by the objective or within
    limits the offer breaks. Labels: :data:`COUNTER_LABELS`.

    Parameters
    ----------
    term_spend, offer, contract, recommendation
        As in :func:`evaluate_offer`.
    n : int
        Number of frontier commitments.
    span : tuple of float
        Range of frontier commitments as multiples of the offer's.

    Returns
    -------
    list of Counteroffer
        Those meeting the risk limits first; within each group natural counters, then the
        best commitment, then frontier points by increasing commitment.
    """
    p = _pricer(term_spend, offer, contract)
    offer_obj = p.objective(offer.commit, offer.discount)
    offer_ok = p.risk_ok(offer.commit, offer.discount)
    ours = target = _target(recommendation, p.lam)
    if offer_ok:  # an offer that already beats our number sets the bar the counters must clear
        target = min(target, offer_obj)

    def make(c: float, d: float, kind: CounterKind) -> Counteroffer:
        m = p.s.metrics(c, d, p.overage, p.rollover)
        return Counteroffer(
            c,
            d,
            kind,
            float(m.expected_cost[0]),
            float(m.shortfall_probability[0]),
            float(m.cvar95_cost[0]),
            p.risk_ok(c, d),
            float(m.expected_unused[0]),
        )

    out: list[Counteroffer] = []
    d_same = _discount_for(p, offer.commit, target)
    if not math.isnan(d_same):
        out.append(make(offer.commit, d_same, "same_commit"))
    c_same = _commit_for(p, offer, target)
    if not math.isnan(c_same):
        out.append(make(c_same, offer.discount, "same_discount"))
    if math.isnan(c_same) or not p.risk_ok(c_same, offer.discount):
        # the vendor's discount on a commitment the buyer's risk limits allow
        c_ok = _largest_within_limits(p, offer.discount, target)
        if not math.isnan(c_ok):
            out.append(make(c_ok, offer.discount, "within_limits"))
    # an offer that beats our number within the limits: counter only for better terms, its
    # discount on the commitment that suits us best
    c_best = _best_within_limits(p, offer.discount) if offer_ok and offer_obj < ours else math.nan
    if not math.isnan(c_best):
        out.append(make(c_best, offer.discount, "best_commit"))
    for c in np.linspace(span[0] * offer.commit, span[1] * offer.commit, n):
        d = _discount_for(p, float(c), target)
        if not math.isnan(d) and p.risk_ok(float(c), d):
            out.append(make(float(c), d, "frontier"))
    kept = [k for k in out if _improves(p, k, offer, offer_obj, offer_ok)]
    unique: list[Counteroffer] = []
    for k in kept:  # one counter per (commit, discount): the first kind that found it names it
        if not any(_same_terms(k, u) for u in unique):
            unique.append(k)
    # counters that meet the limits first (stable, so the natural counters lead within each)
    return sorted(unique, key=lambda k: not k.meets_risk_limits)


def _same_terms(a: Counteroffer, b: Counteroffer) -> bool:
    return (
        abs(a.commit - b.commit) <= _SAME * max(1.0, a.commit)
        and abs(a.discount - b.discount) <= _SAME
    )


def _improves(p: _Pricer, k: Counteroffer, offer: Offer, offer_obj: float, offer_ok: bool) -> bool:
    """Whether a counter is better for the buyer than the offer it answers.

    A counter asking for no more discount on at least the offered commitment is never better
    (its cost is at least the offer's on every path), so it is dropped outright. Otherwise it must
    cost less by the objective, or meet the risk limits the offer breaks.
    """
    if k.commit >= offer.commit * (1.0 - _SAME) and k.discount <= offer.discount + _SAME:
        return False
    obj = p.objective(k.commit, k.discount)
    cheaper = obj < offer_obj - _GAIN * max(1.0, abs(offer_obj))
    return cheaper or (not offer_ok and k.meets_risk_limits and obj <= offer_obj)


def _best_within_limits(p: _Pricer, discount: float) -> float:
    """The commitment at ``discount`` (on the breakpoints) with the least objective within the
    risk limits: the vendor's discount on the commitment that suits the buyer best. NaN if none."""
    grid = (1.0 - discount) * p.s.values
    m = p.s.metrics(grid, discount, p.overage, p.rollover)
    obj = m.expected_cost + p.lam * m.cvar95_cost
    ok = grid > 0
    if p.eps is not None:
        ok &= np.round(m.shortfall_probability * p.s.n) <= shortfall_count(p.s.n, p.eps)
    if p.cvar_limit is not None:
        ok &= m.cvar95_cost <= p.cvar_limit * (1.0 + _TOL)
    if not ok.any():
        return math.nan
    idx = np.flatnonzero(ok)
    return float(grid[idx[int(np.argmin(obj[idx]))]])


__all__ = ["COUNTER_LABELS", "Counteroffer", "OfferEvaluation", "counteroffers", "evaluate_offer"]
