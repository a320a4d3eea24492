"""Growth fit on constructed histories with hand-computed answers."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from simulator.usage.fitting import PRIOR_VOLATILITY, fit_growth, growth_params, log_params


def test_exact_ten_percent_growth_has_no_volatility() -> None:
    fit = fit_growth([100.0, 110.0, 121.0, 133.1])
    assert fit.method == "log-changes"
    assert fit.monthly_rate == pytest.approx(0.10, abs=1e-12)
    assert fit.volatility == pytest.approx(0.0, abs=1e-7)
    assert fit.trend_sd == pytest.approx(0.0, abs=1e-7)


def test_noisy_history_matches_hand_computed_log_changes() -> None:
    # log volumes 0, 0.2, 0.2, 0.6: changes 0.2, 0, 0.4 -> m = 0.2, s^2 = (0 + 0.04 + 0.04) / 2
    # = 0.04, se(m) = 0.2 / sqrt(3); two degrees of freedom: t(2, 0.9) = 1.885618 and
    # t(2, 0.975) = 4.302653 (closed form t = x sqrt(2 / (1 - x^2)), x = 2p - 1)
    fit = fit_growth([math.exp(v) for v in (0.0, 0.2, 0.2, 0.6)])
    assert fit.slope == pytest.approx(0.2)
    assert fit.change_sd == pytest.approx(0.2)
    assert fit.se_slope == pytest.approx(0.2 / math.sqrt(3))
    t90 = 0.8 * math.sqrt(2 / (1 - 0.64))
    t975 = 0.95 * math.sqrt(2 / (1 - 0.95**2))
    w = t90 / NormalDist().inv_cdf(0.9)  # 1.47134
    assert fit.monthly_rate == pytest.approx(math.exp(0.2 + (0.2 * w) ** 2 / 2) - 1)
    assert fit.volatility == pytest.approx(
        (1 + fit.monthly_rate) * math.sqrt(math.expm1((0.2 * w) ** 2))
    )
    # trend sd w * 0.11547 = 0.16989, above the 0.05 cap, which the note names
    assert fit.trend_sd == 0.05 and "capped at 0.05" in fit.note
    lo, hi = fit.rate_interval or (0.0, 0.0)
    half = t975 * 0.2 / math.sqrt(3)
    assert lo == pytest.approx(math.exp(0.2 - half + 0.02) - 1)
    assert hi == pytest.approx(math.exp(0.2 + half + 0.02) - 1)


def test_simulator_reads_the_fit_back() -> None:
    """growth_params and log_params invert each other; the mean factor is 1 + rate."""
    rate, vol = growth_params(0.05, 0.1)
    assert log_params(rate, vol) == pytest.approx((0.05, 0.1))
    assert rate == pytest.approx(math.exp(0.05 + 0.005) - 1)


def test_leading_zero_months_are_before_launch() -> None:
    fit = fit_growth([0.0, 0.0, 100.0, 200.0])
    assert fit.method == "fallback"
    assert fit.months_used == 2
    assert fit.monthly_rate == 0.0
    assert fit.volatility == pytest.approx(math.log(2.0))
    assert "only 2 month(s)" in fit.note


def test_one_month_uses_prior() -> None:
    fit = fit_growth([5.0])
    assert (fit.monthly_rate, fit.volatility, fit.method) == (0.0, PRIOR_VOLATILITY, "fallback")
    assert fit_growth([0.0, 0.0]).volatility == PRIOR_VOLATILITY


def test_gap_month_is_spanned_and_named() -> None:
    # t = 0, 1, 3 with log volumes 0, 0.1, 0.3: changes 0.1 over 1 month and 0.2 over 2,
    # m = 0.3 / 3 = 0.1 and both changes sit exactly on it: no volatility
    fit = fit_growth([1.0, math.exp(0.1), 0.0, math.exp(0.3)])
    assert fit.months_used == 3 and fit.gaps == 1
    assert fit.monthly_rate == pytest.approx(math.exp(0.1) - 1.0)
    assert "1 empty month(s)" in fit.note
    assert fit.volatility == pytest.approx(0.0, abs=1e-7)


def test_explosive_growth_is_clipped_to_scenario_bounds() -> None:
    fit = fit_growth([1.0, 3.0, 9.0, 27.0])
    assert fit.monthly_rate == 1.0
    assert "clipped" in fit.note
