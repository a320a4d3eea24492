"""The tornado re-runs the pipeline per assumption, on common random numbers."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from simulator.decision.sensitivity import ASSUMPTIONS, COLUMNS, tornado
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def test_default_tornado_numbers_and_speed() -> None:
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    steps: list[float] = []
    t = time.perf_counter()
    table = tornado(s, paths=4000, progress=lambda _n, f: steps.append(f))
    elapsed = time.perf_counter() - t
    assert elapsed < 10
    assert list(table.columns) == COLUMNS
    assert len(table) == len(ASSUMPTIONS) + 1
    assert steps[0] == 0.0 and steps[-1] == 1.0 and steps == sorted(steps)
    row = table.set_index("assumption")
    # growth raises spend, better levers lower it; the shortfall limit does not move spend
    assert (
        row.loc["Workload growth rates", "spend_high"]
        > row.loc["Workload growth rates", "spend_low"]
    )
    assert row.loc["Lever effects", "spend_high"] < row.loc["Lever effects", "spend_low"]
    assert row.loc["Shortfall limit", "spend_low"] == row.loc["Shortfall limit", "spend_high"]
    assert np.all(table["swing"] == (table["commit_high"] - table["commit_low"]).abs())
    assert (table["base_commit"] == 2_000_000).all()


def test_enterprise_growth_moves_commitment_most() -> None:
    s = load_scenario(ROOT / "scenarios" / "enterprise.yaml")
    table = tornado(s, paths=2000)
    top = table.iloc[0]
    assert top["swing"] > 0
    assert table["swing"].is_monotonic_decreasing
    growth = table.set_index("assumption").loc["Workload growth rates"]
    assert growth["commit_high"] > growth["commit_low"]


def test_startup_growth_can_drop_the_commitment() -> None:
    s = load_scenario(ROOT / "scenarios" / "startup.yaml")
    row = tornado(s, paths=4000).set_index("assumption").loc["Workload growth rates"]
    assert row["commit_low"] < row["base_commit"] == 500_000


def test_no_shortfall_limit_means_no_limit_bar() -> None:
    """Without a limit the bar was built around an assumed 10% and straddled a limitless base."""
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    s.contract.max_shortfall_probability = None
    table = tornado(s, paths=1000)
    assert "Shortfall limit" not in set(table["assumption"])
    assert len(table) == len(ASSUMPTIONS)
    assert table.attrs["notes"] == [
        "no shortfall limit is set, so the tornado has no shortfall-limit bar"
    ]
