"""Issue 12, class 5: importer inputs that used to crash or mislead now give located errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from simulator.errors import ImportDataError
from simulator.usage.anthropic_usage import import_anthropic_usage
from simulator.usage.focus import import_focus
from simulator.usage.requests_log import import_requests

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
USAGE: dict[str, Any] = json.loads((FIXTURES / "usage_page1.json").read_text())


def _usage(tmp_path: Path, change: Any) -> Path:
    doc = copy.deepcopy(USAGE)
    change(doc["data"][0], doc["data"][0]["results"][0])
    path = tmp_path / "usage.json"
    path.write_text(json.dumps(doc, indent=2))
    return path


def _messages(exc: pytest.ExceptionInfo[ImportDataError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda b, r: r.update(context_window=["0-200k"]),
            "data[0].results[0].context_window: expected '0-200k', '200k-1M' or null"
            " (got ['0-200k'])",
        ),
        (
            lambda b, r: r.update(cache_creation="garbage"),
            "data[0].results[0].cache_creation: must be an object (got 'garbage')",
        ),
        (
            lambda b, r: r.update(output_tokens=10**30),
            "data[0].results[0].output_tokens: token count above 1e+15 is not plausible for one"
            " row (got 1000000000000000000000000000000)",
        ),
        (
            lambda b, r: b.update(ending_at="9999-12-31T23:59:59Z"),
            "data[0].starting_at: bucket needs ISO starting_at < ending_at",
        ),
        (
            lambda b, r: b.update(starting_at="0001-01-01T00:00:00"),
            "data[0].starting_at: bucket needs ISO starting_at < ending_at (got '0001-01-01",
        ),
    ],
)
def test_anthropic_usage_bad_values_are_located(tmp_path: Path, change: Any, expected: str) -> None:
    path = _usage(tmp_path, change)
    with pytest.raises(ImportDataError) as exc:
        import_anthropic_usage([path])
    (msg,) = _messages(exc)
    assert msg.startswith(f"{path}:") and expected in msg


def test_deep_json_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ImportDataError) as exc:
        import_anthropic_usage([path])
    assert _messages(exc) == [f"{path}:1: JSON nested too deeply to be a usage report"]


def _csv(tmp_path: Path, name: str, fixture: str, column: int, value: str) -> Path:
    lines = (FIXTURES / fixture).read_text().splitlines()
    cells = lines[1].split(",")
    cells[column] = value
    path = tmp_path / name
    path.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    return path


def test_huge_csv_cells_are_located(tmp_path: Path) -> None:
    for importer, fixture in (
        (import_focus, "focus_claude.csv"),
        (import_requests, "requests_small.csv"),
    ):
        path = _csv(tmp_path, fixture, fixture, 0, "x" * 200_000)
        with pytest.raises(ImportDataError) as exc:
            importer(path)
        (msg,) = _messages(exc)
        assert msg.startswith(f"{path}:2: unreadable CSV: field larger than field limit")


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00", "9999-12-31T23:59:59Z", "1e300"])
def test_request_log_implausible_timestamps_are_bad_rows(tmp_path: Path, stamp: str) -> None:
    path = _csv(tmp_path, "log.csv", "requests_small.csv", 0, stamp)
    with pytest.raises(ImportDataError) as exc:
        import_requests(path)
    assert _messages(exc) == [f"{path}:2: timestamp: not a timestamp (got '{stamp}')"]


def test_request_log_implausible_token_counts_are_bad_rows(tmp_path: Path) -> None:
    path = _csv(tmp_path, "log.csv", "requests_small.csv", 1, "1e300")
    with pytest.raises(ImportDataError) as exc:
        import_requests(path)
    assert _messages(exc) == [f"{path}:2: prompt_tokens: not a non-negative integer (got '1e300')"]


def test_focus_duplicate_rows_are_not_counted_twice(tmp_path: Path) -> None:
    lines = (FIXTURES / "focus_claude.csv").read_text().splitlines()
    path = tmp_path / "dup.csv"
    path.write_text("\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(ImportDataError) as exc:
        import_focus(path)
    assert _messages(exc) == [
        f"{path}:{len(lines) + 1}: duplicate of line 2: the same charge twice"
    ]
    once = import_focus(FIXTURES / "focus_claude.csv")
    skipped = import_focus(path, bad_rows="skip")
    for a, b in zip(skipped.scenario.workloads, once.scenario.workloads, strict=True):
        assert a.model_dump(exclude={"description"}) == b.model_dump(exclude={"description"})


def test_focus_implausible_quantity_and_year(tmp_path: Path) -> None:
    header = (FIXTURES / "focus_claude.csv").read_text().splitlines()[0].split(",")
    qty = _csv(tmp_path, "q.csv", "focus_claude.csv", header.index("ConsumedQuantity"), "1e300")
    with pytest.raises(ImportDataError) as exc:
        import_focus(qty)
    assert _messages(exc) == [f"{qty}:2: ConsumedQuantity: not a non-negative number (got '1e300')"]
    year = _csv(
        tmp_path, "y.csv", "focus_claude.csv", header.index("ChargePeriodStart"), "9999-12-01"
    )
    with pytest.raises(ImportDataError) as exc:
        import_focus(year)
    assert _messages(exc) == [f"{year}:2: ChargePeriodStart: not an ISO date (got '9999-12-01')"]


def test_control_characters_in_export_names_are_stripped(tmp_path: Path) -> None:
    path = _usage(tmp_path, lambda b, r: r.update(workspace_id="ws\x1b[2J\x1f-a"))
    result = import_anthropic_usage([path], name="Usage\nreport\x08")
    assert result.scenario.name == "Usage report"
    (w,) = [w for w in result.scenario.workloads if "ws" in w.description]
    assert w.description.startswith("ws[2J-a x claude-sonnet-4-5, imported from")
    header = (FIXTURES / "focus_claude.csv").read_text().splitlines()[0].split(",")
    focus = _csv(tmp_path, "f.csv", "focus_claude.csv", header.index("SubAccountId"), "\x08acct")
    assert any(w.description.startswith("acct x") for w in import_focus(focus).scenario.workloads)


def test_import_to_an_unwritable_path_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import run_cli

    target = tmp_path / "missing" / "out.yaml"
    args = ["import", "focus", str(FIXTURES / "focus_claude.csv"), "-o", str(target)]
    assert run_cli(args, monkeypatch) == 2
    err = capsys.readouterr().err
    assert f"error: cannot write {target}: No such file or directory" in err
    assert err.count("cannot write") == 1 and "Traceback" not in err
