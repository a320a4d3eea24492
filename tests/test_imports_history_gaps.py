"""Usage histories with a mid-export start and with missing daily buckets (Admin API layout).

Daily buckets from 2026-05-01 to 2026-11-01 of traffic growing exactly 5% a month
(continuously: ``v(day) = v0 1.05^(day / 30.4375)``). The fit must find 5% for a workload that
starts on 2026-08-17 (its first month counted from that day) and for an export with ten daily
buckets missing (missing, not zero), and the summary must say so in both cases.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from simulator.usage import import_anthropic_usage

START, END = dt.date(2026, 5, 1), dt.date(2026, 11, 1)


def _row(ws: str, tokens: int) -> dict[str, object]:
    return {
        "uncached_input_tokens": tokens,
        "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": 0,
        "server_tool_use": {"web_search_requests": 0},
        "model": "claude-sonnet-4-5-20250929",
        "service_tier": "standard",
        "context_window": "0-200k",
        "workspace_id": ws,
        "api_key_id": None,
        "inference_geo": None,
    }


def _export(
    tmp_path: Path, late_start: dt.date | None = None, drop: set[dt.date] | None = None
) -> Path:
    buckets = []
    day = START
    while day < END:
        if drop is None or day not in drop:
            k = (day - START).days
            results = [_row("wrkspc_a", round(1e6 * 1.05 ** (k / 30.4375)))]
            if late_start is not None and day >= late_start:
                results.append(_row("wrkspc_b", round(2e6 * 1.05 ** (k / 30.4375))))
            nxt = day + dt.timedelta(days=1)
            buckets.append(
                {
                    "starting_at": f"{day}T00:00:00Z",
                    "ending_at": f"{nxt}T00:00:00Z",
                    "results": results,
                }
            )
        day += dt.timedelta(days=1)
    path = tmp_path / "usage.json"
    path.write_text(json.dumps({"data": buckets, "has_more": False, "next_page": None}), "utf-8")
    return path


def test_complete_export_fits_five_percent(tmp_path: Path) -> None:
    res = import_anthropic_usage([_export(tmp_path)])
    (w,) = res.scenario.workloads
    assert w.growth.monthly_rate == pytest.approx(0.05, abs=0.002)
    assert w.growth.volatility < 0.01
    assert not [x for x in res.summary["warnings"] if "no data" in x]


def test_workload_starting_mid_month_is_counted_from_its_first_day(tmp_path: Path) -> None:
    # the old fit divided B's August (15 days of traffic) by 31 days: 20.2% and volatility 0.43
    res = import_anthropic_usage([_export(tmp_path, late_start=dt.date(2026, 8, 17))])
    a, b = res.scenario.workloads
    assert b.id == "wrkspc-b-claude-sonnet-4-5"
    assert b.growth.monthly_rate == pytest.approx(0.05, abs=0.003)
    assert a.growth.monthly_rate == pytest.approx(0.05, abs=0.002)
    assert any(
        "first usage on 2026-08-17" in x and "15 day(s)" in x for x in res.summary["warnings"]
    )


def test_missing_daily_buckets_are_missing_not_zero(tmp_path: Path) -> None:
    drop = {dt.date(2026, 6, d) for d in range(3, 10)} | {dt.date(2026, 9, d) for d in (2, 3, 4)}
    res = import_anthropic_usage([_export(tmp_path, drop=drop)])
    (w,) = res.scenario.workloads
    # counted as zero usage these ten days gave 6.2% and volatility 0.28 (issue 13)
    assert w.growth.monthly_rate == pytest.approx(0.05, abs=0.002)
    assert w.growth.volatility < 0.01
    (msg,) = [x for x in res.summary["warnings"] if "no data" in x]
    assert msg.startswith("10 day(s) inside the window have no data (2026-06-03")
    assert "treated as missing, not as zero usage" in msg
