"""Commitment: cost curve, term-spend distribution, unoptimised comparison, risk slider."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_pages.common import (
    md_escape,
    memo_download,
    provenance_caption,
    results,
    results_download,
    status,
)
from app_pages.state import commit_at_risk
from simulator.commitment import frontier
from simulator.commitment.risk import SpendSamples
from simulator.commitment.whatif import evaluate_commit
from simulator.decision.explain import GLOSSARY, flat_frontier_reason
from simulator.output import charts
from simulator.output.decision_charts import commitment_tradeoff
from simulator.output.formatting import money_short, pct


@st.cache_data(max_entries=12, show_spinner=False)
def _frontier(hash_: str, _term: np.ndarray, _contract: object) -> object:  # type: ignore[type-arg]
    return frontier(_term, _contract, np.linspace(0.0, 0.5, 51))  # type: ignore[arg-type]


@st.cache_resource(max_entries=12)
def _samples(hash_: str, _term: np.ndarray) -> SpendSamples:  # type: ignore[type-arg]
    return SpendSamples.from_array(_term)


rep = results()
s = rep.scenario
c = s.contract
rec, unopt = rep.commit, rep.commit_unoptimized
st.title("Commitment")
status(rep)
if rep.decision is not None and rep.decision.parts.get("why"):
    st.info(md_escape(rep.decision.parts["why"]))
m = [*st.columns(3), *st.columns(3)]
m[0].metric("Recommended commitment", money_short(rec.recommended), help=GLOSSARY["recommended"])
m[1].metric("Discount", pct(rec.discount), help=GLOSSARY["discount"])
m[2].metric(
    "Chance of not using it all",
    pct(rec.shortfall_probability),
    help=GLOSSARY["shortfall_probability"],
)
m[3].metric("Expected unused", money_short(rec.expected_unused), help=GLOSSARY["expected_unused"])
m[4].metric(
    "Saving vs pay-as-you-go",
    money_short(rec.expected_savings),
    help="Expected pay-as-you-go cost minus the expected cost of this commitment.",
)
u = [*st.columns(3), *st.columns(3)]
u[0].metric(
    "On the unoptimised forecast",
    money_short(unopt.recommended),
    help="The commitment we would size on the forecast without the optimisation plan.",
)
u[1].metric("Its discount", pct(unopt.discount))
u[2].metric(
    "Unused once the plan delivers",
    money_short(rep.unused_if_committed_unoptimized),
    help="Expected unused commitment if we signed that and the plan then delivers.",
)
u[3].metric(
    "Unused commitment avoided",
    money_short(rep.exposure_avoided),
    help=GLOSSARY["exposure_avoided"],
)
u[4].metric(
    "Net expected cost avoided",
    money_short(rep.extra_cost_if_committed_unoptimized),
    help="Expected cost of signing the unoptimised commitment minus ours, once the plan "
    "delivers: the money behind the unused commitment avoided.",
)

st.subheader("What if we commit a different amount?")
x = st.number_input(
    "Commitment to evaluate ($)",
    min_value=0.0,
    value=float(rec.recommended),
    step=100_000.0,
    format="%.0f",
    key="whatif_commit",
    help="Any commitment; its discount is the tier schedule's at that amount. Priced on the same "
    "simulated spend, without re-simulating.",
)
w = evaluate_commit(rep.optimized_term, c, float(x), batch=rep.forecast.batch)
wc = [*st.columns(3), *st.columns(3)]
wc[0].metric("Tier discount", pct(w.discount), help=GLOSSARY["discount"])
wc[1].metric("Cost (expected)", money_short(w.expected_cost), help=GLOSSARY["expected_cost"])
wc[2].metric(
    "Short of full use",
    pct(w.shortfall_probability),
    help=GLOSSARY["shortfall_probability"],
)
wc[3].metric("Unused (expected)", money_short(w.expected_unused), help=GLOSSARY["expected_unused"])
wc[4].metric(
    "Utilisation",
    pct(w.utilisation),
    help="Expected commitment used divided by the commitment.",
)
wc[5].metric(
    "Coverage",
    pct(w.coverage),
    help="Expected spend covered by the commitment divided by expected spend.",
)
if not w.meets_risk_limits:
    st.warning("This commitment breaks the risk limits.")
if not c.ramped:
    st.plotly_chart(commitment_tradeoff(rec, [t.min_commit for t in c.tiers]), width="stretch")
    st.caption(
        "The knee is the largest commitment still used in full on 95% of simulated paths; beyond "
        "it utilisation falls and the chance of not using it all climbs."
    )

st.subheader("Decide on the spot: risk tolerance")
default_eps = float(c.max_shortfall_probability if c.max_shortfall_probability is not None else 0.1)
eps = st.slider(
    "Accept this probability of not using the whole commitment",
    0.0,
    0.5,
    default_eps,
    0.01,
    key="risk_eps",
    format="%.2f",
    help="Re-solves from the cached simulation (no re-simulation).",
)
h = s.content_hash()
samples = None if c.ramped else _samples(h, rep.optimized_term)
at = commit_at_risk(rep.optimized_term, c, eps, samples)
r = st.columns(4)
r[0].metric(
    "Commitment at this tolerance",
    money_short(at.recommended),
    delta=money_short(at.recommended - rec.recommended),
)
r[1].metric("Discount", pct(at.discount))
r[2].metric("Chance of not using it all", pct(at.shortfall_probability))
r[3].metric("Expected cost", money_short(at.expected_cost))
if not c.ramped:
    front = _frontier(h, rep.optimized_term, c)
    flat = flat_frontier_reason(front, rep.optimized_term, c)  # type: ignore[arg-type]
    if flat:
        st.info(md_escape(flat))
    st.plotly_chart(
        charts.frontier_chart(front, eps),  # type: ignore[arg-type]
        width="stretch",
    )
left, right = st.columns(2)
left.plotly_chart(charts.commitment_curve(at), width="stretch")
right.plotly_chart(charts.commitment_curve(unopt, "unoptimised"), width="stretch")
st.plotly_chart(
    charts.term_histogram(rep.optimized_term, rep.baseline_term, at.recommended, unopt.recommended),
    width="stretch",
)
results_download(rep, "dl-commit-json")
memo_download(rep, "dl-commit-memo")
provenance_caption(rep)
