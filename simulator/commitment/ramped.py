"""Ramped multi-year commitments: one commitment per contract year under a contract-wide limit.

Each year is sized with the single-term solver of :mod:`simulator.commitment.sizing` on that
year's spend; the contract-wide shortfall and CVaR limits are shared out across years as
described in :func:`recommend_ramped` and ``docs/methodology.md``.
:func:`simulator.commitment.recommend.recommend_commit` calls this for ``contract.ramped``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from simulator.commitment.risk import FloatArray, SpendSamples, cvar, path_cost, shortfall_count
from simulator.commitment.sizing import (
    Binding,
    Choice,
    CommitRecommendation,
    Terms,
    finish,
    solve,
)

# The headline binding of a ramped recommendation: the first of these that binds in any year.
_PRIORITY: tuple[Binding, ...] = ("shortfall_limit", "cvar_limit", "tier_threshold", "newsvendor")


def _year_cost(arr: FloatArray, choices: list[Choice], t: Terms) -> FloatArray:
    """Per-path cost summed over contract years (pay-as-you-go is ``C = 0, d = 0``: cost ``L``)."""
    return np.asarray(
        sum(
            path_cost(arr[:, y], ch.commit, ch.discount, t.overage, t.rollover)
            for y, ch in enumerate(choices)
        )
    )


def _any_short(arr: FloatArray, choices: list[Choice]) -> FloatArray:
    short = np.zeros(arr.shape[0], dtype=bool)
    for y, ch in enumerate(choices):
        short |= (1.0 - ch.discount) * arr[:, y] < ch.commit  # same product as the cap
    return np.asarray(short, dtype=np.float64)


def recommend_ramped(arr: FloatArray, t: Terms, with_curve: bool) -> CommitRecommendation:
    """One commitment per contract year, each sized on that year's spend with the tier table.

    The shortfall limit is on the contract (any year short): a common per-year limit ``k / N`` is
    found by bisection on ``k`` between the Bonferroni value ``floor(eps N) / Y`` (always feasible)
    and ``floor(eps N)``, which works because each year's commitment (in list terms) is monotone in
    its limit. A CVaR limit is split across years in proportion to each year's pay-as-you-go CVaR;
    CVaR is subadditive, so the sum of per-year CVaRs bounds the term's (conservative).
    """
    if arr.ndim != 2 or arr.shape[1] < 1:
        raise ValueError("a ramped contract needs a 2-D array (paths x contract years)")
    n, years = arr.shape
    samples = [SpendSamples.from_array(arr[:, y]) for y in range(years)]
    yterms = [t] * years
    if t.cvar_limit is not None:
        total = sum(s.payg_cvar for s in samples)
        yterms = [replace(t, cvar_limit=t.cvar_limit * s.payg_cvar / total) for s in samples]

    def solve_at(eps: float | None) -> list[Choice]:
        return [solve(s, replace(tt, eps=eps)) for s, tt in zip(samples, yterms, strict=True)]

    choices = solve_at(t.eps)
    if t.eps is not None:
        allowed = shortfall_count(n, t.eps)
        if _any_short(arr, choices).sum() > allowed:
            lo, hi = shortfall_count(n, t.eps / years), allowed  # lo feasible, hi not
            while hi - lo > 1:
                mid = (lo + hi) // 2
                ok = _any_short(arr, solve_at(mid / n)).sum() <= allowed
                lo, hi = (mid, hi) if ok else (lo, mid)
            choices = solve_at(lo / n)
    per_year = tuple(
        finish(s, tt, ch, with_curve) for s, tt, ch in zip(samples, yterms, choices, strict=True)
    )
    commit = sum(ch.commit for ch in choices)
    payg = float(arr.sum(axis=1).mean())
    cost = _year_cost(arr, choices, t)
    expected = float(sum(ch.expected_cost for ch in choices))
    bindings = {ch.binding for ch in choices}
    binding: Binding = next((b for b in _PRIORITY if b in bindings), "no_commit")
    curve = pd.DataFrame()
    if with_curve:
        curve = pd.concat(
            [y.curve.assign(year=i) for i, y in enumerate(per_year)], ignore_index=True
        )
    return CommitRecommendation(
        recommended=commit,
        discount=sum(ch.commit * ch.discount for ch in choices) / commit if commit > 0 else 0.0,
        tier=max(ch.tier for ch in choices),
        expected_cost=expected,
        expected_savings=payg - expected,
        effective_savings_rate=(payg - expected) / payg if payg > 0 else 0.0,
        shortfall_probability=float(_any_short(arr, choices).mean()),
        expected_unused=float(sum(ch.expected_unused for ch in choices)),
        cvar95_cost=cvar(cost),
        break_even_list_spend=float(sum(y.break_even_list_spend for y in per_year)),
        payg_expected_cost=payg,
        payg_cvar95_cost=cvar(arr.sum(axis=1)),
        binding=binding,
        reason="per year: " + "; ".join(f"year {i}: {ch.reason}" for i, ch in enumerate(choices)),
        curve=curve,
        years=per_year,
    )
