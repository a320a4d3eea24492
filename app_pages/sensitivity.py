"""Sensitivity: which assumptions move the recommended commitment most (tornado)."""

from __future__ import annotations

import streamlit as st

from app_pages.common import provenance_caption, results, status
from simulator.decision.sensitivity import ASSUMPTIONS, tornado
from simulator.output import charts
from simulator.output.formatting import money_short

ss = st.session_state
rep = results()
s = rep.scenario
st.title("Sensitivity")
status(rep)
st.write(
    "Each assumption is moved to a low and a high setting and the whole pipeline re-run "
    "(same seed, fewer paths): "
    + "; ".join(f"{a.name} {a.low} / {a.high}" for a in ASSUMPTIONS)
    + (
        "; shortfall limit halved / doubled."
        if s.contract.max_shortfall_probability is not None
        else ". No shortfall limit is set, so there is no shortfall-limit bar."
    )
)
paths = st.number_input(
    "Paths per run",
    500,
    50_000,
    4000,
    500,
    key="sens_paths",
    help="Simulated futures per re-run; fewer run faster.",
)
key = f"{s.content_hash()}:{paths}"
store: dict[str, object] = ss.setdefault("tornado", {})
if st.button("Run sensitivity", key="sens_run", type="primary") and key not in store:
    bar = st.progress(0.0, text="starting")
    store[key] = tornado(s, paths=int(paths), progress=lambda n, f: bar.progress(f, text=n))
    bar.empty()
table = store.get(key)
if table is None:
    older = [k for k in store if k.startswith(s.content_hash())]
    st.info("Press **Run sensitivity** (about 1-3 s for the bundled scenarios).")
    if older:
        table = store[older[-1]]
if table is not None:
    swings = table["swing"].fillna(0).abs()  # type: ignore[index]
    if float(swings.max()) == 0.0:
        base = float(table["base_commit"].iloc[0])  # type: ignore[index]
        st.info(
            f"No assumption moves the commitment: it stays at {money_short(base)} at every low "
            "and high setting, because it sits on a tier threshold that none of them crosses. "
            "The spend tornado below shows how far each assumption moves expected spend."
        )
    st.plotly_chart(charts.tornado_chart(table, "commit"), width="stretch")
    st.plotly_chart(charts.tornado_chart(table, "spend"), width="stretch")
    money_cols = (
        "base_commit",
        "commit_low",
        "commit_high",
        "swing",
        "base_spend",
        "spend_low",
        "spend_high",
    )
    shown = table.copy()  # type: ignore[attr-defined]
    labels = {c: c.replace("_", " ") + " ($)" for c in money_cols}
    shown = shown.rename(columns=lambda c: labels.get(c, str(c).replace("_", " ")))
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            v: st.column_config.NumberColumn(format="localized") for v in labels.values()
        },
    )
    st.caption(
        "Commitments sit on tier thresholds, so they often do not move; the spend tornado shows "
        "how far each assumption moves the expected term spend."
    )
provenance_caption(rep)
