"""Spend forecast: fan chart unoptimised vs optimised, per-workload breakdown, term totals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import provenance_caption, results, status
from simulator.decision.report import term_stats
from simulator.output import charts
from simulator.output.formatting import money, money_short

rep = results()
st.title("Spend forecast")
status(rep)
s = rep.scenario
c = s.contract
base, opt = term_stats(rep.baseline_term), term_stats(rep.optimized_term)
st.caption(f"Contract term: {c.term_months} months from {s.month_label(c.start_month)}")
m1, m2, m3 = st.columns(3)
m1.metric("Term list spend, unoptimised (mean)", money_short(base["mean"]))
m2.metric(
    "Term list spend, optimised (mean)",
    money_short(opt["mean"]),
    delta=money_short(opt["mean"] - base["mean"]),
    delta_color="inverse",
)
m3.metric("Optimised P10-P90", f"{money_short(opt['p10'])} - {money_short(opt['p90'])}")
st.plotly_chart(charts.fan_chart(rep.forecast), width="stretch")
which = st.radio("Workload breakdown", ["optimised", "unoptimised"], horizontal=True)
st.plotly_chart(
    charts.workload_chart(rep.forecast, baseline=which == "unoptimised"),
    width="stretch",
)
totals = pd.DataFrame(
    [{"forecast": "unoptimised"} | base, {"forecast": "optimised"} | opt]
).set_index("forecast")
st.subheader("Term totals")
st.dataframe(totals.map(money), width="stretch")
per_workload = pd.DataFrame(
    {
        "unoptimised": {k: float(v.sum()) for k, v in rep.forecast.workload_baseline_mean.items()},
        "optimised": {k: float(v.sum()) for k, v in rep.forecast.workload_mean.items()},
    }
)
per_workload["saving"] = per_workload["unoptimised"] - per_workload["optimised"]
st.subheader("Horizon mean spend by workload")
st.dataframe(per_workload.map(money), width="stretch")
provenance_caption(rep)
