"""Safe, located, round-trip YAML: parse with line numbers and limits, merge edits, write
atomically (keeping the file's mode, line endings, BOM and symlinks)."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from simulator.errors import Problem, ScenarioError
from simulator.scenario.files import TextStyle, write_atomic
from simulator.scenario.limits import MAX_FILE_BYTES, check_structure, decode_text


@dataclass
class Located:
    """A parsed YAML document that can say on which line a dotted path sits."""

    source: str
    document: Any
    indent: tuple[int, int] = (4, 2)
    style: TextStyle = field(default_factory=TextStyle)
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
    """Parse YAML safely; malformed text, object-building tags and files past the limits of
    :mod:`simulator.scenario.limits` (size, nesting, alias expansion) become located problems.

    A leading BOM and CRLF line endings are accepted and remembered in :attr:`Located.style`.
    """
    style = TextStyle(newline="\r\n" if "\r\n" in text else "\n", bom=text.startswith("\ufeff"))
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    try:
        # structure first: an alias bomb or deep nesting must be refused before it is built
        check_structure(text, source)
        # the safe loader refuses every tag that would build a Python object
        YAML(typ="safe", pure=True).load(text)
        _, ind, bsi = load_yaml_guess_indent(text)
        doc = _rt_yaml().load(text)
    except MarkedYAMLError as exc:
        raise ScenarioError([_yaml_problem(exc, source)]) from None
    except YAMLError as exc:
        raise ScenarioError([Problem(source, 0, "", f"invalid YAML: {exc}", None, False)]) from None
    except (RecursionError, ValueError, TypeError) as exc:  # pragma: no cover - limits catch these
        raise ScenarioError(
            [Problem(source, 0, "", f"invalid YAML: {type(exc).__name__}", None, False)]
        ) from None
    return Located(source, doc, (ind or 2, bsi or 0), style)


def read_text(path: str | Path, source: str | None = None) -> str:
    """Read a scenario file as text: size-checked, UTF-8 (a BOM is kept for :func:`parse_yaml`).

    Raises
    ------
    ScenarioError
        When the file cannot be read, is too large or is not UTF-8 (with the line of the bad byte).
    """
    name = str(path) if source is None else source
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(
            [Problem(name, 0, "", f"cannot read file: {exc.strerror or exc}", None, False)]
        ) from None
    return decode_text(data, name)


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
    """Merge plain ``data`` into a round-trip ``doc``, keeping comments on unchanged parts.

    Lists of items with an ``id`` (or ``name``) are matched by it, not by position: deleting or
    reordering an item keeps every other item's comments with that item.
    """
    if isinstance(data, Mapping):
        target = doc if isinstance(doc, CommentedMap) else CommentedMap()
        for key in [k for k in target if k not in data]:
            del target[key]
        for key, value in data.items():
            merged = merge_into(target.get(key), value) if key in target else _fresh(value)
            if id(merged) in _DETACHED:
                # the list's leading comment is also kept on this key: drop it there too
                _DETACHED.discard(id(merged))
                slot = target.ca.items.get(key)
                if slot and len(slot) > 3:
                    slot[3] = None
            target[key] = merged
        return target
    if isinstance(data, list) and isinstance(doc, CommentedSeq):
        key = _identity_key(doc, data)
        if key is not None:
            return _merge_by_key(doc, data, key)
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


def _identity_key(doc: CommentedSeq, data: list[Any]) -> str | None:
    """``"id"`` or ``"name"`` when every item on both sides has it, uniquely; else ``None``."""
    for key in ("id", "name"):
        old = [x.get(key) if isinstance(x, Mapping) else None for x in doc]
        new = [x.get(key) if isinstance(x, Mapping) else None for x in data]
        unique = len(set(old)) == len(old) and len(set(new)) == len(new)
        if all(isinstance(v, str) for v in old + new) and unique and old != new:
            return key
    return None


# lists whose leading comment _merge_by_key removed (merge_into clears the parent's copy)
_DETACHED: set[int] = set()


def _merge_by_key(doc: CommentedSeq, data: list[Any], key: str) -> CommentedSeq:
    # ruamel keeps the comment lines *between* two items on the earlier one (its last key), and
    # the first item's leading comment on the list; move each to the item it describes.
    heads = _item_heads(doc)
    last = _tail_token(doc[-1]) if len(doc) else None
    trailer = _split_tail(last) if last is not None else None  # comments after the list
    by_key = {item[key]: (item, heads[i]) for i, item in enumerate(doc)}
    items = []
    for value in data:
        found = by_key.get(value[key])
        item = merge_into(found[0], value) if found else _fresh(value)
        items.append((item, found[1] if found else None))
    for i in range(len(doc) - 1, -1, -1):
        del doc[i]
    if heads[0] is not None and items and items[0][1] is None:
        # the first item's comment left with it and the new first item has none: an emptied
        # comment token would break the emitter's indentation, so remove the comment instead
        doc.ca.comment = None
        _DETACHED.add(id(doc))
    for i, (item, head) in enumerate(items):
        doc.append(item)
        _set_head(doc, i, head)
    if len(doc):
        doc.append(CommentedMap())  # a stand-in, so the trailer lands after the real last item
        _set_head(doc, len(doc) - 1, trailer)
        del doc[-1]
    return doc


def _item_heads(doc: CommentedSeq) -> list[str | None]:
    """The comment lines above each item (indented text), detached from where ruamel keeps them:
    the first item's on the list itself, every other one at the end of the previous item."""
    heads: list[str | None] = []
    first = _first_head_tokens(doc)
    if first:
        col = int(getattr(first[0], "column", 0) or 0)
        text = "".join(str(t.value) for t in first)
        heads.append("".join(" " * col + ln.lstrip() for ln in text.splitlines(keepends=True)))
    else:
        heads.append(None)
    for i in range(1, len(doc)):
        token = _tail_token(doc[i - 1])
        heads.append(_split_tail(token) if token is not None else None)
    return heads


