"""Standing fuzz suite (issue 12): hostile inputs through every entry point.

The property everywhere: a bad input is refused with a located message (FILE:LINE and the
field) through the package's own exceptions, and a good one runs; no other exception, no hang,
and names are printed literally. Example counts are fixed per test so the whole file stays
well under a minute on two cores (``HYPOTHESIS_PROFILE=dev`` in tests/conftest.py runs the
same tests derandomised off, for a longer hunt: ``FUZZ_SCALE=10`` multiplies the counts).
"""

from __future__ import annotations

import copy
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from simulator.decision.report import recommend
from simulator.errors import ImportDataError, ScenarioError, SimulatorError
from simulator.output.memo import render_memo
from simulator.planning.checks import check_plannable
from simulator.scenario import loads_scenario
from simulator.scenario.limits import decode_text
from simulator.usage.anthropic_usage import import_anthropic_usage
from simulator.usage.focus import import_focus
from simulator.usage.requests_log import import_requests
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))
FIXTURES = ROOT / "tests" / "fixtures" / "imports"
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
SAFE_YAML = YAML(typ="safe", pure=True)


def fuzz(examples: int) -> Any:
    """Bounded settings: a fixed example count, no deadline (the machine is shared)."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))] or [path]
    return [path]


DATA = {p.name: SAFE_YAML.load(p.read_text()) for p in BUNDLED}
LEAVES = [(name, path) for name, data in DATA.items() for path in _leaves(data) if path]

HOSTILE_TEXT = st.sampled_from(
    ["[/x]", "[draft]", ":100:", "\x1b[2J", "\u202e", "[x](javascript:alert(1))", "![i](http://e)"]
)
BAD_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.booleans(),
    st.none(),
    st.text(max_size=20),
    HOSTILE_TEXT,
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(st.sampled_from(["a", "low", "month"]), st.integers(-2, 2), max_size=2),
    st.sampled_from([1e300, -1e300, 2**63, 0, -1, 0.5, 1.0, 1e12, 12, "2027-01", "9999-12"]),
)


def _dump(data: Any) -> str:
    buf = io.StringIO()
    SAFE_YAML.dump(data, buf)
    return buf.getvalue()


def _assert_located(exc: ScenarioError, source: str) -> None:
    assert exc.problems
    for p in exc.problems:
        assert p.file == source
        assert p.line >= 1, str(p)  # FILE:LINE, always
        # whole-file problems (syntax, limits, not a mapping) have no field; every other names it
        assert p.path or p.value is None, str(p)
        for jargon in ("function-", "Input should", "pydantic", "Traceback"):
            assert jargon not in str(p), str(p)


def _mutate(name: str, path: tuple[Any, ...], value: Any) -> str:
    data = copy.deepcopy(DATA[name])
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return _dump(data)


@fuzz(60)
@given(st.sampled_from(LEAVES), BAD_VALUES)
def test_every_field_mutated_is_refused_with_a_location_or_loads(
    leaf: tuple[str, tuple[Any, ...]], value: Any
) -> None:
    name, path = leaf
    try:
        s = loads_scenario(_mutate(name, path, value), name)
    except ScenarioError as exc:
        _assert_located(exc, name)
        return
    try:
        check_plannable(s)
    except ScenarioError as exc:
        _assert_located(exc, name)


@fuzz(12)
@given(st.sampled_from(LEAVES), BAD_VALUES)
def test_mutated_scenarios_that_load_also_run(
    leaf: tuple[str, tuple[Any, ...]], value: Any
) -> None:
    name, path = leaf
    try:
        s = loads_scenario(_mutate(name, path, value), name)
        check_plannable(s)
    except ScenarioError:
        return
    try:
        report = recommend(s, paths=200)
    except SimulatorError as exc:  # e.g. pins that no plan can honour: a message, not a crash
        assert str(exc)
        return
    assert report.commit.recommended >= 0
    render_memo(report, "md")


# -- YAML structure ------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.integers(-(10**6), 10**6), st.text(max_size=8), st.booleans(), st.none(), st.floats()
)
YAML_TREES = st.recursive(
    SCALARS,
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4)
    ),
    max_leaves=30,
)


@fuzz(60)
@given(YAML_TREES)
def test_random_yaml_documents_are_refused_cleanly(tree: Any) -> None:
    try:
        loads_scenario(_dump(tree), "tree.yaml")
    except ScenarioError as exc:
        _assert_located(exc, "tree.yaml")


@fuzz(40)
@given(
    levels=st.integers(2, 12),
    width=st.integers(2, 12),
    depth=st.integers(1, 400),
    recursive=st.booleans(),
)
def test_aliases_and_nesting_never_hang(
    levels: int, width: int, depth: int, recursive: bool
) -> None:
    lines = ["a0: &a0 [x, y]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    lines.append("deep: " + "[" * depth + "]" * depth)
    if recursive:
        lines.append("r: &r {self: *r}")
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as exc:
        loads_scenario("\n".join(lines) + "\n", "bomb.yaml")
    assert time.perf_counter() - start < 5.0
    assert all(str(p).startswith("bomb.yaml:") for p in exc.value.problems)


@fuzz(60)
@given(st.binary(max_size=200))
def test_any_bytes_are_decoded_or_refused_with_a_line(data: bytes) -> None:
    try:
        text = decode_text(data, "bytes.yaml")
    except ScenarioError as exc:
        (p,) = exc.problems
        assert p.line >= 1 and "not UTF-8" in p.message
        return
    try:
        loads_scenario(text, "bytes.yaml")
    except ScenarioError as exc:
        assert all(str(p).startswith("bytes.yaml") for p in exc.problems)


# -- importers ---------------------------------------------------------------------------------

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["1e300", "-1", "nan", "inf", "0001-01-01T00:00:00", "9999-12-31", "[1]", ""]),
)
JSON_VALUES = st.one_of(BAD_VALUES, st.just({"ephemeral_5m_input_tokens": "x"}))


def _csv_mutant(fixture: str, row: int, col: int, value: str, tmp: Path) -> Path:
    lines = (FIXTURES / fixture).read_text().splitlines()
    cells = lines[row].split(",")
    cells[col % len(cells)] = value.replace(",", ";").replace("\n", " ").replace("\r", " ")
    lines[row] = ",".join(cells)
    path = tmp / fixture
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@fuzz(60)
@given(
    fixture=st.sampled_from(["focus_claude.csv", "requests_small.csv"]),
    row=st.integers(1, 3),
    col=st.integers(0, 20),
    value=CELLS,
)
def test_importer_csv_cells(
    tmp_path_factory: pytest.TempPathFactory, fixture: str, row: int, col: int, value: str
) -> None:
    path = _csv_mutant(fixture, row, col, value, tmp_path_factory.mktemp("csv"))
    importer = import_focus if fixture.startswith("focus") else import_requests
    try:
        importer(path)
    except ImportDataError as exc:
        assert all(str(p).startswith(str(path)) for p in exc.problems)


USAGE = json.loads((FIXTURES / "usage_page1.json").read_text())
USAGE_KEYS = sorted(USAGE["data"][0]["results"][0])


@fuzz(60)
@given(key=st.sampled_from([*USAGE_KEYS, "starting_at", "ending_at"]), value=JSON_VALUES)
def test_importer_json_values(
    tmp_path_factory: pytest.TempPathFactory, key: str, value: Any
) -> None:
    doc = copy.deepcopy(USAGE)
    holder = doc["data"][0] if key in ("starting_at", "ending_at") else doc["data"][0]["results"][0]
    holder[key] = value
    path = tmp_path_factory.mktemp("json") / "usage.json"
    path.write_text(json.dumps(doc, indent=2))
    try:
        import_anthropic_usage([path])
    except ImportDataError as exc:
        assert all(str(p).startswith(str(path)) for p in exc.problems)


# -- names through every CLI command and the memo ----------------------------------------------

NAMES = st.lists(
    st.one_of(HOSTILE_TEXT, st.text(alphabet="[]/:#*_!()<>|`~\\$ abc01\n", max_size=6)),
    min_size=1,
    max_size=4,
).map("".join)
BASE = (ROOT / "tests" / "bad_scenarios" / "_valid_base.yaml").read_text()
COMMANDS = [
    ["validate"],
    ["backlog"],
    ["plan"],
    ["cost"],
    ["forecast", "--paths", "200"],
    ["recommend", "--paths", "200"],
]


@fuzz(24)
@given(name=NAMES, command=st.sampled_from(COMMANDS))
def test_names_print_literally_through_every_command(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    command: list[str],
) -> None:
    text = BASE.replace("name: Bad-input base", f"name: {json.dumps(name)}")
    text = text.replace("{name: Proposal,", f"{{name: {json.dumps(name + ' offer')},")
    path = tmp_path_factory.mktemp("names") / "names.yaml"
    path.write_text(text)
    capsys.readouterr()
    with monkeypatch.context() as m:
        code = run_cli([command[0], str(path), *command[1:]], m)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    assert "\x1b" not in out + err
    if code == 2:  # control characters in a name are refused, with the line
        assert f"{path}:3: name: must be one line of text" in err
        return
    assert code == 0, err
    if command[0] in ("backlog", "plan", "recommend", "forecast"):
        assert name in out  # literally: no markup eaten, no emoji


@fuzz(10)
@given(name=NAMES)
def test_names_in_the_markdown_memo_stay_text(name: str) -> None:
    flat = " ".join(name.replace("\x1b", "").replace("\u202e", "").splitlines())
    text = BASE.replace("name: Bad-input base", f"name: {json.dumps(flat)}")
    try:
        s = loads_scenario(text)
    except ScenarioError:
        return
    md = render_memo(recommend(s, paths=200), "md")
    body = md.split("\n", 1)[1]
    assert "](javascript:" not in md.replace("\\](javascript:", "")
    assert "![i]" not in md and "<" not in md.replace("&lt;", "")
    assert not any(ln.startswith("# ") for ln in body.splitlines())
