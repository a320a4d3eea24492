"""Decision: what to sign and why, the money behind it, the spend fan and the offers verdict.

The landing page. Layout only: the decision, its rationale and every figure come from the
package (:mod:`simulator.decision`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import (
    md_escape,
    memo_download,
    provenance_caption,
    results,
    results_download,
    status,
)
from simulator.decision.explain import GLOSSARY
from simulator.output.decision_charts import decision_fan
from simulator.output.formatting import money_short, pct

ACTIONS = {"sign": "Sign", "accept": "Accept", "counter": "Counter"}

rep = results()
d = rep.decision
st.title("Decision")
status(rep)
top = st.columns([3, 2, 2])
with top[0]:
    memo_download(rep, "dl-decision-memo")
with top[1]:
    results_download(rep, "dl-decision-json")
if d is None:
    st.error("No decision could be reached for this scenario.")
    st.stop()
c = d.chosen
m = st.columns(5)
m[0].metric(
    "Decision",
    ACTIONS[c.action],
    help="Sign our own number, accept an offer as offered, or counter an offer.",
)
m[1].metric("Commitment", money_short(c.commit), help="What we commit to spend over the term.")
m[2].metric("Discount", pct(c.discount), help="Discount off list price the deal earns.")
m[3].metric("Expected cost", money_short(c.expected_cost), help=GLOSSARY["expected_cost"])
m[4].metric(
    "Shortfall chance",
    pct(c.shortfall_probability),
    help=GLOSSARY["shortfall_probability"],
)
# the rationale's parts as paragraphs: the lead first, then why, then how sure we are
lead, *rest = [p for p in d.parts.values() if p] or [d.rationale]
st.success(md_escape(lead))
for part in rest:
    st.markdown(md_escape(part))

st.subheader("What optimising first is worth")
e = st.columns(3)
e[0].metric(
    "Unused commitment avoided",
    money_short(rep.exposure_avoided),
    help="Commitment that would go unused, on average, had we sized it on the forecast "
    "without the plan. It is unused commitment, not money saved: see the next figure.",
)
e[1].metric(
    "Net expected cost avoided",
    money_short(rep.extra_cost_if_committed_unoptimized),
    help="Expected cost of signing the commitment sized without the plan, minus ours, both "
    "once the plan delivers: the money behind the unused commitment, net of the larger "
    "discount it would have earned.",
)
e[2].metric(
    "Expected unused (this deal)",
    money_short(c.expected_unused),
    help=GLOSSARY["expected_unused"],
)

st.plotly_chart(decision_fan(rep), width="stretch")
st.caption(
    "Bands: 5th to 95th and 10th to 90th percentiles of simulated monthly list spend. The dashed "
    "red line is the commitment spread over the contract months at list price: spend above it "
    "uses the commitment in full."
)

st.subheader("The offers verdict")
# the decision first, then the rest by expected cost
order = sorted(d.alternatives(), key=lambda a: (not a["chosen"], a["expected_cost"]))
rows = [
    {
        "Deal": a["name"],
        "What to do": ACTIONS[a["action"]],
        "Expected cost ($)": round(a["expected_cost"]),
        "More than the decision ($)": round(a["cost_difference"]),
        "Within risk limits": bool(a["meets_limits"]),
        "Commitment ($)": round(a["commit"]),
        "Discount (%)": 100 * a["discount"],
        "Shortfall chance (%)": 100 * a["shortfall_probability"],
        "Expected unused ($)": round(a["expected_unused"]),
    }
    for a in order
]
money_col = st.column_config.NumberColumn(format="localized")
pct_col = st.column_config.NumberColumn(format="%.1f%%")
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    column_config={
        "Commitment ($)": money_col,
        "Expected cost ($)": money_col,
        "More than the decision ($)": money_col,
        "Expected unused ($)": money_col,
        "Discount (%)": pct_col,
        "Shortfall chance (%)": pct_col,
        "Deal": st.column_config.TextColumn(width="medium"),
    },
)
st.caption(
    "Every deal considered, priced on the same simulated spend: our number on the tier schedule, "
    "each vendor offer as offered, and each counteroffer we could propose. Deals outside the risk "
    "limits are set aside."
)
provenance_caption(rep)
