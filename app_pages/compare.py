"""Compare: several scenarios side by side; clone the working scenario to try a variant."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from app_pages.common import SCENARIOS, persist, report_for, set_yaml
from app_pages.state import outcome_deltas
from simulator.decision.compare import compare
from simulator.decision.report import term_stats
from simulator.output import charts
from simulator.output.formatting import money
from simulator.scenario import load_scenario, loads_scenario

ss = st.session_state
st.title("Compare")
variants: dict[str, str] = ss["variants"]
c1, c2 = st.columns([3, 1])
clone_name = c1.text_input("Clone the working scenario as", value=f"variant {len(variants) + 1}")
if c2.button("Clone", key="clone"):
    variants[clone_name] = str(ss["yaml"])
    persist()
    st.success(f"Saved {clone_name!r}; edit the working copy and compare.")
if variants:
    pick = st.selectbox("Make a variant the working scenario", list(variants), key="switch_pick")
    if st.button("Switch to this variant", key="switch"):
        set_yaml(variants[pick], f"{pick}.yaml")
        st.rerun()

sources = {"working copy": str(ss["yaml"])}
sources |= {f"variant: {k}": v for k, v in variants.items()}
for p in sorted(SCENARIOS.glob("*.yaml")):
    sources[f"file: {p.name}"] = load_scenario(p).to_yaml()
chosen = st.multiselect(
    "Scenarios to compare", list(sources), default=list(sources)[: min(2, len(sources))]
)
if len(chosen) < 2:
    st.info("Choose at least two scenarios.")
    st.stop()
base_name = st.selectbox("Baseline for deltas", chosen, key="compare_base")
reps, failed = [], []
for n in chosen:
    try:
        reps.append(report_for(sources[n]))
    except Exception as exc:  # a scenario that cannot run is named, never a traceback
        failed.append(n)
        st.error(f"{n} could not be run: {exc}")
chosen = [n for n in chosen if n not in failed]
if len(chosen) < 2:
    st.info("Choose at least two scenarios that run.")
    st.stop()
if base_name not in chosen:
    base_name = chosen[0]
scenarios = [loads_scenario(sources[n]) for n in chosen]
baseline = chosen.index(base_name)

st.subheader("Inputs that differ")
result = compare(scenarios, list(chosen), baseline, reports=reps)
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
if len(diff):
    st.dataframe(diff, hide_index=True, width="stretch")
else:
    st.info("No inputs differ.")

outcomes = [
    {
        "optimised term spend": term_stats(r.optimized_term)["mean"],
        "unoptimised term spend": term_stats(r.baseline_term)["mean"],
        "recommended commitment": r.commit.recommended,
        "expected cost": r.commit.expected_cost,
        "saving vs PAYG": r.commit.expected_savings,
        "exposure avoided": r.exposure_avoided,
        "plan savings (horizon)": r.plan.expected_savings,
    }
    for r in reps
]
table = outcome_deltas(outcomes, chosen, baseline)
st.subheader(f"Outcomes (deltas against {base_name})")
st.dataframe(table.map(money).T, width="stretch")
st.plotly_chart(
    charts.compare_fans({n: r.forecast for n, r in zip(chosen, reps, strict=True)}),
    width="stretch",
)
st.caption(
    pd.DataFrame([r.provenance for r in reps], index=chosen)[["scenario_hash", "seed", "paths"]]
    .to_string()
    .replace("\n", " · ")
)
