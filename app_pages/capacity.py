"""Capacity: per-minute reservations sized from per-minute demand, next to the commitment."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import memo_download, provenance_caption, results, results_download, status
from simulator.output import capacity_charts
from simulator.output.capacity_text import UNIT_WORDS, binding, compact, compact_money, units
from simulator.output.formatting import pct

rep = results()
s = rep.scenario
st.title("Capacity reservations")
status(rep)
cap = rep.capacity
if cap is None or not cap.products:
    st.info(
        "This scenario has no capacity products. Add a capacity_products list to size reserved "
        "tokens per minute (see docs/scenario-reference.md), or open "
        "scenarios/reserved-capacity.yaml."
    )
    st.stop()

names = [ps.product.name for ps in cap.products]
choice = st.selectbox(
    "Reservation product",
    names,
    key="capacity_product",
    help="Each product is sized on its own per-minute demand after the optimisation plan.",
)
ps = cap.products[names.index(choice)]
p, z = ps.product, ps.sized
st.info(
    f"Reserve {units(z.units, p.unit)} for {p.term_months} month(s) from "
    f"{s.month_label(p.start_month)}, set by {binding(z)}. Cheapest where the chance a minute's "
    f"demand exceeds the reservation is {pct(z.critical_fractile)} (reserved price / overflow "
    "price)."
)
words = UNIT_WORDS.get(p.unit, p.unit)
m = st.columns(4)
m[0].metric(f"Reserve ({words})", compact(z.units), help=units(z.units, p.unit))
m[1].metric("Expected utilisation", pct(z.utilisation))
m[2].metric("Demand overflowing", pct(z.overflow_share))
m[3].metric("Saving vs pay-as-you-go", compact_money(ps.term(z.expected_savings)))
n = st.columns(4)
n[0].metric("Expected cost, term", compact_money(ps.term(z.expected_cost)))
n[1].metric("Idle capacity cost", compact_money(ps.term(z.idle_cost)))
n[2].metric("Worst 5% (CVaR95)", compact_money(ps.term(z.cvar95_cost)))
n[3].metric("Sized before the plan", compact(ps.unoptimised.units))

left, right = st.columns(2)
left.plotly_chart(capacity_charts.demand_heatmap(ps), width="stretch")
right.plotly_chart(capacity_charts.reservation_curve(ps), width="stretch")
rows = []
for label, r in (
    ("After the plan", ps.sized),
    ("Before the plan", ps.unoptimised),
    ("Sized before, run after", ps.unoptimised_on_plan),
):
    rows.append(
        {
            "": label,
            "Reserve": compact(r.units),
            "Utilisation": pct(r.utilisation),
            "Overflow": pct(r.overflow_share),
            "Expected cost": compact_money(ps.term(r.expected_cost)),
            "Idle cost": compact_money(ps.term(r.idle_cost)),
        }
    )
st.markdown(f"**Sized after the plan, before it, and before but run after** ({words})")
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
st.plotly_chart(capacity_charts.utilisation_histogram(ps), width="stretch")

if cap.commit_without is not None and cap.commit_with is not None:
    st.subheader("Next to the spend commitment")
    c = st.columns(4)
    c[0].metric("Commitment alone", compact_money(cap.commit_without.recommended))
    c[1].metric("With reservations", compact_money(cap.commit_with.recommended))
    c[2].metric("Total cost with them", compact_money(cap.total_with))
    c[3].metric(
        "Saving from them",
        compact_money(cap.total_without - cap.total_with),
        help="Expected cost of the commitment plus reservation fees paid outside it, against "
        "the commitment alone, on the same paths.",
    )
results_download(rep, "dl-capacity-json")
memo_download(rep, "dl-capacity-memo")
provenance_caption(rep)
