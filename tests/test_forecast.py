"""Monte Carlo forecast: closed forms, properties, common random numbers, reproducibility."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import load_scenario
from simulator.forecast.adoption import expected_volumes
from simulator.forecast.montecarlo import simulate
from simulator.pricing.costs import cost_per_request, rates_in_month, scenario_catalog
from simulator.scenario import Scenario, scenario_from_data

ROOT = Path(__file__).resolve().parents[1]
SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def one_workload(
    rate: float = 0.05,
    vol: float = 0.03,
    months: int = 24,
    saturation: float | None = None,
    launch: dict[str, Any] | None = None,
    levers: list[dict[str, Any]] | None = None,
    waves: list[dict[str, Any]] | None = None,
    pricing: dict[str, Any] | None = None,
    paths: int = 4000,
) -> Scenario:
    wl: dict[str, Any] = {
        "id": "w",
        "model": "claude-sonnet-4-5",
        "requests_per_month": 1_000_000,
        "input_tokens": 1000,
        "output_tokens": 200,
        "growth": {"monthly_rate": rate, "volatility": vol, "saturation": saturation},
    }
    if launch:
        wl["launch"] = launch
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "one",
        "start": "2027-01",
        "horizon_months": months,
        "simulation": {"paths": paths, "seed": 3},
        "workloads": [wl],
        "levers": levers or [],
        "capacity": {"waves": waves or []},
        "contract": {"start_month": 0, "term_months": min(12, months)},
    }
    if pricing:
        data["pricing"] = pricing
    return scenario_from_data(data)


# $ per request on Sonnet 4.5: 1000 input at $3 + 200 output at $15 per million = $0.006
CPR = 0.006


def test_zero_volatility_is_the_closed_form_on_every_path() -> None:
    s = one_workload(rate=0.04, vol=0.0, months=18)
    f = simulate(s, paths=100)
    expected = 1e6 * CPR * 1.04 ** np.arange(18)
    np.testing.assert_allclose(f.spend, np.broadcast_to(expected, f.spend.shape), rtol=2e-6)
    assert f.term_spend(0, 12) == pytest.approx(np.full(100, expected[:12].sum()), rel=2e-6)


@SLOW
@given(
    rate=st.floats(-0.05, 0.15),
    vol=st.floats(0.0, 0.2),
    sampling=st.sampled_from(["antithetic", "plain", "sobol"]),
)
def test_expected_volume_identity(rate: float, vol: float, sampling: str) -> None:
    """E[v_t] = v0 (1 + mu)^t whatever the volatility: the sample mean is within 5 se."""
    s = one_workload(rate=rate, vol=vol, months=12)
    f = simulate(s, paths=8000, sampling=sampling)  # type: ignore[arg-type]
    truth = 1e6 * CPR * (1 + rate) ** np.arange(12)
    for t in (1, 6, 11):
        x = f.spend[:, t]
        se = f.standard_errors(x)["se_mean"]
        assert abs(x.mean() - truth[t]) <= 5 * se + 1e-6 * truth[t]
    np.testing.assert_allclose(expected_volumes(s)[0] * CPR, truth, rtol=1e-12)


def test_volatility_is_the_standard_deviation_of_monthly_growth() -> None:
    s = one_workload(rate=0.05, vol=0.08, months=2)
    f = simulate(s, paths=200_000, sampling="plain")
    growth = f.spend[:, 1] / f.spend[:, 0]
    assert growth.mean() == pytest.approx(1.05, abs=1e-3)
    assert growth.std() == pytest.approx(0.08, rel=0.01)


@SLOW
@given(rate=st.floats(0.0, 0.1), bump=st.floats(0.001, 0.05), vol=st.floats(0.0, 0.1))
def test_higher_growth_never_lowers_expected_spend(rate: float, bump: float, vol: float) -> None:
    lo = simulate(one_workload(rate=rate, vol=vol), paths=2000)
    hi = simulate(one_workload(rate=rate + bump, vol=vol), paths=2000)
    # common random numbers: the same shocks, so spend rises on every path and month
    assert np.all(hi.spend >= lo.spend * (1 - 1e-6))
    assert hi.spend.mean(axis=0).sum() > lo.spend.mean(axis=0).sum()


def test_same_seed_same_numbers_and_different_seed_differs() -> None:
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    a = simulate(s, paths=2000, seed=5)
    b = simulate(s, paths=2000, seed=5)
    c = simulate(s, paths=2000, seed=6)
    assert np.array_equal(a.spend, b.spend)
    assert not np.array_equal(a.spend, c.spend)


LEVERS = [
    {
        "id": "route",
        "workload": "w",
        "kind": "routing",
        "to_model": "claude-haiku-4-5",
        "effect": {"low": 0.2, "mode": 0.4, "high": 0.6},
        "effort_weeks": 1,
        "success_probability": 0.7,
    },
    {
        "id": "batch",
        "workload": "w",
        "kind": "batch",
        "effect": {"low": 0.3, "mode": 0.5, "high": 0.9},
        "effort_weeks": 1,
    },
    {
        "id": "cache",
        "workload": "w",
        "kind": "caching",
        "write_share": 0.05,
        "effect": {"low": 0.2, "mode": 0.5, "high": 0.8},
        "effort_weeks": 1,
        "success_probability": 0.6,
    },
    {
        "id": "trim",
        "workload": "w",
        "kind": "output_control",
        "effect": {"low": 0.1, "mode": 0.2, "high": 0.3},
        "effort_weeks": 1,
    },
]
WAVES = [
    {"name": "A", "start_month": 0, "duration_months": 3, "engineering_weeks": 10},
    {"name": "B", "start_month": 3, "duration_months": 3, "engineering_weeks": 10},
]


@SLOW
@given(
    waves=st.lists(st.integers(-1, 1), min_size=4, max_size=4),
    seed=st.integers(0, 10_000),
)
def test_optimised_never_above_unoptimised_on_any_path(waves: list[int], seed: int) -> None:
    s = one_workload(levers=LEVERS, waves=WAVES, months=12)
    plan = {lv["id"]: k for lv, k in zip(LEVERS, waves, strict=True) if k >= 0}
    f = simulate(s, plan, paths=1000, seed=seed)
    assert np.all(f.spend <= f.baseline * (1 + 1e-6))
    # before the first ship month nothing changes; savings add up exactly
    first = min([WAVES[k]["start_month"] + 3 for k in plan.values()], default=12)
    np.testing.assert_allclose(f.spend[:, :first], f.baseline[:, :first], rtol=1e-6)
    total = sum(v for v in f.lever_savings.values()) if plan else np.zeros(1000)
    np.testing.assert_allclose(total, (f.baseline - f.spend).sum(axis=1), rtol=1e-5, atol=1e-3)


def test_baseline_is_the_unplanned_forecast_on_the_same_draws() -> None:
    s = one_workload(levers=LEVERS, waves=WAVES, months=12)
    planned = simulate(s, {"route": 0, "cache": 1}, paths=3000)
    bare = simulate(s, None, paths=3000)
    np.testing.assert_array_equal(planned.baseline, bare.spend)


def test_failed_quality_checks_save_nothing() -> None:
    levers = [dict(LEVERS[3], success_probability=0.0)]
    s = one_workload(levers=levers, waves=WAVES, months=12, vol=0.0)
    f = simulate(s, {"trim": 0}, paths=500)
    np.testing.assert_allclose(f.spend, f.baseline)


def test_lever_saving_matches_the_cost_model_at_zero_volatility() -> None:
    """A certain custom lever of effect 0.3 from month 3 on saves exactly 30% from then."""
    lever = {
        "id": "x",
        "workload": "w",
        "kind": "custom",
        "effort_weeks": 1,
        "effect": {"low": 0.3, "mode": 0.3, "high": 0.3},
    }
    s = one_workload(levers=[lever], waves=WAVES, months=12, vol=0.0)
    f = simulate(s, {"x": 0}, paths=100)
    base = 1e6 * CPR * 1.05 ** np.arange(12)
    expected = base.copy()
    expected[3:] *= 0.7
    np.testing.assert_allclose(f.spend[0], expected, rtol=2e-6)
    assert f.lever_savings["x"].mean() == pytest.approx(0.3 * base[3:].sum(), rel=2e-6)


def test_planned_launch_costs_nothing_before_launch_and_respects_probability() -> None:
    s = one_workload(vol=0.0, rate=0.0, launch={"month": [3, 5], "probability": 0.6}, months=12)
    f = simulate(s, paths=20_000, sampling="plain")
    assert np.all(f.spend[:, :3] == 0)
    live = f.spend[:, 11] > 0
    assert live.mean() == pytest.approx(0.6, abs=0.015)
    # launched paths run at v0 from their launch month: first month live is 3, 4 or 5
    first = np.argmax(f.spend[live] > 0, axis=1)
    assert set(np.unique(first)) == {3, 4, 5}
    assert f.spend[live, 11] == pytest.approx(1e6 * CPR)
    # expected volume closed form: 0.6 * share of launch months already passed
    ev = expected_volumes(s)[0]
    np.testing.assert_allclose(ev[[2, 3, 4, 5, 11]], 0.6e6 * np.array([0, 1 / 3, 2 / 3, 1, 1]))


def test_saturation_flattens_towards_the_ceiling() -> None:
    s = one_workload(rate=0.3, vol=0.0, saturation=3.0, months=36)
    f = simulate(s, paths=50)
    v = f.spend[0] / CPR
    assert np.all(np.diff(v) >= -1e-6)
    assert v[-1] == pytest.approx(3e6, rel=0.02)
    assert v[-1] <= 3e6 * (1 + 1e-6)


def test_correlation_moves_workloads_together() -> None:
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    corr = []
    for rho in (0.0, 0.9):
        data = s.model_dump(mode="json", exclude_unset=True)
        data["simulation"]["correlation"] = rho
        f = simulate(scenario_from_data(data), paths=20_000, keep_workloads=True)
        assert f.workload_spend is not None
        a = np.log(
            f.workload_spend["support-chat"][:, 12] / f.workload_spend["support-chat"][:, 11]
        )
        b = np.log(
            f.workload_spend["ticket-triage"][:, 12] / f.workload_spend["ticket-triage"][:, 11]
        )
        corr.append(np.corrcoef(a, b)[0, 1])
    assert abs(corr[0]) < 0.03
    assert corr[1] == pytest.approx(0.9, abs=0.02)


def test_price_change_inside_the_horizon_follows_the_catalog() -> None:
    """Sonnet 5.5 cache reads drop from $0.20 to $0.10 on 2026-10-07: from November on."""
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "price change",
        "start": "2026-08",
        "horizon_months": 6,
        "workloads": [
            {
                "id": "w",
                "model": "claude-sonnet-5-5",
                "requests_per_month": 1e6,
                "input_tokens": 1000,
                "output_tokens": 0,
                "cache_read_share": 1.0,
            }
        ],
        "contract": {"term_months": 6},
    }
    s = scenario_from_data(data)
    f = simulate(s, paths=10)
    # 1e9 cache-read tokens: $200 in Aug-Oct (change on the 7th applies from the next month)
    np.testing.assert_allclose(f.spend[0], [200, 200, 200, 100, 100, 100], rtol=1e-6)
    catalog = scenario_catalog(s)
    w = s.workloads[0]
    assert cost_per_request(w, rates_in_month(s, catalog, 3)) * 1e6 == pytest.approx(100)


def test_summary_reports_standard_errors_and_quantiles() -> None:
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    f = simulate(s, paths=4000)
    summary = f.summary()
    term = summary["term"]
    assert term["p5"] < term["p10"] < term["p50"] < term["p90"] < term["p95"]
    assert 0 < term["se_mean"] < 0.01 * term["mean"]
    assert 0 < term["se_p10"] < 0.02 * term["p10"]
    assert len(summary["monthly"]) == s.horizon_months
    x = f.term_spend(0, 12)
    assert term["mean"] == pytest.approx(x.mean())
    with pytest.raises(ValueError, match="outside the horizon"):
        f.term_spend(30, 12)


def test_antithetic_pairs_mirror_each_other() -> None:
    s = one_workload(rate=0.0, vol=0.05, months=6)
    f = simulate(s, paths=1000, sampling="antithetic")
    log_growth = np.log(f.spend[:, 5] / f.spend[:, 0])
    drift = 5 * (-np.log1p(0.05**2) / 2)
    np.testing.assert_allclose(log_growth[:500] - drift, -(log_growth[500:] - drift), atol=1e-4)
