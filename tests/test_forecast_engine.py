"""The forecast's fast inner loop: the same law and the same draws as the reference growth model,
and the same numbers whether the next workload's draws are made on a second thread or not."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from simulator.forecast import engine
from simulator.forecast.adoption import SharedFactor, expected_volumes, priced_volumes, volumes
from simulator.forecast.montecarlo import simulate
from simulator.forecast.randomness import normals, stream
from simulator.forecast.synthetic import generated_programme
from simulator.planning.backlog import greedy_plan
from simulator.scenario import Workload, scenario_from_data


def workload(**growth: Any) -> Workload:
    data: dict[str, Any] = {
        "id": "w",
        "model": "claude-sonnet-4-5",
        "requests_per_month": 2_000_000,
        "input_tokens": 1000,
        "output_tokens": 200,
        "growth": {"monthly_rate": 0.04, "volatility": 0.05, **growth},
    }
    return Workload.model_validate(data)


CASES = [
    workload(),
    workload(volatility=0.0),
    workload(monthly_rate=-0.03, trend_sd=0.02),
    workload(saturation=3.0),
    workload(trend_sd=0.04, trend_elapsed_months=1.5),
    workload(trend_sd=0.03, trend_elapsed_months=2.0, saturation=2.5),
    Workload.model_validate(
        {
            **workload().model_dump(),
            "launch": {"month": [2, 6], "probability": 0.6},
            "growth": {"monthly_rate": 0.05, "volatility": 0.04, "trend_sd": 0.01},
        }
    ),
]


@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("sampling", ["plain", "antithetic"])
def test_priced_volumes_are_the_reference_model_on_the_same_draws(
    rho: float, case: int, sampling: str
) -> None:
    """Reference: volumes() on the correlated shocks sqrt(1-rho) E + sqrt(rho) F, times the
    price of each month; the fast path cumulates first and prices after the exponential."""
    w, months, paths = CASES[case], 30, 2000
    price = np.linspace(0.006, 0.004, months)
    f = normals(stream(1, "factor"), paths, months, sampling)  # type: ignore[arg-type]
    e = normals(stream(1, "e"), paths, months, sampling)  # type: ignore[arg-type]
    mixed = np.float32(np.sqrt(1 - rho)) * e + np.float32(np.sqrt(rho)) * f
    ref = volumes(w, months, paths, mixed, stream(1, "rest"), sampling)  # type: ignore[arg-type]
    ref = ref.astype(np.float64) * price[:, None]
    shared = SharedFactor.from_normals(f.copy(), rho)
    got = priced_volumes(w, months, paths, e.copy(), shared, stream(1, "rest"), sampling, price)  # type: ignore[arg-type]
    assert got.shape == (months, paths) and got.dtype == np.float32
    np.testing.assert_allclose(got, ref, rtol=2e-5, atol=1e-9 * ref.max())
    # launches: nothing is spent before a path's launch month, on the paths that never launch
    if w.launch.first > 0:
        assert (got[: w.launch.first] == 0).all()
        assert 0.2 < (got[-1] == 0).mean() < 0.6  # 40% never launch


def test_shared_factor_mix_gives_back_the_correlated_shocks() -> None:
    f = normals(stream(2, "f"), 500, 12, "plain")
    e = normals(stream(2, "e"), 500, 12, "plain")
    for rho in (0.3, 1.0):
        shared = SharedFactor.from_normals(f.copy(), rho)
        assert shared is not None
        got = shared.mix(e.copy())
        want = np.sqrt(1 - rho) * e + np.sqrt(rho) * f
        np.testing.assert_allclose(got[1:], want[1:], atol=2e-5)
    assert SharedFactor.from_normals(f.copy(), 0.0) is None


@pytest.mark.parametrize("sampling", ["plain", "antithetic", "sobol"])
def test_prefetching_draws_on_a_thread_changes_no_number(
    monkeypatch: pytest.MonkeyPatch, sampling: str
) -> None:
    s = generated_programme(workloads=6, levers_per_workload=3, waves=2, months=18, seed=4)
    plan = greedy_plan(s)
    runs = []
    for prefetch in (False, True):
        monkeypatch.setattr(engine, "PREFETCH", prefetch)
        runs.append(simulate(s, plan, paths=3000, sampling=sampling, keep_workloads=True))  # type: ignore[arg-type]
    a, b = runs
    np.testing.assert_array_equal(a.spend, b.spend)
    np.testing.assert_array_equal(a.baseline, b.baseline)
    for lid in a.lever_savings:
        np.testing.assert_array_equal(a.lever_savings[lid], b.lever_savings[lid])
    assert a.workload_spend is not None and b.workload_spend is not None
    for wid in a.workload_spend:
        np.testing.assert_array_equal(a.workload_spend[wid], b.workload_spend[wid])


def test_kept_workload_spend_adds_up_to_the_plans_spend() -> None:
    s = generated_programme(workloads=5, levers_per_workload=3, waves=2, months=15, seed=2)
    plan = greedy_plan(s)
    f = simulate(s, plan, paths=2000, keep_workloads=True)
    assert f.workload_spend is not None
    total = sum(v.astype(np.float64) for v in f.workload_spend.values())
    np.testing.assert_allclose(total, f.spend, rtol=2e-5)
    for wid, mean in f.workload_mean.items():
        np.testing.assert_allclose(f.workload_spend[wid].mean(axis=0), mean, rtol=2e-5)


def test_an_error_mid_run_leaves_no_drawing_thread_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """A progress callback that raises (a cancelled run) stops the forecast; the thread drawing
    ahead is joined, not left running into freed buffers."""
    monkeypatch.setattr(engine, "PREFETCH", True)
    s = generated_programme(workloads=6, levers_per_workload=2, waves=2, months=12, seed=1)

    def cancel(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        simulate(s, greedy_plan(s), paths=2000, progress=cancel)
    assert not [t for t in threading.enumerate() if t.name.startswith("commitsim-draws")]
    # and the next run is whole
    assert simulate(s, paths=500).spend.shape == (500, 12)


@pytest.mark.parametrize("sampling", ["antithetic", "plain"])
def test_elapsed_trend_mean_and_month_zero_spread(sampling: str) -> None:
    """With the trend already g months old at month 0, E[v_t] = v_0 (1 + mu)^t
    exp(tau^2 ((t + g)^2 - g^2) / 2) (closed form, the planner's expected volumes) and month 0
    itself is lognormal with log-sd tau g and mean v_0."""
    tau, g, mu, months, n = 0.05, 2.0, 0.03, 24, 200_000
    w = workload(monthly_rate=mu, volatility=0.02, trend_sd=tau, trend_elapsed_months=g)
    z = normals(stream(5, "e"), n, months, sampling)  # type: ignore[arg-type]
    v = priced_volumes(w, months, n, z, None, stream(5, "rest"), sampling).astype(np.float64)  # type: ignore[arg-type]
    t = np.arange(months)
    closed = 2_000_000 * (1 + mu) ** t * np.exp(tau**2 * ((t + g) ** 2 - g**2) / 2)
    se = v.std(axis=1) / np.sqrt(n)
    assert np.all(np.abs(v.mean(axis=1) - closed) < 4 * se + 1e-9 * closed)
    assert np.log(v[0]).std() == pytest.approx(tau * g, rel=0.02)
    # 12% above the old clock at month 23: exp(tau^2 g t)
    assert closed[23] / (2_000_000 * (1 + mu) ** 23 * np.exp(tau**2 * 23**2 / 2)) == (
        pytest.approx(np.exp(tau**2 * g * 23))
    )
    data = {
        "schema_version": 1,
        "name": "g",
        "start": "2027-01",
        "horizon_months": months,
        "simulation": {"paths": 1000, "seed": 1},
        "workloads": [w.model_dump(mode="json")],
        "levers": [],
        "capacity": {"waves": []},
        "contract": {"start_month": 0, "term_months": 12},
    }
    np.testing.assert_allclose(expected_volumes(scenario_from_data(data))[0], closed, rtol=1e-12)
