"""Imported forecasts start one month after the data: month 0 carries one month of growth.

The scenario an importer writes starts the month after the last month of data, and the forecast
does not grow month 0 (``v_0 = requests_per_month``), so the importer grows the last month's
requests by ``(1 + rate) exp(trend_sd^2 / 2)``, the forecast's own ``E[v_1] / v_0``. Hand-built
FOCUS exports with known growth check it to the request and the dollar.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simulator.forecast.adoption import expected_volumes
from simulator.forecast.montecarlo import simulate
from simulator.scenario import load_scenario
from simulator.usage import import_focus
from simulator.usage.fitting import growth_multiplier
from simulator.usage.refresh import refresh

HEADER = (
    "BilledCost,EffectiveCost,ListCost,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,"
    "ServiceCategory,ServiceName,Provider,SkuId,SkuMeter,ConsumedQuantity,ConsumedUnit,"
    "PricingCategory,SubAccountId,CommitmentDiscountStatus"
)
AVG = 365.25 / 12  # 30.4375 days: the importer scales the last month to an average month
PER_DAY = 1e9  # input tokens a day in January 2026; output is a tenth of input
# Sonnet 4.5: $3 input + $15 x 0.1 output per million input tokens = $4,500 per 1e9 a day
DOLLARS_PER_DAY = 4500.0


def _focus(tmp: Path, per_day: list[float], end: dt.date | None = None) -> Path:
    """Monthly FOCUS rows from January 2026, ``per_day[i]`` input tokens a day in month i.

    ``end`` cuts the last month short (its rows cover ``[1st, end)``).
    """
    rows = [HEADER]
    for i, v in enumerate(per_day):
        lo = dt.date(2026, i + 1, 1)
        hi = dt.date(2026, i + 2, 1) if i + 1 < len(per_day) or end is None else end
        days = (hi - lo).days
        for sku, meter, share, price in (
            ("input-tokens", "Input Tokens", 1.0, 3.0),
            ("output-tokens", "Output Tokens", 0.1, 15.0),
        ):
            mtok = v * share * days / 1e6
            cost = f"{mtok * price:.6f}"
            rows.append(
                f"{cost},{cost},{cost},Usage,{lo}T00:00:00Z,{hi}T00:00:00Z,"
                f"AI and Machine Learning,Claude API,Anthropic,claude-sonnet-4-5-{sku},{meter},"
                f"{mtok:.9f},1M Tokens,Standard,acct,"
            )
    path = tmp / "focus.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_steady_ten_percent_month0_is_last_month_grown_one_month(tmp_path: Path) -> None:
    # January-June 2026 at exactly 10% a month (per day, so month length is not growth)
    res = import_focus(_focus(tmp_path, [PER_DAY * 1.1**i for i in range(6)]))
    s = res.scenario
    (w,) = s.workloads
    assert s.start == "2026-07"  # the month after the data
    assert w.growth.monthly_rate == pytest.approx(0.10, abs=1e-9)
    assert w.growth.volatility == pytest.approx(0.0, abs=1e-9)
    assert w.growth.trend_sd == pytest.approx(0.0, abs=1e-9)
    # June: 1.1^5 x 1e9 input tokens a day, 30.4375 days, 2,000 tokens a request = 26,960,943.97
    # requests, grown one month: 1.61051 x 30.4375 x 500,000 x 1.1 = 26,960,943.97
    june = PER_DAY * 1.1**5 * AVG / 2000
    (info,) = res.summary["workloads"]
    assert info["requests_last_month"] == pytest.approx(24_509_949.06, abs=0.01)
    assert june == pytest.approx(24_509_949.06, abs=0.01)
    assert w.requests_per_month == pytest.approx(26_960_943.969, abs=2e-3)
    assert w.requests_per_month == pytest.approx(june * 1.10, abs=2e-3)
    assert info["months_ahead"] == 1.0 and info["month0_growth"] == pytest.approx(1.1, abs=1e-9)
    # tokens per request are June's, not grown: 2,000 in, 200 out
    assert w.input_tokens == 2000.0 and w.output_tokens == pytest.approx(200.0, abs=1e-9)
    # the forecast's month 0 is deterministic: June's cost per average month, 1.61051 x $4,500
    # x 30.4375 = $220,589.54, times 1.10 = $242,648.50 on every path; month 1 is 1.1x that
    f = simulate(s, paths=200, seed=1)
    june_cost = 1.1**5 * DOLLARS_PER_DAY * AVG
    assert june_cost == pytest.approx(220_589.54, abs=0.01)
    assert float(f.spend[:, 0].mean()) == pytest.approx(242_648.50, rel=2e-6)
    assert float(f.spend[:, 0].mean()) == pytest.approx(june_cost * 1.10, rel=2e-6)
    assert np.ptp(f.spend[:, 0]) <= 1e-6 * 242_648.50
    ev = expected_volumes(s)[0]
    assert ev[1] / ev[0] == pytest.approx(1.1, rel=1e-12)


def test_partial_last_month_grows_from_the_middle_of_its_days(tmp_path: Path) -> None:
    # June has only its first 15 days (centred at day 7.5 of 30, 0.25 of the month): a 10%
    # history sampled there is 1.1^4.75 a day; July's middle is 1.25 months later
    per_day = [PER_DAY * 1.1**i for i in range(5)] + [PER_DAY * 1.1**4.75]
    res = import_focus(_focus(tmp_path, per_day, end=dt.date(2026, 6, 16)))
    (w,) = res.scenario.workloads
    assert res.scenario.start == "2026-07"
    assert w.growth.monthly_rate == pytest.approx(0.10, abs=1e-9)
    (info,) = res.summary["workloads"]
    assert info["months_ahead"] == pytest.approx(1.25, abs=1e-12)
    # month 0 = July's true volume, 1.1^6 x 1e9 a day: the same 26,960,943.97 requests as a
    # full June gives (growing one month would give 1.1^5.75: 26,326,124.00, 2.4% short)
    assert w.requests_per_month == pytest.approx(26_960_943.969, abs=2e-3)
    short = PER_DAY * 1.1**5.75 * AVG / 2000
    assert short == pytest.approx(26_326_124.00, abs=0.01)
    assert w.input_tokens == 2000.0 and w.output_tokens == pytest.approx(200.0, abs=1e-9)


def test_uncertain_trend_adds_its_lognormal_mean(tmp_path: Path) -> None:
    # four months at 1.00, 1.08, 1.20, 1.29 a day (x 1e9): the fit by hand
    v = [1.00, 1.08, 1.20, 1.29]
    res = import_focus(_focus(tmp_path, [PER_DAY * x for x in v]))
    (w,) = res.scenario.workloads
    d = np.diff(np.log(v))
    m, s = float(d.mean()), float(d.std(ddof=1))
    widen = float(stats.t.ppf(0.9, 2) / stats.norm.ppf(0.9))
    rate = math.exp(m + (widen * s) ** 2 / 2) - 1
    tau = widen * s / math.sqrt(3)
    assert 0.0 < tau < 0.05  # below the cap, so the formula applies as is
    assert w.growth.monthly_rate == pytest.approx(rate, abs=1e-6)
    assert w.growth.trend_sd == pytest.approx(tau, abs=1e-6)
    # April (30 days): 1.29e9 x 30.4375 / 2,000 = 19,632,187.5 requests
    april = 1.29 * PER_DAY * AVG / 2000
    assert april == pytest.approx(19_632_187.5)
    want = april * (1 + rate) * math.exp(tau**2 / 2)
    # rel 1e-6: the scenario stores the rate to 6 decimals
    assert w.requests_per_month == pytest.approx(want, rel=1e-6)
    # the trend term is there: without it month 0 would be 19,632,187.5 x (1 + rate) only
    assert abs(w.requests_per_month - april * (1 + rate)) > 1000
    # the trend has run one month at month 0 (April measured, May is month 0): month 0 is
    # uncertain (log sd tau) and its mean spend is April's cost per average month grown the
    # same way, within Monte Carlo error
    assert w.growth.trend_elapsed_months == pytest.approx(1.0, abs=1e-12)
    f = simulate(res.scenario, paths=20_000, seed=1)
    april_cost = 1.29 * DOLLARS_PER_DAY * AVG
    month0 = f.spend[:, 0]
    se = float(month0.std() / math.sqrt(len(month0)))
    assert abs(float(month0.mean()) - april_cost * (1 + rate) * math.exp(tau**2 / 2)) < 4 * se
    assert float(np.log(month0).std()) == pytest.approx(tau, rel=0.03)
    # and month 11 keeps the trend's doubt from April: (1 + rate)^12 exp(tau^2 12^2 / 2)
    want11 = april_cost * (1 + rate) ** 12 * math.exp(tau**2 * 144 / 2)
    se11 = float(f.spend[:, 11].std() / math.sqrt(len(month0)))
    assert abs(float(f.spend[:, 11].mean()) - want11) < 4 * se11 + 1e-5 * want11


def test_growth_multiplier_closed_form() -> None:
    assert growth_multiplier(0.1, 0.0, 1.0) == pytest.approx(1.1, rel=1e-15)
    assert growth_multiplier(0.1, 0.2, 2.0) == pytest.approx(1.21 * math.exp(0.08), rel=1e-15)
    assert growth_multiplier(0.1, 0.2, 0.0) == 1.0
    # backwards only the rate applies
    assert growth_multiplier(0.1, 0.2, -1.0) == pytest.approx(1 / 1.1, rel=1e-15)


REFRESH_SCENARIO = """\
schema_version: 1
name: Refresh projection
start: {start}
horizon_months: 12
simulation: {{paths: 200, seed: 3}}
workloads:
  - id: wrkspc-a-claude-sonnet-4-5
    model: claude-sonnet-4-5
    requests_per_month: 1000000
    input_tokens: 2000
    output_tokens: 300
    growth: {{monthly_rate: 0.01, volatility: 0.03}}
