"""Capacity: per-minute reservations sized from per-minute demand, next to the commitment."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages.common import memo_download, provenance_caption, results, results_download, status
from simulator.output import capacity_charts
from simulator.output.capacity_text import (
    UNIT_WORDS,
    binding,
    compact,
    compact_money,
    plus_minus,
    pm,
    share_pm,
    share_se,
    units,
    units_se,
)
from simulator.output.formatting import md_text, pct

SE_HELP = "Below the figure: ± one Monte Carlo standard error, from independent batches of paths."


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
size = md_text(f"{units(z.units, p.unit)} ± {units_se(z.units_se, p.unit)}", dollars=True)
st.info(
    f"Reserve {size} for {p.term_months} month(s) from "
    f"{s.month_label(p.start_month)}, set by {binding(z)}. Cheapest where the chance a minute's "
    f"demand exceeds the reservation is {pct(z.critical_fractile)} (reserved price / overflow "
    "price)."
)
words = UNIT_WORDS.get(p.unit, p.unit)


def term_se(se: float | None) -> float | None:
    """A standard error of sample dollars as dollars over the term."""
    return None if se is None else ps.term(se)


def se_metric(col: DeltaGenerator, label: str, value: str, se: str, help: str = "") -> None:
    """A metric with its standard error in grey under it (no arrow: it is not a change)."""
    col.metric(
        label,
        value,
        delta=se,
        delta_color="off",
        delta_arrow="off",
        help=f"{help} {SE_HELP}".strip(),
    )


m = st.columns(4)
se_metric(
    m[0], f"Reserve ({words})", compact(z.units), pm(z.units_se, compact), units(z.units, p.unit)
)
se_metric(m[1], "Expected utilisation", pct(z.utilisation), share_se(z.utilisation_se))
se_metric(m[2], "Demand overflowing", pct(z.overflow_share), share_se(z.overflow_share_se))
se_metric(
    m[3],
    "Saving vs pay-as-you-go",
    compact_money(ps.term(z.expected_savings)),
    pm(term_se(z.expected_savings_se), compact_money),
)
n = st.columns(4)
se_metric(
    n[0],
    "Expected cost, term",
    compact_money(ps.term(z.expected_cost)),
    pm(term_se(z.expected_cost_se), compact_money),
)
n[1].metric("Idle capacity cost", compact_money(ps.term(z.idle_cost)))
n[2].metric("Worst 5% (CVaR95)", compact_money(ps.term(z.cvar95_cost)))
se_metric(
    n[3],
    "Sized before the plan",
    compact(ps.unoptimised.units),
    pm(ps.unoptimised.units_se, compact),
)

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
            "Reserve": plus_minus(compact(r.units), r.units_se, compact),
            "Utilisation": share_pm(r.utilisation, r.utilisation_se),
            "Overflow": share_pm(r.overflow_share, r.overflow_share_se),
            "Expected cost": plus_minus(
                compact_money(ps.term(r.expected_cost)), term_se(r.expected_cost_se), compact_money
            ),
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
