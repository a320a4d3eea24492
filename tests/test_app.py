"""AppTest on every page of the Streamlit front end, and the state helpers behind it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app_pages.state import (
    SECTIONS,
    apply_rows,
    apply_values,
    autosave,
    input_diff,
    read_upload,
    restore,
    section_frame,
)
from simulator.errors import ScenarioError
from simulator.output.formatting import money, money_short
from simulator.scenario import load_scenario, loads_scenario

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = [
    "decision",
    "scenario",
    "forecast",
    "backlog",
    "commitment",
    "offers",
    "sensitivity",
    "compare",
    "explain",
]
DEFAULT = ROOT / "scenarios" / "default.yaml"
DEFAULT_S = load_scenario(DEFAULT)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMITSIM_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    monkeypatch.delenv("COMMITSIM_SCENARIO", raising=False)


def _app() -> AppTest:
    """The app on its Scenario page (it opens on the Decision page), where the edits happen."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    at.switch_page("app_pages/scenario.py").run()
    assert not at.exception
    return at


def _headline(at: AppTest) -> str:
    return next(str(m.value) for m in at.sidebar.metric if m.label == "Our number")


def _metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_without_exception(page: str) -> None:
    at = _app()
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert _headline(at) == "$2.0M"
    assert at.title[0].value
    PAGE_CHECKS[page](at)


def _check_scenario(at: AppTest) -> None:
    ids = list(at.main.dataframe[0].value["id"])
    assert ids == [w.id for w in DEFAULT_S.workloads]


def _check_forecast(at: AppTest) -> None:
    from simulator.decision.report import recommend

    rep = recommend(DEFAULT_S)
    assert _metric(at, "Term list spend, unoptimised (mean)") == money_short(
        rep.baseline_term.mean()
    )
    assert _metric(at, "Term list spend, optimised (mean)") == money_short(
        rep.optimized_term.mean()
    )


def _check_backlog(at: AppTest) -> None:
    from simulator.planning.backlog import backlog
    from simulator.planning.planner import plan_waves

    assert list(at.main.dataframe[0].value["lever"]) == list(backlog(DEFAULT_S)["lever"])
    assert _metric(at, "Plan savings over the horizon") == money_short(
        plan_waves(DEFAULT_S).expected_savings
    )


def _check_commitment(at: AppTest) -> None:
    assert _metric(at, "Recommended commitment") == "$2.0M"
    assert _metric(at, "On the unoptimised forecast") == "$3.5M"
    # the what-if input prices any commitment: at our own number it repeats our figures
    assert _metric(at, "Utilisation") == "100.0%"
    at.number_input(key="whatif_commit").set_value(3_500_000).run()
    assert not at.exception
    assert _metric(at, "Tier discount") == "12.0%"
    assert float(_metric(at, "Utilisation").rstrip("%")) < 100
    assert any("breaks the risk limits" in w.value for w in at.warning)
    # the frontier is flat on the default scenario, and the page says why
    assert any("whatever the risk tolerance" in i.value for i in at.info)


def _check_offers(at: AppTest) -> None:
    assert _metric(at, "Our number") == "$2.0M at 8.0%"
    table = at.main.dataframe[0].value
    assert list(table["offer"]) == [o.name for o in DEFAULT_S.offers]
    assert table["commitment ($)"].dtype.kind in "if"  # numbers, so the column sorts
    text = " ".join(m.value for m in at.main.markdown)
    assert "within limits" in text and "breaks the risk limits" in text
    assert "_" not in text.replace("\\_", "")  # counter labels in words, not field names


def _check_decision(at: AppTest) -> None:
    from simulator.decision.report import recommend

    d = recommend(DEFAULT_S).decision
    assert d is not None
    assert at.title[0].value == "Decision"
    assert _metric(at, "Decision") == d.chosen.action.capitalize()
    assert _metric(at, "Commitment") == money_short(d.chosen.commit)
    assert at.get("plotly_chart"), "the decision page shows the spend fan"
    assert len(at.main.dataframe[0].value) == len(d.candidates)


