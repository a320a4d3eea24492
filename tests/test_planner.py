"""Wave planner: brute-force optimality, greedy comparison, agreement with the forecast."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import load_scenario
from simulator.errors import PlanInfeasibleError, ScenarioError, SolverError
from simulator.forecast.montecarlo import simulate
from simulator.planning.backlog import backlog, greedy_plan
from simulator.planning.checks import check_plannable
from simulator.planning.planner import evaluate_plan, plan_waves
from simulator.scenario import Scenario, scenario_from_data

ROOT = Path(__file__).resolve().parents[1]
KINDS = ["routing", "batch", "caching", "output_control", "compression", "custom"]


def small_backlog(draw: Any) -> Scenario:
    n_w = draw(st.integers(1, 3))
    n_waves = draw(st.integers(1, 2))
    workloads, levers = [], []
    for i in range(n_w):
        workloads.append(
            {
                "id": f"w{i}",
                "model": draw(st.sampled_from(["claude-opus-4-5", "claude-sonnet-4-5"])),
                "requests_per_month": draw(st.floats(1e4, 1e6)),
                "input_tokens": draw(st.floats(100, 20000)),
                "output_tokens": draw(st.floats(10, 2000)),
                "cache_read_share": draw(st.floats(0, 0.5)),
                "growth": {"monthly_rate": draw(st.floats(0, 0.08))},
            }
        )
        routed = False
        for j in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(KINDS))
            if kind == "routing" and routed:
                kind = "custom"
            routed = routed or kind == "routing"
            low = draw(st.floats(0.05, 0.3))
            lever: dict[str, Any] = {
                "id": f"w{i}l{j}",
                "workload": f"w{i}",
                "kind": kind,
                "effect": {"low": low, "mode": low + 0.1, "high": low + 0.2},
                "effort_weeks": draw(st.integers(1, 6)),
                "success_probability": draw(st.floats(0.5, 1.0)),
            }
            if kind == "routing":
                if workloads[-1]["model"] == "claude-sonnet-4-5":
                    lever["to_model"] = "claude-haiku-4-5"
                else:
                    lever["to_model"] = "claude-sonnet-4-5"
            levers.append(lever)
    ids = [lv["id"] for lv in levers]
    # a few random requires/excludes, across workloads too, without cycles (point backwards)
    for k, lv in enumerate(levers):
        if k and draw(st.booleans()) and draw(st.booleans()):
            other = ids[draw(st.integers(0, k - 1))]
            lv["requires" if draw(st.booleans()) else "excludes"] = [other]
    waves = [
        {
            "name": f"W{k}",
            "start_month": 2 * k,
            "duration_months": 2,
            "engineering_weeks": draw(st.integers(2, 9)),
        }
        for k in range(n_waves)
    ]
    data = {
        "schema_version": 1,
        "name": "small",
        "start": "2027-01",
        "horizon_months": 12,
        "workloads": workloads,
        "levers": levers,
        "capacity": {"waves": waves},
    }
    return scenario_from_data(data)


def feasible(s: Scenario, assignment: dict[str, int]) -> bool:
    used = [0.0] * len(s.capacity.waves)
    for lid, k in assignment.items():
        used[k] += s.lever(lid).effort_weeks
    if any(u > w.engineering_weeks + 1e-9 for u, w in zip(used, s.capacity.waves, strict=True)):
        return False
    for lid, k in assignment.items():
        lv = s.lever(lid)
        if any(r not in assignment or assignment[r] > k for r in lv.requires):
            return False
        if any(x in assignment for x in lv.excludes):
            return False
    return True


def brute_force(s: Scenario) -> float:
    """Best feasible assignment by enumeration, valued with ``evaluate_plan``.

    ``evaluate_plan`` is a sum over workloads, so each workload's local assignments are valued
    once and the cross product only checks feasibility and adds numbers.
    """
    waves = range(-1, len(s.capacity.waves))
    local: list[list[tuple[dict[str, int], float]]] = []
    for w in s.workloads:
        ids = [lv.id for lv in s.levers if lv.workload == w.id]
        options = []
        for choice in itertools.product(waves, repeat=len(ids)):
            part = {i: k for i, k in zip(ids, choice, strict=True) if k >= 0}
            options.append((part, evaluate_plan(s, part) if part else 0.0))
        local.append(options)
    best = 0.0
    for combo in itertools.product(*local):
        assignment: dict[str, int] = {}
        for part, _ in combo:
            assignment.update(part)
        total = sum(v for _, v in combo)
        if total > best and feasible(s, assignment):
            best = total
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_plan_equals_brute_force_optimum(data: st.DataObject) -> None:
    s = small_backlog(data.draw)
    if len(s.levers) > 6:
        s = s.model_copy(update={"levers": s.levers[:6]})
        s = scenario_from_data(_strip_refs(s.model_dump(mode="json", exclude_unset=True)))
    p = plan_waves(s)
    assert p.status == "optimal"
    assert feasible(s, p.assignment), (s.to_yaml(), p.assignment)
    truth = brute_force(s)
    assert p.expected_savings == pytest.approx(truth, rel=1e-9, abs=1e-6)
    assert evaluate_plan(s, p.assignment) == pytest.approx(p.expected_savings, rel=1e-12)
    assert p.expected_savings >= p.greedy_expected_savings - 1e-6
    greedy_truth = evaluate_plan(s, p.greedy_assignment) if p.greedy_assignment else 0.0
    assert p.greedy_expected_savings == pytest.approx(greedy_truth, rel=1e-12, abs=1e-9)
    assert feasible(s, p.greedy_assignment)


def _strip_refs(data: dict[str, Any]) -> dict[str, Any]:
    ids = {lv["id"] for lv in data["levers"]}
    for lv in data["levers"]:
        for key in ("requires", "excludes"):
            if key in lv:
                lv[key] = [x for x in lv[key] if x in ids]
    return data


@pytest.fixture(scope="module")
def default() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "default.yaml")


def test_default_plan_beats_greedy_and_matches_forecast(default: Scenario) -> None:
    p = plan_waves(default)
    assert p.status == "optimal" and p.gap == 0.0
    assert p.expected_savings > p.greedy_expected_savings
    assert evaluate_plan(default, p.assignment) == pytest.approx(p.expected_savings, rel=1e-12)
    for k, wave in enumerate(default.capacity.waves):
        assert p.effort_used[k] <= wave.engineering_weeks + 1e-9
    assert sum(p.wave_savings) == pytest.approx(p.expected_savings, rel=1e-12)
    # the forecast's mean saving agrees within Monte Carlo error (4 standard errors)
    f = simulate(default, p.assignment, paths=20_000, seed=11)
    saving = (f.baseline - f.spend).sum(axis=1)
    se = f.standard_errors(saving)["se_mean"]
    assert abs(saving.mean() - p.expected_savings) < 4 * se + 1e-3 * p.expected_savings
    # saturation makes the planner's expected volumes a Monte Carlo estimate: allow 0.1%


def test_backlog_ranking_columns_and_order(default: Scenario) -> None:
    frame = backlog(default)
    assert list(frame.columns) == [
        "lever",
        "workload",
        "kind",
        "annual_savings",
        "effort_weeks",
        "ratio",
        "payback_months",
        "quality_risk",
    ]
    assert frame["ratio"].is_monotonic_decreasing
    row = frame.set_index("lever").loc["batch-doc-summaries"]
    # doc-summaries: 500k req x (12000 in @ $5 + 1500 out @ $25) per MTok = $97.5k/month at list;
    # 20% already batched. Lever moves 0.95 * mean(0.6, 0.8, 0.95) of the rest to half price.
    share = 0.95 * (0.6 + 0.8 + 0.95) / 3
    first_year = sum(500_000 * 1.03**t for t in range(12))
    per_request = (12000 * 5 + 1500 * 25) / 1e6
    expected = first_year * per_request * 0.8 * share * 0.5
    assert row["annual_savings"] == pytest.approx(expected, rel=1e-9)
    assert row["ratio"] == pytest.approx(expected / 2, rel=1e-9)
    assert row["payback_months"] == pytest.approx(2 * 6000 / (expected / 12), rel=1e-9)
    assert row["quality_risk"] == pytest.approx(0.05)


def test_greedy_follows_ratio_order(default: Scenario) -> None:
    g = greedy_plan(default)
    frame = backlog(default)
    top = frame["lever"].iloc[0]
    assert g[top] == 0


def test_pins_and_exclusions_are_honoured(default: Scenario) -> None:
    data = default.model_dump(mode="json", exclude_unset=True)
    data["plan"] = {"pinned": {"route-triage-haiku": 0}, "excluded": ["cache-support-prompts"]}
    pinned = scenario_from_data(data)
    p = plan_waves(pinned)
    assert p.assignment["route-triage-haiku"] == 0
    assert "cache-support-prompts" not in p.assignment
    assert p.expected_savings < plan_waves(default).expected_savings


def test_infeasible_pins_name_the_constraint(default: Scenario) -> None:
    from simulator.errors import ScenarioError
    from simulator.scenario import PlanSection

    pins = {"route-support-sonnet": 0, "compress-agent-context": 0, "route-summaries-haiku": 0}
    data = default.model_dump(mode="json", exclude_unset=True)
    data["plan"] = {"pinned": pins}
    # validation catches it, located at plan.pinned, so the app shows it next to the field
    with pytest.raises(ScenarioError, match=r"plan\.pinned: pinned levers need 12 engineering"):
        scenario_from_data(data)
    # a scenario built in code without validation gets the same message from the planner
    unchecked = default.model_copy(update={"plan": PlanSection(pinned=pins)})
    with pytest.raises(PlanInfeasibleError, match=r"capacity\.waves\.0\.engineering_weeks"):
        plan_waves(unchecked)


def test_unknown_solver_is_a_named_error(default: Scenario) -> None:
    with pytest.raises(SolverError, match="not available"):
        plan_waves(default, solver="GUROBI_NOPE")


def test_stacking_beats_the_sum_of_standalone_savings() -> None:
    """Two levers on one workload save less together than the sum of their stand-alone savings."""
    data = {
        "schema_version": 1,
        "name": "stack",
        "start": "2027-01",
        "horizon_months": 12,
        "workloads": [
            {
                "id": "w",
                "model": "claude-opus-4-5",
                "requests_per_month": 1e6,
                "input_tokens": 1000,
                "output_tokens": 1000,
            }
        ],
        "levers": [
            {
                "id": "a",
                "workload": "w",
                "kind": "custom",
                "effort_weeks": 1,
                "effect": {"low": 0.5, "mode": 0.5, "high": 0.5},
            },
            {
                "id": "b",
                "workload": "w",
                "kind": "custom",
                "effort_weeks": 1,
                "effect": {"low": 0.5, "mode": 0.5, "high": 0.5},
            },
        ],
        "capacity": {
            "waves": [{"name": "W", "start_month": 0, "duration_months": 0, "engineering_weeks": 2}]
        },
    }
    s = scenario_from_data(data)
    # $30 per request-thousand: 1e6 * (1000 * 5 + 1000 * 25) / 1e6 = $30,000/month
    assert evaluate_plan(s, {"a": 0}) == pytest.approx(12 * 30_000 * 0.5)
    assert evaluate_plan(s, {"a": 0, "b": 0}) == pytest.approx(12 * 30_000 * 0.75)
    p = plan_waves(s)
    assert p.expected_savings == pytest.approx(12 * 30_000 * 0.75)
    assert p.greedy_assignment == {"a": 0, "b": 0}
    assert p.greedy_expected_savings == pytest.approx(12 * 30_000 * 0.75)


def test_evaluate_plan_hand_figure_for_a_risky_caching_lever() -> None:
    """Opus 4.5, 1,000 requests of 10,000 input / 1,000 output tokens, 20% read, 5% written (5m).

    Per request: uncached 7,500 x $5 + writes 500 x $6.25 + reads 2,000 x $0.50 + output
    1,000 x $25 per million = $0.066625; 1,000 requests = $66.625 a month. A caching lever of
    effect 0.4 with write_share 0.05: reads 0.2 + 0.4 x 0.75 = 0.5, writes 0.1, uncached 0.4:
    $53.75 a month. It passes its check with probability 0.6, so 12 months save
    12 x 0.6 x (66.625 - 53.75) = $92.70 (the writes are weighted by 0.6 too).
    """
    data = {
        "schema_version": 1,
        "name": "cache",
        "start": "2027-01",
        "horizon_months": 12,
        "workloads": [
            {
                "id": "w",
                "model": "claude-opus-4-5",
                "requests_per_month": 1000,
                "input_tokens": 10_000,
                "output_tokens": 1000,
                "cache_read_share": 0.2,
                "cache_write_share": 0.05,
            }
        ],
        "levers": [
            {
                "id": "c",
                "workload": "w",
                "kind": "caching",
                "write_share": 0.05,
                "effect": {"low": 0.4, "mode": 0.4, "high": 0.4},
                "effort_weeks": 1,
                "success_probability": 0.6,
            }
        ],
        "capacity": {
            "waves": [{"name": "W", "start_month": 0, "duration_months": 0, "engineering_weeks": 1}]
        },
    }
    s = scenario_from_data(data)
    assert evaluate_plan(s, {"c": 0}) == pytest.approx(92.70, rel=1e-12)
    assert plan_waves(s).expected_savings == pytest.approx(92.70, rel=1e-12)


def test_generated_programme_is_solved_to_proven_optimum() -> None:
    from simulator.forecast.synthetic import generated_programme

    s = generated_programme(workloads=8, levers_per_workload=4, waves=3, seed=3)
    p = plan_waves(s)
    assert p.status == "optimal"
    assert p.expected_savings >= p.greedy_expected_savings
    assert evaluate_plan(s, p.assignment) == pytest.approx(p.expected_savings, rel=1e-12)
    assert np.all(np.array(p.effort_used) <= np.array(p.capacity) + 1e-9)


def test_time_limit_returns_a_feasible_plan_with_its_gap() -> None:
    from simulator.forecast.synthetic import generated_programme

    s = generated_programme(workloads=30, levers_per_workload=5, waves=4, seed=2)
    rushed = plan_waves(s, time_limit=0.01)
    assert rushed.status in ("feasible", "optimal")
    full = plan_waves(s)
    assert full.status == "optimal"
    assert rushed.expected_savings <= full.expected_savings + 1e-6
    assert evaluate_plan(s, rushed.assignment) == pytest.approx(rushed.expected_savings, rel=1e-12)
    if rushed.status == "feasible":
        # the gap is measured against the LP bound, so it covers the true shortfall
        assert rushed.gap > 0
        shortfall = (full.expected_savings - rushed.expected_savings) / rushed.expected_savings
        assert rushed.gap >= shortfall - 1e-9


# -- regressions found in review ----------------------------------------------------------------


def tiny(levers: list[dict[str, Any]], waves: list[dict[str, Any]], **plan: Any) -> Scenario:
    workloads = [
        {
            "id": w,
            "model": "claude-sonnet-4-5",
            "requests_per_month": 100_000,
            "input_tokens": 2000,
            "output_tokens": 300,
        }
        for w in ("w1", "w2")
    ]
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "t",
        "start": "2027-01",
        "horizon_months": 24,
        "workloads": workloads,
        "levers": levers,
        "capacity": {"waves": waves},
    }
    if plan:
        data["plan"] = plan
    return scenario_from_data(data)


def lev(lid: str, wl: str = "w1", weeks: float = 1, eff: float = 0.2, **kw: Any) -> dict[str, Any]:
    return {
        "id": lid,
        "workload": wl,
        "kind": "custom",
        "effort_weeks": weeks,
        "effect": {"low": eff, "mode": eff, "high": eff},
        **kw,
    }


def wave(name: str, start: int, weeks: float) -> dict[str, Any]:
    return {"name": name, "start_month": start, "duration_months": 1, "engineering_weeks": weeks}


def test_lp_feasible_but_integer_infeasible_pins_fail_fast() -> None:
    """Pinned A needs B (4 weeks) no later than wave 1; each wave has 2 weeks: no plan exists."""
    s = tiny(
        [lev("A", weeks=0, requires=["B"]), lev("B", weeks=4)],
        [wave("W0", 0, 2), wave("W1", 1, 2)],
        pinned={"A": 1},
    )
    with pytest.raises(PlanInfeasibleError, match="relax"):
        plan_waves(s, time_limit=5)


def test_pinned_lever_with_an_unfundable_requirement_is_a_named_error() -> None:
    s = tiny(
        [lev("A", requires=["B"]), lev("B", requires=["C"]), lev("C")],
        [wave("W0", 0, 5), wave("W1", 1, 5)],
        pinned={"A": 1},
        excluded=["C"],
    )
    with pytest.raises(ScenarioError, match="pinned lever A cannot be funded"):
        check_plannable(s)
    with pytest.raises(PlanInfeasibleError, match="pinned lever A cannot be funded"):
        plan_waves(s, time_limit=5)


def test_levers_excluding_a_shipped_lever_are_never_funded() -> None:
    shipped = {"month": "2026-12", "realised_effect": 0.2}
    s = tiny(
        [
            lev("S", shipped=shipped),
            lev("A", eff=0.4, excludes=["S"]),
            lev("B", wl="w2", eff=0.4, excludes=["S"]),
            lev("C", wl="w2", eff=0.1),
        ],
        [wave("W0", 0, 5)],
    )
    p = plan_waves(s)
    assert "A" not in p.assignment and "B" not in p.assignment
    assert p.assignment == {"C": 0}
    assert "A" not in p.greedy_assignment and "B" not in p.greedy_assignment


def test_greedy_never_places_a_requirement_after_the_lever_needing_it() -> None:
    s = tiny(
        [
            lev("A", weeks=2, requires=["B"]),
            lev("B", weeks=1, eff=0.01),
            lev("D", wl="w2", weeks=1, eff=0.4),
        ],
        [wave("W0", 0, 3), wave("W1", 1, 5)],
        pinned={"A": 0},
    )
    g = greedy_plan(s)
    assert feasible(s, g)
    assert g["B"] <= g["A"]
    assert plan_waves(s).gain_over_greedy >= -1e-9


def test_a_backlog_too_large_to_enumerate_is_a_named_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    from simulator.errors import BacklogTooLargeError

    s = tiny([lev(f"L{i}") for i in range(9)], [wave(f"W{k}", k, 50) for k in range(4)])
    with pytest.raises(BacklogTooLargeError, match="pin some levers"):
        plan_waves(s)
    path = tmp_path / "many.yaml"
    path.write_text(s.to_yaml())
    res = subprocess.run(
        [sys.executable, "-m", "simulator", "plan", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "pin some levers" in res.stderr
