"""Plotly figure builders for the front end; each returns a Figure and never shows it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from simulator.commitment import CommitRecommendation
from simulator.commitment.offers import OfferEvaluation
from simulator.forecast.montecarlo import Forecast
from simulator.planning.planner import Plan
from simulator.scenario import Scenario

MONEY = "$,.0f"
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
_BASE = "#888888"
_OPT = "#1f77b4"

Figure = Any  # plotly is untyped


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _layout(fig: Figure, title: str, x: str, y: str, money_y: bool = True) -> Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        hovermode="x unified" if money_y else "closest",
    )
    if money_y:
        fig.update_yaxes(tickformat="$,.3s")
    return fig


def _band(fig: Figure, x: Sequence[Any], lo: Any, hi: Any, color: str, name: str, a: float) -> None:
    fig.add_trace(
        go.Scatter(x=x, y=hi, mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip")
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=lo,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=_rgba(color, a),
            name=name,
            hovertemplate="%{y:" + MONEY + "}",
        )
    )


def fan_traces(fig: Figure, frame: pd.DataFrame, label: str, color: str) -> None:
    """Add P5-P95 and P10-P90 bands and the median of a ``monthly_frame`` to ``fig``."""
    x = list(frame["label"])
    _band(fig, x, frame["p5"], frame["p95"], color, f"{label} P5-P95", 0.15)
    _band(fig, x, frame["p10"], frame["p90"], color, f"{label} P10-P90", 0.3)
    fig.add_trace(
        go.Scatter(
            x=x,
            y=frame["p50"],
            mode="lines",
            line={"color": color, "width": 2},
            name=f"{label} median",
            hovertemplate="%{y:" + MONEY + "}",
        )
    )


def fan_chart(forecast: Forecast) -> Figure:
    """Monthly list spend, unoptimised vs optimised: P5-P95 and P10-P90 bands and medians."""
    fig = go.Figure()
    fan_traces(fig, forecast.monthly_frame(baseline=True), "Unoptimised", _BASE)
    fan_traces(fig, forecast.monthly_frame(), "Optimised", _OPT)
    return _layout(fig, "Monthly list spend", "month", "$ per month")


def workload_chart(forecast: Forecast, baseline: bool = False) -> Figure:
    """Stacked area of mean monthly spend per workload."""
    means = forecast.workload_baseline_mean if baseline else forecast.workload_mean
    labels = [forecast.scenario.month_label(m) for m in range(forecast.months)]
    fig = go.Figure()
    for i, (wid, y) in enumerate(means.items()):
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=y,
                name=wid,
                stackgroup="one",
                line={"color": PALETTE[i % len(PALETTE)]},
                hovertemplate="%{y:" + MONEY + "}",
            )
        )
    kind = "unoptimised" if baseline else "optimised"
    return _layout(fig, f"Mean monthly spend by workload ({kind})", "month", "$ per month")


def backlog_chart(ranking: pd.DataFrame) -> Figure:
    """Horizontal bars of annual dollars freed per lever, coloured by $ per engineer-week."""
    r = ranking.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=r["annual_savings"],
            y=r["lever"],
            orientation="h",
            marker={"color": r["ratio"], "colorscale": "Blues", "colorbar": {"title": "$/week"}},
            customdata=np.column_stack([r["effort_weeks"], r["ratio"], r["payback_months"]]),
            hovertemplate="%{y}: %{x:$,.0f}/yr, %{customdata[0]} weeks, "
            "%{customdata[1]:$,.0f}/week, payback %{customdata[2]:.1f} months<extra></extra>",
        )
    )
    fig = _layout(fig, "Backlog: dollars freed per year", "$ per year", "", money_y=False)
    fig.update_xaxes(tickformat="$,.3s")
    return fig


def wave_gantt(scenario: Scenario, plan: Plan) -> Figure:
    """Timeline: each planned lever as a bar from its wave's start to its ship month."""
    waves = scenario.capacity.waves
    fig = go.Figure()
    for k, wave in enumerate(waves):
        levers = sorted(lid for lid, w in plan.assignment.items() if w == k)
        if not levers:
            continue
        fig.add_trace(
            go.Bar(
                y=levers,
                x=[max(wave.duration_months, 0.25)] * len(levers),
                base=[wave.start_month] * len(levers),
                orientation="h",
                name=f"{wave.name} (ships month {wave.ship_month})",
                marker={"color": PALETTE[k % len(PALETTE)]},
                hovertemplate="%{y}: months %{base}-" + str(wave.ship_month) + "<extra></extra>",
            )
        )
    fig = _layout(fig, "Wave plan", "months from start", "", money_y=False)
    fig.update_yaxes(autorange="reversed")
    return fig


