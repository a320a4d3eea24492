"""Session state, cached computation and shared widgets for the pages (Streamlit glue only)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import streamlit as st

from app_pages.state import autosave, new_session_id, restore, valid_session_id
from simulator import __version__
from simulator.decision.report import Report, recommend
from simulator.errors import ScenarioError
from simulator.output.formatting import md_text
from simulator.output.memo import render_memo
from simulator.scenario import Scenario, load_scenario, loads_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def default_scenario_path() -> Path:
    """``--scenario`` after ``--`` on the command line, else $COMMITSIM_SCENARIO or default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--scenario")
    args, _ = parser.parse_known_args(sys.argv[1:])
    name = args.scenario or os.environ.get("COMMITSIM_SCENARIO") or "scenarios/default.yaml"
    path = Path(name)
    return path if path.is_absolute() or path.exists() else ROOT / path


def init_state() -> None:
    """Restore the session from the URL's ``sid`` autosave, or load the default scenario."""
    ss = st.session_state
    if "yaml" in ss:
        return
    sid = st.query_params.get("sid")
    state = restore(sid, ROOT) if valid_session_id(sid) else None
    if state is None:
        sid = new_session_id()
        path = default_scenario_path()
        try:
            text = load_scenario(path).to_yaml()
        except ScenarioError as exc:
            ss["load_error"] = str(exc)
            path = SCENARIOS / "default.yaml"
            text = load_scenario(path).to_yaml()
        state = {"yaml": text, "source": path.name, "variants": {}}
    ss["sid"] = sid
    ss["yaml"] = state["yaml"]
    ss["source"] = state.get("source", "scenario.yaml")
    ss["variants"] = dict(state.get("variants", {}))
    ss["ver"] = 0
    ss["invalid"] = {}
    ss["auto"] = True
    ss["result_yaml"] = state["yaml"]
    ss["last_good"] = state["yaml"]
    st.query_params["sid"] = str(sid)
    persist()


def persist() -> None:
    """Autosave the working scenario and the compare variants (every edit, no save button)."""
    ss = st.session_state
    autosave(
        str(ss["sid"]),
        {"yaml": ss["yaml"], "source": ss["source"], "variants": ss["variants"]},
        ROOT,
    )


def set_yaml(text: str, source: str | None = None, bump: bool = True) -> None:
    """Make ``text`` (already validated) the working scenario and autosave it."""
    ss = st.session_state
    ss["yaml"] = text
    if source is not None:
        ss["source"] = source
    if bump:
        ss["ver"] = int(ss["ver"]) + 1
    ss["invalid"] = {}
    if ss.get("auto", True):
        ss["result_yaml"] = text
    persist()


@st.cache_resource(max_entries=16, show_spinner=False)
def parsed(yaml_text: str, source: str) -> Scenario:
    """The scenario of a text, parsed once per text (shared, never modified)."""
    return loads_scenario(yaml_text, source)


def working() -> Scenario:
    """The last valid working scenario."""
    return parsed(str(st.session_state["yaml"]), str(st.session_state["source"]))


# cache_resource, not cache_data: a report is read, never modified, and handing out the cached
# object saves unpickling a copy of its forecast arrays on every rerun
@st.cache_resource(max_entries=12, show_spinner=False)
def cached_report(yaml_text: str) -> Report:
    """Plan, forecast and commitment for one scenario text (cached on the text)."""
    return recommend(loads_scenario(yaml_text))


def report_for(text: str) -> Report:
    """The cached report, with a spinner while a new scenario is computed."""
    with st.spinner("Planning waves, simulating spend, sizing the commitment...", show_time=True):
        return cached_report(text)


def try_results() -> Report | None:
    """The report for the inputs as edited, else for the last inputs that ran, else ``None``.

    A failure is kept in ``run_error`` for :func:`status`; nothing here raises, so the Scenario
    page stays usable to fix whatever stopped the run.
    """
    ss = st.session_state
    text = str(ss["yaml"] if ss.get("auto", True) else ss["result_yaml"])
    for candidate in dict.fromkeys([text, str(ss["last_good"])]):
        try:
            rep = report_for(candidate)
        except Exception as exc:  # shown to the user as a message, never as a traceback
            ss["run_error"] = str(exc)
            continue
        if candidate == text:
            ss["result_yaml"] = text
            ss["last_good"] = text
            ss.pop("run_error", None)
        return rep
    return None


def results() -> Report:
    """The report a results page shows; stops the page with the reason if nothing can run."""
    rep = try_results()
    if rep is None:
        st.error(
            f"The scenario could not be run: {st.session_state.get('run_error')}."
            " Fix it on the Scenario page."
        )
        st.stop()
    return rep


def is_stale(rep: Report) -> bool:
    """True when the shown results do not match the inputs as edited."""
    ss = st.session_state
    return bool(ss["invalid"]) or rep.scenario.content_hash() != working().content_hash()


def status(rep: Report) -> None:
    """Stale banner and run errors, shown at the top of a results page."""
    ss = st.session_state
    if "run_error" in ss:
        st.error(md_text(f"The edited scenario could not be run: {ss['run_error']}", dollars=True))
    if is_stale(rep):
        why = (
            "some edits are invalid (see the Scenario page)"
            if ss["invalid"]
            else "inputs changed since these results were computed"
        )
        st.warning(f"Stale: {why}; results below are for the last valid inputs.", icon="⚠️")


def md_escape(text: str) -> str:
    """Plain text for ``st.markdown``: dollar signs would start LaTeX, and ``*_[]#<>`` markup."""
    out = text.replace("\\", "\\\\")
    for ch in "$*_[]#<>`|~":
        out = out.replace(ch, "\\" + ch)
    return out


def provenance(rep: Report) -> dict[str, Any]:
    """Report provenance plus the app's own version."""
    p = dict(rep.provenance)
    p["version"] = p.get("version", __version__)
    return p


def provenance_caption(rep: Report) -> None:
    """One caption line: seed, paths, scenario hash, package version, solver and gap."""
    p = provenance(rep)
    st.caption(
        f"seed {p['seed']} · {p['paths']:,} paths ({p['sampling']}) · scenario {p['scenario_hash']}"
        f" · commitsim {p['version']} · {p['solver']} {p['solver_status']}, gap {p['gap']:.2g}"
    )


def results_download(rep: Report, key: str) -> None:
    """Download the full result as JSON, provenance included."""
    st.download_button(
        "Download results (JSON)",
        # built when the button is clicked, not on every rerun
        data=lambda: json.dumps(rep.to_dict(), indent=2, default=float),
        file_name=f"commitsim-{rep.scenario.content_hash()}.json",
        mime="application/json",
        key=key,
    )


def memo_download(rep: Report, key: str) -> None:
    """The negotiation memo, the same file as ``commitsim memo -o memo.html``."""
    st.download_button(
        "Download negotiation memo (HTML)",
        # rendering the memo takes about 0.1 s: only when the button is clicked
        data=lambda: render_memo(rep, fmt="html"),
        file_name=f"{Path(str(st.session_state.get('source', 'scenario'))).stem}-memo.html",
        mime="text/html",
        key=key,
    )
