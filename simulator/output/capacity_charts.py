"""Plotly figures for capacity reservations (the app's Capacity page)."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from simulator.decision.capacity import ProductSizing
from simulator.output.capacity_text import UNIT_WORDS

Figure = Any  # plotly is untyped
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _layout(fig: Figure, title: str, x: str, y: str) -> Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def demand_heatmap(ps: ProductSizing) -> Figure:
    """Mean demand per minute by weekday and UTC hour (after the plan, first month of the term)."""
    words = UNIT_WORDS.get(ps.product.unit, ps.product.unit)
    fig = go.Figure(
        go.Heatmap(
            z=ps.hour_weekday,
            x=[f"{h:02d}:00" for h in range(24)],
            y=list(WEEKDAYS),
            colorscale="Blues",
            colorbar={"title": words},
            hovertemplate="%{y} %{x}: %{z:,.0f} " + words + "<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Demand by hour and weekday", "hour (UTC)", "")


def reservation_curve(ps: ProductSizing) -> Figure:
    """Expected cost over the term against reserved units, with and without the plan."""
    words = UNIT_WORDS.get(ps.product.unit, ps.product.unit)
    fig = go.Figure()
    for r, name, color in (
        (ps.unoptimised, "before the plan", "#888888"),
        (ps.sized, "after the plan", "#1f77b4"),
    ):
        c = r.curve
        fig.add_trace(
            go.Scatter(
                x=c["units"],
                y=ps.term(1.0) * c["expected_cost"],
                mode="lines",
                name=name,
                line={"color": color},
                customdata=np.column_stack([c["utilisation"], c["overflow_share"]]),
                hovertemplate=(
                    "%{x:,.0f}: cost %{y:$,.0f}, utilisation %{customdata[0]:.0%}, "
                    "overflow %{customdata[1]:.0%}<extra></extra>"
                ),
            )
        )
    z = ps.sized
    fig.add_trace(
        go.Scatter(
            x=[z.units],
            y=[ps.term(z.expected_cost)],
            mode="markers",
            marker={"size": 14, "symbol": "star", "color": "#2ca02c"},
            name="recommended",
            hovertemplate="reserve %{x:,.0f}: cost %{y:$,.0f}<extra></extra>",
        )
    )
    fig.update_yaxes(tickformat="$,.3s", rangemode="tozero")
    fig.update_xaxes(tickformat=",.3s", rangemode="tozero")
    return _layout(fig, "Cost over the term vs reserved units", f"reserved {words}", "")


def utilisation_histogram(ps: ProductSizing) -> Figure:
    """Utilisation of the recommended reservation across Monte Carlo paths."""
    fig = go.Figure(
        go.Histogram(
            x=ps.sized.utilisation_by_path,
            nbinsx=30,
            marker={"color": "#1f77b4"},
            hovertemplate="utilisation %{x:.0%}: %{y} paths<extra></extra>",
        )
    )
    fig.update_xaxes(tickformat=".0%")
    return _layout(fig, "Utilisation across paths", "utilisation", "paths")
