"""Anthropic Admin API usage/cost report import on hand-written pages (see fixtures/imports)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.errors import ImportDataError
from simulator.scenario import load_scenario
from simulator.usage import import_anthropic_usage

FIX = Path(__file__).parent / "fixtures" / "imports"
PAGES = [FIX / f"usage_page{i}.json" for i in (1, 2, 3)]
OCT = 30.4375 / 31  # a 31-day month scaled to the average month (365.25 / 12 days)
# month 0 is the month after the data: a fit on under 3 months (rate 0, trend sd 0.02) grows the
# last month by exp(0.02^2 / 2), the forecast's own mean one month on
PRIOR_MONTH = math.exp(0.02**2 / 2)


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["commitsim", *args])
    with pytest.raises(SystemExit) as exc:
        main()
        raise SystemExit(0)
    return int(exc.value.code or 0)


def test_workloads_from_three_pages() -> None:
    res = import_anthropic_usage(PAGES)
    s = res.scenario
    assert s.start == "2026-11" and s.horizon_months == 36 and s.levers == []
    assert [w.id for w in s.workloads] == [
        "default-claude-haiku-4-5",
        "wrkspc-01-claude-sonnet-4-5",
        "wrkspc-02-claude-sonnet-4-5",
    ]
    haiku, main_ws, long_ws = s.workloads
    # October: 10M uncached + 20M read + 2M 5m-write + 1M 1h-write (standard) + 4M batch uncached
    assert main_ws.model == "claude-sonnet-4-5"
    # October's 18,164.31 requests grown one month at the fitted 10%: 19,980.75 in November
    assert main_ws.requests_per_month == pytest.approx(37e6 / 2000 * OCT * 1.1, abs=1e-3)
    assert main_ws.requests_per_month == pytest.approx(19_980.746, abs=1e-3)
    assert main_ws.input_tokens == 2000
    assert main_ws.output_tokens == pytest.approx(4_261_000 / 18_500, abs=1e-3)  # 230.324
    assert main_ws.cache_read_share == pytest.approx(20 / 37, abs=1e-6)
    assert main_ws.cache_write_share == pytest.approx(3 / 37, abs=1e-6)
    assert main_ws.cache_ttl == "5m"
    assert main_ws.batch_share == pytest.approx(5_261_000 / 41_261_000, abs=1e-6)
    assert main_ws.long_context_share == 0.0
    # per-day volume 1.0M, 1.1M, 1.21M, 1.331M: exactly 10% a month
    assert main_ws.growth.monthly_rate == pytest.approx(0.10, abs=1e-6)
    assert main_ws.growth.volatility == pytest.approx(0.0, abs=1e-6)
    # null workspace -> default; 3M in September, 6.2M in October (twice the per-day volume)
    assert haiku.requests_per_month == pytest.approx(3043.75 * PRIOR_MONTH, abs=1e-3)
    assert haiku.growth.monthly_rate == 0.0
    assert haiku.growth.volatility == pytest.approx(math.log(2), abs=1e-6)
    # null model -> claude-sonnet-4-5; context window 200k-1M; one month -> prior volatility
    assert long_ws.long_context_share == 1.0
    assert long_ws.requests_per_month == pytest.approx(1e6 / 2000 * OCT * PRIOR_MONTH, abs=1e-3)
    assert long_ws.growth.volatility == 0.05
    warnings = " | ".join(res.summary["warnings"])
    assert "1 row(s) with model null priced as claude-sonnet-4-5" in warnings
    assert "2 row(s) with workspace_id null" in warnings


def test_priced_usage_and_cost_reconciliation() -> None:
    res = import_anthropic_usage(PAGES, cost_report=[FIX / "cost_report.json"])
    # sonnet: 93 + 151.5 + 27.9 + 94.5 (Oct standard) + 15.4575 (batch, 50% off) + 6 (long ctx)
    assert res.summary["priced_usage_by_model"] == pytest.approx(
        {"claude-haiku-4-5": 9.2, "claude-sonnet-4-5": 388.3575}
    )
    rec = res.summary["reconciliation"]
    rows = {r["model"]: r for r in rec["by_model"]}
    # amounts are cents as strings: "20000.00" + "18900.50" -> $389.005
    assert rows["claude-sonnet-4-5"]["reported"] == pytest.approx(389.005)
    assert rows["claude-sonnet-4-5"]["difference"] == pytest.approx(0.6475)
    assert rows["claude-haiku-4-5"]["difference"] == pytest.approx(0.0, abs=1e-12)
    assert rows["unattributed"]["reported"] == pytest.approx(1.0025)
    assert rec["reported_total"] == pytest.approx(399.2075)
    assert rec["priced_total"] == pytest.approx(397.5575)
    assert rec["difference_total"] == pytest.approx(1.65)
    assert rec["other_costs"] == pytest.approx({"web_search": 1.5})


def test_single_file_of_pages_equals_separate_pages() -> None:
    one = import_anthropic_usage([FIX / "usage_all_pages.json"]).scenario
    many = import_anthropic_usage(PAGES).scenario
    same = {"description"}
    assert [w.model_dump(exclude=same) for w in one.workloads] == [
        w.model_dump(exclude=same) for w in many.workloads
    ]


def test_missing_and_misordered_pages_warn() -> None:
    res = import_anthropic_usage(PAGES[:2])
    assert any("missing pages" in w for w in res.summary["warnings"])
    res = import_anthropic_usage([PAGES[2], PAGES[0], PAGES[1]])
    assert any("has_more is false but more pages follow" in w for w in res.summary["warnings"])


def test_bad_rows_rejected_with_lines() -> None:
    with pytest.raises(ImportDataError) as exc:
        import_anthropic_usage([FIX / "usage_bad.json"])
    got = [(p.line, p.path, p.value) for p in exc.value.problems]
    assert got == [
        (8, "data[0].results[1].output_tokens", -5),
        (9, "data[0].results[2].model", "gpt-4o"),
        (10, "data[0].results[3].context_window", "1M+"),
        (11, "data[0].results[4]", None),
        (12, "data[0].results[5].uncached_input_tokens", "2000"),
    ]
    assert str(exc.value.problems[3]).endswith("usage_bad.json:7")
    assert str(exc.value.problems[0]) == (
        f"{FIX / 'usage_bad.json'}:8: data[0].results[1].output_tokens: "
        "token count must be a non-negative integer (got -5)"
    )


def test_bad_rows_skipped_and_listed() -> None:
    res = import_anthropic_usage([FIX / "usage_bad.json"], bad_rows="skip")
    assert res.summary["rows_skipped"] == 5 and len(res.skipped) == 5
    (w,) = res.scenario.workloads
    # two good rows: 1500 prompt, 150 output over a 2-day window, scaled to 30.4375 days; the
    # window (October 1-2) sits at 1/31 of October, November's middle 1.5 - 1/31 months later
    assert w.id == "wrkspc-a-claude-opus-4-5"
    ahead = 1.5 - 1 / 31
    grow = math.exp(0.02**2 * ahead**2 / 2)
    assert w.requests_per_month == pytest.approx(1500 * 30.4375 / 2 / 2000 * grow, abs=1e-3)
    assert w.output_tokens == pytest.approx(200.0)


def test_bad_cost_rows_rejected() -> None:
    with pytest.raises(ImportDataError) as exc:
        import_anthropic_usage([FIX / "usage_page3.json"], cost_report=[FIX / "cost_bad.json"])
    assert [(p.line, p.path.split(".")[-1], p.value) for p in exc.value.problems] == [
        (7, "amount", "12,34"),
        (8, "currency", "EUR"),
    ]


def test_cli_round_trip_writes_valid_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "scenario.yaml"
    args = ["import", "anthropic-usage", *map(str, PAGES), "-o", str(out), "--json"]
    args += ["--cost-report", str(FIX / "cost_report.json")]
    assert run_cli(args, monkeypatch) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["reconciliation"]["difference_total"] == pytest.approx(1.65)
    loaded = load_scenario(out)
    direct = import_anthropic_usage(PAGES).scenario
    assert [w.model_dump() for w in loaded.workloads] == [w.model_dump() for w in direct.workloads]
    assert run_cli(["validate", str(out)], monkeypatch) == 0


def test_cli_rejects_bad_rows_with_exit_2_and_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "scenario.yaml"
    args = ["import", "anthropic-usage", str(FIX / "usage_bad.json"), "-o", str(out)]
    assert run_cli(args, monkeypatch) == 2
    err = capsys.readouterr().err
    assert "usage_bad.json:8: data[0].results[1].output_tokens" in err.replace("\n", "")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_invalid_json_is_located(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"data": [\n  {"starting_at": }\n]}', encoding="utf-8")
    with pytest.raises(ImportDataError) as exc:
        import_anthropic_usage([bad])
    assert exc.value.problems[0].line == 2
    assert "invalid JSON" in exc.value.problems[0].message


def test_group_by_api_key_and_tokens_per_request() -> None:
    res = import_anthropic_usage(PAGES, group_by="api_key", tokens_per_request=1000)
    # every api_key_id is null: both sonnet workspaces merge into one 'default' workload
    assert [w.id for w in res.scenario.workloads] == [
        "default-claude-haiku-4-5",
        "default-claude-sonnet-4-5",
    ]
    sonnet = res.scenario.workloads[1]
    assert sonnet.input_tokens == 1000
    # October's requests at 1,000 tokens each, grown one month at the merged workload's fit
    g = sonnet.growth
    grow = (1 + g.monthly_rate) * math.exp(g.trend_sd**2 / 2)
    assert grow > 1.05
    assert sonnet.requests_per_month == pytest.approx(38e6 / 1000 * OCT * grow, abs=1e-3)
    assert sonnet.long_context_share == pytest.approx(1e6 / 42_261_000, abs=1e-6)


def test_cli_bad_option_value_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["import", "anthropic-usage", str(PAGES[0]), "--bad-rows", "maybe"]
    assert run_cli(args, monkeypatch) == 2
    assert "--bad-rows must be 'reject' or 'skip'" in capsys.readouterr().err


@pytest.mark.parametrize("tokens", [0.0, 0.5, math.nan, math.inf, -3.0])
def test_tokens_per_request_must_be_a_finite_count(tokens: float) -> None:
    with pytest.raises(ImportDataError, match="input-tokens-per-request"):
        import_anthropic_usage(PAGES, tokens_per_request=tokens)
