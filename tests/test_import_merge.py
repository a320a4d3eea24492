"""``commitsim import ... --into``: merging real request logs into a scenario, the bundled template,
suggested levers and the catalog-date warning."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

from simulator.catalog.prices import load_catalog
from simulator.scenario import Workload, load_scenario
from simulator.usage import import_requests
from simulator.usage.merge import merge_imports
from simulator.usage.suggest import SUGGESTION, suggest_levers

ROOT = Path(__file__).resolve().parents[1]
_CANDIDATES = [
    Path(os.environ.get("COMMITSIM_SHARED_DATA", "")),
    ROOT / ".." / "shared" / "data",
    Path("/work/shared/data"),
]
DATA = next((p for p in _CANDIDATES if str(p) not in ("", ".") and p.is_dir()), _CANDIDATES[1])
AZURE = DATA / "azure-llm-inference-trace-2023"
LOGS = [AZURE / "AzureLLMInferenceTrace_code.csv", AZURE / "AzureLLMInferenceTrace_conv.csv"]
needs_azure = pytest.mark.skipif(not LOGS[0].exists(), reason="shared Azure traces not present")


@needs_azure
def test_both_azure_traces_into_default_then_recommend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "default.yaml"
    shutil.copy(ROOT / "scenarios" / "default.yaml", base)
    before = load_scenario(base)
    args = ["import", "requests", *map(str, LOGS), "--into", str(base)]
    assert run_cli(args, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "predates the price catalog" in out
    assert "added azurellminferencetrace-code, azurellminferencetrace-conv" in out
    after = load_scenario(base)
    # the base keeps its workloads, levers, waves, tiers, offers and comments
    assert after.workloads[:5] == before.workloads
    assert [w.id for w in after.workloads[5:]] == [
        "azurellminferencetrace-code",
        "azurellminferencetrace-conv",
    ]
    assert after.levers[: len(before.levers)] == before.levers
    assert after.capacity == before.capacity and after.contract == before.contract
    assert after.offers == before.offers
    text = base.read_text()
    assert "# Customer support assistant: the largest line on the bill" in text
    assert not list(tmp_path.glob(".*.tmp"))
    capsys.readouterr()
    assert run_cli(["recommend", str(base), "--json", "--paths", "1000"], monkeypatch) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["commit"]["recommended"] > 0


@needs_azure
def test_template_runs_to_a_positive_commitment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "new.yaml"
    args = ["import", "requests", *map(str, LOGS), "-o", str(out), "--json"]
    assert run_cli(args, monkeypatch) == 0
    summary = json.loads(capsys.readouterr().out)
    assert len(summary["imports"]) == 2
    assert "offers" in summary["merge"]["from_template"]
    assert any("predates the price catalog" in w for w in summary["merge"]["warnings"])
    s = load_scenario(out)
    assert s.start == "2023-12"
    assert len(s.contract.tiers) == 4 and len(s.capacity.waves) == 2
    assert [w.id for w in s.workloads] == [
        "azurellminferencetrace-code",
        "azurellminferencetrace-conv",
    ]
    assert all(o.commit > 1000 for o in s.offers)
    assert run_cli(["recommend", str(out), "--json", "--paths", "1000"], monkeypatch) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["commit"]["recommended"] > 0
    assert rec["plan"]["assignment"]  # suggested levers get planned


@needs_azure
def test_replace_by_id_in_place(tmp_path: Path) -> None:
    base = load_scenario(ROOT / "scenarios" / "default.yaml")
    res = import_requests(LOGS[0], model="claude-opus-4-5", workload_id="support-chat")
    merged = merge_imports([res], base)
    assert merged.replaced == ["support-chat"] and merged.added == []
    s = merged.scenario
    assert s.workloads[0].id == "support-chat"
    assert s.workloads[0].requests_per_month == res.scenario.workloads[0].requests_per_month
    assert s.workloads[1:] == base.workloads[1:]
    # its levers are the base's: no suggestions for a workload that already has some
    assert s.levers == base.levers and merged.suggested == []


def test_suggestions_follow_the_workload_shape() -> None:
    cat = load_catalog("anthropic-2026-11")
    day = dt.date(2027, 1, 1)
    # code trace shape: 2,048 in / 28 out on Sonnet: output is 420 / 6,564 = 6.4% of the price
    code = Workload(
        id="code",
        model="claude-sonnet-4-5",
        requests_per_month=1e6,
        input_tokens=2048,
        output_tokens=28,
    )
    kinds = {lv.kind: lv for lv in suggest_levers(code, cat, day)}
    assert set(kinds) == {"routing", "batch", "caching"}
    assert kinds["routing"].to_model == "claude-haiku-4-5"
    assert kinds["caching"].effect.mode == 0.6
    assert all(lv.description.startswith(SUGGESTION) for lv in kinds.values())
    # conversation shape: 1,155 x $3 vs 211 x $15 -> output 48% of the price
    conv = code.model_copy(update={"input_tokens": 1155, "output_tokens": 211})
    assert "output_control" in {lv.kind for lv in suggest_levers(conv, cat, day)}
    # short prompts cannot be cached; already-batched Haiku traffic has nothing to route or batch;
    # 10 output tokens are 50 / 550 = 9% of a Haiku request's price
    small = code.model_copy(
        update={
            "model": "claude-haiku-4-5",
            "input_tokens": 500,
            "output_tokens": 10,
            "batch_share": 0.8,
        }
    )
    assert [lv.kind for lv in suggest_levers(small, cat, day)] == []


@needs_azure
def test_id_with_several_logs_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["import", "requests", *map(str, LOGS), "--id", "x"]
    assert run_cli(args, monkeypatch) == 2
    assert "--id names one workload" in capsys.readouterr().err
