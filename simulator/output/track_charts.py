"""Charts for tracking a signed commitment and for previewing an import's growth fit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

from simulator.decision.track import TrackResult
from simulator.output.charts import MONEY, PALETTE, Figure, _band, _layout


def track_chart(r: TrackResult) -> Figure:
    """Cumulative drawdown to date, the commitment, and the forecast fan to the term's end."""
    fig = go.Figure()
    n = len(r.actual_cumulative)
    labels = r.term_labels
    fig.add_trace(
        go.Scatter(
            x=labels[:n],
            y=r.actual_cumulative,
            mode="lines+markers",
            name="actual drawdown",
            line={"color": PALETTE[0], "width": 3},
            hovertemplate="%{y:" + MONEY + "}",
        )
    )
    if r.fan["mean"]:
        # the fan starts at the last actual month so the two lines join
        x = labels[max(n - 1, 0) :]
        start = [r.actual_cumulative[-1]] if n else []
        _band(
            fig, x, start + r.fan["p10"], start + r.fan["p90"], PALETTE[4], "forecast P10-P90", 0.25
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=start + r.fan["p50"],
                mode="lines",
                name="forecast median",
                line={"color": PALETTE[4], "dash": "dash"},
                hovertemplate="%{y:" + MONEY + "}",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[labels[0], labels[-1]],
            y=[r.committed, r.committed],
            mode="lines",
            name="commitment",
            line={"color": PALETTE[1], "width": 2},
            hovertemplate="%{y:" + MONEY + "}",
        )
    )
    return _layout(fig, "Drawdown against the commitment", "month", "contract dollars, cumulative")


def fit_chart(info: Mapping[str, Any], monthly_rate: float, volatility: float) -> Figure:
    """An imported workload's tokens per day by month, with the fitted growth and its spread."""
    months = list(info.get("months", []))
    daily = np.asarray(info.get("tokens_per_day", []), dtype=float)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=months, y=daily, mode="lines+markers", name="observed tokens per day")
    )
    if len(months) >= 2 and daily.size and daily[-1] > 0:
        k = np.arange(len(months)) - (len(months) - 1)
        fit = daily[-1] * (1.0 + monthly_rate) ** k
        spread = np.sqrt(np.abs(k)) * volatility
        _band(
            fig,
            months,
            fit * np.exp(-spread),
            fit * np.exp(spread),
            PALETTE[2],
            "fit +/- 1 sd",
            0.2,
        )
        fig.add_trace(
            go.Scatter(
                x=months, y=fit, mode="lines", name="fitted growth", line={"color": PALETTE[2]}
            )
        )
    fig = _layout(fig, str(info.get("id", "workload")), "month", "tokens per day", money_y=False)
    fig.update_yaxes(tickformat=",.3s")
    return fig
