"""Offers: each vendor offer against our number, walk-away discounts, counteroffers."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from app_pages.common import md_escape, memo_download, provenance_caption, results, status
from simulator.commitment.offers import COUNTER_LABELS
from simulator.decision.explain import GLOSSARY
from simulator.output import charts
from simulator.output.formatting import money, money_short, pct

rep = results()
st.title("Offers")
status(rep)
rec = rep.commit
top = st.columns(2)
top[0].metric(
    "Our number",
    f"{money_short(rec.recommended)} at {pct(rec.discount)}",
    help=GLOSSARY["recommended"],
)
if rep.decision is not None:
    top[1].metric(
        "Decision",
        f"{rep.decision.chosen.action.capitalize()} {money_short(rep.decision.chosen.commit)}",
        help="The cheapest deal in expectation within the risk limits (see the Decision page).",
    )
    st.info(md_escape(rep.decision.parts.get("lead", "")))


def _share(x: float) -> float | None:
    return None if math.isnan(x) else round(100 * x, 1)


if not rep.offers:
    st.info("The scenario has no vendor offers; add them on the Scenario page.")
else:
    table = pd.DataFrame(
        [
            {
                "offer": o.name,
                "commitment ($)": round(o.commit),
                "discount (%)": 100 * o.discount,
                "expected cost ($)": round(o.expected_cost),
                "cheaper than our number by ($)": round(o.savings_vs_recommendation),
                "chance of not using it all (%)": 100 * o.shortfall_probability,
                "expected unused ($)": round(o.expected_unused),
                "within risk limits": bool(o.meets_risk_limits),
                "walk-away discount (%)": _share(o.walk_away_discount),
                "indifference discount (%)": _share(o.indifference_discount),
            }
            for o in rep.offers
        ]
    )
    money_col = st.column_config.NumberColumn(format="localized")
    pct_col = st.column_config.NumberColumn(format="%.1f%%")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "commitment ($)": money_col,
            "expected cost ($)": money_col,
            "cheaper than our number by ($)": money_col,
            "expected unused ($)": money_col,
            "discount (%)": pct_col,
            "chance of not using it all (%)": pct_col,
            "walk-away discount (%)": st.column_config.NumberColumn(
                format="%.1f%%", help=GLOSSARY["walk_away_discount"]
            ),
            "indifference discount (%)": st.column_config.NumberColumn(
                format="%.1f%%", help=GLOSSARY["indifference_discount"]
            ),
        },
    )
    st.caption(
        "Cheaper than our number: positive when the offer costs less in expectation. Walk-away: "
        "the smallest discount at which this commitment beats paying as you go within the risk "
        "limits; empty when no discount does."
    )
    st.plotly_chart(charts.offers_chart(rep.offers, rec), width="stretch")
    st.subheader("Counteroffers")
    st.caption(
        "Each counter improves on the offer it answers: more discount, a commitment that suits "
        "us better, or terms within our risk limits. Those within the limits come first."
    )
    for o in rep.offers:
        counters = rep.counteroffers.get(o.name, [])
        lines = [
            f"- **{money(x.commit)} at {pct(x.discount)}**: {COUNTER_LABELS[x.kind]}; expected "
            f"cost {money(x.expected_cost)}, chance of not using it all "
            f"{pct(x.shortfall_probability)}"
            + (" · within limits" if x.meets_risk_limits else " · **breaks the risk limits**")
            for x in counters
        ]
        body = "\n".join(lines)  # money and fixed labels only: just the dollar signs to escape
        st.markdown(
            f"**{md_escape(o.name)}**\n\n"
            + (body.replace("$", "\\$") or "- no counter improves on this offer")
        )
memo_download(rep, "dl-offers-memo")
provenance_caption(rep)