def effort_chart(scenario: Scenario, plan: Plan) -> Figure:
    """Engineer-weeks used per wave against the wave's capacity."""
    names = [w.name for w in scenario.capacity.waves]
    fig = go.Figure(
        [
            go.Bar(x=names, y=plan.capacity, name="capacity", marker={"color": "#dddddd"}),
            go.Bar(x=names, y=plan.effort_used, name="used", marker={"color": _OPT}),
        ]
    )
    fig.update_layout(barmode="overlay")
    return _layout(fig, "Effort per wave", "wave", "engineer-weeks", money_y=False)


def savings_ramp(forecast: Forecast) -> Figure:
    """Mean monthly saving of the plan (unoptimised minus optimised) and its running total."""
    saving = forecast.baseline.mean(axis=0) - forecast.spend.mean(axis=0)
    labels = [forecast.scenario.month_label(m) for m in range(forecast.months)]
    fig = go.Figure(
        [
            go.Bar(x=labels, y=saving, name="monthly saving", hovertemplate="%{y:$,.0f}"),
            go.Scatter(
                x=labels,
                y=np.cumsum(saving),
                name="cumulative",
                yaxis="y2",
                hovertemplate="%{y:$,.0f}",
            ),
        ]
    )
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "tickformat": "$,.3s"})
    return _layout(fig, "Savings ramp", "month", "$ per month")


def commitment_curve(rec: CommitRecommendation, label: str = "optimised") -> Figure:
    """Expected cost versus commitment; feasible points solid, the recommendation marked."""
    c = rec.curve
    if "year" in c.columns:  # ramped: show the first contract year
        c = c[c["year"] == 0]
    fig = go.Figure()
    custom = np.column_stack([c["shortfall_probability"], c["expected_unused"], c["discount"]])
    hover = (
        "commit %{x:$,.0f}: cost %{y:$,.0f}, shortfall %{customdata[0]:.1%}, "
        "unused %{customdata[1]:$,.0f}, discount %{customdata[2]:.1%}<extra></extra>"
    )
    for ok, name, dash in ((True, "within risk limits", "solid"), (False, "too risky", "dot")):
        y = c["expected_cost"].where(c["feasible"] == ok)
        fig.add_trace(
            go.Scatter(
                x=c["commit"],
                y=y,
                mode="lines",
                name=name,
                line={"dash": dash, "color": _OPT if ok else "#d62728"},
                customdata=custom,
                hovertemplate=hover,
            )
        )
    first = rec.years[0] if rec.years else rec
    fig.add_trace(
        go.Scatter(
            x=[first.recommended],
            y=[first.expected_cost],
            mode="markers+text",
            marker={"size": 14, "symbol": "star", "color": "#2ca02c"},
            name="recommended",
            text=[
                f"${first.recommended:,.0f}: shortfall {first.shortfall_probability:.1%}, "
                f"unused ${first.expected_unused:,.0f}"
            ],
            textposition="top center",
            hovertemplate="recommended %{x:$,.0f}, cost %{y:$,.0f}<extra></extra>",
        )
    )
    fig = _layout(fig, f"Expected cost vs commitment ({label})", "commitment ($)", "$", False)
    fig.update_xaxes(tickformat="$,.3s")
    fig.update_yaxes(tickformat="$,.3s")
    return fig


def term_histogram(
    optimized: np.ndarray[Any, Any],
    baseline: np.ndarray[Any, Any],
    commit: float,
    commit_unoptimized: float | None = None,
) -> Figure:
    """Distribution of term list spend (both forecasts) with the commitment(s) as lines."""
    opt = optimized.sum(axis=1) if optimized.ndim == 2 else optimized
    base = baseline.sum(axis=1) if baseline.ndim == 2 else baseline
    fig = go.Figure(
        [
            go.Histogram(x=base, name="unoptimised", opacity=0.5, marker={"color": _BASE}),
            go.Histogram(x=opt, name="optimised", opacity=0.6, marker={"color": _OPT}),
        ]
    )
    fig.update_layout(barmode="overlay")
    fig.add_vline(x=commit, line={"color": "#2ca02c", "width": 3}, annotation_text="commit")
    if commit_unoptimized is not None:
        fig.add_vline(
            x=commit_unoptimized,
            line={"color": "#d62728", "dash": "dash"},
            annotation_text="commit on unoptimised",
        )
    fig = _layout(fig, "Term list spend against the commitment", "term spend ($)", "paths", False)
    fig.update_xaxes(tickformat="$,.3s")
    return fig


