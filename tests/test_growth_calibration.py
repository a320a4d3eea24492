"""Calibration of the growth fit on simulated histories with known growth.

Histories are drawn from the simulator's own growth law (lognormal monthly factors with mean
``1 + mu`` and sd ``sigma``); the fit is checked the way the simulator reads it:

* point estimates: mean ``monthly_rate`` and ``volatility`` over replications match the truth;
* the 95% ``rate_interval`` holds the true rate about 95% of the time at 3, 6, 12 and 24 months;
* the P10-P90 band of next-12-month volume, simulated by :func:`forecast.adoption.volumes` from
  the fitted growth (per-path trend included), holds the realised volume about 80% of the time.

Fixed seeds; replications chosen so a coverage estimate has a standard error near 2 points.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulator.forecast.adoption import volumes
from simulator.scenario.model import Workload
from simulator.usage.fitting import fit_growth, log_params


def _histories(mu: float, sigma: float, months: int, reps: int, seed: int) -> np.ndarray:
    m, s = log_params(mu, sigma)
    d = np.random.default_rng(seed).normal(m, s, (reps, months - 1))
    return 1000.0 * np.exp(np.concatenate([np.zeros((reps, 1)), np.cumsum(d, axis=1)], axis=1))


def _band_coverage(mu: float, sigma: float, n: int, reps: int, seed: int) -> float:
    hist = _histories(mu, sigma, n + 12, reps, seed)
    hits = 0
    for r in range(reps):
        fit = fit_growth(hist[r, :n])
        w = Workload(
            id="w",
            model="claude-sonnet-4-5",
            requests_per_month=float(hist[r, n - 1]),
            input_tokens=1,
            output_tokens=1,
            growth={
                "monthly_rate": fit.monthly_rate,
                "volatility": fit.volatility,
                "trend_sd": fit.trend_sd,
            },
        )
        z = np.random.default_rng(seed + r).standard_normal((13, 1000)).astype(np.float32)
        sims = volumes(w, 13, 1000, z, np.random.default_rng(seed + 10_000 + r), "plain")[1:].sum(
            axis=0
        )
        p10, p90 = np.percentile(sims, [10, 90])
        hits += bool(p10 <= hist[r, n:].sum() <= p90)
    return hits / reps


def test_point_estimates_are_the_simulators_mean_and_sd() -> None:
    """10%/month, volatility 0.20, 24 months (the old fit gave 8.4% and 0.174)."""
    hist = _histories(0.10, 0.20, 24, 800, seed=11)
    fits = [fit_growth(h) for h in hist]
    assert np.mean([f.monthly_rate for f in fits]) == pytest.approx(0.10, abs=0.006)
    # the volatility is widened by t(22, 0.9) / z(0.9) = 1.031 for 23 changes
    assert np.median([f.volatility for f in fits]) == pytest.approx(0.20 * 1.031, abs=0.01)


@pytest.mark.parametrize("months", [3, 6, 12, 24])
def test_rate_interval_coverage(months: int) -> None:
    hist = _histories(0.10, 0.20, months, 1000, seed=months)
    hits = 0
    for h in hist:
        lo, hi = fit_growth(h).rate_interval or (0.0, 0.0)
        hits += bool(lo <= 0.10 <= hi)
    # measured 0.959 / 0.943 / 0.948 / 0.936; the old OLS interval held 58/51/37/24%
    assert 0.93 <= hits / len(hist) <= 0.97


@pytest.mark.parametrize("months", [6, 12, 24])
def test_forecast_band_coverage_moderate_volatility(months: int) -> None:
    # 5%/month, volatility 0.08: the trend sd cap (0.05) does not bind; measured 0.77/0.77/0.82
    cov = _band_coverage(0.05, 0.08, months, 300, seed=100 + months)
    assert 0.73 <= cov <= 0.87


@pytest.mark.parametrize(("months", "low"), [(3, 0.5), (6, 0.62), (12, 0.72), (24, 0.72)])
def test_forecast_band_coverage_high_volatility(months: int, low: float) -> None:
    """10%/month, volatility 0.20: at 3-6 months the trend sd cap binds and the band is short.

    Measured 0.58 / 0.72 / 0.81 / 0.83 (the old fit: 0.39-0.68); the fit's note says so.
    """
    cov = _band_coverage(0.10, 0.20, months, 300, seed=200 + months)
    assert low <= cov <= 0.87
    if months <= 6:
        fit = fit_growth(_histories(0.10, 0.20, months, 1, seed=1)[0])
        assert fit.trend_sd <= 0.05
