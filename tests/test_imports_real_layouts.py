"""Importers on files in the layouts real exports use (fixtures/imports/real).

* FOCUS 1.0 from AWS: Bedrock usage types (``USE1-MP:USE1_CacheReadInputTokenCount-Units``),
  model names in ``ServiceName`` ("Claude 3.5 Haiku (Amazon Bedrock Edition)"), Bedrock model
  ids with regional prefixes in ``ResourceId``, ``ConsumedUnit`` "Units", regional 1.1x rates;
* FOCUS 1.3 from a converter: ``ServiceProviderName``/``HostProviderName``, structured
  ``SkuPriceDetails`` (``TokenDirection``, ``TokenCacheAction``), a "Cached Input Tokens" meter,
  dated ids in ``x_Model``;
* Admin API usage grouped by ``speed``, ``account_id`` and ``service_account_id``, with fast
  mode, web searches and a retired model; cost reports with and without descriptions;
* LiteLLM spend logs and Anthropic-style request logs with cache columns and a model column.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from simulator.catalog.prices import load_catalog
from simulator.errors import ImportDataError
from simulator.usage import import_anthropic_usage, import_focus, import_requests
from simulator.usage.naming import claude_name, find_model

REAL = Path(__file__).parent / "fixtures" / "imports" / "real"
CAT = load_catalog("anthropic-2026-11")


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
        ("eu.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5"),
        ("global.anthropic.claude-opus-4-5-20251101-v1:0", "claude-opus-4-5"),
        ("anthropic.claude-3-5-haiku-20241022-v1:0", "claude-haiku-3-5"),
        (
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-1-20250805-v1:0",
            "claude-opus-4-1",
        ),
        ("Claude 3.5 Haiku (Amazon Bedrock Edition)", "claude-haiku-3-5"),
        ("Claude Sonnet 4.5 (Amazon Bedrock Edition)", "claude-sonnet-4-5"),
        ("claude-sonnet-4-5@20250929", "claude-sonnet-4-5"),
        ("bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5"),
        ("Claude Sonnet 4 20250514", "claude-sonnet-4"),
    ],
)
def test_model_ids_as_billed(text: str, model: str) -> None:
    assert find_model(text, CAT) == model


def test_retired_and_foreign_names() -> None:
    assert find_model("claude-3-opus-20240229", CAT) is None
    assert claude_name("claude-3-opus-20240229") == "claude-opus-3"
    assert claude_name("Claude 3 Opus (Amazon Bedrock Edition)") == "claude-opus-3"
    assert claude_name("gpt-4o") is None and find_model("gpt-4o", CAT) is None


def test_focus10_bedrock_usage_types_units_and_regional_gap() -> None:
    res = import_focus(REAL / "focus10_bedrock.csv")
    ids = [w.id for w in res.scenario.workloads]
    assert ids == ["444455556666-claude-sonnet-4-5", "777788889999-claude-haiku-3-5"]
    sonnet, haiku = res.scenario.workloads
    # October: 11M input + 22M cache read + 1M 1h cache write; cache usage types are not input
    assert sonnet.cache_read_share == pytest.approx(22 / 34, abs=1e-6)
    assert sonnet.cache_write_share == pytest.approx(1 / 34, abs=1e-6)
    assert sonnet.cache_ttl == "1h"
    # "Units" whose ListCost implies 1,000 tokens each: 5,000 units = 5M tokens
    # grown one month into November: one month of the prior trend sd 0.02 (rate 0, one month)
    oct_requests = 5e6 / 2000 * 30.4375 / 31
    assert haiku.requests_per_month == pytest.approx(oct_requests * math.exp(0.02**2 / 2), abs=1e-3)
    rec = {r["model"]: r for r in res.summary["reconciliation"]["by_model"]}
    # list: Sep 10x3 + 20x0.3 + 2x3.75 + 1x15 = 58.5; Oct 11x3 + 22x0.3 + 1x6 + 1.1x15 = 62.1
    assert rec["claude-sonnet-4-5"]["priced"] == pytest.approx(120.6)
    assert rec["claude-sonnet-4-5"]["reported"] == pytest.approx(132.66)  # 1.1x regional
    assert rec["claude-haiku-3-5"]["priced"] == pytest.approx(8.0)
    assert rec["claude-haiku-3-5"]["difference"] == pytest.approx(0.0, abs=1e-9)
    warnings = res.summary["warnings"]
    gap = [w for w in warnings if w.startswith("reconciliation gap")]
    assert len(gap) == 1 and "claude-sonnet-4-5" in gap[0] and "1.1x premium" in gap[0]
    assert "+10.0%" in gap[0]
    assert any("claude-opus-3" in w and "$15.00" in w for w in warnings)  # retired, named
    assert "1 rows from other services ignored" in warnings  # the Llama row
    assert any("Units as 1,000 token(s)" in w for w in warnings)
    assert any("Units as 1 token(s)" in w for w in warnings)


def test_focus13_provider_columns_and_structured_sku_details() -> None:
    res = import_focus(REAL / "focus13_anthropic.csv")
    sonnet, haiku = sorted(res.scenario.workloads, key=lambda w: w.model, reverse=True)
    assert sonnet.model == "claude-sonnet-4-5" and haiku.model == "claude-haiku-4-5"
    # October prompt: 4M input + 30M read + 2M 5m write + 1M 1h write = 37M
    assert sonnet.cache_read_share == pytest.approx(30 / 37, abs=1e-6)
    assert sonnet.cache_write_share == pytest.approx(3 / 37, abs=1e-6)
    assert sonnet.cache_ttl == "5m"
    assert haiku.cache_read_share == pytest.approx(10 / 12, abs=1e-6)  # "Cached Input Tokens"
    rec = res.summary["reconciliation"]
    assert rec["priced_total"] == pytest.approx(75.0)  # 30 + 12 + 9 + 7.5 + 6 + 7.5 + 1 + 2
    assert rec["difference_total"] == pytest.approx(0.0, abs=1e-9)
    assert not [w for w in res.summary["warnings"] if "gap" in w or "other services" in w]


def test_focus_cache_read_priced_as_uncached_would_show_a_gap(tmp_path: Path) -> None:
    """A cache row the importer could not classify must not reconcile silently."""
    text = (REAL / "focus13_anthropic.csv").read_text(encoding="utf-8")
    # strip the structured details: the generic "Claude Sonnet 4.5 Tokens" meter says nothing
    f = tmp_path / "x.csv"
    f.write_text(text.replace('""TokenCacheAction"": ""Read""', '""x_Note"": ""hit""'), "utf-8")
    res = import_focus(f)
    gap = [w for w in res.summary["warnings"] if w.startswith("reconciliation gap")]
    # 30M cache reads read as uncached input: priced 90 instead of 9
    assert len(gap) == 1 and "unexplained" in gap[0]
    rows = {r["model"]: r for r in res.summary["reconciliation"]["by_model"]}
    assert rows["claude-sonnet-4-5"]["priced"] == pytest.approx(72.0 - 9.0 + 90.0)


def test_focus_no_claude_rows_says_what_was_seen(tmp_path: Path) -> None:
    f = tmp_path / "aws.csv"
    lines = (REAL / "focus10_bedrock.csv").read_text(encoding="utf-8").splitlines()
    f.write_text("\n".join([lines[0], lines[-1]]) + "\n", encoding="utf-8")
    with pytest.raises(ImportDataError) as exc:
        import_focus(f)
    msg = str(exc.value.problems[0])
    assert "no Claude usage rows: 1 row(s) from other services" in msg
    assert "Amazon Bedrock / AWS" in msg and "ServiceProviderName" in msg


def test_admin_api_grouped_by_speed_and_accounts() -> None:
    res = import_anthropic_usage(
        [REAL / "usage_by_speed_account.json"], cost_report=[REAL / "cost_by_description.json"]
    )
    assert res.summary["rows_skipped"] == 0
    (w,) = res.scenario.workloads
    # per day 1.0M + 0.2M + 0.5M uncached: none of the three rows is a duplicate
    # two days (November 1-2, at 1/30 of November), grown to December's middle 1.5 - 1/30 months
    # on: the fallback fit's rate 0 and trend sd 0.02 give exp(0.02^2 (1.5 - 1/30)^2 / 2)
    grow = math.exp(0.02**2 * (1.5 - 1 / 30) ** 2 / 2)
    assert w.requests_per_month == pytest.approx(1.7e6 / 2000 * 30.4375 * grow, abs=1e-3)
    # standard 1M x $5 + 0.1M x $25 = 7.5; fast (0.2 x 5 + 0.02 x 25) x 6 = 9; service 2.5
    rec = res.summary["reconciliation"]
    assert rec["priced_total"] == pytest.approx(2 * 19.0)
    assert rec["reported_total"] == pytest.approx(38.0)
    assert rec["other_costs"] == pytest.approx({"web_search": 2.40})
    warnings = res.summary["warnings"]
    assert any("440,000 fast-mode tokens of claude-opus-4-6 priced at 6x" in w for w in warnings)
    assert any("240 web_search_requests (about $2.40" in w for w in warnings)
    assert any("claude-3-opus-20240229" in w and "300,000" in w for w in warnings)
    assert not [x for x in warnings if x.startswith("reconciliation gap")]


def test_admin_api_cost_report_without_descriptions_is_flagged() -> None:
    res = import_anthropic_usage(
        [REAL / "usage_by_speed_account.json"],
        cost_report=[REAL / "cost_not_by_description.json"],
    )
    warnings = res.summary["warnings"]
    assert any("not grouped by description" in w for w in warnings)
    rows = {r["model"]: r for r in res.summary["reconciliation"]["by_model"]}
    assert rows["unattributed"]["reported"] == pytest.approx(38.0)


def test_litellm_spend_log_start_time_and_model_column() -> None:
    res = import_requests(REAL / "litellm_spend_logs.csv")
    by_model = {w.model: w for w in res.scenario.workloads}
    assert set(by_model) == {"claude-sonnet-4-5", "claude-haiku-4-5"}
    sonnet, haiku = by_model["claude-sonnet-4-5"], by_model["claude-haiku-4-5"]
    # 3 arrivals in 60 s = 0.05/s = 131,490 a month; sonnet has 3 of the 4 requests
    assert sonnet.requests_per_month == pytest.approx(131_490 * 3 / 4)
    assert haiku.requests_per_month == pytest.approx(131_490 / 4)
    assert sonnet.input_tokens == 3000.0 and sonnet.output_tokens == pytest.approx(300.0)
    assert haiku.input_tokens == 1000.0
    assert sonnet.id == "litellm-spend-logs-claude-sonnet-4-5"


def test_anthropic_style_log_adds_cache_columns_to_the_prompt() -> None:
    res = import_requests(REAL / "anthropic_messages_log.csv")
    (w,) = res.scenario.workloads
    # input_tokens (mean 116) excludes cache: whole prompts 8120, 8100, 8130, 8114
    assert w.input_tokens == pytest.approx(8116.0)
    assert w.cache_read_share == pytest.approx(24_000 / 32_464, abs=1e-6)
    assert w.cache_write_share == pytest.approx(8_000 / 32_464, abs=1e-6)
    assert "excludes cached tokens" in res.summary["prompt_rule"]


def test_request_log_with_unknown_model_names_line(tmp_path: Path) -> None:
    f = tmp_path / "log.csv"
    f.write_text(
        "startTime,model,prompt_tokens,completion_tokens\n"
        "2026-11-03 09:00:00,claude-sonnet-4-5,10,1\n"
        "2026-11-03 09:00:10,claude-3-opus-20240229,10,1\n"
        "2026-11-03 09:00:20,claude-sonnet-4-5,10,1\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportDataError) as exc:
        import_requests(f)
    (p,) = exc.value.problems
    assert (p.line, p.path, p.value) == (3, "model", "claude-3-opus-20240229")
    assert "retired" in p.message
    res = import_requests(f, bad_rows="skip")
    assert res.summary["rows_used"] == 2 and len(res.scenario.workloads) == 1