def _check_sensitivity(at: AppTest) -> None:
    assert at.main.button, "the tornado needs its Run button"


def _check_compare(at: AppTest) -> None:
    # with no variant yet the page says how to start, not two identical scenarios
    assert at.multiselect[0].value == ["working copy"]
    assert any("duplicate the working copy" in i.value for i in at.info)


def _check_explain(at: AppTest) -> None:
    from simulator.planning.planner import plan_waves

    text = " ".join(m.value for m in at.main.markdown)
    assert money(plan_waves(DEFAULT_S).expected_savings) in text
    assert list(at.main.dataframe[0].value["lever"])


PAGE_CHECKS = {
    "decision": _check_decision,
    "scenario": _check_scenario,
    "forecast": _check_forecast,
    "backlog": _check_backlog,
    "commitment": _check_commitment,
    "offers": _check_offers,
    "sensitivity": _check_sensitivity,
    "compare": _check_compare,
    "explain": _check_explain,
}


def test_term_change_moves_the_recommendation() -> None:
    at = _app()
    assert _headline(at) == "$2.0M"
    at.number_input(key="f:term@0").set_value(24).run()
    assert not at.exception
    assert _headline(at) == "$5.0M"
    assert loads_scenario(at.session_state["yaml"]).contract.term_months == 24
    # the edit survives a page switch and is reflected in the results pages
    at.switch_page("app_pages/commitment.py").run()
    assert _metric(at, "Recommended commitment") == "$5.0M"


def test_invalid_setting_shows_message_and_keeps_last_valid() -> None:
    at = _app()
    at.number_input(key="f:horizon@0").set_value(6).run()  # contract term needs 12 months
    assert not at.exception
    assert at.error, "expected a located validation message"
    assert "contract" in at.error[0].value or "horizon" in at.error[0].value
    assert loads_scenario(at.session_state["yaml"]).horizon_months == 36
    assert _headline(at) == "$2.0M"


