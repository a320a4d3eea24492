"""Regression tests for issue 12: every bad input gets a clear, located error (no traceback, no
hang, no injection) and saving loses nothing. One section per class of the issue."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from simulator.cli.common import SafeConsole
from simulator.decision.explain import GLOSSARY
from simulator.errors import ResourceLimitError, ScenarioError, WriteError
from simulator.forecast.montecarlo import simulate
from simulator.output.formatting import md_text
from simulator.planning.planner import plan_waves
from simulator.scenario import load_scenario, loads_scenario
from simulator.scenario.limits import (
    MAX_EXPANDED_NODES,
    MAX_RUN_CELLS,
    decode_text,
    run_size_problem,
)
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
BASE = (ROOT / "tests" / "bad_scenarios" / "_valid_base.yaml").read_text()
DEFAULT = ROOT / "scenarios" / "default.yaml"


def problems(text: str, source: str = "f.yaml") -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        loads_scenario(text, source)
    return [str(p) for p in exc.value.problems]


def swap(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# -- 1. non-finite, absurd and mistyped numbers ----------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "requests_per_month: 200000",
            "requests_per_month: .inf",
            "f.yaml:21: workloads.1.requests_per_month: must be a finite number (not .inf or .nan)"
            " (got inf)",
        ),
        (
            "input_tokens: 8000",
            "input_tokens: .nan",
            "f.yaml:22: workloads.1.input_tokens: must be a finite number (not .inf or .nan)"
            " (got nan)",
        ),
        (
            "requests_per_month: 200000",
            "requests_per_month: 1e300",
            "f.yaml:21: workloads.1.requests_per_month: must be <= 1,000,000,000,000 (got 1e+300)",
        ),
        (
            "effort_weeks: 3",
            "effort_weeks: true",
            "f.yaml:31: levers.0.effort_weeks: must be a number, not true/false (got True)",
        ),
        (
            "effort_weeks: 3",
            "effort_weeks: 1e9",
            "f.yaml:31: levers.0.effort_weeks: must be <= 100,000 (got 1000000000.0)",
        ),
        (
            "input_tokens: 8000",
            'input_tokens: "8000"',
            "f.yaml:22: workloads.1.input_tokens: must be a number, written without quotes"
            " (got '8000')",
        ),
        (
            "schema_version: 1",
            "schema_version: true",
            "f.yaml:2: schema_version: must be a number, not true/false (got True)",
        ),
        (
            "catalog: anthropic-2026-11",
            "catalog: anthropic-2026-11\n  overrides: {claude-opus-4-5: {input: .inf}}",
            "f.yaml:8: pricing.overrides.claude-opus-4-5.input: must be a finite number"
            " (not .inf or .nan) (got inf)",
        ),
    ],
)
def test_numbers_are_finite_bounded_and_strictly_typed(old: str, new: str, expected: str) -> None:
    assert problems(swap(old, new)) == [expected]


def test_time_limit_must_be_positive(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    for bad in ("-1", "0", "nan", "inf"):
        assert run_cli(["plan", str(DEFAULT), "--time-limit", bad], monkeypatch) == 2
        err = capsys.readouterr().err
        assert "--time-limit must be a positive number of seconds" in err
        assert "Traceback" not in err


def test_plan_and_forecast_hold_at_the_upper_bounds() -> None:
    # every bound at once: ~1e20 dollars a month; the MIP used to call this infeasible
    text = DEFAULT.read_text()
    text = swap("requests_per_month: 6000000", "requests_per_month: 1e12", text)
    text = swap("input_tokens: 3500 ", "input_tokens: 1e7 ", text)
    text = swap(
        "overrides: {}", "overrides: {claude-opus-4-5: {input: 10000, output: 10000}}", text
    )
    text = swap("effort_weeks: 3\n", "effort_weeks: 100000\n", text)
    s = loads_scenario(text)
    p = plan_waves(s)
    assert p.status == "optimal"
    assert "route-support-sonnet" not in p.assignment  # 100,000 weeks fit no wave
    assert p.expected_savings >= p.greedy_expected_savings * (1 - 1e-12) > 1e18
    f = simulate(s, p, paths=200)
    assert f.spend.shape == (200, s.horizon_months) or f.spend.shape[0] > 0


# -- 2. names reach the terminal as text, never as markup ------------------------------------

MARKUP_NAME = "[/x] [draft] :100: :thumbs_up: [bold red]loud"


def test_markup_names_print_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    text = swap("name: Bad-input base", f"name: '{MARKUP_NAME}'")
    text = swap("{name: Wave 1,", "{name: '[/w] :smile:',", text)
    path = tmp_path / "markup.yaml"
    path.write_text(text)
    for command in (["backlog"], ["plan"], ["recommend", "--paths", "200"]):
        assert run_cli([command[0], str(path), *command[1:]], monkeypatch) == 0
        out = capsys.readouterr().out
        assert MARKUP_NAME in out, command
        assert "\N{HUNDRED POINTS SYMBOL}" not in out and "\N{THUMBS UP SIGN}" not in out
    assert run_cli(["plan", str(path)], monkeypatch) == 0
    assert "[/w] :smile:" in capsys.readouterr().out


def test_line_100_is_not_an_emoji(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch):
    path = tmp_path / "long.yaml"
    padding = "# padding\n" * 80
    path.write_text(
        swap("levers:\n", padding + "levers:\n", swap("effort_weeks: 3", "effort_weeks: -3"))
    )
    assert run_cli(["validate", str(path)], monkeypatch) == 2
    err = capsys.readouterr().err
    assert f"{path}:111: levers.0.effort_weeks: must be >= 0 (got -3)" in err
    assert "\N{HUNDRED POINTS SYMBOL}" not in err


def test_control_characters_are_refused_in_names_and_stripped_on_output() -> None:
    assert problems(swap("name: Bad-input base", 'name: "a\\e[2Jb"')) == [
        "f.yaml:3: name: must be one line of text without control characters (found U+001B)"
        " (got 'a\\x1b[2Jb')"
    ]
    assert problems(swap("name: Bad-input base", 'name: "two\\nlines"'))[0].startswith(
        "f.yaml:3: name: must be one line of text"
    )
    console = SafeConsole(width=80, record=True, force_terminal=False)
    console.print("a\x1b[2Jb [red]c[/red] :100: \u202eevil")
    assert console.export_text() == "a[2Jb [red]c[/red] :100: evil\n"


# -- 3. YAML structure ------------------------------------------------------------------------


def _bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _bomb(9),
            f"f.yaml:6: with its aliases expanded the file holds more than {MAX_EXPANDED_NODES:,}"
            " values (an alias bomb?); write the values out or use fewer aliases",
        ),
        (
            "x: " + "[" * 5000 + "]" * 5000 + "\n",
            "f.yaml:1: nesting deeper than 50 levels; a scenario is at most a few levels deep",
        ),
        (
            "a: &a [1, *a]\n",
            "f.yaml:1: alias *a refers to the node that contains it (a recursive alias)",
        ),
        (
            "schema_version: 1\nhorizon_months: " + "9" * 5000 + "\n",
            "f.yaml:2: a number with 5000 digits; numbers in a scenario have at most 30",
        ),
        (
            "schema_version: 1\n? [a, b]\n: 1\n",
            "f.yaml:2: a mapping key must be plain text, not a list or a mapping"
            " (a YAML complex key)",
        ),
    ],
)
def test_yaml_structure_limits(text: str, expected: str) -> None:
    start = time.perf_counter()
    assert problems(text) == [expected]
    # refused on the event stream, never expanded (it used to take hours); generous for a busy CI
    assert time.perf_counter() - start < 10.0


def test_non_utf8_and_oversized_files(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"schema_version: 1\nname: caf\xe9\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert [str(p) for p in exc.value.problems] == [
        f"{path}:2: not UTF-8 text: byte 0xe9 at column 10; save the file as UTF-8"
    ]
    with pytest.raises(ScenarioError, match="larger than 5 MB"):
        decode_text(b"#" * 5_000_001, "big.yaml")


@pytest.mark.parametrize("year", ["0000", "1969", "2201", "9999"])
def test_start_year_out_of_range(year: str) -> None:
    assert problems(swap("start: 2027-01", f"start: {year}-01")) == [
        f"f.yaml:4: start: year must be between 1970 and 2200 (got '{year}-01')"
    ]


def test_run_size_limit_says_what_to_lower() -> None:
    s = loads_scenario(BASE)
    with pytest.raises(ResourceLimitError, match=r"lower simulation.paths \(or --paths\)"):
        simulate(s, paths=MAX_RUN_CELLS // (24 * 2) + 2)
    with pytest.raises(ResourceLimitError, match="to at most 83,333,333, or shorten"):
        simulate(s, paths=MAX_RUN_CELLS // (24 * 2) + 2)
    # under the work limit (12M x 24 x 2 = 576M cells) but 12M x 24 x 16 bytes = 4.3 GiB kept
    with pytest.raises(
        ResourceLimitError,
        match=r"would keep 4\.3 GiB of results \(spend with and without the plan on every path\),"
        r" over the limit of 4 GiB: lower simulation.paths \(or --paths\) to at most 11,184,810,",
    ):
        simulate(s, paths=12_000_000)
    # make bench's largest run fits both limits
    assert run_size_problem(1_000_000, 36, 30, 78) is None


# -- 4. writing ---------------------------------------------------------------------------------


def test_unwritable_write_path_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    target = tmp_path / "missing-folder" / "out.yaml"
    assert run_cli(["plan", str(DEFAULT), "--write", str(target)], monkeypatch) == 2
    err = capsys.readouterr().err
    assert f"error: cannot write {target}: No such file or directory" in err
    assert "Traceback" not in err


def test_save_keeps_mode_symlink_crlf_and_bom(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_bytes(b"\xef\xbb\xbf" + BASE.replace("\n", "\r\n").encode())
    real.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    s = load_scenario(link)
    assert s.to_yaml() == BASE  # parsed as if LF, no BOM
    s.save(link)
    assert link.is_symlink() and link.resolve() == real
    assert real.read_bytes() == b"\xef\xbb\xbf" + BASE.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    s.workloads[1].requests_per_month = 1234
    s.save(link)
    data = real.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"requests_per_month: 1234\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    new = tmp_path / "new.yaml"
    s.save(new)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask


def test_save_into_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="it is a folder"):
        loads_scenario(BASE).save(tmp_path)


COMMENTED = """\
schema_version: 1
name: Comments
start: 2027-01
horizon_months: 12
workloads:
  # first: chat
  - id: chat
    model: claude-sonnet-4-5
    requests_per_month: 1000
    input_tokens: 100
    output_tokens: 10   # chat inline
  # second: agent
  - id: agent
    model: claude-sonnet-4-5
    requests_per_month: 2000
    input_tokens: 200
    output_tokens: 20
  # third: triage
  - id: triage
    model: claude-sonnet-4-5
    requests_per_month: 3000
    input_tokens: 300
    output_tokens: 30
