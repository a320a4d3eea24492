"""Compare: several scenarios side by side; clone the working scenario to try a variant."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from app_pages.common import SCENARIOS, persist, report_for, set_yaml
from app_pages.state import outcome_table
from simulator.decision.compare import compare
from simulator.decision.report import term_stats
from simulator.output import charts
from simulator.output.formatting import md_text
from simulator.scenario import load_scenario, loads_scenario

ss = st.session_state
st.title("Compare")
variants: dict[str, str] = ss["variants"]
c1, c2 = st.columns([3, 1])
clone_name = c1.text_input(
    "Name of the copy",
    value=f"variant {len(variants) + 1}",
    help="A copy of the working scenario as it is now. Change the working copy afterwards on the "
    "Scenario page and compare the two here.",
)
if c2.button("Duplicate the working copy", key="clone"):
    variants[clone_name] = str(ss["yaml"])
    persist()
    st.success(
        f"Saved {md_text(repr(clone_name), dollars=True)}; edit the working copy and compare."
    )
if variants:
    pick = st.selectbox(
        "Make a variant the working scenario",
        list(variants),
        key="switch_pick",
        help="Load a saved variant into the working copy.",
    )
    if st.button("Switch to this variant", key="switch"):
        set_yaml(variants[pick], f"{pick}.yaml")
        st.rerun()

sources = {"working copy": str(ss["yaml"])}
sources |= {f"variant: {k}": v for k, v in variants.items()}
for p in sorted(SCENARIOS.glob("*.yaml")):
    sources[f"file: {p.name}"] = load_scenario(p).to_yaml()
if not variants:
    st.info(
        "Start here: duplicate the working copy, change something on the Scenario page, and come "
        "back to see what it does to the outcome. Or pick bundled files below."
    )
# the working copy against the newest variant: two identical scenarios teach nothing
default = ["working copy", f"variant: {list(variants)[-1]}"] if variants else ["working copy"]
chosen = st.multiselect(
    "Scenarios to compare",
    list(sources),
    default=default,
    help="The working copy, your saved variants and the bundled scenario files.",
)
if len(chosen) < 2:
    st.info("Choose at least two scenarios.")
    st.stop()
base_name = st.selectbox(
    "Baseline for deltas",
    chosen,
    key="compare_base",
    help="The scenario the others are measured against.",
)
reps, failed = [], []
for n in chosen:
    try:
        reps.append(report_for(sources[n]))
    except Exception as exc:  # a scenario that cannot run is named, never a traceback
        failed.append(n)
        st.error(md_text(f"{n} could not be run: {exc}", dollars=True))
chosen = [n for n in chosen if n not in failed]
if len(chosen) < 2:
    st.info("Choose at least two scenarios that run.")
    st.stop()
if base_name not in chosen:
    base_name = chosen[0]
scenarios = [loads_scenario(sources[n]) for n in chosen]
baseline = chosen.index(base_name)

result = compare(scenarios, list(chosen), baseline, reports=reps)
outcomes = [
    {
        "optimised term spend": term_stats(r.optimized_term)["mean"],
        "unoptimised term spend": term_stats(r.baseline_term)["mean"],
        "recommended commitment": r.commit.recommended,
        "discount": r.commit.discount,
        "chance of unused commitment": r.commit.shortfall_probability,
        "expected cost": r.commit.expected_cost,
        "saving vs PAYG": r.commit.expected_savings,
        "exposure avoided": r.exposure_avoided,
        "plan savings (horizon)": r.plan.expected_savings,
    }
    for r in reps
]
table = outcome_table(
    outcomes, chosen, baseline, shares=frozenset({"discount", "chance of unused commitment"})
)
st.subheader(f"Outcomes: value (change against {md_text(base_name, dollars=True)})")
st.dataframe(table, width="stretch")
diff = pd.DataFrame(
    [
        {"input": row["path"]}
        | {
            n: json.dumps(v) if not isinstance(v, str) else v
            for n, v in zip(chosen, row["values"], strict=True)
        }
        for row in result.input_diffs
    ],
    columns=["input", *chosen],
)
st.subheader(f"Inputs that differ: {len(diff)}")
if len(diff):
    st.dataframe(diff, hide_index=True, width="stretch")
else:
    st.info("No inputs differ.")

st.plotly_chart(
    charts.compare_fans({n: r.forecast for n, r in zip(chosen, reps, strict=True)}),
    width="stretch",
)
st.caption(
    pd.DataFrame([r.provenance for r in reps], index=chosen)[["scenario_hash", "seed", "paths"]]
    .to_string()
    .replace("\n", " · ")
)
