"""Scenario comparison: input diffs matched by id, outcomes and deltas against a baseline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_cli

from simulator.decision.compare import OUTCOME_KEYS, compare, flatten, input_diffs
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1] / "scenarios"


def test_flatten_keys_lists_by_id() -> None:
    data = {
        "levers": [{"id": "a", "effort_weeks": 2}, {"id": "b", "effect": {"low": 0.1}}],
        "contract": {"tiers": [{"min_commit": 0}]},
        "plan": {"excluded": ["a"]},
    }
    assert flatten(data) == {
        "levers.a.effort_weeks": 2,
        "levers.b.effect.low": 0.1,
        "contract.tiers.0.min_commit": 0,
        "plan.excluded": ["a"],
    }


def test_clone_with_one_changed_field() -> None:
    a = load_scenario(ROOT / "default.yaml")
    b = load_scenario(ROOT / "default.yaml")
    b.lever("cache-support-prompts").effort_weeks = 3
    # reordering list items must not show as a difference: items are matched by id
    b.levers = list(reversed(b.levers))
    assert input_diffs([a, b]) == [
        {"path": "levers.cache-support-prompts.effort_weeks", "values": [2.0, 3.0]}
    ]
    cmp = compare([a, a.model_copy(deep=True)], ["A", "B"], paths=1000)
    assert cmp.input_diffs == []
    assert all(abs(v) < 1e-9 for v in cmp.deltas[1].values())  # same seed, same numbers


def test_two_bundled_scenarios_and_deltas() -> None:
    a = load_scenario(ROOT / "default.yaml")
    b = load_scenario(ROOT / "startup.yaml")
    cmp = compare([a, b], paths=1000, baseline=1)
    rows = {r["path"]: r["values"] for r in cmp.input_diffs}
    assert rows["name"] == [a.name, b.name]
    assert rows["horizon_months"] == [a.horizon_months, b.horizon_months]
    # a workload only in A shows A's value and None for B
    assert rows["workloads.support-chat.requests_per_month"] == [6_000_000.0, None]
    assert set(cmp.outcomes[0]) == set(OUTCOME_KEYS)
    for k in OUTCOME_KEYS:
        assert cmp.deltas[0][k] == pytest.approx(cmp.outcomes[0][k] - cmp.outcomes[1][k])
        assert cmp.deltas[1][k] == 0.0
    rep = cmp.reports[0]
    assert cmp.outcomes[0]["recommended_commit"] == rep.commit.recommended
    assert cmp.outcomes[0]["exposure_avoided"] == rep.exposure_avoided
    assert cmp.outcomes[0]["plan_savings"] == rep.plan.expected_savings
    with pytest.raises(ValueError):
        compare([a, b], baseline=2)


_cli = run_cli


def test_cli_compare(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(ROOT / "default.yaml"), str(ROOT / "enterprise.yaml")]
    assert _cli(["compare", *files, "--json", "--paths", "1000"], monkeypatch) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["names"] == ["default.yaml", "enterprise.yaml"] and data["baseline"] == 0
    assert len(data["outcomes"]) == 2 and data["input_diffs"]
    assert _cli(["compare", *files, "--paths", "1000"], monkeypatch) == 0
    out = capsys.readouterr().out
    # outcomes first, deltas as value (+delta), percentage points for shares
    assert out.index("Outcomes") < out.index("Inputs that differ")
    assert "our number: commitment ($)" in out and " pp)" in out
    assert re.search(r"\$[\d,]+ \([+-]\$[\d,]+\)", out)
    assert "per year ($)" in out  # 12 and 36 month terms: annualised rows
    assert "--all lists every one" in out
    assert _cli(["compare", files[0]], monkeypatch) == 2
    assert _cli(["compare", *files, "--baseline", "5"], monkeypatch) == 2
    assert _cli(["compare", files[0], "missing.yaml"], monkeypatch) == 2
    assert "Traceback" not in capsys.readouterr().err
