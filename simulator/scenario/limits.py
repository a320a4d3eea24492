"""Limits on a scenario file's size and shape, checked on the YAML event stream before anything
is built, so a hostile file is refused in milliseconds with FILE:LINE instead of hanging.

- size: at most :data:`MAX_FILE_BYTES`;
- encoding: UTF-8 (optionally with a BOM); a bad byte is reported on its line;
- nesting: at most :data:`MAX_DEPTH` levels, aliases included;
- alias expansion: the document, with every alias expanded, holds at most
  :data:`MAX_EXPANDED_NODES` values (a "billion laughs" file is refused, not expanded);
- an alias may not refer to the node that contains it;
- mapping keys are plain text or numbers, not lists or mappings;
- integers have at most :data:`MAX_INT_DIGITS` digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
)

from simulator.errors import Problem, ScenarioError

MAX_FILE_BYTES = 5_000_000
MAX_DEPTH = 50
MAX_EXPANDED_NODES = 200_000
MAX_INT_DIGITS = 30
# Monte Carlo work grows with paths x months x workloads: 4e9 cells is about two minutes here
# (make bench's 1M paths x 36 months x 30 workloads, 1.08e9 cells, takes about 30 s)
MAX_RUN_CELLS = 4_000_000_000
# Memory grows with what a forecast keeps (the draws are streamed in blocks of paths): float64
# spend with and without the plan per path and month, and each planned lever's saving per path
MAX_RESULT_BYTES = 4 * 2**30

_INT = re.compile(r"^[-+]?([0-9][0-9_]*|0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+)$")


@dataclass
class _Frame:
    anchor: str | None
    line: int
    is_map: bool
    size: int = 1
    depth: int = 0  # deepest nesting below this node
    at_key: bool = True  # in a mapping: is the next child a key?


def decode_text(data: bytes, source: str) -> str:
    """Decode a scenario's bytes as UTF-8 after checking the size limit.

    Parameters
    ----------
    data : bytes
        The file's bytes (a leading BOM is kept; :func:`~simulator.scenario.yamlio.parse_yaml`
        remembers it so saving writes it back).
    source : str
        File name for messages.

    Raises
    ------
    ScenarioError
        Too large, or not UTF-8 (the message names the line and the byte).
    """
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(
            [
                Problem(
                    source,
                    0,
                    "",
                    f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB; a scenario is a short"
                    " YAML file (split it, or import usage with `commitsim import`)",
                    None,
                    False,
                )
            ]
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise ScenarioError(
            [
                Problem(
                    source,
                    line,
                    "",
                    f"not UTF-8 text: byte 0x{byte} at column {column}; save the file as UTF-8",
                    None,
                    False,
                )
            ]
        ) from None


def _fail(source: str, line: int, message: str) -> ScenarioError:
    return ScenarioError([Problem(source, line, "", message, None, False)])


def check_structure(text: str, source: str) -> None:
    """Refuse YAML whose shape breaks a limit, without building it.

    Raises
    ------
    ScenarioError
        One located problem naming the limit and what to change.
    """
    if len(text) > MAX_FILE_BYTES:
        decode_text(b" " * (MAX_FILE_BYTES + 1), source)  # raises the size problem
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (expanded size, depth)
    stack: list[_Frame] = []
    total = 0
    try:
        events = YAML(typ="safe", pure=True).parse(text)
        for event in events:
            total = _step(event, stack, anchors, total, source)
    except MarkedYAMLError:
        return  # a syntax error: the loader reports it with its own line
    except RecursionError:  # pragma: no cover - the parser is iterative
        raise _fail(source, 0, f"nesting deeper than {MAX_DEPTH} levels") from None


def _line(event: Event) -> int:
    mark = event.start_mark
    return int(mark.line) + 1 if mark is not None else 0


def _step(
    event: Event,
    stack: list[_Frame],
    anchors: dict[str, tuple[int, int]],
    total: int,
    source: str,
) -> int:
    if isinstance(event, AliasEvent | ScalarEvent | CollectionStartEvent):
        parent = stack[-1] if stack else None
        is_key = parent is not None and parent.is_map and parent.at_key
        if parent is not None and parent.is_map:
            parent.at_key = not parent.at_key
        if isinstance(event, AliasEvent):
            return _alias(event, stack, anchors, total, source, is_key)
        if isinstance(event, ScalarEvent):
            _scalar(event, source)
            _add(stack, 1, 0)
            return _count(total + 1, source, event)
        if is_key:
            raise _fail(
                source,
                _line(event),
                "a mapping key must be plain text, not a list or a mapping (a YAML complex key)",
            )
        if len(stack) >= MAX_DEPTH:
            raise _fail(
                source,
                _line(event),
                f"nesting deeper than {MAX_DEPTH} levels; a scenario is at most a few levels deep",
            )
        is_map = isinstance(event, MappingStartEvent)
        stack.append(_Frame(event.anchor, _line(event), is_map))
        return _count(total + 1, source, event)
    if isinstance(event, MappingEndEvent | SequenceEndEvent):
        frame = stack.pop()
        if frame.anchor is not None:
            anchors[frame.anchor] = (frame.size, frame.depth + 1)
        _add(stack, frame.size, frame.depth + 1)
    return total


def _add(stack: list[_Frame], size: int, depth: int) -> None:
    if stack:
        stack[-1].size += size
        stack[-1].depth = max(stack[-1].depth, depth)


def _count(total: int, source: str, event: Event) -> int:
    if total > MAX_EXPANDED_NODES:
        raise _fail(
            source,
            _line(event),
            f"with its aliases expanded the file holds more than {MAX_EXPANDED_NODES:,} values"
            " (an alias bomb?); write the values out or use fewer aliases",
        )
    return total


def _alias(
    event: AliasEvent,
    stack: list[_Frame],
    anchors: dict[str, tuple[int, int]],
    total: int,
    source: str,
    is_key: bool,
) -> int:
    name = event.anchor
    if name is not None and any(f.anchor == name for f in stack):
        raise _fail(
            source,
            _line(event),
            f"alias *{name} refers to the node that contains it (a recursive alias)",
        )
    size, depth = anchors.get(name or "", (1, 0))
    if is_key and (size > 1 or depth > 0):
        raise _fail(
            source,
            _line(event),
            "a mapping key must be plain text, not a list or a mapping (a YAML complex key)",
        )
    if len(stack) + depth > MAX_DEPTH:
        raise _fail(
            source,
            _line(event),
            f"nesting deeper than {MAX_DEPTH} levels once alias *{name} is expanded",
        )
    _add(stack, size, depth)
    return _count(total + size, source, event)


def _scalar(event: ScalarEvent, source: str) -> None:
    value = event.value or ""
    if event.style is None and _INT.match(value):
        digits = sum(ch not in "+-_" for ch in value)
        if digits > MAX_INT_DIGITS:
            raise _fail(
                source,
                _line(event),
                f"a number with {digits} digits; numbers in a scenario have at most"
                f" {MAX_INT_DIGITS}",
            )


def run_size_problem(paths: int, months: int, workloads: int, levers: int = 0) -> str | None:
    """Why a Monte Carlo run of this size is refused, naming what to lower (``None`` if fine).

    Parameters
    ----------
    paths, months, workloads : int
        Paths simulated, ``horizon_months`` and the number of workloads.
    levers : int
        Levers the plan funds (each keeps one saving per path).
    """
    cells = paths * months * max(workloads, 1)
    if cells > MAX_RUN_CELLS:
        fit = MAX_RUN_CELLS // (months * max(workloads, 1))
        return (
            f"a run of {paths:,} paths x {months} months x {workloads} workloads = {cells:,} cells"
            f" is over the limit of {MAX_RUN_CELLS:,}: lower simulation.paths (or --paths) to at"
            f" most {fit:,}, or shorten horizon_months, or merge small workloads"
        )
    per_path = 16 * months + 8 * levers
    if paths * per_path > MAX_RESULT_BYTES:
        kept = "spend with and without the plan" + (
            f" and the savings of {levers} levers" if levers else ""
        )
        return (
            f"a run of {paths:,} paths x {months} months would keep"
            f" {paths * per_path / 2**30:.1f} GiB of results ({kept} on every path), over the"
            f" limit of {MAX_RESULT_BYTES / 2**30:.0f} GiB: lower simulation.paths (or --paths) to"
            f" at most {MAX_RESULT_BYTES // per_path:,}, or shorten horizon_months"
        )
    return None