# the contract
contract:
  term_months: 12
"""


def _block(text: str, wid: str) -> str:
    """The comment line above a workload and its id line."""
    lines = text.splitlines()
    i = lines.index(f"  - id: {wid}")
    return "\n".join(lines[i - 1 : i + 1])


@pytest.mark.parametrize("drop", [0, 1, 2])
def test_deleting_a_list_item_keeps_the_other_comments_in_place(drop: int) -> None:
    s = loads_scenario(COMMENTED)
    ids = ["chat", "agent", "triage"]
    names = {"chat": "first: chat", "agent": "second: agent", "triage": "third: triage"}
    s.workloads = [w for i, w in enumerate(s.workloads) if i != drop]
    out = s.to_yaml()
    for wid in ids:
        if wid == ids[drop]:
            assert names[wid] not in out and f"id: {wid}" not in out
        else:
            assert _block(out, wid) == f"  # {names[wid]}\n  - id: {wid}"
    assert "# the contract\ncontract:" in out
    assert ("# chat inline" in out) == (drop != 0)


def test_reordering_list_items_moves_their_comments() -> None:
    s = loads_scenario(COMMENTED)
    s.workloads = list(reversed(s.workloads))
    out = s.to_yaml()
    assert _block(out, "triage") == "  # third: triage\n  - id: triage"
    assert _block(out, "agent") == "  # second: agent\n  - id: agent"
    assert _block(out, "chat") == "  # first: chat\n  - id: chat"
    assert loads_scenario(out).model_dump() == s.model_dump()


# -- 6. Markdown memo ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "markdown"),
    [
        ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
        ("![x](https://evil.example/p.png)", "\\!\\[x\\](https://evil.example/p.png)"),
        ("ok\n# Injected heading", "ok # Injected heading"),
        ("# heading", "\\# heading"),
        ("1. list", "1\\. list"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("a | b", "a \\| b"),
        ("*bold* _it_ `code` ~x~", "\\*bold\\* \\_it\\_ \\`code\\` \\~x\\~"),
    ],
)
def test_md_text_neutralises_markdown(name: str, markdown: str) -> None:
    assert md_text(name) == markdown


def test_markdown_memo_escapes_links_images_and_headings() -> None:
    from simulator.decision.report import recommend
    from simulator.output.memo import render_memo

    text = swap(
        "name: Bad-input base", "name: '[x](javascript:alert(1)) ![i](https://e.example/i.png)'"
    )
    text = swap("{name: Proposal,", "{name: '# Evil offer',", text)
    md = render_memo(recommend(loads_scenario(text), paths=400), "md")
    assert "](javascript:" not in md.replace("\\](javascript:", "")
    assert "![i]" not in md and "\n# Evil" not in md and "\n## Evil" not in md
    assert "\\[x\\](javascript:alert(1)) \\!\\[i\\](https://e.example/i.png)" in md


# -- 7. app names ---------------------------------------------------------------------------------


def test_app_names_refuse_a_trailing_newline() -> None:
    from app_pages.state import save_name_problem, valid_session_id

    assert save_name_problem("plan.yaml") is None
    assert save_name_problem("plan.yaml\n") is not None
    assert valid_session_id("abcdef123")
    assert not valid_session_id("abcdef123\n")


def test_launch_month_messages_are_plain_words() -> None:
    for bad in ("2.5", "[1, 2, 3]", "true", "'3'", "[0, 5000]"):
        (msg,) = problems(swap("launch: {month: [2, 6],", f"launch: {{month: {bad},"))
        assert msg.startswith("f.yaml:24: workloads.1.launch.month: ")
        for jargon in ("function", "tuple[", "Input should", "validator"):
            assert jargon not in msg


# -- 8-10. documentation and ordering ------------------------------------------------------------


def test_long_context_share_is_documented_as_a_share_of_tokens() -> None:
    ref = (ROOT / "docs" / "scenario-reference.md").read_text()
    row = next(ln for ln in ref.splitlines() if ln.startswith("| `long_context_share`"))
    assert "| of tokens |" in row and "Not a share of requests" in row
    from simulator.scenario import Workload

    assert "Share of tokens" in str(Workload.model_fields["long_context_share"].description)


def test_glossary_expected_cost_subtracts_rollover() -> None:
    assert "no rollover" not in GLOSSARY["expected_cost"]
    assert "rolls over" in GLOSSARY["expected_cost"]


def test_out_of_order_waves_are_rejected() -> None:
    text = swap("{name: Wave 2, start_month: 3,", "{name: Wave 2, start_month: 0,")
    text = swap(
        "{name: Wave 1, start_month: 0, duration_months: 2,",
        "{name: Wave 1, start_month: 0, duration_months: 4,",
        text,
    )
    assert problems(text) == [
        "f.yaml:47: capacity.waves.1.start_month: waves must be listed in the order they ship:"
        " Wave 2 ships in month 2, before Wave 1 (month 4); reorder capacity.waves (got 0)"
    ]


def test_json_schema_states_the_bounds_in_json_schema_words() -> None:
    import jsonschema

    from simulator.scenario import Scenario

    schema = Scenario.model_json_schema()
    req = schema["$defs"]["Workload"]["properties"]["requests_per_month"]
    assert req["minimum"] == 0 and req["maximum"] == 1e12 and "ge" not in req
    validator = jsonschema.Draft202012Validator(schema)
    data = YAML(typ="safe", pure=True).load(
        swap("requests_per_month: 200000", "requests_per_month: 1e13")
    )
    assert [list(e.path) for e in validator.iter_errors(data)] == [
        ["workloads", 1, "requests_per_month"]
    ]


def test_evaluate_refuses_an_infinite_commitment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["evaluate", str(DEFAULT), "--commit", "inf", "--paths", "200"]
    assert run_cli(args, monkeypatch) == 2
    err = capsys.readouterr().err
    assert "--commit must be a dollar amount from 0 to 1,000,000,000,000" in err
    assert "internal error" not in err


def test_replacing_the_first_item_keeps_valid_yaml() -> None:
    from simulator.scenario import Workload

    s = loads_scenario(COMMENTED)
    new = Workload(
        id="new1", model="claude-sonnet-4-5", requests_per_month=1, input_tokens=1, output_tokens=1
    )
    s.workloads = [new, s.workloads[1]]
    out = s.to_yaml()
    assert "first: chat" not in out and "workloads:\n  - id: new1\n    model:" in out
    assert _block(out, "agent") == "  # second: agent\n  - id: agent"
    assert [w.id for w in loads_scenario(out).workloads] == ["new1", "agent"]
