"""Tracking a signed commitment: known answers on constructed actuals, the CLI contract, YAML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simulator.decision.track import track
from simulator.decision.track_model import refit_growth
from simulator.errors import ImportDataError, ScenarioError, SimulatorError
from simulator.forecast.montecarlo import simulate
from simulator.scenario import (
    PlanSection,
    Signed,
    load_scenario,
    loads_scenario,
    scenario_from_data,
)
from simulator.usage import import_anthropic_usage
from simulator.usage.actuals import from_import, read_actuals, read_spend_csv
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
KEYS = [
    "months_elapsed",
    "spent_to_date",
    "committed",
    "remaining",
    "shortfall_probability",
    "expected_unused",
    "on_track",
    "actions",
]


def flat(signed: dict[str, Any] | None = None, lever: bool = False) -> Any:
    """One Sonnet workload with no growth and no noise: $100,000 of list spend a month."""
    # 1M requests x (1,000 in x $3 + 200 out x $15) / 1e6 = $6,000 ... scaled to $100,000
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "flat",
        "start": "2027-01",
        "horizon_months": 24,
        "simulation": {"paths": 2000, "seed": 3},
        "workloads": [
            {
                "id": "app",
                "model": "claude-sonnet-4-5",
                "requests_per_month": 100_000_000 / 6_000,
                "input_tokens": 1000,
                "output_tokens": 200,
            }
        ],
        "capacity": {
            "waves": [{"name": "W", "start_month": 6, "duration_months": 2, "engineering_weeks": 4}]
        },
    }
    if lever:
        data["levers"] = [
            {
                "id": "batch-all",
                "workload": "app",
                "kind": "batch",
                "effect": {"low": 1, "mode": 1, "high": 1},
                "effort_weeks": 1,
            }
        ]
        data["plan"] = {"assignment": {"batch-all": 0}}
    if signed is not None:
        data["signed"] = signed
    return scenario_from_data(data, "flat")


MONTHS = [f"2027-{m:02d}" for m in range(1, 13)]


def test_flat_spend_closed_form() -> None:
    # 6 months of $100k list at 20% off: $480k drawn; 6 more months of $100k: $480k more;
    # a $1M commitment leaves $40k unused on every path
    s = flat({"commit": 1_000_000, "discount": 0.2, "start": "2027-01", "term_months": 12})
    r = track(s, MONTHS[:6], [100_000.0] * 6)
    assert r.months_elapsed == 6
    assert r.spent_to_date == pytest.approx(480_000)
    assert r.remaining["mean"] == pytest.approx(480_000, rel=1e-3)
    assert r.remaining["p10"] == pytest.approx(480_000, rel=1e-3)
    assert r.shortfall_probability == 1.0
    assert r.expected_unused == pytest.approx(40_000, rel=0.02)
    assert not r.on_track
    roll = [a for a in r.actions if a["kind"] == "negotiate_rollover"]
    assert roll and roll[0]["value"] == pytest.approx(40_000, rel=0.02)


def test_lever_deferral_priced_exactly() -> None:
    # batching everything from month 8 halves list spend (batch discount 50%): the rest of the term
    # is 2 x $100k + 4 x $50k = $400k list instead of $600k. Commit = 0.8 x 1.1M = $880k:
    # shipped, used = 0.8 x 1.0M = $800k (unused $80k); deferred, 0.8 x 1.2M (unused 0)
    s = flat({"commit": 880_000, "discount": 0.2, "start": "2027-01", "term_months": 12}, True)
    r = track(s, MONTHS[:6], [100_000.0] * 6)
    assert r.remaining["mean"] == pytest.approx(0.8 * 400_000, rel=2e-3)
    assert r.expected_unused == pytest.approx(80_000, rel=0.02)
    defer = [a for a in r.actions if a["kind"] == "defer_lever"]
    assert [a["subject"] for a in defer] == ["batch-all"]
    assert defer[0]["value"] == pytest.approx(80_000, rel=0.02)
    # it saves $160k at contract rates but only the $80k above the commitment lowers the bill
    assert defer[0]["saving_this_term"] == pytest.approx(160_000, rel=0.02)
    assert defer[0]["saving_that_lowers_the_bill"] == pytest.approx(80_000, rel=0.03)
    assert defer[0]["ships"] == "2027-09"


def test_over_spent_means_no_shortfall() -> None:
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    s.signed = Signed(commit=1_000_000, discount=0.1, start="2027-01", term_months=12)
    r = track(s, MONTHS[:3], [500_000.0, 500_000.0, 300_000.0])
    assert r.spent_to_date == pytest.approx(0.9 * 1_300_000) and r.spent_to_date > r.committed
    assert r.shortfall_probability == 0.0
    assert r.expected_unused == 0.0
    assert r.on_track
    assert [a["kind"] for a in r.actions] == ["none"]


def test_eleven_months_of_nothing_is_a_certain_shortfall() -> None:
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    s.signed = Signed(commit=2_000_000, discount=0.15, start="2027-01", term_months=12)
    r = track(s, MONTHS[:11], [0.0] * 11)
    assert r.months_elapsed == 11
    assert r.shortfall_probability >= 0.99
    assert r.expected_unused > 0.95 * 2_000_000
    assert not r.on_track


def test_spend_on_the_expected_path_is_on_track() -> None:
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    s.plan = PlanSection(assignment={"route-support-sonnet": 0, "batch-doc-summaries": 1})
    f = simulate(s, s.plan.assignment, paths=4000, seed=99)
    # sized at signing to a 10% chance of unused commitment, as `recommend` would
    commit = 0.85 * float(np.quantile(f.term_spend(0, 12), 0.10))
    s.signed = Signed(commit=commit, discount=0.15, start="2027-01", term_months=12)
    mean = f.spend.mean(axis=0)
    r = track(s, MONTHS[:6], list(mean[:6]))
    assert r.on_track
    assert r.shortfall_probability <= 0.10
    # the forecast of the rest follows the scenario's own expectation within a few percent
    assert r.remaining["mean"] == pytest.approx(0.85 * float(mean[6:12].sum()), rel=0.05)
    # the same path 30% lower is not
    low = track(s, MONTHS[:6], list(0.7 * mean[:6]))
    assert not low.on_track and low.shortfall_probability > 0.5


def test_refit_moves_from_prior_to_data() -> None:
    history = 100.0 * 1.08 ** np.arange(24)
    g = refit_growth(history, prior_mu=0.0, prior_sigma=0.02)
    assert g.monthly_rate == pytest.approx(0.08, abs=0.002)
    assert g.changes_used == 23
    none = refit_growth(np.array([100.0]), prior_mu=float(np.log(1.03)), prior_sigma=0.02)
    assert none.monthly_rate == pytest.approx(0.03)


@pytest.mark.parametrize(
    ("months", "message"),
    [
        (["2027-01", "2027-03"], "2027-02 is missing"),
        (["2027-01", "2027-01"], "appears twice"),
        (["2028-01"], "after the term"),
        (["2026-01"], "before the term"),
    ],
)
def test_bad_actuals_named(months: list[str], message: str) -> None:
    s = flat({"commit": 1_000_000, "discount": 0.2, "start": "2027-01", "term_months": 12})
    with pytest.raises(SimulatorError, match=message):
        track(s, months, [1.0] * len(months))


def test_no_signed_block() -> None:
    with pytest.raises(SimulatorError, match="no signed"):
        track(flat(), MONTHS[:1], [1.0])


def test_signed_round_trip_keeps_comments(tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "default.yaml").read_text()
    text += "signed:\n  commit: 2300000   # as signed\n  discount: 0.15\n  start: 2027-01\n"
    text += "  term_months: 12\n"
    text += "  tiers: [{min_commit: 0, discount: 0.1}, {min_commit: 2000000, discount: 0.15}]\n"
    s = loads_scenario(text, "s.yaml")
    assert s.signed is not None and s.signed.commit == 2_300_000
    s.signed.rollover_share = 0.25
    out = tmp_path / "s.yaml"
    s.save(out)
    again = load_scenario(out)
    assert again.signed == s.signed
    assert "# as signed" in out.read_text()


def test_signed_checks_located() -> None:
    text = (ROOT / "scenarios" / "default.yaml").read_text()
    text += "signed:\n  commit: 2300000\n  discount: 0.12\n  start: 2027-13\n"
    text += "  tiers: [{min_commit: 0, discount: 0.1}, {min_commit: 2000000, discount: 0.15}]\n"
    with pytest.raises(ScenarioError) as exc:
        loads_scenario(text, "s.yaml")
    shown = "\n".join(str(p) for p in exc.value.problems)
    assert "signed.start" in shown
    text = text.replace("2027-13", "2027-01")
    with pytest.raises(ScenarioError) as exc:
        loads_scenario(text, "s.yaml")
    assert "signed tiers give 0.15" in str(exc.value.problems[0])


def test_actuals_csv(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text('month,list_spend\n2027-02,"1,200"\n2027-01,1000\n')
    got = read_spend_csv(p)
    assert got.months == ["2027-01", "2027-02"] and got.list_spend == [1000.0, 1200.0]
    p.write_text("month,list_spend\n2027-01,1000\n2027-1,-5\n2027-01,3\n")
    with pytest.raises(ImportDataError) as exc:
        read_spend_csv(p)
    shown = [str(x) for x in exc.value.problems]
    assert any(":3: month" in x for x in shown) and any(":3: list_spend" in x for x in shown)
    assert any(":4: month: repeats line 2" in x for x in shown)


def test_cli_track_json_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sc = tmp_path / "s.yaml"
    sc.write_text(
        (ROOT / "scenarios" / "default.yaml").read_text()
        + "signed: {commit: 1000000, discount: 0.1, start: 2027-01, term_months: 12}\n"
    )
    act = tmp_path / "a.csv"
    act.write_text("month,list_spend\n2027-01,600000\n2027-02,600000\n")
    code = run_cli(
        ["track", str(sc), "--actuals", str(act), "--json", "--paths", "1000"], monkeypatch
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == KEYS
    assert list(out["remaining"]) == ["mean", "p10", "p50", "p90"]
    assert out["shortfall_probability"] == 0 and out["on_track"] is True
    assert out["spent_to_date"] == pytest.approx(1_080_000)
    act.write_text("month,list_spend\n2027-01,abc\n")
    assert run_cli(["track", str(sc), "--actuals", str(act)], monkeypatch) == 2
    assert f"{act}:2: list_spend" in capsys.readouterr().err


def test_actuals_from_importers_are_priced_whole_months(tmp_path: Path) -> None:
    fix = ROOT / "tests" / "fixtures" / "imports"
    pages = [fix / f"usage_page{i}.json" for i in (1, 2, 3)]
    res = import_anthropic_usage(pages)
    got = read_actuals(pages)
    # every month of the fixture is whole: the monthly figures add up to the priced total
    assert got.months == ["2026-07", "2026-08", "2026-09", "2026-10"]
    assert sum(got.list_spend) == pytest.approx(res.summary["priced_usage_total"])
    # a month the data covers in part is left out, with a note
    res.summary["month_days"]["2026-10"] = 12.0
    part = from_import(res)
    assert part.months[-1] == "2026-09" and "2026-10" in part.warnings[0]
    # a CSV is told from a FOCUS export by its header
    p = tmp_path / "a.csv"
    p.write_text("month,list_spend\n2026-08,5\n")
    assert read_actuals([p]).list_spend == [5.0]
    assert read_actuals([fix / "focus_claude.csv"]).months[0] == "2026-08"


def test_cli_track_and_capacity_text_has_no_markup_tags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The CLI console prints every string literally, so styling must not be written as markup.
    sc = tmp_path / "s.yaml"
    sc.write_text(
        (ROOT / "scenarios" / "default.yaml").read_text()
        + "signed: {commit: 1000000, discount: 0.1, start: 2027-01, term_months: 12}\n"
    )
    act = tmp_path / "a.csv"
    act.write_text("month,list_spend\n2027-01,600000\n2027-02,600000\n")
    assert run_cli(["track", str(sc), "--actuals", str(act), "--paths", "1000"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "on track" in out and "[" not in out.splitlines()[0]
    cap = ROOT / "scenarios" / "reserved-capacity.yaml"
    assert run_cli(["capacity", str(cap), "--paths", "200"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert out.startswith("Capacity reservations") and "[bold]" not in out and "[/" not in out


def test_signed_tier_schedule_checked_like_the_contract() -> None:
    text = (ROOT / "scenarios" / "default.yaml").read_text()
    text += "signed:\n  commit: 2300000\n  discount: 0.1\n  start: 2027-01\n"
    text += "  tiers: [{min_commit: 0, discount: 0.1}, {min_commit: 0, discount: 0.05}]\n"
    with pytest.raises(ScenarioError) as exc:
        loads_scenario(text, "s.yaml")
    shown = "\n".join(str(p) for p in exc.value.problems)
    assert "signed.tiers.1.min_commit: tiers must rise in min_commit" in shown
    assert "signed.tiers.1.discount: a larger tier cannot have a smaller discount" in shown