def offers_chart(offers: Sequence[OfferEvaluation], rec: CommitRecommendation) -> Figure:
    """Each offer's expected cost against the recommendation's, at its commitment."""
    fig = go.Figure(
        go.Scatter(
            x=[o.commit for o in offers],
            y=[o.expected_cost for o in offers],
            mode="markers+text",
            text=[o.name for o in offers],
            textposition="top center",
            marker={
                "size": 12,
                "color": ["#2ca02c" if o.meets_risk_limits else "#d62728" for o in offers],
            },
            name="offers",
            customdata=[[o.discount, o.shortfall_probability] for o in offers],
            hovertemplate="%{text}: commit %{x:$,.0f} at %{customdata[0]:.1%}, cost %{y:$,.0f}, "
            "shortfall %{customdata[1]:.1%}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[rec.recommended],
            y=[rec.expected_cost],
            mode="markers+text",
            marker={"size": 14, "symbol": "star", "color": _OPT},
            text=["recommended"],
            textposition="bottom center",
            name="recommendation",
            hovertemplate="recommended %{x:$,.0f}, cost %{y:$,.0f}<extra></extra>",
        )
    )
    fig = _layout(
        fig, "Offers against the recommendation", "commitment ($)", "expected cost", False
    )
    fig.update_xaxes(tickformat="$,.3s")
    fig.update_yaxes(tickformat="$,.3s")
    return fig


def frontier_chart(front: pd.DataFrame, eps: float | None = None) -> Figure:
    """Recommended commitment against the shortfall-probability tolerance (a step curve)."""
    fig = go.Figure(
        go.Scatter(
            x=front["eps"],
            y=front["recommended"],
            mode="lines",
            line={"shape": "hv"},
            name="recommended commitment",
            hovertemplate="tolerance %{x:.1%}: %{y:$,.0f}<extra></extra>",
        )
    )
    if eps is not None:
        fig.add_vline(x=eps, line={"color": "#2ca02c"}, annotation_text="chosen")
    fig = _layout(fig, "Commitment / shortfall-risk frontier", "shortfall tolerance", "$", False)
    fig.update_xaxes(tickformat=".0%")
    # from zero: a frontier flat at a tier threshold would otherwise get a degenerate axis
    fig.update_yaxes(tickformat="$,.3s", rangemode="tozero")
    return fig


def tornado_chart(table: pd.DataFrame, measure: str = "commit") -> Figure:
    """Tornado around the base case: ``measure`` is ``"commit"`` (recommended commitment) or
    ``"spend"`` (mean optimised term spend) at each assumption's low and high setting."""
    t = table.iloc[::-1]
    base = float(t[f"base_{measure}"].iloc[0]) if len(t) else 0.0
    fig = go.Figure()
    for side, color in (("low", "#d62728"), ("high", "#2ca02c")):
        fig.add_trace(
            go.Bar(
                y=t["assumption"],
                x=t[f"{measure}_{side}"] - base,
                base=[base] * len(t),
                orientation="h",
                name=f"{side} setting",
                marker={"color": color},
                customdata=t[f"{side}_value"],
                hovertemplate="%{y} at %{customdata}: %{x:$,.0f} from base<extra></extra>",
            )
        )
    fig.add_vline(x=base, line={"color": "#333333"}, annotation_text="base")
    fig.update_layout(barmode="overlay")
    what = "recommended commitment" if measure == "commit" else "expected term spend"
    fig = _layout(fig, f"What moves the {what}", f"{what} ($)", "", False)
    fig.update_xaxes(tickformat="$,.3s")
    return fig


def compare_fans(forecasts: Mapping[str, Forecast]) -> Figure:
    """Overlaid optimised fans (P10-P90 band and median) of several scenarios."""
    fig = go.Figure()
    for i, (name, fc) in enumerate(forecasts.items()):
        frame = fc.monthly_frame()
        color = PALETTE[i % len(PALETTE)]
        x = list(frame["month"])
        _band(fig, x, frame["p10"], frame["p90"], color, f"{name} P10-P90", 0.2)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=frame["p50"],
                mode="lines",
                line={"color": color},
                name=f"{name} median",
                hovertemplate="%{y:" + MONEY + "}",
            )
        )
    return _layout(fig, "Optimised monthly spend by scenario", "months from start", "$ per month")
