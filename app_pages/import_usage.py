"""Import: upload usage data, preview the fitted workloads, merge them into the working scenario."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import set_yaml, working
from app_pages.textutil import plain
from simulator.errors import ImportDataError, ScenarioError
from simulator.output.formatting import pct
from simulator.output.track_charts import fit_chart
from simulator.usage import ImportResult
from simulator.usage.merge import merge_imports
from simulator.usage.uploads import IMPORT_KINDS, import_uploads

KIND_LABELS = {
    "anthropic-usage": "Anthropic Admin API usage report (JSON pages)",
    "focus": "FinOps FOCUS cost and usage export (CSV)",
    "requests": "Request logs (CSV: timestamp, prompt tokens, output tokens)",
}


@st.cache_data(max_entries=8, show_spinner="Importing...")
def _import(kind: str, files: tuple[tuple[str, bytes], ...], model: str) -> list[ImportResult]:
    return import_uploads(kind, files, model)


ss = st.session_state
st.title("Import usage")
st.caption(
    "Turn real usage into workloads: growth is fitted from the history, and suggested levers "
    "are added for you to keep or drop on the Scenario page."
)
kind = st.selectbox(
    "What are you uploading?",
    IMPORT_KINDS,
    format_func=KIND_LABELS.__getitem__,
    key="import_kind",
    help="Admin API report pages are read together; each FOCUS file or request log is read alone.",
)
model = "claude-sonnet-4-5"
if kind == "requests":
    model = st.text_input(
        "Model of the logged traffic",
        "claude-sonnet-4-5",
        key="import_model",
        help="A request log does not say which model served it.",
    )
uploaded = st.file_uploader(
    "Usage files",
    type=["json", "csv"],
    accept_multiple_files=True,
    key="import_files",
    help="Several request logs become several workloads.",
)
if uploaded:
    ss["import_uploads"] = [(f.name, f.getvalue()) for f in uploaded]
uploads = ss.get("import_uploads") or []
if not uploads:
    st.info("Upload one or more files to preview the workloads they describe.")
    st.stop()

try:
    results = _import(str(kind), tuple(uploads), model)
except ImportDataError as exc:
    st.error(
        "The files could not be imported:\n\n" + "\n\n".join(plain(str(p)) for p in exc.problems)
    )
    st.stop()

st.subheader("Fitted workloads")
rows = []
charts = []
for res in results:
    infos = {w["id"]: w for w in res.summary.get("workloads", [])}
    for w in res.scenario.workloads:
        fit = infos.get(w.id, {}).get("fit", {})
        rows.append(
            {
                "workload": w.id,
                "model": w.model,
                "requests a month": round(w.requests_per_month),
                "input tokens": round(w.input_tokens),
                "output tokens": round(w.output_tokens),
                "growth a month": pct(w.growth.monthly_rate),
                "volatility": pct(w.growth.volatility),
                "months of history": fit.get("months_used", 0),
            }
        )
        if len(infos.get(w.id, {}).get("months", [])) >= 2:
            charts.append((infos[w.id], w.growth.monthly_rate, w.growth.volatility))
    for warning in res.summary.get("warnings", []):
        st.caption(plain(f"{res.summary.get('source', 'import')}: {warning}"))
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
for info, rate, vol in charts:
    st.plotly_chart(fit_chart(info, rate, vol), width="stretch")
if not charts:
    st.caption("No monthly history in these files: growth is the prior (no trend), not a fit.")

st.subheader("Merge into the working scenario")
suggest = st.checkbox(
    "Add suggested levers",
    True,
    key="import_suggest",
    help="Routing, batch, caching and output control where the usage shape suggests them.",
)
try:
    merged = merge_imports(results, working(), suggest=suggest)
except ScenarioError as exc:
    st.error(
        "The merged scenario is not valid:\n\n" + "\n\n".join(plain(str(p)) for p in exc.problems)
    )
    st.stop()
cols = st.columns(3)
cols[0].metric("Workloads added", len(merged.added))
cols[1].metric("Workloads replaced (same id)", len(merged.replaced))
cols[2].metric("Suggested levers", len(merged.suggested))
if merged.suggested:
    st.caption(plain("Suggested (keep or drop): " + ", ".join(merged.suggested)))
for warning in merged.warnings:
    st.warning(plain(warning))
if st.button("Merge into the working scenario", type="primary", key="import_merge"):
    set_yaml(merged.scenario.to_yaml())
    ss["import_merged"] = merged.added + merged.replaced
    st.rerun()
if ss.get("import_merged"):
    st.success(plain("Merged: " + ", ".join(ss["import_merged"])))
fresh = merge_imports(results, None, suggest=suggest)
st.download_button(
    "Download as a new scenario (bundled template)",
    fresh.scenario.to_yaml(),
    file_name="imported.yaml",
    mime="application/x-yaml",
    key="import_download",
    help="Tiers, waves and offers come from an illustrative template: "
    + ", ".join(fresh.from_template),
)
