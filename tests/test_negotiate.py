"""Offers, walk-away and indifference discounts, and counteroffers on the frontier."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from simulator.commitment import CommitRecommendation, recommend_commit
from simulator.commitment.offers import counteroffers, evaluate_offer
from simulator.commitment.risk import cvar
from simulator.scenario import Contract, Offer, Tier

SIGMA = 0.3
MU = math.log(5e6) - SIGMA**2 / 2


@pytest.fixture(scope="module")
def spend() -> NDArray[np.float64]:
    return np.random.default_rng(99).lognormal(MU, SIGMA, 100_000)


def cost(x: NDArray[np.float64], c: float, d: float, r_o: float, rho: float = 0.0) -> float:
    r = 1 - d
    return float(np.mean(c + r_o * np.maximum(0, x - c / r) - rho * np.maximum(0, c - r * x)))


CONTRACT = Contract(
    overage="list",
    tiers=[Tier(min_commit=0, discount=0.1), Tier(min_commit=3e6, discount=0.2)],
    max_shortfall_probability=0.2,
)


@pytest.fixture(scope="module")
def rec(spend: NDArray[np.float64]) -> CommitRecommendation:
    return recommend_commit(spend, CONTRACT, with_curve=False)


def test_offer_metrics_are_direct_formulas(
    spend: NDArray[np.float64], rec: CommitRecommendation
) -> None:
    offer = Offer(name="v1", commit=4e6, discount=0.18)
    ev = evaluate_offer(spend, offer, CONTRACT, rec)
    expected = cost(spend, 4e6, 0.18, 1.0)
    assert ev.expected_cost == pytest.approx(expected, rel=1e-10)
    assert ev.expected_savings == pytest.approx(spend.mean() - expected, rel=1e-9)
    assert ev.savings_vs_recommendation == pytest.approx(rec.expected_cost - expected, rel=1e-9)
    assert ev.shortfall_probability == np.mean(0.82 * spend < 4e6)
    assert ev.meets_risk_limits == (ev.shortfall_probability <= 0.2)
    assert ev.overage == "list" and ev.rollover_share == 0.0  # defaults from the contract
    own = Offer(name="v2", commit=4e6, discount=0.18, overage="contract_rate", rollover_share=0.5)
    ev2 = evaluate_offer(spend, own, CONTRACT, rec)
    assert ev2.expected_cost == pytest.approx(cost(spend, 4e6, 0.18, 0.82, 0.5), rel=1e-10)


def test_walk_away_discount_breaks_even_with_payg(
    spend: NDArray[np.float64], rec: CommitRecommendation
) -> None:
    loose = CONTRACT.model_copy(update={"max_shortfall_probability": None})
    offer = Offer(name="v", commit=3.5e6, discount=0.1)
    w = evaluate_offer(spend, offer, loose, rec).walk_away_discount
    assert 0 < w < 0.5
    assert cost(spend, 3.5e6, w, 1.0) == pytest.approx(spend.mean(), rel=1e-9)
    assert cost(spend, 3.5e6, w - 1e-4, 1.0) > spend.mean()  # smallest such discount


def test_walk_away_is_nan_when_shortfall_limit_binds(
    spend: NDArray[np.float64], rec: CommitRecommendation
) -> None:
    offer = Offer(name="big", commit=4.5e6, discount=0.25)
    ev = evaluate_offer(spend, offer, CONTRACT, rec)
    # at the break-even discount already more than 20% of paths are short; more discount only
    # makes it worse (C / r grows), so no discount is acceptable
    loose = CONTRACT.model_copy(update={"max_shortfall_probability": None})
    w = evaluate_offer(spend, offer, loose, rec).walk_away_discount
    assert np.mean((1 - w) * spend < 4.5e6) > 0.2
    assert math.isnan(ev.walk_away_discount)
    # a limit that the break-even point meets is satisfied at the same discount
    roomy = CONTRACT.model_copy(update={"max_shortfall_probability": 0.9})
    assert evaluate_offer(spend, offer, roomy, rec).walk_away_discount == pytest.approx(w)


def test_walk_away_with_cvar_limit(spend: NDArray[np.float64], rec: CommitRecommendation) -> None:
    base = CONTRACT.model_copy(update={"max_shortfall_probability": None})
    offer = Offer(name="v", commit=2e6, discount=0.1)
    w0 = evaluate_offer(spend, offer, base, rec).walk_away_discount
    tail_at_w0 = cvar(2e6 + np.maximum(0, spend - 2e6 / (1 - w0)))
    limited = base.model_copy(update={"cvar_limit": tail_at_w0 - 5e4})
    w = evaluate_offer(spend, offer, limited, rec).walk_away_discount
    assert w > w0
    assert cvar(2e6 + np.maximum(0, spend - 2e6 / (1 - w))) == pytest.approx(
        tail_at_w0 - 5e4, rel=1e-9
    )


def test_indifference_discount(spend: NDArray[np.float64], rec: CommitRecommendation) -> None:
    offer = Offer(name="v", commit=4e6, discount=0.1)
    ev = evaluate_offer(spend, offer, CONTRACT, rec)
    assert ev.indifference_discount > 0.1
    assert cost(spend, 4e6, ev.indifference_discount, 1.0) == pytest.approx(
        rec.expected_cost, rel=1e-9
    )
    # our own recommendation as an offer: indifferent at its own discount
    mine = Offer(name="ours", commit=rec.recommended, discount=rec.discount)
    ev2 = evaluate_offer(spend, mine, CONTRACT, rec)
    assert ev2.savings_vs_recommendation == pytest.approx(0.0, abs=1e-6 * rec.expected_cost)
    assert ev2.indifference_discount == pytest.approx(rec.discount, abs=1e-6)


def test_counteroffers_lie_on_the_frontier(
    spend: NDArray[np.float64], rec: CommitRecommendation
) -> None:
    offer = Offer(name="v", commit=4.5e6, discount=0.15)
    counters = counteroffers(spend, offer, CONTRACT, rec, n=11)
    kinds = [c.kind for c in counters]
    assert {"same_commit", "same_discount", "frontier"} <= set(kinds)
    # counters that meet the risk limits come first
    ok = [c.meets_risk_limits for c in counters]
    assert ok == sorted(ok, reverse=True)
    for c in counters:
        if c.kind in ("within_limits", "best_commit"):  # no worse than ours, not equal
            assert c.meets_risk_limits
            assert cost(spend, c.commit, c.discount, 1.0) <= rec.expected_cost * (1 + 1e-9)
            continue
        assert cost(spend, c.commit, c.discount, 1.0) == pytest.approx(rec.expected_cost, rel=1e-6)
        assert c.expected_cost == pytest.approx(rec.expected_cost, rel=1e-6)
    by_kind = {c.kind: c for c in counters}
    assert by_kind["same_commit"].commit == 4.5e6 and by_kind["same_commit"].discount > 0.15
    assert by_kind["same_discount"].discount == 0.15
    assert by_kind["same_discount"].commit < 4.5e6
    frontier = [c for c in counters if c.kind == "frontier"]
    for c in frontier:
        assert c.meets_risk_limits
        assert np.mean((1 - c.discount) * spend < c.commit) <= 0.2
        assert 0.5 * 4.5e6 - 1e-6 <= c.commit <= 1.5 * 4.5e6 + 1e-6
    # the frontier is U-shaped around our newsvendor optimum (d = 0.1 at 2.92e6): no frontier
    # point can need less than our discount, and it rises on both sides of our commitment
    ds = np.array([c.discount for c in frontier])
    cs = np.array([c.commit for c in frontier])
    assert len(frontier) >= 3 and np.all(ds >= rec.discount - 1e-9)
    assert np.all(np.diff(ds[cs > rec.recommended]) > 0)
    assert np.all(ds[cs < rec.recommended] > rec.discount)


def test_same_discount_counter_absent_when_even_best_commitment_is_worse(
    spend: NDArray[np.float64], rec: CommitRecommendation
) -> None:
    stingy = Offer(name="v", commit=4e6, discount=0.02)
    kinds = [c.kind for c in counteroffers(spend, stingy, CONTRACT, rec)]
    assert "same_discount" not in kinds and "same_commit" in kinds


def test_our_own_recommendation_meets_the_limits_as_an_offer() -> None:
    """(k / n) * n can exceed k by one ulp (7 / 100 * 100): counts are compared as integers."""
    from simulator.scenario import Contract, Offer, Tier

    samples = np.random.default_rng(1).lognormal(15, 0.3, 100)
    contract = Contract(
        overage="list", tiers=[Tier(min_commit=0, discount=0.3)], max_shortfall_probability=0.07
    )
    rec = recommend_commit(samples, contract, with_curve=False)
    assert rec.binding == "shortfall_limit"
    assert round(rec.shortfall_probability * 100) == 7
    ev = evaluate_offer(
        samples, Offer(name="ours", commit=rec.recommended, discount=rec.discount), contract, rec
    )
    assert ev.meets_risk_limits


def test_risk_overrides_are_validated() -> None:
    import pydantic

    from simulator.scenario import Contract, Tier

    contract = Contract(tiers=[Tier(min_commit=0, discount=0.2)])
    samples = np.random.default_rng(2).lognormal(15, 0.3, 1000)
    with pytest.raises(pydantic.ValidationError):
        recommend_commit(samples, contract, max_shortfall_probability=-0.01)
    with pytest.raises(pydantic.ValidationError):
        recommend_commit(samples, contract, cvar_weight=-1.0)


def test_within_limits_counter_is_the_largest_safe_commitment_at_the_vendors_discount() -> None:
    """A vendor's deep discount on a large commitment: the indifference counter at that discount
    breaks the chance constraint, so the buyer puts the largest commitment the limit allows."""
    from simulator.commitment.risk import SpendSamples

    samples = np.random.default_rng(3).lognormal(np.log(3e6), 0.15, 20_000)
    contract = Contract(
        overage="contract_rate",
        tiers=[Tier(min_commit=0, discount=0.0), Tier(min_commit=2e6, discount=0.08)],
        max_shortfall_probability=0.1,
    )
    rec = recommend_commit(samples, contract, with_curve=False)
    offer = Offer(name="big", commit=5e6, discount=0.15)
    counters = {c.kind: c for c in counteroffers(samples, offer, contract, rec)}
    assert not counters["same_discount"].meets_risk_limits
    safe = counters["within_limits"]
    assert safe.discount == 0.15 and safe.meets_risk_limits
    assert safe.expected_cost <= rec.expected_cost
    # largest: the cap of the chance constraint, 0.85 x the 10% quantile of list spend
    k = int(np.floor(0.1 * 20_000))
    assert safe.commit == pytest.approx(0.85 * np.sort(samples)[k])
    s = SpendSamples.from_array(samples)
    above = s.metrics(safe.commit * 1.001, 0.15, "contract_rate", 0.0)
    assert above.shortfall_probability[0] > 0.1