def _first_head_tokens(doc: CommentedSeq) -> list[Any]:
    comment = getattr(doc.ca, "comment", None)
    if comment and len(comment) > 1 and comment[1]:
        return list(comment[1])
    return []


def _tail_token(item: Any) -> Any:
    """The comment token after an item's last scalar (holds the next item's head), if any."""
    if isinstance(item, CommentedMap) and len(item):
        slot = item.ca.items.get(list(item)[-1])
        if slot and len(slot) > 2:
            return slot[2]
    return None


def _split_tail(token: Any) -> str | None:
    """Cut a comment token after its first line; return the rest (the next item's head)."""
    value = str(getattr(token, "value", ""))
    first, sep, rest = value.partition("\n")
    if not sep or not rest.strip():
        return None
    token.value = first + "\n"
    return rest


def _set_head(doc: CommentedSeq, i: int, head: str | None) -> None:
    if head is None:
        return
    if i == 0:
        tokens = doc.ca.comment[1] if _first_head_tokens(doc) else None
        if tokens:
            tokens[0].value = head.lstrip(" ")
            del tokens[1:]  # the list is shared with the parent key's comment slot
        return  # a list whose first item had no comment: the moved comment is dropped
    token = _tail_token(doc[i - 1])
    if token is not None:
        token.value = str(token.value) + head
    elif isinstance(doc[i - 1], CommentedMap) and len(doc[i - 1]):
        prev = doc[i - 1]
        last = list(prev)[-1]
        prev.yaml_add_eol_comment("#", last)
        token = prev.ca.items[last][2]
        token.value = "\n" + head


__all__ = [
    "Located",
    "TextStyle",
    "dump_document",
    "merge_into",
    "parse_yaml",
    "read_text",
    "write_atomic",
]
