"""Explain: why each lever landed in its wave, the gain over greedy, and a glossary."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import provenance_caption, results, status
from simulator.decision.explain import GLOSSARY, explain_plan
from simulator.output.formatting import money
from simulator.planning.backlog import backlog

rep = results()
s, plan = rep.scenario, rep.plan
st.title("Explain")
status(rep)
st.subheader("Why each lever landed where it did")
gain = plan.gain_over_greedy
st.write(
    f"The optimal plan saves **{money(plan.expected_savings)}** over the horizon; ranking levers "
    f"by dollars per engineer-week and filling waves greedily saves "
    f"**{money(plan.greedy_expected_savings)}**, so optimising the waves gains **{money(gain)}**. "
    "The gain comes from timing: a lever saves only from its wave's ship month, levers on the "
    "same workload stack (each adds less once another has shipped), and capacity that a "
    "high-ratio lever would waste can fund a larger saving earlier."
)
table = explain_plan(s, plan, backlog(s))
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={"ratio": st.column_config.NumberColumn("$ per eng-week", format="dollar")},
)
moved = table[table["optimal wave"] != table["greedy wave"]]
if len(moved):
    st.write("Where the optimal plan departs from the greedy ranking:")
    st.dataframe(moved[["lever", "greedy wave", "optimal wave"]], hide_index=True)
st.subheader("Glossary")
st.dataframe(
    pd.DataFrame({"term": list(GLOSSARY), "meaning (unit)": list(GLOSSARY.values())}),
    hide_index=True,
    width="stretch",
)
provenance_caption(rep)
