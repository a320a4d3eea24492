"""Capacity reservation sizing: closed forms, brute force over unit counts, lattice and targets."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from simulator import size_reservation
from simulator.commitment.risk import cvar

N = 200_000
GRID = (np.arange(N) + 0.5) / N  # evenly spread quantile levels: a sample with no noise


def brute(
    d: NDArray[np.float64], r: float, p: float, sizes: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Expected cost of every size, straight from the definition (mean over paths)."""
    d2 = d if d.ndim == 2 else d[None, :]
    m = d2.shape[1]
    return np.array([r * c * m + p * np.maximum(d2 - c, 0).sum(axis=1).mean() for c in sizes])


def lattice(minimum: float, increment: float, top: float) -> NDArray[np.float64]:
    k = np.arange(0, math.ceil(max(0.0, top - minimum) / increment) + 2)
    return np.unique(np.concatenate([[0.0], minimum + k * increment]))


@pytest.mark.parametrize("ratio", [0.1, 0.3, 0.5, 0.8])
def test_uniform_demand_critical_fractile(ratio: float) -> None:
    # D ~ U(0, a): P(D > c) = 1 - c/a = r/p  =>  c* = a (1 - r/p);  E(D-c)+ = (a-c)^2 / (2a)
    a, p = 50_000.0, 1e-5
    r = ratio * p
    res = size_reservation(GRID * a, r, p)
    c = a * (1 - ratio)
    assert res.units == pytest.approx(c, abs=1.0)
    assert res.critical_fractile == pytest.approx(ratio)
    per_minute = r * c + p * (a - c) ** 2 / (2 * a)
    assert res.expected_cost / N == pytest.approx(per_minute, rel=1e-6)
    # pooled overflow share (a-c)^2/(2a) / (a/2) = ratio^2
    assert res.overflow_share == pytest.approx(ratio**2, rel=1e-4)


@pytest.mark.parametrize("ratio", [0.05, 0.25, 0.6])
def test_exponential_demand_critical_fractile(ratio: float) -> None:
    # D ~ Exp(mean mu): P(D > c) = exp(-c/mu) = r/p  =>  c* = mu ln(p/r); E(D-c)+ = mu e^(-c/mu)
    mu, p = 8_000.0, 3e-6
    r = ratio * p
    res = size_reservation(-mu * np.log1p(-GRID), r, p)
    c = mu * math.log(1 / ratio)
    assert res.units == pytest.approx(c, rel=2e-4, abs=1.0)
    # at the optimum the cost per minute is r c + p mu (r/p) = r (c + mu)
    assert res.expected_cost / N == pytest.approx(r * (c + mu), rel=1e-3)
    assert res.utilisation == pytest.approx(mu * (1 - ratio) / c, rel=1e-3)


def test_random_exponential_sample_close_to_closed_form() -> None:
    rng = np.random.default_rng(16)
    d = rng.exponential(1_000.0, size=(50, 20_000))
    res = size_reservation(d, 0.2, 1.0)
    assert res.units == pytest.approx(1_000.0 * math.log(5), rel=0.01)
    assert res.cost_by_path.shape == (50,)
    assert res.expected_cost == pytest.approx(res.cost_by_path.mean())
    assert res.cvar95_cost == pytest.approx(cvar(res.cost_by_path))


def test_hand_figures_on_one_to_hundred() -> None:
    d = np.arange(1.0, 101.0)
    res = size_reservation(d, 0.25, 1.0)
    # 75 reserved for 100 minutes at 0.25 = 1875; overflow 1 + ... + 25 = 325
    assert (res.units, res.reservation_cost, res.overflow_cost) == (75.0, 1875.0, 325.0)
    assert res.expected_cost == 2200.0
    assert res.payg_cost == 5050.0
    assert res.expected_savings == 2850.0
    # used 5050 - 325 = 4725 of 7500 unit-minutes; idle 2775 unit-minutes at 0.25
    assert res.utilisation == pytest.approx(4725 / 7500)
    assert res.idle_cost == pytest.approx(0.25 * 2775)
    assert res.overflow_share == pytest.approx(325 / 5050)
    assert res.binding == "critical_fractile"


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(st.integers(0, 60), min_size=1, max_size=40),
    paths=st.integers(1, 3),
    ratio=st.floats(0.01, 1.2),
    minimum=st.integers(0, 50),
    increment=st.integers(1, 9),
)
def test_brute_force_over_unit_counts(
    data: list[int], paths: int, ratio: float, minimum: int, increment: int
) -> None:
    d = np.array(data * paths, dtype=float).reshape(paths, -1)
    d[-1] = d[-1][::-1] * 1.5  # paths differ
    sizes = lattice(minimum, increment, float(d.max()))
    costs = brute(d, ratio, 1.0, sizes)
    res = size_reservation(d, ratio, 1.0, minimum=minimum, increment=increment)
    assert res.units in sizes  # minimum and increment honoured
    assert res.units == 0 or (res.units >= minimum and (res.units - minimum) % increment == 0)
    assert res.expected_cost == pytest.approx(costs.min(), rel=1e-9, abs=1e-9)
    # ties go to the smallest size
    best = sizes[np.isclose(costs, costs.min(), rtol=1e-12, atol=1e-9)][0]
    assert res.units == best


