"""Track: the signed commitment against actual spend, the forecast to the term's end, actions."""

from __future__ import annotations

import streamlit as st

from app_pages.common import set_yaml, working
from app_pages.state import apply_values, problems_of
from app_pages.textutil import plain
from simulator.decision.track import TrackResult, track
from simulator.errors import ImportDataError, ScenarioError, SimulatorError
from simulator.output.formatting import money, pct
from simulator.output.track_charts import track_chart
from simulator.scenario import loads_scenario
from simulator.usage.actuals import MonthlySpend
from simulator.usage.uploads import actuals_upload


@st.cache_data(max_entries=8, show_spinner="Forecasting the rest of the term...")
def _track(yaml_text: str, months: tuple[str, ...], spend: tuple[float, ...]) -> TrackResult:
    return track(loads_scenario(yaml_text), months, spend)


@st.cache_data(max_entries=8, show_spinner=False)
def _actuals(files: tuple[tuple[str, bytes], ...]) -> MonthlySpend:
    return actuals_upload(files)


ss = st.session_state
s = working()
st.title("Track the signed commitment")
st.caption(
    "Once a commitment is signed: are we on track to use it? Actual spend to date, the rest of "
    "the term forecast from it, and what to do about a gap."
)

with st.expander("Signed terms", expanded=s.signed is None):
    sg = s.signed
    with st.form("signed_form"):
        c = st.columns(4)
        commit = c[0].number_input(
            "Commitment ($ over the term)",
            min_value=1.0,
            value=float(sg.commit if sg else 1_000_000.0),
            step=10_000.0,
            format="%.0f",
            help="In contract dollars: list spend times (1 - discount) draws it down.",
        )
        discount = c[1].number_input(
            "Discount off list",
            min_value=0.0,
            max_value=0.99,
            value=float(sg.discount if sg else 0.1),
            step=0.01,
            help="As a share: 0.15 is 15% off.",
        )
        start = c[2].text_input(
            "First month of the term",
            sg.start if sg else s.month_label(s.contract.start_month),
            help="YYYY-MM.",
        )
        term = c[3].number_input(
            "Term (months)",
            min_value=1,
            max_value=120,
            value=int(sg.term_months if sg else s.contract.term_months),
            help="Length of the signed term.",
        )
        if st.form_submit_button("Save signed terms"):
            signed = {
                "commit": commit,
                "discount": discount,
                "start": start.strip(),
                "term_months": int(term),
            }
            try:
                _, text = apply_values(str(ss["yaml"]), {"signed": signed}, str(ss["source"]))
            except ScenarioError as exc:
                st.error(plain("; ".join(problems_of(exc, "signed"))))
            else:
                set_yaml(text)
                st.rerun()

if s.signed is None:
    st.info("Enter the signed terms above to track them.")
    st.stop()

uploaded = st.file_uploader(
    "Actual spend",
    type=["csv", "json"],
    accept_multiple_files=True,
    key="track_files",
    help="A CSV with columns month,list_spend, a FOCUS export, a request log, or Admin API "
    "usage report pages: priced at list, whole months only.",
)
pasted = st.text_area(
    "Or paste monthly list spend",
    "",
    key="track_paste",
    placeholder="month,list_spend\n2027-01,410000\n2027-02,425000",
    help="One line per month, YYYY-MM and list-price dollars.",
)
files: list[tuple[str, bytes]] = [(f.name, f.getvalue()) for f in uploaded or []]
if not files and pasted.strip():
    files = [("pasted.csv", pasted.encode())]
if not files:
    st.info("Upload or paste the actual monthly spend to date.")
    st.stop()
try:
    actual = _actuals(tuple(files))
    r = _track(str(ss["yaml"]), tuple(actual.months), tuple(actual.list_spend))
except ImportDataError as exc:
    st.error(
        "The actuals could not be read:\n\n" + "\n\n".join(plain(str(p)) for p in exc.problems)
    )
    st.stop()
except SimulatorError as exc:
    st.error(plain(str(exc)))
    st.stop()

if r.on_track:
    st.success(
        plain(
            f"On track: {pct(r.shortfall_probability)} chance of leaving commitment unused "
            f"(limit {pct(r.limit)})."
        )
    )
else:
    st.error(
        plain(
            f"At risk: {pct(r.shortfall_probability)} chance of leaving commitment unused "
            f"(limit {pct(r.limit)}); expected unused {money(r.expected_unused)}."
        )
    )
m = st.columns(5)
m[0].metric("Months elapsed", f"{r.months_elapsed} of {len(r.term_labels)}")
m[1].metric("Drawn down to date", money(r.spent_to_date))
m[2].metric("Committed", money(r.committed))
m[3].metric("Rest of term (expected)", money(r.remaining["mean"]))
m[4].metric("Expected unused", money(r.expected_unused))
st.caption(
    plain(
        f"Rest of term P10-P90: {money(r.remaining['p10'])} to {money(r.remaining['p90'])}. "
        f"Growth refitted to date: {pct(r.growth.monthly_rate)} a month "
        f"(+/- {pct(r.growth.trend_sd)}), from {pct(r.growth.prior_rate)} in the scenario."
    )
)
st.plotly_chart(track_chart(r), width="stretch")
st.subheader("What to do")
for i, a in enumerate(r.actions, 1):
    st.markdown(f"{i}\\. {plain(str(a['text']))}")
for note in [*actual.warnings, *r.notes]:
    st.caption(plain(note))
