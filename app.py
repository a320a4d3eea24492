"""commitsim front end: `streamlit run app.py -- --scenario scenarios/default.yaml`.

Layout and widgets only; computation lives in the `simulator` package.
"""

from __future__ import annotations

import streamlit as st

from app_pages.common import init_state, provenance_caption, try_results
from simulator.output.formatting import money, pct

st.set_page_config(page_title="commitsim", page_icon=":material/trending_down:", layout="wide")
init_state()

pages = [
    st.Page("app_pages/scenario.py", title="Scenario", icon=":material/edit:", default=True),
    st.Page("app_pages/forecast.py", title="Spend forecast", icon=":material/show_chart:"),
    st.Page("app_pages/backlog.py", title="Backlog and waves", icon=":material/build:"),
    st.Page("app_pages/commitment.py", title="Commitment", icon=":material/handshake:"),
    st.Page("app_pages/offers.py", title="Offers", icon=":material/work:"),
    st.Page("app_pages/capacity.py", title="Capacity", icon=":material/speed:"),
    st.Page("app_pages/sensitivity.py", title="Sensitivity", icon=":material/tornado:"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/balance:"),
    st.Page("app_pages/explain.py", title="Explain", icon=":material/lightbulb:"),
]
nav = st.navigation(pages)

with st.sidebar:
    ss = st.session_state
    if "load_error" in ss:
        st.error(f"Could not load the scenario given on the command line: {ss.pop('load_error')}")
    st.toggle("Update results as I edit", key="auto")
    rep = try_results()
    if rep is None:
        st.error(f"The scenario could not be run: {ss.get('run_error')}")
    else:
        st.subheader(rep.scenario.name)
        st.metric("Recommended commitment", money(rep.commit.recommended))
        st.caption(
            f"at {pct(rep.commit.discount)} off · shortfall {pct(rep.commit.shortfall_probability)}"
            f" · expected cost {money(rep.commit.expected_cost)}"
        )
    if not ss["auto"] and ss["result_yaml"] != ss["yaml"] and st.button("Update results now"):
        ss["result_yaml"] = ss["yaml"]
        st.rerun()
    if rep is not None:
        provenance_caption(rep)

nav.run()
