"""Round trip: usage pages -> ``commitsim import`` -> scenario (+ levers, waves) -> recommend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

from simulator.scenario import Capacity, Contract, Lever, Tier, Triangular, Wave, load_scenario

FIX = Path(__file__).parent / "fixtures" / "imports"


_cli = run_cli


def test_import_then_recommend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "imported.yaml"
    pages = [str(FIX / f"usage_page{i}.json") for i in (1, 2, 3)]
    assert _cli(["import", "anthropic-usage", *pages, "-o", str(out)], monkeypatch) == 0
    capsys.readouterr()
    s = load_scenario(out)
    w = max(s.workloads, key=lambda x: x.requests_per_month * x.input_tokens)
    # the imported scenario has no levers or waves: give it one of each and a tier table
    s.levers = [
        Lever(
            id="cache-main",
            workload=w.id,
            kind="caching",
            effect=Triangular(low=0.3, mode=0.6, high=0.85),
            effort_weeks=2,
        )
    ]
    s.capacity = Capacity(
        waves=[Wave(name="Wave 1", start_month=0, duration_months=1, engineering_weeks=4)]
    )
    s.contract = Contract(
        tiers=[Tier(min_commit=0, discount=0.0), Tier(min_commit=1000, discount=0.05)]
    )
    s.simulation.paths = 1000
    s.save(out)
    assert _cli(["recommend", str(out), "--json"], monkeypatch) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["plan"]["assignment"] == {"cache-main": 0}
    assert data["commit"]["recommended"] >= 0
    assert data["optimized"]["mean"] < data["baseline"]["mean"]
    assert data["provenance"]["scenario_hash"] == load_scenario(out).content_hash()
    # the memo renders from the imported scenario too
    memo = tmp_path / "memo.md"
    assert _cli(["memo", str(out), "-o", str(memo)], monkeypatch) == 0
    assert "data:image/svg+xml;base64," in memo.read_text()
