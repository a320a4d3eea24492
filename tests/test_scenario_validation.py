"""Scenario files: located errors for a corpus of broken files, safe loading, exact round trip,
atomic saves, the JSON Schema, and the bundled scenarios."""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from simulator.errors import ScenarioError
from simulator.scenario import Scenario, load_scenario, loads_scenario

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "bad_scenarios"
COMMITSIM = Path(sys.executable).with_name("commitsim")
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))
EXPECTED: dict[str, list[str]] = YAML(typ="safe").load((CORPUS / "expected.yaml").read_text())
BROKEN = sorted(p.name for p in CORPUS.glob("*.yaml") if p.name[0] != "_" and p.stem != "expected")


def run(
    *args: str, cwd: Path = ROOT, columns: int | None = 1000
) -> subprocess.CompletedProcess[str]:
    """Run the real console script. Wide COLUMNS: rich wraps stderr at 80 columns otherwise
    (see ``test_messages_are_not_wrapped_on_a_narrow_terminal``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [str(COMMITSIM), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


# -- the bad-input corpus ----------------------------------------------------------------------


def test_corpus_is_large_and_fully_described() -> None:
    assert len(BROKEN) >= 32
    assert sorted(EXPECTED) == BROKEN


def test_corpus_base_is_valid() -> None:
    assert run("validate", "_valid_base.yaml", cwd=CORPUS).returncode == 0


@pytest.mark.parametrize("name", BROKEN)
def test_each_broken_file_is_small_variation_of_base(name: str) -> None:
    # each file breaks the valid base in one place, so its message tests exactly one thing
    base = (CORPUS / "_valid_base.yaml").read_text().splitlines()[1:]
    text = (CORPUS / name).read_text().splitlines()[1:]
    if name in ("empty_file.yaml", "not_a_mapping.yaml", "empty_workloads.yaml"):
        return
    changed = [ln for ln in difflib.ndiff(base, text) if ln[:2] in ("+ ", "- ")]
    assert 1 <= len(changed) <= 14, changed


@pytest.mark.parametrize("name", BROKEN)
def test_broken_file_gets_its_located_message(name: str) -> None:
    res = run("validate", name, cwd=CORPUS)
    assert res.returncode == 2
    assert "Traceback" not in res.stdout + res.stderr
    assert res.stdout == ""
    assert res.stderr.splitlines() == EXPECTED[name]
    for line in EXPECTED[name]:
        assert line.startswith(f"{name}:")
        # FILE:LINE: with a real line number (every corpus problem is locatable)
        assert int(line.split(":")[1]) >= 1


@pytest.mark.parametrize("name", BROKEN)
def test_library_raises_same_problems(name: str) -> None:
    # the library (no CLI) gives the same located problems, as a ScenarioError
    with pytest.raises(ScenarioError) as info:
        load_scenario(CORPUS / name)
    got = [str(p).replace(str(CORPUS / name), name) for p in info.value.problems]
    assert got == EXPECTED[name]


def test_several_problems_are_all_reported_in_file_order() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(CORPUS / "several_problems.yaml")
    assert [p.line for p in info.value.problems] == [11, 16, 43]


def test_messages_carry_the_offending_value() -> None:
    # spot checks of the contract `FILE:LINE: dotted.path: message (got VALUE)`, run for real
    for name in ("negative_requests.yaml", "share_above_one.yaml", "tiers_not_rising.yaml"):
        res = run("validate", name, cwd=CORPUS)
        assert res.returncode == 2
        assert res.stderr.splitlines() == EXPECTED[name]
    assert EXPECTED["negative_requests.yaml"] == [
        "negative_requests.yaml:11: workloads.0.requests_per_month: must be >= 0 (got -1000000)"
    ]
    assert EXPECTED["share_above_one.yaml"] == [
        "share_above_one.yaml:14: workloads.0.cache_read_share: must be <= 1 (got 1.2)"
    ]
    assert EXPECTED["tiers_not_rising.yaml"] == [
        "tiers_not_rising.yaml:54: contract.tiers.2.min_commit: tiers must rise in min_commit"
        " (got 400000)"
    ]


def test_messages_are_not_wrapped_on_a_narrow_terminal() -> None:
    res = run("validate", "unknown_to_model.yaml", cwd=CORPUS, columns=None)
    assert res.stderr.splitlines() == EXPECTED["unknown_to_model.yaml"]


def test_missing_file_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    res = run("validate", str(tmp_path / "nope.yaml"))
    assert res.returncode == 2
    assert (
        res.stderr.strip()
        == f"{tmp_path / 'nope.yaml'}: cannot read file: No such file or directory"
    )


# -- safe loading --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag", ["!!python/object/apply:os.system", "!!python/object/new:os.system"]
)
def test_object_building_tag_is_refused_without_executing(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    text = (CORPUS / "_valid_base.yaml").read_text()
    text = text.replace("name: Bad-input base", f'name: {tag} ["touch {marker}"]')
    path = tmp_path / "evil.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, "evil.yaml")
    (problem,) = info.value.problems
    assert (problem.line, problem.path) == (3, "")
    assert f"tag {tag} is not allowed" in problem.message
    res = run("validate", str(path))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert not marker.exists()


# -- bundled scenarios ---------------------------------------------------------------------------


def test_three_bundled_scenarios() -> None:
    assert {p.name for p in BUNDLED} >= {"default.yaml", "startup.yaml", "enterprise.yaml"}


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenario_validates(path: Path) -> None:
    res = run("validate", str(path))
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    assert res.stdout.startswith(f"{path}: ok (")


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_round_trip_is_exact(path: Path) -> None:
    text = path.read_text()
    assert load_scenario(path).to_yaml() == text


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_save_round_trips_byte_for_byte(tmp_path: Path, path: Path) -> None:
    out = tmp_path / path.name
    load_scenario(path).save(out)
    assert out.read_bytes() == path.read_bytes()


def test_bundled_scenarios_have_their_shapes() -> None:
    startup = load_scenario(ROOT / "scenarios" / "startup.yaml")
    sonnet = [w for w in startup.workloads if "sonnet" in w.model]
    assert len(sonnet) * 2 > len(startup.workloads)
    assert all(w.growth.monthly_rate >= 0.10 for w in sonnet)
    assert 2 <= len(startup.capacity.waves) <= 3
    assert len(startup.offers) == 1
    ent = load_scenario(ROOT / "scenarios" / "enterprise.yaml")
    assert len(ent.levers) >= 10
    assert any(lv.requires for lv in ent.levers) and any(lv.excludes for lv in ent.levers)
    assert len(ent.capacity.waves) == 4
    assert ent.contract.ramped and ent.contract.term_months == 36
    assert len(ent.offers) >= 2
    assert any("opus" in w.model for w in ent.workloads)
    planned = [w for w in ent.workloads if isinstance(w.launch.month, tuple)]
    assert planned and all(w.launch.probability < 1 for w in planned)


# -- editing and saving --------------------------------------------------------------------------


def test_edit_keeps_comments_elsewhere_and_revalidates() -> None:
    path = ROOT / "scenarios" / "default.yaml"
    before = path.read_text()
    s = load_scenario(path)
    s.workloads[0].requests_per_month = 7_000_000  # validate_assignment checks it
    after = s.to_yaml()
    diff = [ln for ln in difflib.ndiff(before.splitlines(), after.splitlines()) if ln[:2] != "  "]
    assert [ln for ln in diff if ln[0] in "+-"] == [
        "-     requests_per_month: 6000000",
        "+     requests_per_month: 7000000",
    ]
    comments = [ln for ln in before.splitlines() if "#" in ln]
    assert len(comments) > 10
    assert all(c in after.splitlines() for c in comments)
    again = loads_scenario(after, "edited.yaml")
    assert again.workloads[0].requests_per_month == 7_000_000
    assert again.content_hash() != load_scenario(path).content_hash()


def test_invalid_assignment_is_refused() -> None:
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        s.workloads[0].requests_per_month = -1


def test_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "scenario.yaml"
    original = (ROOT / "scenarios" / "default.yaml").read_text()
    path.write_text(original)
    s = load_scenario(path)
    s.workloads[0].requests_per_month = 1

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        s.save(path)
    assert path.read_text() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"]
    monkeypatch.undo()
    s.save(path)
    assert "requests_per_month: 1\n" in path.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"]


def test_save_failing_mid_write_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "scenario.yaml"
    original = (ROOT / "scenarios" / "default.yaml").read_text()
    path.write_text(original)
    s = load_scenario(path)

    def fail(fd: int) -> None:
        raise OSError("fsync failed")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError, match="fsync failed"):
        s.save(path)
    assert path.read_text() == original
    assert [p.name for p in tmp_path.iterdir()] == ["scenario.yaml"]


# -- the JSON Schema -----------------------------------------------------------------------------


def test_schema_command_prints_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    res = run("schema")
    assert res.returncode == 0
    schema = json.loads(res.stdout)
    assert schema == Scenario.model_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "workloads" in schema["properties"]
    assert {"schema_version", "name", "start", "horizon_months", "workloads"} <= set(
        schema["required"]
    )
    validator = jsonschema.Draft202012Validator(schema)
    for path in BUNDLED:
        data = YAML(typ="safe").load(path.read_text())
        assert list(validator.iter_errors(data)) == []
    bad = YAML(typ="safe").load((CORPUS / "negative_requests.yaml").read_text())
    assert [e.path[-1] for e in validator.iter_errors(bad)] == ["requests_per_month"]


def test_reference_example_is_valid_and_round_trips() -> None:
    doc = (ROOT / "docs" / "scenario-reference.md").read_text()
    example = doc.split("## Complete example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    s = loads_scenario(example, "example.yaml")
    assert (len(s.workloads), len(s.levers), len(s.capacity.waves)) == (2, 3, 2)
    assert s.to_yaml() == example


def test_new_whole_numbers_are_written_as_integers() -> None:
    s = load_scenario(ROOT / "scenarios" / "startup.yaml")
    s.workloads = [*s.workloads, s.workloads[0].model_copy(update={"id": "copy"})]
    text = s.to_yaml()
    new_item = text.split("- id: copy\n", 1)[1]
    assert "requests_per_month: 3000000\n" in new_item
    assert loads_scenario(text).workload("copy").requests_per_month == 3_000_000
