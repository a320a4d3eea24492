"""commitsim front end: `streamlit run app.py -- --scenario scenarios/default.yaml`.

Layout and widgets only; computation lives in the `simulator` package.
"""

from __future__ import annotations

import streamlit as st

from app_pages.common import init_state, md_escape, provenance_caption, try_results
from simulator.output.formatting import md_text, money_short, pct

ACTIONS = {"sign": "sign", "accept": "accept", "counter": "counter"}

st.set_page_config(page_title="commitsim", page_icon=":material/trending_down:", layout="wide")
init_state()

pages = [
    st.Page("app_pages/decision.py", title="Decision", icon=":material/gavel:", default=True),
    st.Page("app_pages/scenario.py", title="Scenario", icon=":material/edit:"),
    st.Page("app_pages/forecast.py", title="Spend forecast", icon=":material/show_chart:"),
    st.Page("app_pages/backlog.py", title="Backlog and waves", icon=":material/build:"),
    st.Page("app_pages/commitment.py", title="Commitment", icon=":material/handshake:"),
    st.Page("app_pages/offers.py", title="Offers", icon=":material/work:"),
    st.Page("app_pages/capacity.py", title="Capacity", icon=":material/speed:"),
    st.Page("app_pages/sensitivity.py", title="Sensitivity", icon=":material/tornado:"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/balance:"),
    st.Page("app_pages/explain.py", title="Explain", icon=":material/lightbulb:"),
    st.Page("app_pages/import_usage.py", title="Import", icon=":material/upload:"),
    st.Page("app_pages/track.py", title="Track", icon=":material/flag:"),
]
nav = st.navigation(pages)

with st.sidebar:
    ss = st.session_state
    if "load_error" in ss:
        st.error(
            md_text(
                f"Could not load the scenario given on the command line: {ss.pop('load_error')}",
                dollars=True,
            )
        )
    st.toggle(
        "Update results as I edit",
        key="auto",
        help="Off: edit freely and press Update results now to re-run.",
    )
    rep = try_results()
    if rep is None:
        st.error(md_text(f"The scenario could not be run: {ss.get('run_error')}", dollars=True))
    else:
        st.subheader(rep.scenario.name)
        if rep.decision is not None:
            ch = rep.decision.chosen
            st.metric(
                f"Decision: {ACTIONS[ch.action]}",
                money_short(ch.commit),
                help="The cheapest deal in expectation within the risk limits: our number, an "
                "offer as offered, or a counteroffer. The Decision page explains it.",
            )
            st.caption(
                md_escape(
                    f"{ch.name} · {pct(ch.discount)} off · expected cost "
                    f"{money_short(ch.expected_cost)}"
                )
            )
        st.metric(
            "Our number",
            money_short(rep.commit.recommended),
            help="The commitment on the tier schedule that minimises expected cost within the "
            "risk limits.",
        )
        st.caption(
            md_escape(
                f"at {pct(rep.commit.discount)} off · chance of not using it all "
                f"{pct(rep.commit.shortfall_probability)} · expected cost "
                f"{money_short(rep.commit.expected_cost)}"
            )
        )
    if not ss["auto"] and ss["result_yaml"] != ss["yaml"] and st.button("Update results now"):
        ss["result_yaml"] = ss["yaml"]
        st.rerun()
    if rep is not None:
        provenance_caption(rep)

nav.run()
