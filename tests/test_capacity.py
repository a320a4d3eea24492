"""Capacity products end to end: scenario field, reservable units, per-minute demand, sizing,
the Azure request traces, 1-minute usage buckets, the CLI and the memo."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from simulator import load_scenario, loads_scenario, simulate, size_reservation
from simulator.catalog.prices import load_catalog, month_start
from simulator.commitment.reservation import RESERVATION_KEYS
from simulator.commitment.reservation_errors import RESERVATION_SE_KEYS
from simulator.decision.capacity import SCALE, capacity_report
from simulator.errors import ImportDataError, ScenarioError
from simulator.forecast.minute_demand import (
    MINUTES_PER_MONTH,
    WEEK_MINUTES,
    minute_demand,
    monthly_units,
    week_shape,
)
from simulator.output.capacity_text import compact, compact_money
from simulator.output.formatting import money, pct
from simulator.pricing.reservable import reservable_per_request
from simulator.scenario import CapacityProduct, DemandProfile, Workload
from simulator.usage.minute_logs import request_log_demand, usage_report_demand
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "scenarios" / "reserved-capacity.yaml"
DEFAULT = ROOT / "scenarios" / "default.yaml"
AZURE = Path("/work/shared/data/azure-llm-inference-trace-2023")
AZURE_CODE = AZURE / "AzureLLMInferenceTrace_code.csv"
AZURE_CONV = AZURE / "AzureLLMInferenceTrace_conv.csv"
needs_azure = pytest.mark.skipif(not AZURE_CODE.exists(), reason="Azure traces not present")


def product(**kw: object) -> CapacityProduct:
    base: dict[str, object] = {
        "name": "p",
        "model": "claude-sonnet-4-5",
        "unit": "input_tpm",
        "price_per_unit_month": 0.08,
    }
    return CapacityProduct.model_validate(base | kw)


# -- the scenario field ------------------------------------------------------------------------


def test_bundled_scenario_round_trips() -> None:
    s = load_scenario(BUNDLED)
    assert [p.name for p in s.capacity_products] == [
        "Sonnet reserved input",
        "Sonnet reserved output",
    ]
    p = s.capacity_products[0]
    assert (p.unit, p.minimum, p.increment, p.term_months) == ("input_tpm", 100000, 10000, 6)
    text = s.to_yaml()
    assert "# Reserved input tokens per minute on Sonnet" in text  # comments survive
    again = loads_scenario(text)
    assert again.model_dump() == s.model_dump()
    s.capacity_products[1].price_per_unit_month = 0.5
    assert loads_scenario(s.to_yaml()).capacity_products[1].price_per_unit_month == 0.5


def _with_products(block: str) -> str:
    return DEFAULT.read_text() + "capacity_products:\n" + block


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            "  - {name: a, model: claude-sonet-4-5, unit: input_tpm, price_per_unit_month: 1}\n",
            ":+1: capacity_products.0.model: unknown model; see `commitsim catalog` (did you "
            "mean claude-sonnet-4-5?) (got 'claude-sonet-4-5')",
        ),
        (
            "  - {name: a, model: claude-sonnet-4-5, unit: tpm, price_per_unit_month: 1}\n",
            ":+1: capacity_products.0.unit: must be 'input_tpm', 'output_tpm' or "
            "'usd_per_minute' (got 'tpm')",
        ),
        (
            "  - name: a\n    model: claude-sonnet-4-5\n    unit: input_tpm\n"
            "    price_per_unit_month: 1\n    workloads: [coding-agnet]\n",
            ":+5: capacity_products.0.workloads.0: no workload with this id (did you mean "
            "coding-agent?) (got 'coding-agnet')",
        ),
        (
            "  - name: a\n    model: claude-sonnet-4-5\n    unit: input_tpm\n"
            "    price_per_unit_month: 1\n    start_month: 30\n    term_months: 12\n",
            ":+6: capacity_products.0.term_months: reservation ends after the horizon (36 "
            "months); shorten the term or lengthen horizon_months (got 12)",
        ),
        (
            "  - name: a\n    model: claude-sonnet-4-5\n    unit: input_tpm\n"
            "    price_per_unit_month: 1\n    increment: 0\n",
            ":+5: capacity_products.0.increment: must be > 0 (got 0)",
        ),
        (
            "  - {name: a, model: claude-sonnet-4-5, unit: input_tpm, price_per_unit_month: 1}\n"
            "  - {name: a, model: claude-sonnet-4-5, unit: output_tpm, price_per_unit_month: 1}\n",
            ":+2: capacity_products.1.name: duplicate name (got 'a')",
        ),
        (
            "  - {name: a, model: claude-haiku-3-5, unit: input_tpm, price_per_unit_month: 1}\n",
            ":+1: capacity_products.0.model: no workload runs on this model (nor is routed to "
            "it), so nothing would use the reservation (got 'claude-haiku-3-5')",
        ),
    ],
)
def test_bad_products_are_located(block: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        loads_scenario(_with_products(block), "s.yaml")
    # line numbers counted from the `capacity_products:` line, wherever default.yaml ends
    head = DEFAULT.read_text().count("\n") + 1
    offset = int(expected.split(":")[1])
    where = f"s.yaml:{head + offset}:" + expected.split(":", 2)[2]
    assert [str(p) for p in exc.value.problems] == [where]


def test_profile_needs_24_hours_and_some_traffic() -> None:
    with pytest.raises(ValueError):
        DemandProfile(hourly=[1.0] * 23)
    with pytest.raises(ValueError):
        DemandProfile(weekday=[0.0] * 7)


# -- reservable units --------------------------------------------------------------------------


def test_reservable_units_by_hand() -> None:
    cat = load_catalog("anthropic-2026-11")
    rates = {"claude-sonnet-4-5": cat.rates("claude-sonnet-4-5", month_start("2027-01", 0))}
    w = Workload(
        id="w",
        model="claude-sonnet-4-5",
        requests_per_month=1,
        input_tokens=1000,
        output_tokens=100,
        cache_read_share=0.5,
        cache_write_share=0.1,
        batch_share=0.2,
    )
    units, dollars = reservable_per_request(w, rates, product())
    # standard tier only (80%): 400 input + 500 x 0.1 cache reads + 100 x 1.25 cache writes
    assert units == pytest.approx(0.8 * (400 + 50 + 125))
    # list dollars of those tokens: 400 x $3 + 500 x $0.30 + 100 x $3.75 per million
    assert dollars == pytest.approx(0.8 * (400 * 3 + 500 * 0.3 + 100 * 3.75) / 1e6)
    out_units, out_dollars = reservable_per_request(w, rates, product(unit="output_tpm"))
    assert (out_units, out_dollars) == pytest.approx((80.0, 80 * 15 / 1e6))
    usd, usd2 = reservable_per_request(w, rates, product(unit="usd_per_minute"))
    assert usd == usd2 == pytest.approx(dollars + out_dollars)
    # long context (Sonnet has long-context rates): half the tokens weigh 2x input, 1.5x output
    lc = w.model_copy(update={"long_context_share": 0.5})
    assert reservable_per_request(lc, rates, product())[0] == pytest.approx(units * 1.5)
    assert reservable_per_request(lc, rates, product(unit="output_tpm"))[0] == pytest.approx(100)


def test_monthly_units_follow_the_forecast_draws() -> None:
    s = load_scenario(DEFAULT)
    p = product(model="claude-opus-4-5", unit="usd_per_minute", workloads=["support-chat"])
    units, dollars = monthly_units(s, p, None, paths=600)
    f = simulate(s, None, paths=600, keep_workloads=True)
    assert f.workload_spend is not None
    spend = f.workload_spend["support-chat"].astype(np.float64)
    np.testing.assert_allclose(units, spend, rtol=2e-6)
    np.testing.assert_allclose(dollars, units)


def test_plan_moves_traffic_out_of_the_reservation() -> None:
    s = load_scenario(DEFAULT)
    p = product(model="claude-opus-4-5", workloads=["doc-summaries"])
    before, _ = monthly_units(s, p, None, paths=400)
    after, _ = monthly_units(s, p, {"batch-doc-summaries": 0}, paths=400)
    ship = s.capacity.waves[0].ship_month
    np.testing.assert_allclose(after[:, :ship], before[:, :ship])
    # batch moves 60-95% of the traffic (95% quality check): the reservable rest shrinks
    ratio = after[:, ship:].mean() / before[:, ship:].mean()
    assert 0.05 < ratio < 0.5


def test_minute_demand_keeps_the_month_volume_and_shape() -> None:
    prof = DemandProfile(burstiness=0.0)
    shape = week_shape(prof)
    assert shape.size == WEEK_MINUTES and shape.mean() == pytest.approx(1.0)
    d = minute_demand(np.array([MINUTES_PER_MONTH * 10.0]), prof, np.random.default_rng(0))
    np.testing.assert_allclose(d[0], 10.0 * shape)
    assert d[0, 0] < d[0, 11 * 60]  # 11:00 Monday busier than midnight
    assert d[0, 5 * 1440 + 11 * 60] < d[0, 11 * 60]  # Saturday quieter than Monday
    bursty = minute_demand(
        np.full(400, MINUTES_PER_MONTH), DemandProfile(burstiness=0.8), np.random.default_rng(1)
    )
    assert bursty.mean() == pytest.approx(1.0, rel=0.01)
    assert bursty.max() / bursty.mean() > 5


# -- the report ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> object:
    s = load_scenario(BUNDLED)
    return capacity_report(s, {"route-support-sonnet": 0}, paths=1000)


def test_report_sizes_on_the_lattice_and_is_consistent(report: object) -> None:
    from simulator.decision.capacity import CapacityReport

    assert isinstance(report, CapacityReport)
    for ps in report.products:
        p, z = ps.product, ps.sized
        assert z.units == 0 or (z.units - p.minimum) % p.increment == 0
        assert z.units == 0 or z.units >= p.minimum
        assert z.critical_fractile == pytest.approx(
            p.price_per_unit_month / MINUTES_PER_MONTH / ps.overflow_price_per_unit
        )
        # the reservation fee over the term: units x monthly price x months
        assert ps.term(z.reservation_cost) == pytest.approx(
            z.units * p.price_per_unit_month * p.term_months
        )
        assert ps.term(1.0) == SCALE
        d = ps.to_dict()
        assert d["with_plan"]["units"] == z.units
        # sized before the plan and run after costs at least as much as sizing after it
        assert ps.unoptimised_on_plan.expected_cost >= z.expected_cost - 1e-9
    # routing support traffic to Sonnet (shipped before the term) raises Sonnet demand
    inp = report.products[0]
    assert inp.sized.continuous_optimum > 1.2 * inp.unoptimised.continuous_optimum
    assert inp.sized.units > inp.unoptimised.units
    data = report.to_dict()
    assert data["combined"]["total_cost_with_reservations"] == pytest.approx(report.total_with)
    assert report.served_list_spend > 0


# -- observed demand: the Azure traces and 1-minute usage ------------------------------------


def _csv_totals(path: Path) -> tuple[int, int, int]:
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    return (
        len(rows),
        sum(int(r["ContextTokens"]) for r in rows),
        sum(int(r["GeneratedTokens"]) for r in rows),
    )


@needs_azure
@pytest.mark.parametrize("trace", [AZURE_CODE, AZURE_CONV])
def test_azure_trace_import_to_sizing(trace: Path) -> None:
    n, prompt, generated = _csv_totals(trace)
    inp = request_log_demand(trace, product())
    out = request_log_demand(trace, product(unit="output_tpm"))
    assert inp.summary["requests"] == n
    # prompts above Sonnet's 200k threshold would weigh 2x; these traces have none
    assert inp.demand.sum() == pytest.approx(prompt)
    assert out.demand.sum() == pytest.approx(generated)
    assert 55 <= inp.demand.size <= 62  # one hour of minutes
    assert inp.overflow_price_per_unit == pytest.approx(3e-6)
    # size it and check against brute force over every allowed size
    r_min = 0.08 / MINUTES_PER_MONTH
    res = size_reservation(inp.demand, r_min, inp.overflow_price_per_unit, 100_000, 10_000)
    sizes = np.concatenate([[0.0], 100_000 + 10_000 * np.arange(200)])
    m = inp.demand.size
    costs = [r_min * c * m + 3e-6 * np.maximum(inp.demand - c, 0).sum() for c in sizes]
    assert res.units == sizes[int(np.argmin(costs))]
    assert res.expected_cost == pytest.approx(min(costs))
    assert res.overflow_share < 1.0 and 0 < res.utilisation <= 1.0


@needs_azure
def test_azure_trace_through_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["capacity", str(BUNDLED), "--requests-log", str(AZURE_CODE), "--json"]
    assert run_cli(args, monkeypatch) == 0
    data = json.loads(capsys.readouterr().out)
    by_name = {p["name"]: p for p in data["products"]}
    sized = by_name["Sonnet reserved input"]["sizing"]
    assert sized["units"] == 0 or (sized["units"] - 100_000) % 10_000 == 0
    demand = request_log_demand(AZURE_CODE, load_scenario(BUNDLED).capacity_products[0])
    direct = size_reservation(
        demand.demand, 0.085 / MINUTES_PER_MONTH, demand.overflow_price_per_unit, 100000, 10000
    )
    assert sized["units"] == direct.units
    assert sized["expected_cost"] == pytest.approx(direct.expected_cost)


def _bucket(start: str, end: str, rows: list[dict[str, object]]) -> dict[str, object]:
    return {"starting_at": start, "ending_at": end, "results": rows}


def test_one_minute_usage_buckets(tmp_path: Path) -> None:
    row = {
        "model": "claude-sonnet-4-5-20250929",
        "service_tier": "standard",
        "context_window": "0-200k",
        "uncached_input_tokens": 1000,
        "cache_read_input_tokens": 2000,
        "cache_creation": {"ephemeral_5m_input_tokens": 400, "ephemeral_1h_input_tokens": 100},
        "output_tokens": 50,
    }
    batch = row | {"service_tier": "batch"}
    other = row | {"model": "claude-opus-4-5"}
    page = {
        "data": [
            _bucket("2026-11-02T10:00:00Z", "2026-11-02T10:01:00Z", [row, batch, other]),
            _bucket("2026-11-02T10:02:00Z", "2026-11-02T10:03:00Z", [row]),
        ],
        "has_more": False,
    }
    f = tmp_path / "u.json"
    f.write_text(json.dumps(page, indent=1))
    md = usage_report_demand([f], product())
    one = 1000 + 2000 * 0.1 + 400 * 1.25 + 100 * 2.0
    np.testing.assert_allclose(md.demand, [one, 0.0, one])  # the empty minute counts as zero
    dollars = (1000 * 3 + 2000 * 0.3 + 400 * 3.75 + 100 * 6) / 1e6
    assert md.overflow_price_per_unit == pytest.approx(dollars / one)
    page["data"][1]["ending_at"] = "2026-11-02T11:02:00Z"  # an hourly bucket
    f.write_text(json.dumps(page, indent=1))
    with pytest.raises(ImportDataError) as exc:
        usage_report_demand([f], product())
    msg = str(exc.value.problems[0])
    assert msg.startswith(f"{f}:") and "1-minute buckets" in msg and "data[1].starting_at" in msg


# -- the CLI and the memo ------------------------------------------------------------------------


def test_cli_capacity_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["capacity", str(BUNDLED), "--paths", "400", "--product", "Sonnet reserved output"]
    assert run_cli([*args, "--json"], monkeypatch) == 0
    data = json.loads(capsys.readouterr().out)
    (p,) = data["products"]
    assert p["name"] == "Sonnet reserved output" and p["unit"] == "output_tpm"
    for key in ("units", "expected_cost", "utilisation", "overflow_share", "cvar95_cost"):
        assert key in p["with_plan"] and key in p["without_plan"]
    for block in ("with_plan", "without_plan", "sized_before_plan_cost_after_plan"):
        assert set(RESERVATION_KEYS) | set(RESERVATION_SE_KEYS) <= set(p[block])
    w = p["with_plan"]
    assert w["expected_cost_se"] > 0 and w["units_se"] > 0 and 0 < w["overflow_share_se"] < 0.2
    # the se is of term dollars, like the figure: well under the figure itself
    assert w["expected_cost_se"] < 0.2 * w["expected_cost"]
    # units given (sized before the plan): no se for the size
    assert p["sized_before_plan_cost_after_plan"]["units_se"] is None
    assert data["combined"]["total_cost_without_reservations"] > 0
    assert run_cli(args, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "output tokens/min" in out
    assert f"{w['units']:,.0f} output tokens/min ± {compact(w['units_se'])}" in out
    assert f"Expected cost over the term {compact_money(w['expected_cost'])} ± " in out
    assert f"{money(w['expected_cost'])} ± {money(w['expected_cost_se'])}" in out
    assert f"{pct(w['overflow_share'])} ± " in out and " pp" in out


def test_cli_observed_demand_has_no_standard_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    row = {
        "model": "claude-sonnet-4-5-20250929",
        "service_tier": "standard",
        "context_window": "0-200k",
        "uncached_input_tokens": 150_000,
        "output_tokens": 20_000,
    }
    buckets = [
        _bucket(f"2026-11-02T10:{m:02d}:00Z", f"2026-11-02T10:{m + 1:02d}:00Z", [row])
        for m in range(30)
    ]
    f = tmp_path / "u.json"
    f.write_text(json.dumps({"data": buckets, "has_more": False}))
    args = [
        "capacity",
        str(BUNDLED),
        "--usage-report",
        str(f),
        "--product",
        "Sonnet reserved input",
    ]
    assert run_cli([*args, "--json"], monkeypatch) == 0
    sizing = json.loads(capsys.readouterr().out)["products"][0]["sizing"]
    # one observed series: the standard errors are undefined (null), never 0
    assert all(sizing[k] is None for k in RESERVATION_SE_KEYS)
    assert set(RESERVATION_KEYS) <= set(sizing)
    assert run_cli(args, monkeypatch) == 0
    assert "± n/a" in capsys.readouterr().out


def test_cli_capacity_refuses_what_it_cannot_size(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["capacity", str(DEFAULT)], monkeypatch) == 2
    assert "has no capacity_products" in capsys.readouterr().err
    assert run_cli(["capacity", str(BUNDLED), "--product", "nope"], monkeypatch) == 2
    assert "no capacity product named 'nope'" in capsys.readouterr().err


def test_memo_has_the_capacity_section() -> None:
    from simulator.decision.report import recommend
    from simulator.output.memo import render_memo

    rep = recommend(load_scenario(BUNDLED), paths=600)
    assert rep.capacity is not None and len(rep.capacity.products) == 2
    md = render_memo(rep, "md")
    assert "## Capacity reservations" in md
    z = rep.capacity.products[0].sized
    assert f"reserve {z.units:,.0f} input tokens/min ± {compact(z.units_se or 0.0)}" in md
    ps = rep.capacity.products[0]
    assert z.expected_cost_se is not None and z.expected_savings_se is not None
    cost = f"{money(ps.term(z.expected_cost))} ± {money(ps.term(z.expected_cost_se))}"
    assert f"expected cost over the term is {cost}" in md
    assert f"saves {money(ps.term(z.expected_savings))} ± " in md
    assert f"Expected utilisation {pct(z.utilisation)} ± " in md
    assert "capacity" in rep.to_dict()
    assert "## Capacity reservations" not in render_memo(
        recommend(load_scenario(DEFAULT), paths=600), "md"
    )