def test_risk_slider_moves_commitment_without_resimulating(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COMMITSIM_SCENARIO", str(ROOT / "scenarios" / "startup.yaml"))
    at = _app()
    at.switch_page("app_pages/commitment.py").run()
    assert _metric(at, "Commitment at this tolerance") == "$500K"
    calls: list[int] = []
    import simulator.decision.report as report_mod

    original = report_mod.simulate
    monkeypatch.setattr(
        report_mod, "simulate", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    at.slider(key="risk_eps").set_value(0.0).run()
    assert not at.exception
    assert _metric(at, "Commitment at this tolerance") == "$0"
    assert calls == []  # served from the cached simulation


def test_invalid_upload_shows_message() -> None:
    at = _app()
    at.get("file_uploader")[0].upload("bad.yaml", b"schema_version: 1\nname: [", "text/yaml")
    at.run()
    assert not at.exception
    assert any("not a valid scenario" in e.value for e in at.error)
    bad = (ROOT / "tests" / "bad_scenarios" / "bad_cache_ttl.yaml").read_bytes()
    at.get("file_uploader")[0].upload("ttl.yaml", bad, "text/yaml")
    at.run()
    assert any("cache_ttl" in e.value for e in at.error)
    assert _headline(at) == "$2.0M"


def test_valid_upload_replaces_working_scenario() -> None:
    at = _app()
    data = (ROOT / "scenarios" / "startup.yaml").read_bytes()
    at.get("file_uploader")[0].upload("startup.yaml", data, "text/yaml")
    at.run()
    assert not at.exception
    assert at.session_state["source"] == "startup.yaml"
    assert _headline(at) == "$500K"


def test_download_gives_a_valid_scenario_with_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []
    original = st.download_button

    def spy(label: str, data: Any = None, **kw: Any) -> Any:
        seen.append({"label": label, "data": data} | kw)
        return original(label, data, **kw)

    monkeypatch.setattr(st, "download_button", spy)
    at = _app()
    at.number_input(key="f:term@0").set_value(24).run()
    yaml_dl = next(x for x in seen[::-1] if x["label"] == "Download scenario YAML")
    text = yaml_dl["data"]
    scenario = loads_scenario(text, "download.yaml")
    assert scenario.contract.term_months == 24
    assert "# Example Co" in text and "# shipped, effective-dated list prices" in text


def test_stale_results_are_marked_when_auto_update_is_off() -> None:
    at = _app()
    at.sidebar.toggle(key="auto").set_value(False).run()
    at.number_input(key="f:term@0").set_value(24).run()
    at.switch_page("app_pages/forecast.py").run()
    assert any("Stale" in w.value for w in at.warning)
    assert _headline(at) == "$2.0M"
    at.sidebar.button[0].click().run()
    assert _headline(at) == "$5.0M"
    assert not any("Stale" in w.value for w in at.warning)


def test_refresh_restores_the_session() -> None:
    at = _app()
    sid = at.query_params["sid"]
    sid = sid[0] if isinstance(sid, list) else sid
    at.number_input(key="f:term@0").set_value(24).run()
    again = AppTest.from_file(APP, default_timeout=60)
    again.query_params["sid"] = sid
    again.run()
    assert not again.exception
    assert loads_scenario(again.session_state["yaml"]).contract.term_months == 24
    assert _headline(again) == "$5.0M"


def test_sensitivity_button_runs_tornado() -> None:
    at = _app()
    at.switch_page("app_pages/sensitivity.py").run()
    at.number_input(key="sens_paths").set_value(1000).run()
    at.button(key="sens_run").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["assumption"])[:1] and len(table) == 6


def test_compare_clone_shows_deltas() -> None:
    at = _app()
    at.switch_page("app_pages/compare.py").run()
    at.button(key="clone").click().run()  # "variant 1": the default scenario as it is
    at.switch_page("app_pages/scenario.py").run()
    at.number_input(key="f:term@0").set_value(24).run()
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    assert at.multiselect[0].value == ["working copy", "variant: variant 1"]
    diff = at.dataframe[1].value  # outcomes first, then the inputs
    assert diff.to_dict("records") == [
        {"input": "contract.term_months", "working copy": "24", "variant: variant 1": "12"}
    ]
    outcomes = at.dataframe[0].value
    # value (change against the working copy): 24 months commit $3M more than 12
    assert outcomes.loc["recommended commitment", "variant: variant 1"].endswith("(-$3,000,000)")
    assert outcomes.loc["discount", "variant: variant 1"].endswith(" pp)")


# -- handlers behind the widgets ----------------------------------------------------------------
def test_tables_round_trip_exactly() -> None:
    text = DEFAULT.read_text()
    scenario = loads_scenario(text)
    for section in SECTIONS:
        rows = section_frame(scenario, section).to_dict("records")
        new, out = apply_rows(text, section, rows)
        assert out == text, section
        assert new.content_hash() == scenario.content_hash()


def test_growth_edit_changes_only_that_value() -> None:
    text = DEFAULT.read_text()
    frame = section_frame(loads_scenario(text), "workloads")
    frame.loc[0, "growth_rate"] = 0.1
    new, out = apply_rows(text, "workloads", frame.to_dict("records"))
    assert new.workloads[0].growth.monthly_rate == 0.1
    changed = [ln for ln in out.splitlines() if ln not in text.splitlines()]
    assert changed == ["    growth: {monthly_rate: 0.1, volatility: 0.03, saturation: null}"]


def test_bad_table_edit_raises_located_problem() -> None:
    text = DEFAULT.read_text()
    frame = section_frame(loads_scenario(text), "levers")
    frame.loc[2, "success_probability"] = 1.5
    with pytest.raises(ScenarioError) as info:
        apply_rows(text, "levers", frame.to_dict("records"))
    assert info.value.problems[0].path == "levers.2.success_probability"
    assert info.value.problems[0].line > 0


def test_read_upload_reports_problems() -> None:
    scenario, _, errors = read_upload(b"\xff\xfe", "x.yaml")
    assert scenario is None and "UTF-8" in errors[0]
    scenario, _, errors = read_upload(b"- a\n- b\n", "list.yaml")
    assert scenario is None and "mapping" in errors[0]
    scenario, text, errors = read_upload(DEFAULT.read_bytes(), "default.yaml")
    assert scenario is not None and not errors and text == DEFAULT.read_text()


def test_autosave_restore_and_input_diff(tmp_path: Path) -> None:
    text = DEFAULT.read_text()
    autosave("abcdef123", {"yaml": text, "source": "d.yaml", "variants": {}})
    state = restore("abcdef123")
    assert state is not None and state["yaml"] == text
    assert restore("../etc/passwd") is None
    s24, _ = apply_values(text, {"contract.term_months": 24})
    diff = input_diff([load_scenario(DEFAULT), s24], ["a", "b"])
    assert diff.to_dict("records") == [{"input": "contract.term_months", "a": "12", "b": "24"}]
    assert money(1234567.4) == "$1,234,567" and money(-5) == "-$5"


UNPLANNABLE = """schema_version: 1
name: Pins that only fail in integers
start: 2027-01
horizon_months: 12
workloads:
  - {id: w, model: claude-sonnet-4-5, requests_per_month: 100000, input_tokens: 2000,
     output_tokens: 300}
levers:
  - {id: a, workload: w, kind: custom, effort_weeks: 0, requires: [b],
     effect: {low: 0.1, mode: 0.2, high: 0.3}}
  - {id: b, workload: w, kind: custom, effort_weeks: 4, effect: {low: 0.1, mode: 0.2, high: 0.3}}
capacity:
  waves:
    - {name: W0, start_month: 0, duration_months: 1, engineering_weeks: 2}
    - {name: W1, start_month: 1, duration_months: 1, engineering_weeks: 2}
plan:
  pinned: {a: 1}
"""


@pytest.mark.parametrize("page", ["scenario", "forecast", "compare"])
def test_a_scenario_that_cannot_be_planned_shows_a_message_not_a_traceback(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It validates (each pin fits its wave) but no integer plan exists: a message on every
    page, the Scenario page still usable, and the same after a refresh (autosave)."""
    path = tmp_path / "unplannable.yaml"
    path.write_text(UNPLANNABLE)
    monkeypatch.setenv("COMMITSIM_SCENARIO", str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("relax" in e.value for e in [*at.error, *at.sidebar.error])
    if page == "scenario":
        assert at.title[0].value == "Scenario"
    again = AppTest.from_file(APP, default_timeout=60)
    again.query_params["sid"] = at.session_state["sid"]
    again.run()
    assert not again.exception


def test_reverting_an_invalid_setting_clears_the_stale_marker() -> None:
    at = _app()
    at.number_input(key="f:cstart@0").set_value(100).run()
    assert at.session_state["invalid"]
    at.number_input(key="f:cstart@0").set_value(0).run()
    assert not at.session_state["invalid"]
    at.switch_page("app_pages/forecast.py").run()
    assert not [w.value for w in at.warning if "Stale" in w.value]


# -- Import and Track pages ----------------------------------------------------------------------
FIX_IMPORTS = ROOT / "tests" / "fixtures" / "imports"


def test_import_page_previews_and_merges() -> None:
    at = _app()
    at.switch_page("app_pages/import_usage.py")
    at.run()
    assert not at.exception
    assert "Upload one or more files" in at.info[0].value
    at.selectbox(key="import_kind").set_value("anthropic-usage")
    pages = [
        (f"usage_page{i}.json", (FIX_IMPORTS / f"usage_page{i}.json").read_bytes())
        for i in (1, 2, 3)
    ]
    at.session_state["import_uploads"] = pages
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    preview = at.main.dataframe[0].value
    ids = list(preview["workload"])
    assert ids and all(i not in {w.id for w in DEFAULT_S.workloads} for i in ids)
    added = next(m for m in at.metric if m.label == "Workloads added")
    assert str(added.value) == str(len(ids))
    at.button(key="import_merge").click().run()
    assert not at.exception
    merged = loads_scenario(at.session_state["yaml"])
    assert [w.id for w in merged.workloads] == [w.id for w in DEFAULT_S.workloads] + ids
    # the default's comments survive the merge
    assert "# Customer support assistant" in at.session_state["yaml"]
    assert any("Merged" in s.value for s in at.success)


def test_track_page_signed_terms_then_actuals() -> None:
    at = _app()
    at.switch_page("app_pages/track.py")
    at.run()
    assert not at.exception
    assert any("Enter the signed terms" in i.value for i in at.info)
    at.number_input[0].set_value(1_000_000.0)
    at.number_input[1].set_value(0.1)
    at.text_input[0].set_value("2027-01")
    at.number_input[2].set_value(12)
    next(b for b in at.button if b.label == "Save signed terms").click().run()
    assert not at.exception, [e.value for e in at.exception]
    signed = loads_scenario(at.session_state["yaml"]).signed
    assert signed is not None and signed.commit == 1_000_000 and signed.start == "2027-01"
    # $600,000 of list a month at 10% off: $1,080,000 drawn after two months, above the commitment
    at.text_area(key="track_paste").input(
        "month,list_spend\n2027-01,600000\n2027-02,600000\n"
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _metric(at, "Drawn down to date") == money(1_080_000)
    assert _metric(at, "Expected unused") == "$0"
    assert any("On track" in s.value for s in at.success)
    # a bad line is named, not a traceback
    at.text_area(key="track_paste").input("month,list_spend\n2027-01,lots\n").run()
    assert not at.exception
    # shown escaped (Markdown): drop the backslashes to read it as the user sees it
    assert any("pasted.csv:2: list_spend" in e.value.replace("\\", "") for e in at.error)


def test_reruns_neither_reparse_nor_render_the_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parse is cached on the scenario text and the memo is built only when downloaded: a
    slider rerun on the Commitment page calls neither, and the button's deferred data is the
    memo ``commitsim memo`` writes."""
    import app_pages.common as common
    from simulator.output.memo import render_memo

    buttons: list[dict[str, Any]] = []
    original = st.download_button

    def spy(label: str, data: Any = None, **kw: Any) -> Any:
        buttons.append({"label": label, "data": data})
        return original(label, data, **kw)

    monkeypatch.setattr(st, "download_button", spy)
    at = _app()
    at.switch_page("app_pages/commitment.py").run()
    assert not at.exception
    calls = {"parse": 0, "memo": 0}
    real_parse, real_memo = common.loads_scenario, common.render_memo

    def counting_parse(*a: Any, **kw: Any) -> Any:
        calls["parse"] += 1
        return real_parse(*a, **kw)

    def counting_memo(*a: Any, **kw: Any) -> Any:
        calls["memo"] += 1
        return real_memo(*a, **kw)

    monkeypatch.setattr(common, "loads_scenario", counting_parse)
    monkeypatch.setattr(common, "render_memo", counting_memo)
    at.slider(key="risk_eps").set_value(0.06).run()
    assert not at.exception
    assert calls == {"parse": 0, "memo": 0}
    memo = next(b for b in buttons[::-1] if b["label"] == "Download negotiation memo (HTML)")
    assert callable(memo["data"])
    rep = common.cached_report(str(at.session_state["yaml"]))
    assert memo["data"]() == render_memo(rep, fmt="html")
    assert calls["memo"] == 1
