"""Growth fit on constructed histories with hand-computed answers."""

from __future__ import annotations

import math

import pytest

from simulator.usage.fitting import PRIOR_VOLATILITY, fit_growth


def test_exact_ten_percent_growth_has_no_volatility() -> None:
    fit = fit_growth([100.0, 110.0, 121.0, 133.1])
    assert fit.method == "log-linear"
    assert fit.monthly_rate == pytest.approx(0.10, abs=1e-12)
    assert fit.volatility == pytest.approx(0.0, abs=1e-7)


def test_noisy_history_matches_hand_computed_ols() -> None:
    # log volumes 0, 0.2, 0.2, 0.6 at t = 0..3: Sxx = 5, Sxy = 0.9, slope = 0.18,
    # residuals 0.02, 0.04, -0.14, 0.08 -> SSR 0.028, resid var 0.014, se^2 = 0.014 / 5 = 0.0028;
    # log changes 0.2, 0, 0.4 -> sample variance 0.04; volatility = sqrt(0.04 + 0.0028)
    fit = fit_growth([math.exp(v) for v in (0.0, 0.2, 0.2, 0.6)])
    assert fit.slope == pytest.approx(0.18)
    assert fit.se_slope == pytest.approx(math.sqrt(0.0028))
    assert fit.change_sd == pytest.approx(0.2)
    assert fit.resid_sd == pytest.approx(math.sqrt(0.014))
    assert fit.monthly_rate == pytest.approx(math.exp(0.18) - 1.0)  # 0.197217
    assert fit.volatility == pytest.approx(math.sqrt(0.0428))  # 0.206882


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


def test_gap_month_is_left_out_and_named() -> None:
    # t = 0, 1, 3 with log volumes 0, 0.1, 0.3: exact line slope 0.1, one adjacent change
    fit = fit_growth([1.0, math.exp(0.1), 0.0, math.exp(0.3)])
    assert fit.months_used == 3
    assert fit.monthly_rate == pytest.approx(math.exp(0.1) - 1.0)
    assert "1 empty month(s)" in fit.note
    assert fit.volatility == pytest.approx(0.0, abs=1e-7)


def test_explosive_growth_is_clipped_to_scenario_bounds() -> None:
    fit = fit_growth([1.0, 3.0, 9.0, 27.0])
    assert fit.monthly_rate == 1.0
    assert "clipped" in fit.note
