"""Backlog and waves: ranked backlog, optimal wave plan, effort, savings ramp, pin / exclude."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages.common import provenance_caption, results, set_yaml, status
from app_pages.state import apply_values, problems_of
from simulator.errors import ScenarioError
from simulator.output import charts
from simulator.output.formatting import money_short
from simulator.planning.backlog import backlog

ss = st.session_state
rep = results()
s = rep.scenario
plan = rep.plan
st.title("Backlog and waves")
status(rep)
m1, m2, m3 = st.columns(3)
m1.metric("Plan savings over the horizon", money_short(plan.expected_savings))
m2.metric("Gain over the greedy ranking", money_short(plan.gain_over_greedy))
m3.metric("Solver", f"{plan.solver} {plan.status}", help=f"relative gap {plan.gap:.2g}")

ranking = backlog(s)
st.subheader("Ranked backlog")
st.dataframe(
    ranking,
    hide_index=True,
    width="stretch",
    column_config={
        "annual_savings": st.column_config.NumberColumn("$ freed / year", format="dollar"),
        "effort_weeks": st.column_config.NumberColumn("effort (weeks)", format="%.1f"),
        "ratio": st.column_config.NumberColumn("$ per eng-week", format="dollar"),
        "payback_months": st.column_config.NumberColumn("payback (months)", format="%.1f"),
        "quality_risk": st.column_config.NumberColumn("risk (1 - success)", format="percent"),
    },
)
st.plotly_chart(charts.backlog_chart(ranking), width="stretch")
st.plotly_chart(charts.wave_gantt(s, plan), width="stretch")
c1, c2 = st.columns(2)
c1.plotly_chart(charts.effort_chart(s, plan), width="stretch")
c2.plotly_chart(charts.savings_ramp(rep.forecast), width="stretch")

st.subheader("Pin or exclude a lever, then re-plan")
waves = [w.name for w in s.capacity.waves]
pinned = s.plan.pinned if s.plan else {}
excluded = set(s.plan.excluded) if s.plan else set()
rows = [
    {
        "lever": lv.id,
        "planned": waves[plan.assignment[lv.id]] if lv.id in plan.assignment else "not funded",
        "pin to": waves[pinned[lv.id]] if lv.id in pinned else "",
        "exclude": lv.id in excluded,
    }
    for lv in s.levers
    if lv.shipped is None
]
frame = pd.DataFrame(rows, columns=["lever", "planned", "pin to", "exclude"])
edited = st.data_editor(
    frame,
    key=f"pins@{ss['ver']}",
    hide_index=True,
    disabled=["lever", "planned"],
    column_config={"pin to": st.column_config.SelectboxColumn(options=["", *waves])},
)
if not edited.equals(frame):
    new_pins = {
        str(r["lever"]): waves.index(r["pin to"]) for _, r in edited.iterrows() if r["pin to"]
    }
    new_excl = [str(r["lever"]) for _, r in edited.iterrows() if bool(r["exclude"])]

    def _plan(written: Any) -> dict[str, Any]:
        return {**(written or {}), "pinned": new_pins, "excluded": new_excl}

    try:
        _, text = apply_values(str(ss["yaml"]), {"plan": _plan}, str(ss["source"]))
    except ScenarioError as exc:
        ss["invalid"]["plan"] = problems_of(exc)
        st.error("Not applied:\n\n" + "\n\n".join(problems_of(exc)))
    else:
        set_yaml(text)
        st.rerun()
provenance_caption(rep)
