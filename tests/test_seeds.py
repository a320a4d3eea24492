"""The seed study: the whole pipeline on several seeds, each run exactly what `recommend` gives
on that seed, wherever the runs go."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli

from simulator import load_scenario
from simulator.decision.report import recommend
from simulator.decision.seeds import COLUMNS, SeedStudy, seed_study

ROOT = Path(__file__).resolve().parents[1]
STARTUP = ROOT / "scenarios" / "startup.yaml"


def test_each_run_is_recommend_on_its_seed() -> None:
    s = load_scenario(STARTUP)
    study = seed_study(s, runs=3, paths=1000, seed=40, jobs=1)
    assert list(study.rows.columns) == COLUMNS
    assert list(study.rows["seed"]) == [40, 41, 42]
    for row in study.rows.to_dict(orient="records"):
        rep = recommend(s, paths=1000, seed=int(row["seed"]))
        assert row["commit"] == rep.commit.recommended
        assert row["expected_cost"] == rep.commit.expected_cost
        assert rep.decision is not None
        assert (row["action"], row["deal"]) == (
            rep.decision.chosen.action,
            rep.decision.chosen.name,
        )
    assert study.ran_in == "this process"
    # different seeds are different runs
    assert study.rows["expected_cost"].nunique() == 3


def test_processes_give_the_same_rows() -> None:
    s = load_scenario(STARTUP)
    here = seed_study(s, runs=2, paths=500, jobs=1)
    there = seed_study(s, runs=2, paths=500, jobs=2)
    assert there.ran_in == "2 processes"
    pd.testing.assert_frame_equal(here.rows, there.rows)


def test_summary_by_hand() -> None:
    rows = pd.DataFrame(
        [
            [1, 1.0e6, 0.05, 9.0e5, 0.1, "sign", "our number", 1.0e6],
            [2, 2.0e6, 0.08, 1.8e6, 0.2, "counter", "Counter A", 2.4e6],
            [3, 3.0e6, 0.08, 2.7e6, 0.3, "counter", "Counter A", 2.5e6],
        ],
        columns=COLUMNS,
    )
    got = SeedStudy(rows, "this process").summary()
    assert got["runs"] == 3
    assert got["commit_mean"] == 2.0e6
    assert got["commit_sd"] == pytest.approx(1.0e6)  # sd of 1, 2, 3 million (ddof 1)
    assert got["commit_se"] == pytest.approx(1.0e6 / math.sqrt(3))
    assert (got["commit_min"], got["commit_max"]) == (1.0e6, 3.0e6)
    assert got["decision"] == {"action": "counter", "deal": "Counter A"}
    assert got["same_decision"] == 2
    assert (got["deal_commit_min"], got["deal_commit_max"]) == (2.4e6, 2.5e6)
    assert (got["discount"], got["same_discount"]) == (0.08, 2)


def test_a_study_needs_two_runs() -> None:
    with pytest.raises(ValueError, match="at least 2 runs"):
        seed_study(load_scenario(STARTUP), runs=1)


def test_cli_seeds(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(STARTUP)
    assert (
        run_cli(["seeds", path, "--runs", "3", "--paths", "500", "--jobs", "1"], monkeypatch) == 0
    )
    out = capsys.readouterr().out
    assert "The recommendation on 3 seeds" in out
    assert "Our commitment: $" in out and "of 3 seeds." in out
    assert "Decision: " in out and "Runs ran in this process." in out
    args = ["seeds", path, "--runs", "2", "--paths", "500", "--json"]
    assert run_cli(args, monkeypatch) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"rows", "summary", "ran_in"}
    assert len(data["rows"]) == 2 and data["summary"]["runs"] == 2
    assert run_cli(["seeds", path, "--runs", "1"], monkeypatch) == 2
