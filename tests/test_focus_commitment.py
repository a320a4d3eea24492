"""FOCUS contract commitment export (Proposed) and commitment status read from FOCUS exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import run_cli

from simulator.decision.report import recommend
from simulator.output.focus_commitment import COLUMNS, commitment_rows
from simulator.scenario import load_scenario
from simulator.usage.focus_commitments import commitment_status

ROOT = Path(__file__).resolve().parents[1]
FOCUS_13 = [
    "BillingCurrency",
    "ContractCommitmentCategory",
    "ContractCommitmentCost",
    "ContractCommitmentDescription",
    "ContractCommitmentId",
    "ContractCommitmentPeriodStart",
    "ContractCommitmentPeriodEnd",
    "ContractCommitmentQuantity",
    "ContractCommitmentType",
    "ContractCommitmentUnit",
    "ContractId",
    "ContractPeriodStart",
    "ContractPeriodEnd",
]


def test_export_default_one_proposed_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.csv"
    args = ["export", "focus-commitment", str(ROOT / "scenarios" / "default.yaml")]
    assert run_cli([*args, "-o", str(out), "--paths", "1000"], monkeypatch) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0])[:13] == FOCUS_13
    assert len(rows) == 1
    r = rows[0]
    assert r["x_ContractCommitmentLifecycleStatus"] == "Proposed"
    assert r["ContractCommitmentCategory"] == "Spend" and r["BillingCurrency"] == "USD"
    assert r["ContractCommitmentPeriodStart"] == "2027-01-01T00:00:00Z"
    assert r["ContractCommitmentPeriodEnd"] == "2028-01-01T00:00:00Z"
    capsys.readouterr()
    assert run_cli(["recommend", args[2], "--json", "--paths", "1000"], monkeypatch) == 0
    rec = json.loads(capsys.readouterr().out)
    assert float(r["ContractCommitmentCost"]) == pytest.approx(rec["commit"]["recommended"])
    assert float(r["x_Discount"]) == pytest.approx(rec["commit"]["discount"])


def test_ramped_contract_one_row_per_year() -> None:
    s = load_scenario(ROOT / "scenarios" / "enterprise.yaml")
    rep = recommend(s, paths=1000)
    rows = commitment_rows(s, rep.commit)
    years = s.contract.term_months // 12
    if rep.commit.years:
        assert len(rows) == years
        assert [r["ContractCommitmentCost"] for r in rows] == [
            round(y.recommended, 2) for y in rep.commit.years
        ]
        assert rows[1]["ContractCommitmentPeriodStart"] == rows[0]["ContractCommitmentPeriodEnd"]
        assert rows[-1]["ContractCommitmentPeriodEnd"] == rows[0]["ContractPeriodEnd"]
    else:  # the flat shape won on this scenario
        assert len(rows) == 1
    assert set(rows[0]) == set(COLUMNS)


def test_commitment_status_from_focus(tmp_path: Path) -> None:
    p = tmp_path / "focus.csv"
    p.write_text(
        "BilledCost,EffectiveCost,ChargeCategory,CommitmentDiscountId,CommitmentDiscountStatus\n"
        "0,70,Usage,c1,Used\n"
        "0,30,Usage,c1,Unused\n"
        "100,0,Purchase,c1,\n"
        "5,5,Usage,,\n"
        "0,50,Usage,c2,Used\n"
    )
    got = commitment_status(p)
    assert got is not None
    assert got["used"] == 120 and got["unused"] == 30
    assert got["utilisation"] == pytest.approx(0.8)
    assert got["by_commitment"][0] == {"id": "c1", "used": 70, "unused": 30, "utilisation": 0.7}
    q = tmp_path / "plain.csv"
    q.write_text("BilledCost,ChargeCategory\n1,Usage\n")
    assert commitment_status(q) is None


def test_import_focus_reports_commitments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fix = ROOT / "tests" / "fixtures" / "imports" / "focus_claude.csv"
    assert run_cli(["import", "focus", str(fix), "--json"], monkeypatch) == 0
    data = json.loads(capsys.readouterr().out)
    # the fixture has the status column but no Used/Unused rows
    assert "commitments" in data
