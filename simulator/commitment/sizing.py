"""Single-term commitment sizing, shared by flat and ramped contracts.

:func:`solve` finds the commitment that minimises expected cost within the risk limits for one
term; :func:`finish` turns the choice into a :class:`CommitRecommendation`. Flat contracts are
sized by :func:`simulator.commitment.recommend.recommend_commit` and ramped ones by
:mod:`simulator.commitment.ramped`, both through these functions.

The commitment that minimises expected cost within the risk limits.

Pure functions of list-price term spend samples (one per Monte Carlo path) and a
:class:`~simulator.scenario.Contract`. Within a tier the expected cost, CVaR95 of cost and the
shortfall probability are piecewise linear (the last a step function) in the commitment ``C`` with
breakpoints at ``C = r * L_i``, and the first two are convex. So the exact optimum lies at a tier
end, a breakpoint, the shortfall cap or a CVaR-limit crossing; all of them are evaluated at once
from sorted prefix sums (:class:`~simulator.commitment.risk.SpendSamples`). The method and every
formula are in ``docs/methodology.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from simulator.commitment.risk import (
    BELOW_THRESHOLD,
    FloatArray,
    Overage,
    SpendSamples,
    break_even_list_spend,
    cost_curve,
)
from simulator.scenario import Contract

Binding = Literal["newsvendor", "tier_threshold", "shortfall_limit", "cvar_limit", "no_commit"]
_LABELS: tuple[Binding, ...] = ("newsvendor", "tier_threshold", "shortfall_limit", "cvar_limit")
JSON_KEYS: tuple[str, ...] = (
    "recommended",
    "discount",
    "expected_cost",
    "expected_savings",
    "effective_savings_rate",
    "shortfall_probability",
    "expected_unused",
    "cvar95_cost",
    "break_even_list_spend",
)
# Ties in expected cost (flat segments) go to the smaller commitment.
_TIE = 1e-12


@dataclass(frozen=True)
class CommitRecommendation:
    """The recommended commitment and what it costs; field names match the ``commit`` JSON keys.

    ``tier`` is the index into ``contract.tiers`` (``-1`` for pay-as-you-go; for a ramped contract
    the highest tier reached in any year). ``curve`` holds cost versus commitment for plotting and
    ``years`` the per-year recommendations of a ramped contract (empty otherwise).
    """

    recommended: float
    discount: float
    tier: int
    expected_cost: float
    expected_savings: float
    effective_savings_rate: float
    shortfall_probability: float
    expected_unused: float
    cvar95_cost: float
    break_even_list_spend: float
    payg_expected_cost: float
    payg_cvar95_cost: float
    binding: Binding
    reason: str
    curve: pd.DataFrame = field(compare=False, repr=False, default_factory=pd.DataFrame)
    years: tuple[CommitRecommendation, ...] = ()

    def to_dict(self, full: bool = False) -> dict[str, Any]:
        """The ``commit`` JSON keys as plain floats; ``full`` adds tier, binding, reason, years."""
        out: dict[str, Any] = {k: float(getattr(self, k)) for k in JSON_KEYS}
        if full:
            out |= {
                "tier": self.tier,
                "binding": self.binding,
                "reason": self.reason,
                "payg_expected_cost": float(self.payg_expected_cost),
                "payg_cvar95_cost": float(self.payg_cvar95_cost),
                "years": [y.to_dict(full=True) for y in self.years],
            }
        return out


@dataclass(frozen=True)
class Terms:
    thresholds: tuple[float, ...]
    discounts: tuple[float, ...]
    overage: Overage
    rollover: float
    eps: float | None
    cvar_limit: float | None
    lam: float

    @classmethod
    def of(cls, c: Contract) -> Terms:
        return cls(
            tuple(t.min_commit for t in c.tiers),
            tuple(t.discount for t in c.tiers),
            c.overage,
            c.rollover_share,
            c.max_shortfall_probability,
            c.cvar_limit,
            c.cvar_weight,
        )


@dataclass(frozen=True)
class Choice:
    commit: float
    tier: int
    discount: float
    expected_cost: float
    cvar95_cost: float
    shortfall_probability: float
    expected_unused: float
    binding: Binding
    reason: str


def _tier_candidates(s: SpendSamples, t: Terms, k: int) -> tuple[FloatArray, FloatArray] | None:
    """Candidate commitments of tier ``k`` and their label codes; ``None`` if infeasible."""
    d = t.discounts[k]
    r = 1.0 - d
    lo = t.thresholds[k]
    hi = max(lo, r * float(s.values[-1]))  # beyond r*max(L) the cost only rises
    if k + 1 < len(t.thresholds):
        hi = min(hi, max(lo, t.thresholds[k + 1] * (1.0 - BELOW_THRESHOLD)))
    cap = math.inf if t.eps is None else s.shortfall_cap(d, t.eps)
    if cap < lo:
        return None
    capped = cap < hi
    hi = min(hi, cap)
    rl = r * s.values
    inner = rl[np.searchsorted(rl, lo, "right") : np.searchsorted(rl, hi, "left")]
    c = np.unique(np.concatenate([[lo], inner, [hi]]))
    labels = np.zeros(c.size)
    labels[c == lo] = 1.0
    labels[(c == hi) & (k + 1 < len(t.thresholds)) & (hi < cap)] = 1.0
    if capped:
        labels[c == hi] = 2.0
    if t.cvar_limit is None:
        return c, labels
    tail = s.metrics(c, d, t.overage, t.rollover).cvar95_cost
    ok = np.flatnonzero(tail <= t.cvar_limit * (1.0 + _TIE))
    if ok.size == 0:
        return None  # CVaR is linear between candidates, so no point in between is feasible
    a, b = int(ok[0]), int(ok[-1])
    extra = [
        c[i] + (tail[i] - t.cvar_limit) / (tail[i] - tail[j]) * (c[j] - c[i])
        for i, j in ((a - 1, a), (b + 1, b))
        if 0 <= i < c.size
    ]
    c2 = np.concatenate([c[a : b + 1], extra])
    lab2 = np.concatenate([labels[a : b + 1], np.full(len(extra), 3.0)])
    return c2, lab2


def solve(s: SpendSamples, t: Terms) -> Choice:
    """Exact minimum of ``E[cost] + lam * CVaR95`` over pay-as-you-go and every tier."""
    payg_obj = s.mean + t.lam * s.payg_cvar
    payg_ok = t.cvar_limit is None or s.payg_cvar <= t.cvar_limit * (1.0 + _TIE)
    best: Choice | None = None
    best_obj = payg_obj if payg_ok else math.inf
    for k in range(len(t.thresholds)):
        cand = _tier_candidates(s, t, k)
        if cand is None:
            continue
        d = t.discounts[k]
        m = s.metrics(cand[0], d, t.overage, t.rollover)
        obj = m.expected_cost + t.lam * m.cvar95_cost
        low = float(obj.min())
        if low > best_obj - _TIE * abs(best_obj):
            continue  # ties keep the earlier, smaller commitment
        near = np.flatnonzero(obj <= low + _TIE * abs(low))
        i = int(near[np.argmin(m.commit[near])])
        binding = _LABELS[int(cand[1][i])]
        best_obj = low
        best = Choice(
            float(m.commit[i]),
            k,
            d,
            float(m.expected_cost[i]),
            float(m.cvar95_cost[i]),
            float(m.shortfall_probability[i]),
            float(m.expected_unused[i]),
            binding,
            _reason(binding, k, t),
        )
    if best is not None:
        return best
    why = (
        "pay-as-you-go is cheapest in expectation within the risk limits"
        if payg_ok
        else "no commitment meets the risk limits; pay-as-you-go"
    )
    return Choice(0.0, -1, 0.0, s.mean, s.payg_cvar, 0.0, 0.0, "no_commit", why)


def _reason(binding: Binding, k: int, t: Terms) -> str:
    return {
        "newsvendor": f"critical-ratio quantile of list spend in tier {k}",
        "tier_threshold": f"a threshold of tier {k} (min_commit {t.thresholds[k]:,.0f})",
        "shortfall_limit": f"capped by max_shortfall_probability = {t.eps}",
        "cvar_limit": f"capped by cvar_limit = {t.cvar_limit}",
        "no_commit": "pay-as-you-go",
    }[binding]


def finish(s: SpendSamples, t: Terms, ch: Choice, with_curve: bool) -> CommitRecommendation:
    savings = s.mean - ch.expected_cost
    return CommitRecommendation(
        recommended=ch.commit,
        discount=ch.discount,
        tier=ch.tier,
        expected_cost=ch.expected_cost,
        expected_savings=savings,
        effective_savings_rate=savings / s.mean if s.mean > 0 else 0.0,
        shortfall_probability=ch.shortfall_probability,
        expected_unused=ch.expected_unused,
        cvar95_cost=ch.cvar95_cost,
        break_even_list_spend=break_even_list_spend(ch.commit, ch.discount, t.rollover),
        payg_expected_cost=s.mean,
        payg_cvar95_cost=s.payg_cvar,
        binding=ch.binding,
        reason=ch.reason,
        curve=(
            cost_curve(
                s,
                t.thresholds,
                t.discounts,
                t.overage,
                t.rollover,
                eps=t.eps,
                cvar_limit=t.cvar_limit,
                commit=ch.commit,
            )
            if with_curve
            else pd.DataFrame()
        ),
    )


__all__ = [
    "JSON_KEYS",
    "Binding",
    "Choice",
    "CommitRecommendation",
    "Terms",
    "finish",
    "solve",
]
