"""Safe, located, round-trip YAML: parse with line numbers, merge edits, write atomically."""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from simulator.errors import Problem, ScenarioError


@dataclass
class Located:
    """A parsed YAML document that can say on which line a dotted path sits."""

    source: str
    document: Any
    indent: tuple[int, int] = (4, 2)
    data: Any = field(init=False)

    def __post_init__(self) -> None:
        self.data = _plain(self.document)

    def line(self, path: Sequence[int | str]) -> int:
        """1-based line of the deepest existing node on ``path`` (0 when unknown)."""
        node = self.document
        line = 0
        for key in path:
            try:
                if isinstance(node, CommentedMap) and key in node:
                    line = node.lc.key(key)[0] + 1
                    node = node[key]
                elif (
                    isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node)
                ):
                    line = node.lc.item(key)[0] + 1
                    node = node[key]
                else:
                    if line == 0 and isinstance(node, CommentedMap | CommentedSeq):
                        line = node.lc.line + 1
                    break
            except (AttributeError, KeyError, TypeError, IndexError):
                break
        return line

    def value(self, path: Sequence[int | str]) -> Any:
        """Plain value at ``path`` as written in the file (``None`` when the path is absent)."""
        node = self.data
        for key in path:
            in_map = isinstance(node, Mapping) and key in node
            in_list = isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
            if not (in_map or in_list):
                return None
            node = node[key]
        return node


def _plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(v) for v in node]
    return node


def _rt_yaml(indent: tuple[int, int] = (4, 2)) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    # (indent, block sequence indent) as guessed from the file: "  - id: x" is (4, 2)
    ind, bsi = indent
    yaml.indent(mapping=ind - bsi if 0 < bsi < ind else ind, sequence=ind, offset=bsi)
    return yaml


def parse_yaml(text: str, source: str) -> Located:
    """Parse YAML safely; malformed text or object-building tags become located problems."""
    try:
        # the safe loader refuses every tag that would build a Python object
        YAML(typ="safe", pure=True).load(text)
        _, ind, bsi = load_yaml_guess_indent(text)
        doc = _rt_yaml().load(text)
    except MarkedYAMLError as exc:
        raise ScenarioError([_yaml_problem(exc, source)]) from None
    except YAMLError as exc:
        raise ScenarioError([Problem(source, 0, "", f"invalid YAML: {exc}", None, False)]) from None
    return Located(source, doc, (ind or 2, bsi or 0))


def _yaml_problem(exc: MarkedYAMLError, source: str) -> Problem:
    """A located, plain-words problem for a YAML syntax error or a refused tag."""
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    tag = re.search(r"constructor for the tag '(?:tag:yaml.org,2002:)?([^']+)'", problem)
    if tag:
        name = tag.group(1)
        shown = name if name.startswith("!") else f"!!{name}"
        message = f"tag {shown} is not allowed: a scenario holds plain data only"
    elif context.startswith("while parsing a flow") and exc.context_mark is not None:
        # the unclosed bracket is where the flow started, not where the parser gave up
        mark = exc.context_mark
        what = context.removeprefix("while parsing a flow ")
        closer = "]" if what == "sequence" else "}"
        message = (
            f"{what} opened on this line is not closed with '{closer}'"
            f" ({problem} on line {exc.problem_mark.line + 1})"
            if exc.problem_mark is not None
            else f"{what} opened on this line is not closed with '{closer}'"
        )
    elif "mapping values are not allowed" in problem:
        message = "a key is indented differently from its siblings (mapping values not allowed)"
    elif "found character '\\t'" in problem:
        message = "tab character: indent with spaces"
    else:
        message = problem or context or "malformed YAML"
    line = mark.line + 1 if mark is not None else 0
    return Problem(source, line, "", f"invalid YAML: {message}", None, False)


def merge_into(doc: Any, data: Any) -> Any:
    """Merge plain ``data`` into a round-trip ``doc``, keeping comments on unchanged parts."""
    if isinstance(data, Mapping):
        target = doc if isinstance(doc, CommentedMap) else CommentedMap()
        for key in [k for k in target if k not in data]:
            del target[key]
        for key, value in data.items():
            target[key] = merge_into(target.get(key), value) if key in target else _fresh(value)
        return target
    if isinstance(data, list):
        if isinstance(doc, CommentedSeq) and len(doc) == len(data):
            for i, value in enumerate(data):
                doc[i] = merge_into(doc[i], value)
            return doc
        seq = doc if isinstance(doc, CommentedSeq) else CommentedSeq()
        if isinstance(doc, CommentedSeq):
            keep = min(len(doc), len(data))
            for i in range(keep):
                doc[i] = merge_into(doc[i], data[i])
            del doc[keep:]
            for value in data[keep:]:
                doc.append(_fresh(value))
            return doc
        for value in data:
            seq.append(_fresh(value))
        return seq
    if _same_scalar(doc, data):
        return doc
    if isinstance(doc, float):
        return data
    return _whole(data)


def _whole(value: Any) -> Any:
    # pydantic dumps float fields as 7000000.0; write whole numbers as the user would (7000000)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _same_scalar(old: Any, new: Any) -> bool:
    if isinstance(old, Mapping | list) or (old is None and new is not None):
        return False
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    return bool(old == new)


def _fresh(value: Any) -> Any:
    if isinstance(value, Mapping):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _fresh(v)
        return m
    if isinstance(value, list):
        s = CommentedSeq()
        for v in value:
            s.append(_fresh(v))
        return s
    return _whole(value)


def dump_document(doc: Any, indent: tuple[int, int] = (4, 2)) -> str:
    """Dump a round-trip document to text."""
    buf = io.StringIO()
    _rt_yaml(indent).dump(doc, buf)
    return buf.getvalue()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and a rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