levers: []
capacity:
  waves:
    - {{name: Wave 1, start_month: 0, duration_months: 1, engineering_weeks: 3}}
contract:
  term_months: 12
  tiers: [{{min_commit: 0, discount: 0}}, {{min_commit: 100000, discount: 0.1}}]
"""


def _usage(tmp: Path) -> Path:
    """Six months (Jan-Jun 2026) of two workspaces with uneven growth, so trend_sd > 0."""
    buckets = []
    for i, (a, b) in enumerate(
        zip([1.0, 1.1, 1.15, 1.3, 1.4, 1.6], [1.0, 1.2, 1.3, 1.3, 1.5, 1.6], strict=True)
    ):
        days = (dt.date(2026, i + 2, 1) - dt.date(2026, i + 1, 1)).days
        rows = [
            {
                "uncached_input_tokens": round(x * 1e8 * days),
                "cache_creation": {"ephemeral_5m_input_tokens": 0},
                "cache_read_input_tokens": 0,
                "output_tokens": round(x * 1e7 * days),
                "model": "claude-sonnet-4-5",
                "service_tier": "standard",
                "context_window": "0-200k",
                "workspace_id": ws,
            }
            for ws, x in (("wrkspc_a", a), ("wrkspc_b", b))
        ]
        buckets.append(
            {
                "starting_at": f"2026-{i + 1:02d}-01T00:00:00Z",
                "ending_at": f"2026-{i + 2:02d}-01T00:00:00Z",
                "results": rows,
            }
        )
    path = tmp / "usage.json"
    path.write_text(json.dumps({"data": buckets, "has_more": False, "next_page": None}))
    return path


def test_refresh_projects_last_month_once_for_refit_and_added(tmp_path: Path) -> None:
    # the scenario starts September 2026: three months after June, the last month of data
    scen = tmp_path / "s.yaml"
    scen.write_text(REFRESH_SCENARIO.format(start="2026-09"), encoding="utf-8")
    res = refresh(load_scenario(scen), [_usage(tmp_path)], paths=200)
    a, b = res.scenario.workloads
    assert res.added == ["wrkspc-b-claude-sonnet-4-5"] and b.id == res.added[0]
    for w, x in ((a, 1.6), (b, 1.6)):
        assert w.growth.trend_sd > 0
        june = x * 1e8 * AVG / 2000  # June's prompt tokens per average month / 2,000
        want = june * (1 + w.growth.monthly_rate) ** 3 * math.exp(w.growth.trend_sd**2 * 9 / 2)
        assert w.requests_per_month == pytest.approx(want, rel=1e-6)
        assert w.input_tokens == 2000.0
    # the added workload was imported at July (grown one month); refresh re-projects June to
    # September, not July to September on top: 3 months of growth, not 4
    g = 1 + b.growth.monthly_rate
    assert b.requests_per_month < 1.6e8 * AVG / 2000 * g**3.5
