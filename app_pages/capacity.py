"""Capacity: per-minute reservations sized from per-minute demand, next to the commitment."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import memo_download, provenance_caption, results, results_download, status
from simulator.output import capacity_charts
from simulator.output.capacity_text import binding, units
from simulator.output.formatting import money, pct

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
m = st.columns(4)
m[0].metric("Reserve", units(z.units, p.unit))
m[1].metric("Expected utilisation", pct(z.utilisation))
m[2].metric("Demand overflowing", pct(z.overflow_share))
m[3].metric("Saving vs pay-as-you-go", money(ps.term(z.expected_savings)))
n = st.columns(4)
n[0].metric("Expected cost over the term", money(ps.term(z.expected_cost)))
n[1].metric("Idle capacity cost", money(ps.term(z.idle_cost)))
n[2].metric("Cost in the worst 5% (CVaR95)", money(ps.term(z.cvar95_cost)))
n[3].metric("Sized before the plan", units(ps.unoptimised.units, p.unit))

left, right = st.columns(2)
left.plotly_chart(capacity_charts.demand_heatmap(ps), width="stretch")
right.plotly_chart(capacity_charts.reservation_curve(ps), width="stretch")
left, right = st.columns(2)
left.plotly_chart(capacity_charts.utilisation_histogram(ps), width="stretch")
rows = []
for label, r in (
    ("After the plan", ps.sized),
    ("Before the plan", ps.unoptimised),
    ("Sized before, run after", ps.unoptimised_on_plan),
):
    rows.append(
        {
            "": label,
            "Reserve": units(r.units, p.unit),
            "Utilisation": pct(r.utilisation),
            "Overflow": pct(r.overflow_share),
            "Expected cost": money(ps.term(r.expected_cost)),
            "Idle cost": money(ps.term(r.idle_cost)),
        }
    )
right.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

if cap.commit_without is not None and cap.commit_with is not None:
    st.subheader("Next to the spend commitment")
    c = st.columns(4)
    c[0].metric("Commitment without reservations", money(cap.commit_without.recommended))
    c[1].metric("Commitment with reservations", money(cap.commit_with.recommended))
    c[2].metric("Total cost with reservations", money(cap.total_with))
    c[3].metric(
        "Saving from the reservations",
        money(cap.total_without - cap.total_with),
        help="Expected cost of the commitment plus reservation fees paid outside it, against "
        "the commitment alone, on the same paths.",
    )
results_download(rep, "dl-capacity-json")
memo_download(rep, "dl-capacity-memo")
provenance_caption(rep)
