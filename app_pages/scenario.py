"""Scenario: load, upload, edit in tables and forms, download and save."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages.common import SCENARIOS, set_yaml, working
from app_pages.state import (
    SECTIONS,
    apply_rows,
    apply_values,
    clean_cell,
    problems_of,
    read_upload,
    save_name_problem,
    section_frame,
)
from simulator.errors import ScenarioError
from simulator.output.formatting import md_text
from simulator.scenario import load_scenario

ss = st.session_state
ver = int(ss["ver"])
scenario = working()
st.title("Scenario")
source = md_text(str(ss["source"]), dollars=True)
st.caption(f"Working copy of **{source}** · edits are kept as you make them (autosaved).")

# -- load or upload ---------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    bundled = sorted(p.name for p in SCENARIOS.glob("*.yaml"))
    choice = st.selectbox(
        "Bundled scenario",
        bundled,
        key="bundled_choice",
        help="The example scenarios shipped with commitsim; loading one replaces the working copy.",
    )
    if st.button("Load bundled scenario", key="load_bundled"):
        try:
            set_yaml(load_scenario(SCENARIOS / choice).to_yaml(), choice)
            st.rerun()
        except ScenarioError as exc:
            st.error("\n\n".join(str(p) for p in exc.problems))
with right:
    upload = st.file_uploader(
        "Upload a scenario (YAML)",
        type=["yaml", "yml"],
        key="upload",
        help="A scenario file; it replaces the working copy once it validates.",
    )
    if upload is not None and ss.get("upload_done") != upload.file_id:
        loaded, text, errors = read_upload(upload.getvalue(), upload.name)
        if loaded is None:
            ss["upload_errors"] = errors
        else:
            ss["upload_done"] = upload.file_id
            ss.pop("upload_errors", None)
            set_yaml(text, upload.name)
            st.rerun()
    if ss.get("upload_errors"):
        st.error("This file is not a valid scenario:\n\n" + "\n\n".join(ss["upload_errors"]))


# -- settings forms ---------------------------------------------------------------------------
def _apply(section: str, updates: dict[str, Any]) -> None:
    try:
        _, text = apply_values(str(ss["yaml"]), updates, str(ss["source"]))
    except ScenarioError as exc:
        ss["invalid"][section] = problems_of(exc)
        st.error("\n\n".join(problems_of(exc)))
        return
    set_yaml(text, bump=False)
    st.rerun()


sim, con = scenario.simulation, scenario.contract
with st.expander("Horizon, simulation and contract terms", expanded=True):
    c1, c2, c3, c4 = st.columns(4)
    values = {
        "horizon_months": c1.number_input(
            "Horizon (months)",
            1,
            120,
            scenario.horizon_months,
            key=f"f:horizon@{ver}",
            help="How many months the forecast covers from the scenario start.",
        ),
        "simulation.paths": c2.number_input(
            "Paths",
            100,
            2_000_000,
            sim.paths,
            1000,
            key=f"f:paths@{ver}",
            help="Simulated futures; more paths give smaller standard errors but run slower.",
        ),
        "simulation.seed": c3.number_input(
            "Seed",
            0,
            None,
            sim.seed,
            key=f"f:seed@{ver}",
            help="Random seed: the same seed gives the same results.",
        ),
        "simulation.correlation": c4.slider(
            "Correlation",
            0.0,
            1.0,
            float(sim.correlation),
            0.05,
            key=f"f:corr@{ver}",
            help="How much the workloads' growth moves together (0: independent, 1: together).",
        ),
        "contract.start_month": c1.number_input(
            "Contract start month",
            0,
            119,
            con.start_month,
            key=f"f:cstart@{ver}",
            help="Months after the scenario start at which the contract begins (0: at once).",
        ),
        "contract.term_months": c2.number_input(
            "Term (months)",
            1,
            120,
            con.term_months,
            key=f"f:term@{ver}",
            help="Length of the contract the commitment covers.",
        ),
        "contract.overage": c3.selectbox(
            "Overage billed at",
            ["contract_rate", "list"],
            index=["contract_rate", "list"].index(con.overage),
            key=f"f:overage@{ver}",
            format_func=lambda v: {"contract_rate": "the contract rate", "list": "list price"}[v],
            help="How usage beyond the commitment is billed.",
        ),
        "contract.rollover_share": c4.slider(
            "Rollover share",
            0.0,
            1.0,
            float(con.rollover_share),
            0.05,
            key=f"f:roll@{ver}",
            help="Share of unused commitment that carries over instead of being lost.",
        ),
        "contract.max_shortfall_probability": c1.slider(
            "Max shortfall probability",
            0.0,
            1.0,
            float(con.max_shortfall_probability or 0.0),
            0.01,
            key=f"f:eps@{ver}",
            help="The largest acceptable chance of paying for commitment that goes unused.",
        ),
        "contract.ramped": c2.toggle(
            "Ramped (per-year commitments)",
            con.ramped,
            key=f"f:ramp@{ver}",
            help="A separate commitment for each contract year instead of one for the term.",
        ),
    }
    current = {
        "horizon_months": scenario.horizon_months,
        "simulation.paths": sim.paths,
        "simulation.seed": sim.seed,
        "simulation.correlation": sim.correlation,
        "contract.start_month": con.start_month,
        "contract.term_months": con.term_months,
        "contract.overage": con.overage,
        "contract.rollover_share": con.rollover_share,
        "contract.max_shortfall_probability": con.max_shortfall_probability or 0.0,
        "contract.ramped": con.ramped,
    }
    changed = {k: v for k, v in values.items() if v != current[k]}
    if changed:
        _apply("settings", changed)
    else:
        # the widgets agree with the scenario again: an earlier invalid edit was reverted
        st.session_state["invalid"].pop("settings", None)

# -- tables -----------------------------------------------------------------------------------
TITLES = {
    "workloads": "Workloads",
    "levers": "Levers",
    "capacity.waves": "Waves (engineering capacity)",
    "contract.tiers": "Contract tiers",
    "offers": "Vendor offers",
}
MONEY_COLS = {"commit", "min_commit"}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: clean_cell(v) for k, v in row.items()} for row in frame.to_dict("records")]


for section, title in TITLES.items():
    st.subheader(title)
    frame = section_frame(scenario, section)
    config: dict[str, Any] = {
        c: st.column_config.NumberColumn(c, format="dollar") for c in MONEY_COLS & set(frame)
    }
    edited = st.data_editor(
        frame,
        key=f"ed:{section}@{ver}",
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        column_config=config,
    )
    if _records(edited) != _records(frame):
        try:
            _, text = apply_rows(str(ss["yaml"]), section, _records(edited), str(ss["source"]))
        except ScenarioError as exc:
            ss["invalid"][section] = problems_of(exc)
            st.error("Not applied:\n\n" + "\n\n".join(f"- {m}" for m in problems_of(exc)))
        else:
            set_yaml(text)
            st.rerun()
    else:
        ss["invalid"].pop(section, None)
keys = ", ".join(SECTIONS[s][0] or "position" for s in TITLES)
st.caption(f"Rows are matched by ({keys}); fields not shown (descriptions...) are kept.")

# -- download and save ------------------------------------------------------------------------
st.subheader("Download or save")
text = str(ss["yaml"])
stem = str(ss["source"]).rsplit(".", 1)[0]
st.download_button(
    "Download scenario YAML", data=text, file_name=f"{stem}.yaml", mime="application/x-yaml"
)
c1, c2 = st.columns([3, 1])
name = c1.text_input(
    "Save into scenarios/ as",
    value=f"{stem}-edited.yaml",
    key="save_name",
    help="File name for the working copy in the scenarios folder.",
)
overwrite = c2.checkbox(
    "Overwrite", key="save_overwrite", help="Replace a file of that name if it exists."
)
if st.button("Save to scenarios/", key="save"):
    problem = save_name_problem(name)
    target = SCENARIOS / name
    if problem:
        st.error(md_text(f"File name {name!r}: {problem}", dollars=True))
    elif target.exists() and not overwrite:
        st.error(md_text(f"{name} exists; tick Overwrite to replace it.", dollars=True))
    else:
        working().save(target)
        st.success(md_text(f"Saved scenarios/{name}", dollars=True))
