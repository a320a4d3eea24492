"""What-if at any commitment: hand-computed cost, utilisation and coverage; the target modes;
batch standard errors; the CLI's evaluate, --version and the memo's default file name."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli

from simulator.commitment.whatif import (
    batch_se,
    commit_for_coverage,
    commit_for_utilisation,
    evaluate_commit,
)
from simulator.scenario import Contract, Tier
from simulator.version import __version__

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
X = np.array([1.0, 2.0, 3.0, 4.0]) * 1e6
FLAT = Contract(
    overage="contract_rate",
    tiers=[Tier(min_commit=0, discount=0.0), Tier(min_commit=2e6, discount=0.2)],
    max_shortfall_probability=0.25,
)


def test_evaluate_by_hand() -> None:
    # C = 2e6 reaches the 20% tier: used r L = 0.8, 1.6, 2.4, 3.2 ($M), capped at 2
    w = evaluate_commit(X, FLAT, 2e6)
    assert w.discount == 0.2
    assert w.expected_cost == pytest.approx(np.mean([2.0, 2.0, 2.4, 3.2]) * 1e6)
    assert w.expected_savings == pytest.approx(2.5e6 - 2.4e6)
    assert w.shortfall_probability == 0.5
    assert w.expected_unused == pytest.approx(np.mean([1.2, 0.4, 0, 0]) * 1e6)
    assert w.utilisation == pytest.approx(1.6 / 2.0)
    assert w.coverage == pytest.approx(1.6 / 2.0)
    assert not w.meets_risk_limits  # 2 of 4 paths short against a 25% limit
    # below the tier, at list: used min(L, 1.5) = 1, 1.5, 1.5, 1.5
    w = evaluate_commit(X, FLAT, 1.5e6)
    assert w.discount == 0.0 and w.utilisation == pytest.approx(5.5 / 6.0)
    assert w.coverage == pytest.approx(5.5 / 4 / 2.5)
    assert w.meets_risk_limits  # one path of four short
    # an explicit discount overrides the schedule
    assert evaluate_commit(X, FLAT, 1.5e6, discount=0.1).discount == 0.1
    with pytest.raises(ValueError):
        evaluate_commit(X, FLAT, -1.0)


def test_target_modes_hit_their_targets_and_are_extreme() -> None:
    x = np.random.default_rng(0).lognormal(15, 0.3, 5000)
    c = commit_for_utilisation(x, FLAT, 0.9)
    assert evaluate_commit(x, FLAT, c).utilisation >= 0.9
    assert evaluate_commit(x, FLAT, c * 1.001).utilisation < 0.9  # the largest
    c = commit_for_coverage(x, FLAT, 0.8)
    assert evaluate_commit(x, FLAT, c).coverage >= 0.8 - 1e-9
    assert evaluate_commit(x, FLAT, c * 0.999).coverage < 0.8  # the smallest


def test_batch_standard_error_closed_form() -> None:
    # two contiguous batches with means 0 and 1: sd 0.7071, over sqrt(2) -> 0.5
    assert batch_se([0.0, 0.0, 1.0, 1.0], batches=2) == pytest.approx(0.5)
    assert batch_se([0.0, 1.0, 0.0, 1.0], batch=[0, 1, 0, 1]) == pytest.approx(0.5)
    assert np.isnan(batch_se([1.0, 2.0], batches=1))


def test_cli_evaluate_json(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    f = str(SCENARIOS / "default.yaml")
    assert (
        run_cli(["evaluate", f, "--commit", "2500000", "--paths", "2000", "--json"], monkeypatch)
        == 0
    )
    d = json.loads(capsys.readouterr().out)
    assert d["commit"] == 2.5e6 and d["discount"] == 0.08 and d["mode"] == "commit"
    for k in ("expected_cost", "expected_savings", "shortfall_probability", "expected_unused"):
        assert k in d and k in d["standard_errors"]
    assert 0 < d["utilisation"] <= 1 and 0 < d["coverage"] <= 1
    args = [
        "evaluate",
        f,
        "--utilisation",
        "0.95",
        "--discount",
        "0.1",
        "--paths",
        "2000",
        "--json",
    ]
    assert run_cli(args, monkeypatch) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["mode"] == "utilisation" and d["utilisation"] >= 0.95 and d["discount"] == 0.1
    assert (
        run_cli(["evaluate", f, "--coverage", "0.9", "--paths", "2000", "--json"], monkeypatch) == 0
    )
    assert json.loads(capsys.readouterr().out)["coverage"] >= 0.9 - 1e-9
    assert run_cli(["evaluate", f], monkeypatch) == 2  # needs one of the three
    assert run_cli(["evaluate", f, "--commit", "1", "--coverage", "0.5"], monkeypatch) == 2


def test_version_and_default_memo_name(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    assert run_cli(["--version"], monkeypatch) == 0
    assert capsys.readouterr().out.strip() == f"commitsim {__version__}"
    monkeypatch.chdir(tmp_path)
    assert run_cli(["memo", str(SCENARIOS / "startup.yaml"), "--paths", "1000"], monkeypatch) == 0
    assert (tmp_path / "startup-memo.html").read_text().lower().startswith("<!doctype html>")