def test_minimum_and_increment_move_the_answer() -> None:
    d = np.arange(1.0, 101.0)
    assert size_reservation(d, 0.25, 1.0, increment=10).units in (70.0, 80.0)
    r = size_reservation(d, 0.25, 1.0, minimum=90, increment=7)
    assert (r.units, r.binding) == (90.0, "minimum")
    # reserving the minimum of 99 costs 2475 + 1 > 2200 but beats pay-as-you-go's 5050
    assert size_reservation(d, 0.25, 1.0, minimum=99).units == 99.0
    # the minimum is so dear that nothing is best
    r = size_reservation(d, 0.9, 1.0, minimum=95)
    assert (r.units, r.binding) == (0.0, "no_reservation")
    assert size_reservation(d, 1.5, 1.0).units == 0.0


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.integers(0, 80), min_size=2, max_size=40),
    ratio=st.floats(0.05, 0.95),
    util=st.floats(0.3, 0.99),
    over=st.floats(0.0, 0.5),
    increment=st.integers(1, 5),
)
def test_target_modes_brute_force(
    data: list[int], ratio: float, util: float, over: float, increment: int
) -> None:
    d = np.array(data, dtype=float)
    if d.sum() == 0:
        return
    sizes = lattice(0, increment, 2 * float(d.max()) + 2 * increment)
    costs = brute(d, ratio, 1.0, sizes)
    served = np.array([np.minimum(d, c).sum() for c in sizes])
    u = np.where(sizes > 0, served / np.maximum(sizes * d.size, 1e-300), 1.0)
    share = (d.sum() - served) / d.sum()
    res = size_reservation(d, ratio, 1.0, increment=increment, target_utilisation=util)
    ok = u >= util - 1e-12
    assert res.expected_cost == pytest.approx(costs[ok].min(), abs=1e-9)
    res = size_reservation(d, ratio, 1.0, increment=increment, max_overflow_share=over)
    ok = share <= over + 1e-12
    assert res.expected_cost == pytest.approx(costs[ok].min(), abs=1e-9)
    assert res.overflow_share <= over + 1e-9


def test_conflicting_targets_keep_the_overflow_target() -> None:
    d = np.array([0.0, 0.0, 0.0, 100.0])
    r = size_reservation(d, 0.5, 1.0, target_utilisation=0.9, max_overflow_share=0.0)
    assert r.units == 100.0 and not r.meets_targets and r.binding == "overflow_target"


def test_curve_matches_brute_force_and_contains_the_choice() -> None:
    rng = np.random.default_rng(3)
    d = rng.gamma(2.0, 500.0, size=(4, 3_000))
    res = size_reservation(d, 0.3, 1.0, minimum=200, increment=50)
    c = res.curve
    assert res.units in set(c["units"])
    np.testing.assert_allclose(c["expected_cost"], brute(d, 0.3, 1.0, c["units"].to_numpy()))
    assert c["expected_cost"].min() == pytest.approx(res.expected_cost)
    assert res.to_dict()["units"] == res.units


@pytest.mark.parametrize(
    "bad",
    [np.array([]), np.array([1.0, -1.0]), np.array([np.nan]), np.zeros((2, 2, 2))],
)
def test_bad_demand_is_refused(bad: NDArray[np.float64]) -> None:
    with pytest.raises(ValueError):
        size_reservation(bad, 0.1, 1.0)


def test_bad_lattice_and_prices_are_refused() -> None:
    with pytest.raises(ValueError, match="increment"):
        size_reservation([1.0], 0.1, 1.0, increment=0)
    with pytest.raises(ValueError, match="minimum"):
        size_reservation([1.0], 0.1, 1.0, minimum=-1)
    with pytest.raises(ValueError, match="prices"):
        size_reservation([1.0], 0.1, 0.0)


def test_compact_headline_numbers() -> None:
    from simulator.output.capacity_text import compact, compact_money

    assert [compact(x) for x in (390_000, 1_234_567, 2_500, 850, 0.5)] == [
        "390k",
        "1.2M",
        "2.5k",
        "850",
        "0.50",
    ]
    # money on the Capacity page reads like every other page's headline money
    assert (compact_money(2_000_000), compact_money(-522_560)) == ("$2.0M", "-$523K")
