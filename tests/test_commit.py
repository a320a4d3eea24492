"""Commitment sizing against closed forms, brute force and monotonicity properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.stats import norm

from simulator.commitment import JSON_KEYS, frontier, recommend_commit
from simulator.commitment.risk import (
    SpendSamples,
    break_even_list_spend,
    cvar,
    path_cost,
    tail_weights,
)
from simulator.scenario import Contract, Tier

SIGMA = 0.3
MU = math.log(5e6) - SIGMA**2 / 2  # lognormal with mean 5e6


@pytest.fixture(scope="module")
def spend() -> NDArray[np.float64]:
    return np.random.default_rng(20261).lognormal(MU, SIGMA, 200_000)


def q(p: float) -> float:
    """Lognormal quantile, the closed-form F^-1(p)."""
    return math.exp(MU + SIGMA * float(norm.ppf(p)))


def one_tier(d: float, **kw: object) -> Contract:
    return Contract(
        tiers=[Tier(min_commit=0, discount=d)], **{"max_shortfall_probability": None, **kw}
    )


def direct_cost(
    x: NDArray[np.float64], c: float, d: float, r_o: float, rho: float
) -> NDArray[np.float64]:
    """The cost definition written out independently of the package."""
    r = 1 - d
    return np.asarray(c + r_o * np.maximum(0, x - c / r) - rho * np.maximum(0, c - r * x))


# -- closed forms --------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [0.1, 0.2, 0.3])
def test_list_overage_newsvendor_closed_form(spend: NDArray[np.float64], d: float) -> None:
    rec = recommend_commit(spend, one_tier(d, overage="list"))
    assert rec.recommended == pytest.approx((1 - d) * q(d), rel=5e-3)
    assert rec.binding == "newsvendor"
    assert rec.discount == d and rec.tier == 0
    # the reported metrics are the direct formulas at the recommended commitment
    cost = direct_cost(spend, rec.recommended, d, 1.0, 0.0)
    assert rec.expected_cost == pytest.approx(cost.mean(), rel=1e-10)
    assert rec.shortfall_probability == pytest.approx(np.mean((1 - d) * spend < rec.recommended))
    assert rec.shortfall_probability == pytest.approx(d, abs=1e-3)  # critical ratio
    assert rec.effective_savings_rate == pytest.approx(1 - cost.mean() / spend.mean(), rel=1e-9)


def test_chance_constraint_binds(spend: NDArray[np.float64]) -> None:
    rec = recommend_commit(spend, one_tier(0.2, overage="list", max_shortfall_probability=0.05))
    assert rec.recommended == pytest.approx(0.8 * q(0.05), rel=5e-3)
    assert rec.binding == "shortfall_limit"
    short = np.mean(0.8 * spend < rec.recommended)
    assert short <= 0.05 and rec.shortfall_probability == short
    # one sample more would break the limit: the cap is tight on the samples
    assert np.mean(0.8 * spend <= rec.recommended) > 0.05


def test_chance_constraint_slack_when_eps_above_critical_ratio(spend: NDArray[np.float64]) -> None:
    rec = recommend_commit(spend, one_tier(0.2, overage="list", max_shortfall_probability=0.3))
    assert rec.recommended == pytest.approx(0.8 * q(0.2), rel=5e-3)
    assert rec.binding == "newsvendor"


def _lognormal_max_cost(t: float, r: float) -> float:
    """E[max(T, r L)] for the lognormal: T F(T/r) + r E[L; L > T/r]."""
    a = (math.log(t / r) - MU) / SIGMA
    return t * float(norm.cdf(a)) + r * 5e6 * float(norm.cdf(SIGMA - a))


def test_contract_rate_overage_picks_tier_threshold(spend: NDArray[np.float64]) -> None:
    table = [(0.0, 0.0), (2e6, 0.10), (4e6, 0.20), (8e6, 0.30)]
    c = Contract(
        overage="contract_rate",
        tiers=[Tier(min_commit=t, discount=d) for t, d in table],
        max_shortfall_probability=None,
    )
    rec = recommend_commit(spend, c)
    closed = [_lognormal_max_cost(t, 1 - d) for t, d in table[1:]]
    best = int(np.argmin(closed)) + 1
    assert rec.tier == best == 2  # 4e6 at 20%: 4.474e6 vs 4.559e6 (2e6) and 5.663e6 (8e6)
    assert rec.recommended == table[best][0]
    assert rec.binding == "tier_threshold"
    assert rec.expected_cost == pytest.approx(closed[best - 1], rel=5e-3)


def test_rollover_closed_form_and_raises_commitment(spend: NDArray[np.float64]) -> None:
    d, rho = 0.2, 0.5
    rec = recommend_commit(spend, one_tier(d, overage="list", rollover_share=rho))
    ratio = d / (1 - rho * (1 - d))  # 1/3
    assert rec.recommended == pytest.approx((1 - d) * q(ratio), rel=5e-3)
    base = recommend_commit(spend, one_tier(d, overage="list"))
    assert rec.recommended > base.recommended * 1.05
    cost = direct_cost(spend, rec.recommended, d, 1.0, rho)
    assert rec.expected_cost == pytest.approx(cost.mean(), rel=1e-10)


def test_break_even_list_spend_closed_form() -> None:
    for d, rho in [(0.2, 0.0), (0.2, 0.5), (0.3, 0.9)]:
        c = 1e6
        be = break_even_list_spend(c, d, rho)
        for r_o in (1.0, 1 - d):
            x = np.array([be])
            assert direct_cost(x, c, d, r_o, rho)[0] == pytest.approx(be, rel=1e-12)
            # below break-even the commitment costs more than pay-as-you-go, above it less
            assert direct_cost(x * 0.99, c, d, r_o, rho)[0] > 0.99 * be
            assert direct_cost(x * 1.01, c, d, r_o, rho)[0] < 1.01 * be
    assert break_even_list_spend(1e6, 0.2, 0.0) == 1e6


# -- risk measures --------------------------------------------------------------------------------


def test_cvar_known_samples() -> None:
    assert cvar(np.arange(1.0, 101.0)) == pytest.approx(98.0)  # mean of 96..100
    assert cvar(np.arange(1.0, 31.0)) == pytest.approx((30 + 0.5 * 29) / 1.5)  # m = 1.5
    assert cvar(np.full(40, 5.0)) == 5.0
    assert cvar([3.0, 1.0, 2.0]) == 3.0  # (1 - alpha) N < 1: the maximum
    x = np.random.default_rng(3).normal(size=997)
    assert float(tail_weights(997) @ np.sort(x)) == pytest.approx(cvar(x), rel=1e-12)
    # Rockafellar-Uryasev: min over eta of eta + E[(x - eta)+] / (1 - alpha)
    etas = np.sort(x)
    ru = etas + np.maximum(0, x[None, :] - etas[:, None]).mean(axis=1) / 0.05
    assert ru.min() == pytest.approx(cvar(x), rel=1e-12)


@pytest.mark.parametrize(("overage", "rho"), [("list", 0.0), ("contract_rate", 0.3), ("list", 1.0)])
def test_prefix_metrics_match_direct(overage: str, rho: float) -> None:
    x = np.random.default_rng(5).lognormal(MU, SIGMA, 3001)
    s = SpendSamples.from_array(x)
    cs = np.array([0.0, 1e6, 3.3e6, 4e6, 7e6, 2e7])
    m = s.metrics(cs, 0.25, overage, rho)  # type: ignore[arg-type]
    for i, c in enumerate(cs):
        cost = path_cost(x, c, 0.25, overage, rho)  # type: ignore[arg-type]
        assert m.expected_cost[i] == pytest.approx(cost.mean(), rel=1e-10)
        assert m.cvar95_cost[i] == pytest.approx(cvar(cost), rel=1e-10)
        assert m.shortfall_probability[i] == np.mean(0.75 * x < c)
        assert m.expected_unused[i] == pytest.approx(
            np.maximum(0, c - 0.75 * x).mean(), rel=1e-9, abs=1e-6
        )


# -- exact tier search against brute force --------------------------------------------------------


def _brute(x: NDArray[np.float64], c: Contract, grid: NDArray[np.float64]) -> tuple[float, float]:
    """Best objective and its commitment over a grid, computed path by path."""
    ts = np.array([t.min_commit for t in c.tiers])
    best, best_c = x.mean() + c.cvar_weight * cvar(x), 0.0  # pay-as-you-go
    if c.cvar_limit is not None and cvar(x) > c.cvar_limit:
        best = math.inf
    for chunk in np.array_split(grid, 40):
        k = np.searchsorted(ts, chunk, side="right") - 1
        ok = k >= 0
        cs, ks = chunk[ok], k[ok]
        d = np.array([c.tiers[i].discount for i in ks])[:, None]
        r = 1 - d
        r_o = r if c.overage == "contract_rate" else 1.0
        cc = cs[:, None]
        cost = cc + r_o * np.maximum(0, x - cc / r) - c.rollover_share * np.maximum(0, cc - r * x)
        tail = np.sort(cost, axis=1)[:, -x.size // 20 :].mean(axis=1)  # N divisible by 20
        obj = cost.mean(axis=1) + c.cvar_weight * tail
        feas = np.ones(cs.size, dtype=bool)
        if c.max_shortfall_probability is not None:
            feas &= np.mean(r * x < cc, axis=1) <= c.max_shortfall_probability
        if c.cvar_limit is not None:
            feas &= tail <= c.cvar_limit
        if feas.any() and obj[feas].min() < best:
            i = int(np.argmin(np.where(feas, obj, np.inf)))
            best, best_c = float(obj[i]), float(cs[i])
    return best, best_c


TIERS = [Tier(min_commit=0, discount=0.05), Tier(min_commit=3e6, discount=0.15)]
TIERS += [Tier(min_commit=4.2e6, discount=0.22)]


@pytest.mark.parametrize(
    "kw",
    [
        {"overage": "list"},
        {"overage": "list", "max_shortfall_probability": 0.12},
        {"overage": "contract_rate", "max_shortfall_probability": 0.5, "rollover_share": 0.3},
        {"overage": "list", "rollover_share": 0.6},
        {"overage": "list", "cvar_weight": 0.5},
        {"overage": "list", "cvar_limit": 7.9e6},
    ],
)
def test_exact_search_beats_fine_grid(kw: dict[str, object]) -> None:
    x = np.random.default_rng(11).lognormal(MU, SIGMA, 1000)
    c = Contract(tiers=TIERS, **{"max_shortfall_probability": None, **kw})
    grid = np.linspace(0, 1.05 * x.max(), 20_000)
    best, best_c = _brute(x, c, grid)
    rec = recommend_commit(x, c, with_curve=False)
    obj = rec.expected_cost + c.cvar_weight * rec.cvar95_cost
    assert obj <= best * (1 + 1e-12)
    step = grid[1] - grid[0]
    assert best - obj <= 1.5 * step * (1 + c.cvar_weight)  # cost slope is at most ~1 per dollar
    tiers = np.array([t.min_commit for t in TIERS])
    assert np.searchsorted(tiers, rec.recommended, "right") == np.searchsorted(
        tiers, best_c, "right"
    )
    if c.cvar_limit is not None:
        assert rec.cvar95_cost <= c.cvar_limit * (1 + 1e-9)
    if c.max_shortfall_probability is not None:
        r = 1 - rec.discount
        assert np.mean(r * x < rec.recommended) <= c.max_shortfall_probability


def test_cvar_limit_binds() -> None:
    x = np.random.default_rng(12).lognormal(MU, SIGMA, 4000)
    # with list overage the tail cost is L - C (1/r - 1): a CVaR limit pushes C above newsvendor
    free = recommend_commit(x, one_tier(0.2, overage="list"))
    limit = free.cvar95_cost - 2e5
    rec = recommend_commit(x, one_tier(0.2, overage="list", cvar_limit=limit))
    assert rec.binding == "cvar_limit"
    assert rec.recommended > free.recommended + 0.8e6 - 1  # tail slope is -0.25 per dollar
    assert rec.cvar95_cost == pytest.approx(limit, rel=1e-9)
    assert cvar(path_cost(x, rec.recommended, 0.2, "list", 0.0)) == pytest.approx(limit, rel=1e-9)


def test_no_discount_means_no_commitment(spend: NDArray[np.float64]) -> None:
    rec = recommend_commit(spend, Contract())
    assert rec.recommended == 0.0 and rec.binding == "no_commit"
    assert rec.expected_cost == pytest.approx(spend.mean())
    assert set(rec.to_dict()) == set(JSON_KEYS)
    assert all(type(v) is float for v in rec.to_dict().values())
    impossible = one_tier(0.2, cvar_limit=1.0)
    rec2 = recommend_commit(spend, impossible)
    assert rec2.binding == "no_commit" and "risk limits" in rec2.reason


# -- monotonicity ---------------------------------------------------------------------------------

SAMPLES = np.random.default_rng(21).lognormal(MU, SIGMA, 500)


@settings(max_examples=60, deadline=None)
@given(
    eps=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2),
    gaps=st.lists(st.floats(0.2e6, 3e6), min_size=1, max_size=3),
    steps=st.lists(st.floats(0.0, 0.1), min_size=1, max_size=3),
    overage=st.sampled_from(["list", "contract_rate"]),
    rho=st.sampled_from([0.0, 0.5]),
)
def test_stricter_shortfall_never_raises_commitment(
    eps: list[float], gaps: list[float], steps: list[float], overage: str, rho: float
) -> None:
    n = min(len(gaps), len(steps))
    tiers = [
        Tier(min_commit=float(t), discount=float(d))
        for t, d in zip(np.cumsum(gaps[:n]), np.cumsum(steps[:n]) + 0.05, strict=True)
    ]
    c = Contract(tiers=tiers, overage=overage, rollover_share=rho)  # type: ignore[arg-type]
    lo, hi = sorted(eps)
    strict = recommend_commit(SAMPLES, c, max_shortfall_probability=lo, with_curve=False)
    loose = recommend_commit(SAMPLES, c, max_shortfall_probability=hi, with_curve=False)
    assert strict.recommended <= loose.recommended
    assert strict.shortfall_probability <= lo + 1e-12
    assert strict.expected_cost >= loose.expected_cost * (1 - 1e-12)


@settings(max_examples=60, deadline=None)
@given(
    ds=st.lists(st.floats(0.01, 0.6), min_size=2, max_size=2),
    threshold=st.floats(0.0, 8e6),
    overage=st.sampled_from(["list", "contract_rate"]),
)
def test_higher_discount_at_same_threshold_never_lowers_commitment(
    ds: list[float], threshold: float, overage: str
) -> None:
    lo, hi = sorted(ds)

    def rec(d: float) -> float:
        c = Contract(
            tiers=[Tier(min_commit=threshold, discount=d)],
            overage=overage,  # type: ignore[arg-type]
            max_shortfall_probability=None,
        )
        return recommend_commit(SAMPLES, c, with_curve=False).recommended

    # list spend covered, C / r, never falls; for contract-rate overage C itself never falls
    assert rec(hi) / (1 - hi) >= rec(lo) / (1 - lo) * (1 - 1e-12)
    if overage == "contract_rate":
        assert rec(hi) >= rec(lo)


def test_contract_dollars_can_fall_with_discount_under_list_overage(
    spend: NDArray[np.float64],
) -> None:
    # (1 - d) F^-1(d) is not monotone: 0.9 * F^-1(0.1) = 2.93e6 > 0.5 * F^-1(0.5) = 2.39e6
    a = recommend_commit(spend, one_tier(0.1, overage="list")).recommended
    b = recommend_commit(spend, one_tier(0.5, overage="list")).recommended
    assert a == pytest.approx(0.9 * q(0.1), rel=5e-3) and b == pytest.approx(0.5 * q(0.5), rel=5e-3)
    assert b < a


def test_frontier_matches_resolves_and_is_monotone(spend: NDArray[np.float64]) -> None:
    c = Contract(tiers=TIERS, overage="list")
    eps = np.array([0.0, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0])
    f = frontier(spend, c, eps)
    assert np.all(np.diff(f["recommended"]) >= 0)
    assert np.all(np.diff(f["expected_cost"]) <= 1e-6)
    assert np.all(f["shortfall_probability"] <= eps + 1e-12)
    one = recommend_commit(spend, c, max_shortfall_probability=0.05)
    assert f.loc[2, "recommended"] == one.recommended
    same = recommend_commit(spend, c.model_copy(update={"max_shortfall_probability": 0.05}))
    assert same.recommended == one.recommended


def test_curve_spans_thresholds_and_matches_recommendation(spend: NDArray[np.float64]) -> None:
    c = Contract(tiers=TIERS, overage="list", max_shortfall_probability=None)
    rec = recommend_commit(spend, c)
    curve = rec.curve
    for t in TIERS:
        assert t.min_commit in set(curve["commit"])
    assert curve["commit"].max() >= 1.5 * rec.recommended * (1 - 1e-12)
    row = curve[curve["commit"] == rec.recommended].iloc[0]
    assert row["expected_cost"] == pytest.approx(rec.expected_cost, rel=1e-12)
    assert curve["expected_cost"].min() >= rec.expected_cost * (1 - 1e-12)


# -- ramped ---------------------------------------------------------------------------------------


def test_ramped_sizes_each_year(spend: NDArray[np.float64]) -> None:
    rng = np.random.default_rng(8)
    years = np.column_stack([rng.lognormal(math.log(m), SIGMA, 50_000) for m in (2e6, 4e6, 7e6)])
    c = Contract(term_months=36, ramped=True, tiers=TIERS, overage="list")
    base = c.model_copy(update={"ramped": False, "max_shortfall_probability": None})
    rec = recommend_commit(years, c.model_copy(update={"max_shortfall_probability": None}))
    assert len(rec.years) == 3
    for y in range(3):
        alone = recommend_commit(years[:, y], base, with_curve=False)
        assert rec.years[y].recommended == alone.recommended
    assert rec.recommended == pytest.approx(sum(y.recommended for y in rec.years))
    assert rec.tier == 2 and rec.years[0].tier == 0  # year 1 too small for the 3e6 tier
    cost = sum(
        path_cost(years[:, y], r.recommended, r.discount, "list", 0.0)
        for y, r in enumerate(rec.years)
    )
    assert rec.expected_cost == pytest.approx(float(np.mean(cost)), rel=1e-9)
    assert rec.cvar95_cost == pytest.approx(cvar(cost), rel=1e-12)
    # joint limit: P(any year short) <= eps, though each year alone could use eps
    joint = recommend_commit(years, c)
    short = np.zeros(years.shape[0], dtype=bool)
    for y, r in enumerate(joint.years):
        short |= (1 - r.discount) * years[:, y] < r.recommended
    assert joint.shortfall_probability == short.mean() <= 0.10
    assert joint.shortfall_probability > 0.10 / 3  # better than splitting eps evenly
