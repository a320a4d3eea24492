"""Plotly figures for the Decision page: the spend fan with the contract term, the commitment and
the waves' ship dates on one chart."""

from __future__ import annotations

from html import escape

import plotly.graph_objects as go

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


__all__ = ["commitment_per_month", "decision_fan"]
