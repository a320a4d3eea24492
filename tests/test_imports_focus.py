"""FOCUS import on a hand-written export (three months of Claude usage plus non-usage rows)."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from statistics import NormalDist

import pytest

from simulator.cli import main
from simulator.errors import ImportDataError
from simulator.scenario import load_scenario
from simulator.usage import import_focus
from simulator.usage.focus import token_class

FIX = Path(__file__).parent / "fixtures" / "imports"
OCT = 30.4375 / 31
# month 0 is the month after the data: a fit on under 3 months (rate 0, trend sd 0.02) grows the
# last month by exp(0.02^2 / 2), the forecast's own mean one month on
PRIOR_MONTH = math.exp(0.02**2 / 2)


def test_workloads_shares_and_growth() -> None:
    res = import_focus(FIX / "focus_claude.csv")
    sonnet, haiku = res.scenario.workloads
    assert (sonnet.id, haiku.id) == ("acct-eng-claude-sonnet-4-5", "default-claude-haiku-4-5")
    # October: 14.4M input, 5M cache read, 2M 1h cache write, 1M output (grown below)
    assert sonnet.output_tokens == pytest.approx(1e6 / (21.4e6 / 2000), abs=1e-3)  # 93.458
    assert sonnet.cache_read_share == pytest.approx(5 / 21.4, abs=1e-6)
    assert sonnet.cache_write_share == pytest.approx(2 / 21.4, abs=1e-6)
    assert sonnet.cache_ttl == "1h"
    # per-day volumes 10M/31, 12M/30, 22.4M/31: two log changes d1, d2; m = (d1 + d2) / 2,
    # s = |d1 - d2| / sqrt(2) (one degree of freedom), widened by t(1, 0.9) / z(0.9) where
    # t(1, 0.9) = tan(0.4 pi) (Cauchy); rate = exp(m + (w s)^2 / 2) - 1
    y0, y1, y2 = (math.log(v) for v in (10e6 / 31, 12e6 / 30, 22.4e6 / 31))
    m, s = (y2 - y0) / 2, abs(y0 - 2 * y1 + y2) / math.sqrt(2)
    ws = s * math.tan(0.4 * math.pi) / NormalDist().inv_cdf(0.9)
    rate = math.exp(m + ws**2 / 2) - 1
    assert sonnet.growth.monthly_rate == pytest.approx(rate, abs=1e-6)
    # month 0 (November) is October grown one month: x (1 + 0.8357) x exp(0.05^2 / 2), the trend
    # sd at its 0.05 cap (w s / sqrt(2) is far above it); rel 1e-6: the rate is stored to 6 places
    assert sonnet.growth.trend_sd == 0.05
    oct_requests = 21.4e6 / 2000 * OCT  # 10,505.85
    assert sonnet.requests_per_month == pytest.approx(
        oct_requests * (1 + rate) * math.exp(0.05**2 / 2), rel=1e-6
    )
    vol = (1 + rate) * math.sqrt(math.expm1(ws**2))  # 1.30: above the scenario bound
    assert sonnet.growth.volatility == 1.0 and vol > 1.0
    (fit,) = [w["fit"] for w in res.summary["workloads"] if w["model"] == "claude-sonnet-4-5"]
    assert "clipped to 1" in fit["note"] and "widened x2.40" in fit["note"]
    # output-only batch traffic: requests from output tokens, all of it batch
    assert haiku.batch_share == 1.0
    assert haiku.input_tokens == 0.0 and haiku.output_tokens == 2000.0
    assert haiku.requests_per_month == pytest.approx(2e6 / 2000 * OCT * PRIOR_MONTH, abs=1e-3)


def test_reconciliation_and_non_usage_rows() -> None:
    res = import_focus(FIX / "focus_claude.csv")
    rec = res.summary["reconciliation"]
    assert rec["reported_column"] == "ListCost"
    rows = {r["model"]: r for r in rec["by_model"]}
    assert rows["claude-sonnet-4-5"]["priced"] == pytest.approx(137.7)
    assert rows["claude-sonnet-4-5"]["reported"] == pytest.approx(138.2)
    assert rows["claude-sonnet-4-5"]["difference"] == pytest.approx(0.5)
    assert rows["claude-haiku-4-5"]["priced"] == pytest.approx(5.0)  # 2M x $5 x 50% batch
    assert rec["difference_total"] == pytest.approx(0.5)
    assert rec["other_costs"] == pytest.approx({"Purchase": 1000.0, "unused commitment": 250.0})
    assert "1 rows from other services ignored" in res.summary["warnings"]


def test_bad_rows_rejected_then_skipped() -> None:
    with pytest.raises(ImportDataError) as exc:
        import_focus(FIX / "focus_bad.csv")
    assert [(p.line, p.path, p.value) for p in exc.value.problems] == [
        (3, "ConsumedUnit", "Requests"),
        (4, "ConsumedQuantity", "-3"),
        (5, "SkuId", "gpt-4o-input-tokens"),
        (6, "ChargePeriodStart", "last tuesday"),
        (7, "ListCost", "abc"),
    ]
    res = import_focus(FIX / "focus_bad.csv", bad_rows="skip")
    assert res.summary["rows_used"] == 1 and res.summary["rows_skipped"] == 5
    (w,) = res.scenario.workloads
    assert w.requests_per_month == pytest.approx(10e6 / 2000 * OCT * PRIOR_MONTH, abs=1e-3)


def test_missing_columns_are_named(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("BilledCost,ChargeCategory\n1,Usage\n", encoding="utf-8")
    with pytest.raises(ImportDataError) as exc:
        import_focus(f)
    assert [p.path for p in exc.value.problems] == [
        "ChargePeriodStart",
        "ConsumedQuantity",
        "ConsumedUnit",
    ]


@pytest.mark.parametrize(
    ("text", "klass"),
    [
        ("claude sonnet 4 5 cache read input tokens", "cache_read"),
        ("cache creation 1 hour", "write_1h"),
        ("cache write tokens", "write_5m"),
        ("batch output tokens", "output"),
        ("input tokens", "uncached"),
        ("requests", None),
    ],
)
def test_token_class_from_sku_text(text: str, klass: str | None) -> None:
    assert token_class(text) == klass


def test_cli_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "focus.yaml"
    monkeypatch.setattr(
        sys, "argv", ["commitsim", "import", "focus", str(FIX / "focus_claude.csv"), "-o", str(out)]
    )
    with pytest.raises(SystemExit) as exc:
        main()
        raise SystemExit(0)
    assert exc.value.code == 0
    assert [w.id for w in load_scenario(out).workloads] == [
        "acct-eng-claude-sonnet-4-5",
        "default-claude-haiku-4-5",
    ]


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("Claude Opus 4.5 Output Tokens", "claude-opus-4-5"),
        ("claude-opus-4-5 input", "claude-opus-4-5"),
        ("Claude Opus 4 Input Tokens", "claude-opus-4"),
        ("Claude Haiku 4.5 Input Tokens", "claude-haiku-4-5"),
        ("Claude Sonnet 5.5 cache read", "claude-sonnet-5-5"),
        ("Claude Sonnet 5 output", "claude-sonnet-5"),
    ],
)
def test_model_names_with_dotted_versions(text: str, model: str) -> None:
    """'Opus 4.5' must not be read as Opus 4 (priced three times higher)."""
    from simulator.catalog.prices import load_catalog
    from simulator.usage.naming import find_model

    assert find_model(text, load_catalog("anthropic-2026-11")) == model
