"""Plain-words messages for scenario problems: pydantic errors without jargon, values as the
user wrote them, problems in file order."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from simulator.errors import Problem


def loc_path(loc: tuple[int | str, ...]) -> str:
    # an empty or odd key (``"": 1``, ``"a b": 1``) is quoted, so the field is always named
    return ".".join(
        str(x) if isinstance(x, int) or (x and str(x).strip() == str(x)) else repr(x) for x in loc
    )


MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
_BOUNDS = {
    "greater_than_equal": ("ge", ">="),
    "greater_than": ("gt", ">"),
    "less_than_equal": ("le", "<="),
    "less_than": ("lt", "<"),
}
_TYPES = {
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "tuple_type": "must be a list",
}


def _fmt(x: object) -> str:
    if isinstance(x, int | float) and float(x).is_integer() and abs(x) >= 1e5:
        return f"{x:,.0f}"  # 1,000,000,000,000 rather than 1e+12
    return f"{x:g}" if isinstance(x, float) else str(x)


def _field_names(root: type[BaseModel], path: tuple[int | str, ...]) -> list[str]:
    """Field names of the model that holds the last key of ``path`` (for did-you-mean hints)."""
    model = root
    for key in path[:-1]:
        field = model.model_fields.get(key) if isinstance(key, str) else None
        if field is None:
            continue  # a list index or a dict key (pricing.overrides.<model>)
        stack: list[Any] = [field.annotation]
        # unwrap list[X], dict[str, X], X | None to the pydantic model inside
        while stack:
            ann = stack.pop()
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                model = ann
                break
            stack.extend(getattr(ann, "__args__", ()))
        else:
            return []
    return list(model.model_fields)


def _did_you_mean(key: str, names: list[str]) -> str:
    close = [n for n in names if n.startswith(key) or key.startswith(n)]
    close = close or difflib.get_close_matches(key, names, n=1, cutoff=0.7)
    return f" (did you mean {close[0]}?)" if close else ""


def message(err: Mapping[str, Any], path: tuple[int | str, ...], root: type[BaseModel]) -> str:
    """A plain-words message for one pydantic error (no pydantic jargon)."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind in _BOUNDS:
        key, op = _BOUNDS[kind]
        return f"must be {op} {_fmt(ctx[key])}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else ""
        return "unknown field" + _did_you_mean(key, _field_names(root, path))
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the allowed values')}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == MONTH_PATTERN:
            return "must be a month written YYYY-MM, e.g. 2027-01"
        return "must start with a letter or digit and use only letters, digits, '_', '.', '-'"
    if kind == "too_short":
        if path and path[-1] == "workloads":
            return "need at least one workload"
        return f"need at least {ctx.get('min_length', 1)} item(s)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_type" and isinstance(err.get("input"), dt.date):
        return "must be a month written YYYY-MM, not a date"
    if kind in _TYPES:
        return _TYPES[kind]
    msg = re.sub(r"^Value error, ", "", str(err["msg"]))
    msg = re.sub(r"^Input should be ", "must be ", msg)
    return msg[0].lower() + msg[1:] if msg else msg


def shown(value: object) -> object:
    """The value as the user wrote it: dates as text, tuples as lists."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def same(raw: object, value: object) -> bool:
    value = shown(value)
    if isinstance(raw, bool) or isinstance(value, bool):
        return raw is value
    return bool(raw == value)


def in_file_order(problems: list[Problem]) -> list[Problem]:
    # pydantic reports in field-definition order; people read files top to bottom
    return sorted(_dedupe(problems), key=lambda p: p.line)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        key = (p.path, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
