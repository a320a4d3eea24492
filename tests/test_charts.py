"""Figure builders return plotly figures carrying the engine's numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from simulator.decision.report import Report, recommend
from simulator.decision.sensitivity import COLUMNS
from simulator.output import charts
from simulator.planning.backlog import backlog
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rep() -> Report:
    return recommend(load_scenario(ROOT / "scenarios" / "default.yaml"), paths=2000)


def _trace(fig: go.Figure, name: str) -> go.BaseTraceType:
    return next(t for t in fig.data if t.name == name)


def test_fan_chart_medians_and_bands_match_forecast(rep: Report) -> None:
    fig = charts.fan_chart(rep.forecast)
    assert isinstance(fig, go.Figure)
    opt, base = rep.forecast.monthly_frame(), rep.forecast.monthly_frame(baseline=True)
    np.testing.assert_allclose(_trace(fig, "Optimised median").y, opt["p50"])
    np.testing.assert_allclose(_trace(fig, "Unoptimised median").y, base["p50"])
    np.testing.assert_allclose(_trace(fig, "Optimised P10-P90").y, opt["p10"])
    assert len(fig.data) == 10  # 2 forecasts x (2 bands x 2 edges + median)
    assert _trace(fig, "Optimised median").x[0] == "2027-01"


def test_workload_chart_stacks_every_workload(rep: Report) -> None:
    fig = charts.workload_chart(rep.forecast)
    assert [t.name for t in fig.data] == list(rep.forecast.workload_mean)
    total = sum(np.asarray(t.y) for t in fig.data)
    np.testing.assert_allclose(total, rep.forecast.spend.mean(axis=0), rtol=1e-4)


def test_plan_charts(rep: Report) -> None:
    s, plan = rep.scenario, rep.plan
    gantt = charts.wave_gantt(s, plan)
    levers = sorted(y for t in gantt.data for y in t.y)
    assert levers == sorted(plan.assignment)
    wave1 = gantt.data[0]
    assert set(wave1.base) == {0} and set(wave1.x) == {2}
    effort = charts.effort_chart(s, plan)
    assert list(_trace(effort, "used").y) == plan.effort_used
    ramp = charts.savings_ramp(rep.forecast)
    saving = rep.forecast.baseline.mean(axis=0) - rep.forecast.spend.mean(axis=0)
    np.testing.assert_allclose(_trace(ramp, "cumulative").y[-1], saving.sum())
    ranking = backlog(s)
    bar = charts.backlog_chart(ranking)
    assert list(bar.data[0].y) == list(ranking["lever"][::-1])


def test_commitment_charts_mark_the_recommendation(rep: Report) -> None:
    fig = charts.commitment_curve(rep.commit)
    star = _trace(fig, "recommended")
    assert star.x[0] == rep.commit.recommended == 2_000_000
    assert star.y[0] == pytest.approx(rep.commit.expected_cost)
    assert "shortfall" in star.text[0]
    hist = charts.term_histogram(
        rep.optimized_term, rep.baseline_term, rep.commit.recommended, 3_500_000
    )
    assert len(hist.data) == 2 and len(hist.data[1].x) == 2000
    assert [s.x0 for s in hist.layout.shapes] == [2_000_000, 3_500_000]
    offers = charts.offers_chart(rep.offers, rep.commit)
    assert list(offers.data[0].x) == [5_000_000, 3_500_000]


def test_tornado_and_compare(rep: Report) -> None:
    import pandas as pd

    table = pd.DataFrame(
        [["Growth", "x0.5", "x1.5", 2e6, 3e6, 1e6, 3.5e6, 2.5e6, 2.5e6, 3.5e6]],
        columns=COLUMNS,
    )
    fig = charts.tornado_chart(table)
    assert list(fig.data[0].x) == [-1e6] and list(fig.data[1].x) == [1.5e6]
    assert list(fig.data[0].base) == [2e6]
    spend = charts.tornado_chart(table, "spend")
    assert list(spend.data[1].x) == [0.5e6]
    both = charts.compare_fans({"a": rep.forecast, "b": rep.forecast})
    assert [t.name for t in both.data if "median" in (t.name or "")] == ["a median", "b median"]
