"""The decision: the cheapest candidate within the risk limits, checked by brute force on the
bundled scenarios and on generated ones; counters that improve on the offer they answer; an offer
that beats every tier is accepted; the rationale is plain words."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from simulator.commitment import CommitRecommendation, recommend_commit
from simulator.commitment.offers import counteroffers, evaluate_offer
from simulator.commitment.risk import path_cost, shortfall_count
from simulator.decision.choose import COUNTER_GAIN, TIE, Candidate, candidates, choose
from simulator.decision.report import Report, recommend
from simulator.decision.words import contract_year
from simulator.scenario import Contract, Offer, Tier, load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


@pytest.fixture(scope="module", params=["default", "startup", "enterprise"])
def report(request: pytest.FixtureRequest) -> Report:
    return recommend(load_scenario(SCENARIOS / f"{request.param}.yaml"), paths=4000, seed=7)


def _brute_cost(x: NDArray[np.float64], c: float, d: float, overage: str, rho: float) -> float:
    return float(path_cost(x, c, d, overage, rho).mean())  # type: ignore[arg-type]


def _within(x: NDArray[np.float64], c: float, d: float, contract: Contract) -> bool:
    eps = contract.max_shortfall_probability
    short = int(np.sum((1 - d) * x < c))
    return eps is None or short <= shortfall_count(x.size, eps)


def _expected(cands: list[Candidate]) -> Candidate:
    """The rule by brute force: cheapest non-counter within limits, unless a counter within
    limits beats it by the counter margin."""
    ok = [c for c in cands if c.meets_limits]
    base = min((c for c in ok if c.kind != "counter"), key=lambda c: c.expected_cost)
    counters = [c for c in ok if c.kind == "counter"]
    best = min(counters, key=lambda c: c.expected_cost) if counters else None
    if best is not None and best.expected_cost < base.expected_cost * (1 - COUNTER_GAIN):
        return best
    return base


def test_decision_is_the_cheapest_candidate_within_limits_on_bundled_scenarios(
    report: Report,
) -> None:
    d = report.decision
    assert d is not None
    x = report.optimized_term
    total = x.sum(axis=1) if x.ndim == 2 else x
    contract = report.scenario.contract
    by_name = {o.name: o for o in report.offers}
    for c in d.candidates:
        if c.kind == "ours":
            assert c.expected_cost == pytest.approx(report.commit.expected_cost, rel=1e-12)
            continue
        o = by_name[c.answers or c.name]
        # every candidate's cost and limit check, recomputed path by path
        brute = _brute_cost(total, c.commit, c.discount, o.overage, o.rollover_share)
        assert c.expected_cost == pytest.approx(brute, rel=1e-9)
        assert c.meets_limits == _within(total, c.commit, c.discount, contract)
    want = _expected(list(d.candidates))
    assert d.chosen.expected_cost == pytest.approx(want.expected_cost, rel=TIE)
    assert d.chosen.meets_limits
    assert (
        d.to_dict()["action"]
        == {"ours": "sign", "offer": "accept", "counter": "counter"}[d.chosen.kind]
    )
    # every alternative carries its difference from the decision
    for a in d.to_dict()["alternatives"]:
        assert a["cost_difference"] == pytest.approx(a["expected_cost"] - d.chosen.expected_cost)


def test_rationale_is_plain_words(report: Report) -> None:
    assert report.decision is not None
    text = report.decision.rationale
    assert not SNAKE.findall(text), SNAKE.findall(text)
    assert "year 0" not in text and "tier 0" not in text and "min_commit" not in text
    assert re.search(r"months from [A-Z][a-z]+ 20\d\d", text)
    assert "How sure we are" in text and "±" in text
    if report.commit.years:  # ramped: one calendar year per contract year
        for y in range(len(report.commit.years)):
            assert f"In {contract_year(report.scenario, y)}, " in text


def test_enterprise_counter_proposal_is_not_countered_with_a_smaller_discount() -> None:
    r = recommend(load_scenario(SCENARIOS / "enterprise.yaml"), paths=4000, seed=7)
    offer = next(o for o in r.scenario.offers if o.name == "Counter-proposal")
    ev = next(o for o in r.offers if o.name == "Counter-proposal")
    assert ev.meets_risk_limits and ev.expected_cost < r.commit.expected_cost
    for k in r.counteroffers[offer.name]:
        assert not (k.commit >= offer.commit and k.discount <= offer.discount)
        assert k.expected_cost < ev.expected_cost
    # it beats our number within limits, so the decision takes it or a better counter to it
    assert r.decision is not None
    assert r.decision.chosen.expected_cost <= ev.expected_cost


SIGMA = 0.25


def _setup(
    seed: int, top: float, eps: float, offer_scale: float, offer_d: float
) -> tuple[NDArray[np.float64], Contract, CommitRecommendation, Offer]:
    x = np.random.default_rng(seed).lognormal(math.log(4e6), SIGMA, 3000)
    contract = Contract(
        overage="contract_rate",
        tiers=[
            Tier(min_commit=0, discount=0.0),
            Tier(min_commit=1e6, discount=0.05),
            Tier(min_commit=3e6, discount=top),
        ],
        max_shortfall_probability=eps,
    )
    rec = recommend_commit(x, contract, with_curve=False)
    return x, contract, rec, Offer(name="v", commit=offer_scale * 4e6, discount=offer_d)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 1000),
    top=st.floats(0.06, 0.2),
    eps=st.floats(0.02, 0.3),
    offer_scale=st.floats(0.3, 1.6),
    offer_d=st.floats(0.0, 0.3),
)
def test_decision_and_counters_on_generated_scenarios(
    seed: int, top: float, eps: float, offer_scale: float, offer_d: float
) -> None:
    x, contract, rec, offer = _setup(seed, top, eps, offer_scale, offer_d)
    ev = evaluate_offer(x, offer, contract, rec)
    ks = counteroffers(x, offer, contract, rec)
    for k in ks:  # every counter improves on the offer it answers
        assert not (k.commit >= offer.commit * (1 - 1e-9) and k.discount <= offer.discount)
        cheaper = k.expected_cost < ev.expected_cost
        assert cheaper or (not ev.meets_risk_limits and k.meets_risk_limits)
        assert k.meets_risk_limits == _within(x, k.commit, k.discount, contract)
    ok = [k.meets_risk_limits for k in ks]
    assert ok == sorted(ok, reverse=True)  # counters within the limits come first
    cands = candidates(rec, [ev], {offer.name: ks}, contract)
    chosen, fallback = choose(cands)
    want = _expected(cands)
    assert chosen.expected_cost == pytest.approx(want.expected_cost, rel=TIE)
    # brute force over the candidates' terms, recomputed from the samples
    for c in cands:
        if c.kind != "ours":
            brute = _brute_cost(x, c.commit, c.discount, "contract_rate", 0.0)
            assert c.expected_cost == pytest.approx(brute, rel=1e-9)
    assert fallback is not None and fallback.kind != "counter"


def test_an_offer_that_beats_every_tier_is_accepted() -> None:
    x = np.random.default_rng(5).lognormal(math.log(4e6), SIGMA, 20_000)
    contract = Contract(
        overage="contract_rate",
        tiers=[Tier(min_commit=0, discount=0.0), Tier(min_commit=2e6, discount=0.08)],
        max_shortfall_probability=0.1,
    )
    rec = recommend_commit(x, contract, with_curve=False)
    # the vendor's 20% on exactly the commitment that suits us best at 20%
    at20 = Contract(
        overage="contract_rate",
        tiers=[Tier(min_commit=0, discount=0.2)],
        max_shortfall_probability=0.1,
    )
    best = recommend_commit(x, at20, with_curve=False).recommended
    offer = Offer(name="Deep discount", commit=best, discount=0.2)
    ev = evaluate_offer(x, offer, contract, rec)
    assert ev.meets_risk_limits and ev.expected_cost < rec.expected_cost
    ks = counteroffers(x, offer, contract, rec)
    chosen, fallback = choose(candidates(rec, [ev], {offer.name: ks}, contract))
    assert chosen.kind == "offer" and chosen.name == "Deep discount" and chosen.action == "accept"
    assert fallback is chosen
    # the saving, by hand: 0.8 x spend at 20% against 0.92 x spend at 8%, both commitments used
    assert rec.expected_cost - chosen.expected_cost == pytest.approx(
        rec.expected_cost - _brute_cost(x, best, 0.2, "contract_rate", 0.0), rel=1e-9
    )


def test_net_extra_cost_of_sizing_on_the_unoptimised_forecast() -> None:
    r = recommend(load_scenario(SCENARIOS / "default.yaml"), paths=4000, seed=3)
    x, c = r.optimized_term, r.scenario.contract
    u, o = r.commit_unoptimized, r.commit
    brute = _brute_cost(x, u.recommended, u.discount, c.overage, c.rollover_share) - _brute_cost(
        x, o.recommended, o.discount, c.overage, c.rollover_share
    )
    assert r.extra_cost_if_committed_unoptimized == pytest.approx(brute, rel=1e-9)
    assert r.extra_cost_if_committed_unoptimized >= 0  # ours is optimal on these samples
    se = r.standard_errors
    for key in ("expected_cost", "expected_savings", "shortfall_probability", "expected_unused"):
        assert key in se and se[key] >= 0


def test_recommend_json_has_the_decision(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    args = ["recommend", str(SCENARIOS / "enterprise.yaml"), "--paths", "2000", "--json"]
    assert run_cli(args, monkeypatch) == 0
    data = json.loads(capsys.readouterr().out)
    d = data["decision"]
    for key in (
        "action",
        "name",
        "commit",
        "discount",
        "expected_cost",
        "shortfall_probability",
        "expected_unused",
        "rationale",
        "alternatives",
    ):
        assert key in d
    assert d["action"] in ("sign", "accept", "counter")
    assert {a["name"] for a in d["alternatives"]} >= {o["name"] for o in data["offers"]}
    assert min(a["cost_difference"] for a in d["alternatives"] if a["meets_limits"]) >= -(
        COUNTER_GAIN * d["expected_cost"]
    )
    assert "extra_cost_if_committed_unoptimized" in data


def test_knee_is_the_last_commitment_used_in_full_on_95_percent_of_paths() -> None:
    from simulator.output.decision_charts import knee

    x = np.random.default_rng(2).lognormal(math.log(4e6), SIGMA, 10_000)
    contract = Contract(
        overage="contract_rate",
        tiers=[Tier(min_commit=0, discount=0.1)],
        max_shortfall_probability=None,
    )
    rec = recommend_commit(x, contract)
    k = knee(rec)
    # closed form: 0.9 L < C on at most 5% of paths <=> C <= 0.9 x the 500th smallest spend
    assert 0 < k <= 0.9 * np.sort(x)[500]
    curve = rec.curve
    assert np.mean(0.9 * x < k) <= 0.05
    assert (curve[curve["commit"] > k]["shortfall_probability"] > 0.05).all()
