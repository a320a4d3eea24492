"""Commitment: cost curve, term-spend distribution, unoptimised comparison, risk slider."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_pages.common import memo_download, provenance_caption, results, results_download, status
from app_pages.state import commit_at_risk
from simulator.commitment import frontier
from simulator.commitment.risk import SpendSamples
from simulator.output import charts
from simulator.output.formatting import money, pct


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
st.info(rec.reason)
m = st.columns(5)
m[0].metric("Recommended commitment", money(rec.recommended))
m[1].metric("Discount", pct(rec.discount))
m[2].metric("Shortfall probability", pct(rec.shortfall_probability))
m[3].metric("Expected unused", money(rec.expected_unused))
m[4].metric("Saving vs pay-as-you-go", money(rec.expected_savings))
u = st.columns(5)
u[0].metric("On the unoptimised forecast", money(unopt.recommended))
u[1].metric("Its discount", pct(unopt.discount))
u[2].metric("Unused once the plan delivers", money(rep.unused_if_committed_unoptimized))
u[3].metric("Exposure avoided by optimising first", money(rep.exposure_avoided))
u[4].metric("Expected cost", money(rec.expected_cost))

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
    money(at.recommended),
    delta=money(at.recommended - rec.recommended),
)
r[1].metric("Discount", pct(at.discount))
r[2].metric("Shortfall probability", pct(at.shortfall_probability))
r[3].metric("Expected cost", money(at.expected_cost))
if not c.ramped:
    st.plotly_chart(
        charts.frontier_chart(_frontier(h, rep.optimized_term, c), eps),  # type: ignore[arg-type]
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
