"""Offers: each vendor offer against the recommendation, walk-away discounts, counteroffers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import memo_download, provenance_caption, results, status
from simulator.output import charts
from simulator.output.formatting import money, pct

rep = results()
st.title("Offers")
status(rep)
rec = rep.commit
st.metric("Our recommendation", f"{money(rec.recommended)} at {pct(rec.discount)}")
if not rep.offers:
    st.info("The scenario has no vendor offers; add them on the Scenario page.")
else:
    table = pd.DataFrame(
        [
            {
                "offer": o.name,
                "commit": money(o.commit),
                "discount": pct(o.discount),
                "expected cost": money(o.expected_cost),
                "vs our recommendation": money(o.savings_vs_recommendation),
                "shortfall": pct(o.shortfall_probability),
                "expected unused": money(o.expected_unused),
                "within risk limits": "yes" if o.meets_risk_limits else "no",
                "walk-away discount": pct(o.walk_away_discount),
                "indifference discount": pct(o.indifference_discount),
            }
            for o in rep.offers
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(
        "vs our recommendation: positive when the offer is cheaper. Walk-away: the smallest "
        "discount at which this commitment beats pay-as-you-go within the risk limits."
    )
    st.plotly_chart(charts.offers_chart(rep.offers, rec), width="stretch")
    st.subheader("Counteroffers")
    for o in rep.offers:
        counters = rep.counteroffers.get(o.name, [])
        lines = [
            f"- **{money(x.commit)} at {pct(x.discount)}** ({x.kind.replace('_', ' ')}): "
            f"expected cost {money(x.expected_cost)}, shortfall {pct(x.shortfall_probability)}"
            + ("" if x.meets_risk_limits else " · **breaks the risk limits**")
            for x in counters
        ]
        st.markdown(f"**{o.name}**\n\n" + ("\n".join(lines) or "- no counteroffer needed"))
memo_download(rep, "dl-offers-memo")
provenance_caption(rep)
