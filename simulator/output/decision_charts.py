"""Plotly figures for the Decision page: the spend fan with the contract term, the commitment and
the waves' ship dates on one chart."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulator.commitment import CommitRecommendation
from simulator.decision.report import Report
from simulator.output.charts import Figure, _layout, fan_traces

_BASE = "#888888"
_OPT = "#1f77b4"
_COMMIT = "#d62728"
_TERM = "rgba(44,160,44,0.08)"


def commitment_per_month(rep: Report) -> list[tuple[int, float]]:
    """The decision's commitment as list-price spend per month, for each contract month.

    A commitment ``C`` at discount ``d`` over ``T`` months is used in full when list spend
    reaches ``C / (1 - d)``, so the line sits at ``C / ((1 - d) T)`` per month (per contract year
    ``C_y / ((1 - d_y) 12)`` for a ramped commitment of ours).
    """
    s = rep.scenario
    c = s.contract
    months = range(c.start_month, c.start_month + c.term_months)
    d = rep.decision
    years = d.chosen.years if d is not None else ()
    if years:
        out = []
        for m in months:
            y = min((m - c.start_month) // 12, len(years) - 1)
            commit, disc = years[y]
            span = min(12, c.term_months - 12 * y)
            out.append((m, commit / (1.0 - disc) / span))
        return out
    commit = d.chosen.commit if d is not None else rep.commit.recommended
    disc = d.chosen.discount if d is not None else rep.commit.discount
    level = commit / (1.0 - disc) / c.term_months
    return [(m, level) for m in months]


def decision_fan(rep: Report) -> Figure:
    """Monthly list spend with and without the plan (P5-P95, P10-P90, median), the contract term
    shaded, the decision's commitment as a monthly line and each wave's ship month marked."""
    s, fc = rep.scenario, rep.forecast
    fig = go.Figure()
    fan_traces(fig, fc.monthly_frame(baseline=True), "Without the plan", _BASE)
    fan_traces(fig, fc.monthly_frame(), "With the plan", _OPT)
    c = s.contract
    last = min(c.start_month + c.term_months, fc.months) - 1
    if last >= c.start_month:
        fig.add_vrect(
            x0=s.month_label(c.start_month),
            x1=s.month_label(last),
            fillcolor=_TERM,
            line_width=0,
            layer="below",
            annotation_text="contract term",
            annotation_position="bottom right",
        )
    line = [(m, v) for m, v in commitment_per_month(rep) if m < fc.months]
    fig.add_trace(
        go.Scatter(
            x=[s.month_label(m) for m, _ in line],
            y=[v for _, v in line],
            mode="lines",
            line={"color": _COMMIT, "width": 2, "dash": "dash", "shape": "hv"},
            name="Commitment per month (list price)",
            hovertemplate="%{y:$,.0f}",
        )
    )
    for w in s.capacity.waves:
        if 0 <= w.ship_month < fc.months:
            x = s.month_label(w.ship_month)
            fig.add_shape(
                type="line",
                x0=x,
                x1=x,
                y0=0,
                y1=1,
                yref="paper",
                line={"color": "#555555", "width": 1, "dash": "dot"},
            )
            fig.add_annotation(
                x=x,
                y=1,
                yref="paper",
                text=f"{escape(w.name)} ships",
                showarrow=False,
                textangle=-90,
                xanchor="right",
                yanchor="top",
                font={"size": 10},
            )
    return _layout(fig, "Monthly list spend and the commitment", "month", "$ per month")


def knee(rec: CommitRecommendation, share: float = 0.05) -> float:
    """Where utilisation starts to fall: the largest commitment on the curve still used in full
    on all but ``share`` of paths (shortfall probability at most ``share``)."""
    c = rec.curve
    ok = c[c["shortfall_probability"] <= share]
    return float(ok["commit"].max()) if len(ok) else 0.0


def commitment_tradeoff(rec: CommitRecommendation, thresholds: Sequence[float]) -> Figure:
    """Expected cost, shortfall probability and utilisation against the commitment, with the tier
    thresholds, the knee and our number marked (a flat contract's curve)."""
    c = rec.curve[rec.curve["commit"] > 0]
    used = (c["commit"] - c["expected_unused"]) / c["commit"]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Scatter(
            x=c["commit"],
            y=c["expected_cost"],
            name="expected cost",
            line={"color": _OPT},
            hovertemplate="%{y:$,.0f}",
        ),
        secondary_y=False,
    )
    for y, name, color in (
        (c["shortfall_probability"], "chance of not using it all", _COMMIT),
        (used, "utilisation (expected used / commitment)", "#2ca02c"),
    ):
        fig.add_trace(
            go.Scatter(
                x=c["commit"],
                y=y,
                name=name,
                line={"color": color, "dash": "dot"},
                hovertemplate="%{y:.1%}",
            ),
            secondary_y=True,
        )
    for t in thresholds:
        if t > 0:
            fig.add_vline(x=t, line={"color": "#bbbbbb", "width": 1, "dash": "dash"})
    k = knee(rec)
    if k > 0:
        fig.add_vline(
            x=k,
            line={"color": "#555555", "width": 1},
            annotation_text="knee",
            annotation_position="top right",
        )
    fig.add_vline(
        x=rec.recommended,
        line={"color": "#2ca02c", "width": 2},
        annotation_text="our number",
        annotation_position="top left",
    )
    fig.update_layout(
        title="Cost, shortfall and utilisation by commitment (dashed lines: tier thresholds)",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        hovermode="x unified",
    )
    fig.update_xaxes(tickformat="$,.3s", title_text="commitment ($)")
    fig.update_yaxes(tickformat="$,.3s", title_text="expected cost ($)", secondary_y=False)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], title_text="share", secondary_y=True)
    return fig


__all__ = ["commitment_per_month", "commitment_tradeoff", "decision_fan", "knee"]
