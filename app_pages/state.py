"""State helpers for the Streamlit front end, testable without Streamlit.

Tables edited in the app are flat (one column per field); :func:`apply_rows` turns them back into
scenario data, validates it and returns the new YAML with the file's comments kept. Autosave keeps
the working scenario in ``.commitsim/autosave/<session>.yaml`` so a page refresh restores it.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.commitment import CommitRecommendation, recommend_commit
from simulator.commitment.risk import SpendSamples
from simulator.decision.words import points
from simulator.errors import ScenarioError
from simulator.output.formatting import money, pct
from simulator.planning.checks import check_plannable
from simulator.scenario import Contract, Scenario, loads_scenario, scenario_from_data
from simulator.scenario.limits import decode_text
from simulator.scenario.yamlio import parse_yaml, write_atomic

# section -> (key column or "" for positional, [(column, dotted path in the item)])
Columns = list[tuple[str, str]]
SECTIONS: dict[str, tuple[str, Columns]] = {
    "workloads": (
        "id",
        [
            ("id", "id"),
            ("model", "model"),
            ("requests_per_month", "requests_per_month"),
            ("input_tokens", "input_tokens"),
            ("output_tokens", "output_tokens"),
            ("cache_read_share", "cache_read_share"),
            ("cache_write_share", "cache_write_share"),
            ("cache_ttl", "cache_ttl"),
            ("batch_share", "batch_share"),
            ("long_context_share", "long_context_share"),
            ("growth_rate", "growth.monthly_rate"),
            ("volatility", "growth.volatility"),
            ("saturation", "growth.saturation"),
            ("launch_first", "launch.month"),
            ("launch_last", "launch.month"),
            ("launch_probability", "launch.probability"),
        ],
    ),
    "levers": (
        "id",
        [
            ("id", "id"),
            ("workload", "workload"),
            ("kind", "kind"),
            ("effect_low", "effect.low"),
            ("effect_mode", "effect.mode"),
            ("effect_high", "effect.high"),
            ("effort_weeks", "effort_weeks"),
            ("success_probability", "success_probability"),
            ("to_model", "to_model"),
            ("token_ratio", "token_ratio"),
            ("write_share", "write_share"),
            ("requires", "requires"),
            ("excludes", "excludes"),
        ],
    ),
    "capacity.waves": (
        "name",
        [
            ("name", "name"),
            ("start_month", "start_month"),
            ("duration_months", "duration_months"),
            ("engineering_weeks", "engineering_weeks"),
        ],
    ),
    "contract.tiers": ("", [("min_commit", "min_commit"), ("discount", "discount")]),
    "offers": (
        "name",
        [
            ("name", "name"),
            ("commit", "commit"),
            ("discount", "discount"),
            ("overage", "overage"),
            ("rollover_share", "rollover_share"),
        ],
    ),
}
LIST_COLUMNS = {"requires", "excludes"}


# -- tables <-> scenario data -----------------------------------------------------------------
def _get(item: Mapping[str, Any], dotted: str) -> Any:
    node: Any = item
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _section(data: Mapping[str, Any], section: str) -> Any:
    return _get(data, section)


def section_frame(scenario: Scenario, section: str) -> pd.DataFrame:
    """The flat table the app edits for ``section`` (a key of :data:`SECTIONS`)."""
    _key, columns = SECTIONS[section]
    items = _section(scenario.model_dump(mode="json"), section) or []
    rows = []
    for item in items:
        row: dict[str, Any] = {}
        for col, path in columns:
            value = _get(item, path)
            if col == "launch_first":
                value = value[0] if isinstance(value, list) else value
            elif col == "launch_last":
                value = value[1] if isinstance(value, list) else value
            elif col in LIST_COLUMNS:
                value = ", ".join(value or [])
            row[col] = value
        rows.append(row)
    return pd.DataFrame(rows, columns=[c for c, _ in columns])


def clean_cell(value: Any) -> Any:
    """A table cell as a plain value: numpy scalars unwrapped; NaN, NA and blanks -> None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _set(item: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = item
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def _row_values(row: Mapping[str, Any], columns: Columns) -> dict[str, Any]:
    """Dotted path -> value for one table row (launch range rebuilt, lists split)."""
    out: dict[str, Any] = {}
    for col, path in columns:
        value = clean_cell(row.get(col))
        if col == "launch_first":
            last = clean_cell(row.get("launch_last"))
            first = value
            value = first if last is None or last == first else [first, last]
            if value is None:
                continue
        elif col == "launch_last":
            continue
        elif col in LIST_COLUMNS:
            value = [x.strip() for x in str(value or "").split(",") if x.strip()]
        if isinstance(value, float) and value.is_integer() and col.endswith(("month", "first")):
            value = int(value)
        out[path] = value
    return out


def _rows_to_items(
    rows: Sequence[Mapping[str, Any]], section: str, written: list[Any], effective: list[Any]
) -> list[Any]:
    key, columns = SECTIONS[section]
    by_key = {str(_get(x, key)): i for i, x in enumerate(effective)} if key else {}
    items = []
    for pos, row in enumerate(rows):
        k = str(clean_cell(row.get(key))) if key else ""
        i = by_key.get(k, pos if not key and pos < len(written) else -1)
        item: dict[str, Any] = json.loads(json.dumps(written[i])) if i >= 0 else {}
        full = effective[i] if i >= 0 else {}
        for path, value in _row_values(row, columns).items():
            was_written = _get(item, path) is not None or (
                path.split(".")[0] in item and "." not in path
            )
            if i >= 0 and not was_written and value == _get(full, path):
                continue  # a default shown in the table: leave it unwritten
            if i < 0 and value in (None, []):
                continue
            _set(item, path, value)
        items.append(item)
    return items


def apply_rows(
    yaml_text: str, section: str, rows: Sequence[Mapping[str, Any]], source: str = "<scenario>"
) -> tuple[Scenario, str]:
    """Replace one section of a scenario with edited table rows and validate.

    Parameters
    ----------
    yaml_text : str
        The working scenario's YAML (its comments are kept).
    section : str
        A key of :data:`SECTIONS`, e.g. ``"workloads"`` or ``"contract.tiers"``.
    rows : sequence of mapping
        Table rows with the columns of :func:`section_frame`; empty cells may be NaN or None.
    source : str
        Name used in error messages.

    Returns
    -------
    (Scenario, str)
        The validated scenario and its YAML.

    Raises
    ------
    ScenarioError
        With located problems when the edit does not validate.
    """
    current = loads_scenario(yaml_text, source)
    effective = _section(current.model_dump(mode="json"), section) or []
    return apply_values(
        yaml_text,
        {section: lambda written: _rows_to_items(rows, section, written or [], effective)},
        source,
    )


def apply_values(
    yaml_text: str, updates: Mapping[str, Any], source: str = "<scenario>"
) -> tuple[Scenario, str]:
    """Set dotted paths (``"contract.term_months"``) and validate; comments are kept.

    A value may be a callable taking the value as written and returning the new one.
    Raises :class:`ScenarioError` with located problems when the result does not validate.
    """
    located = parse_yaml(yaml_text, source)
    data = json.loads(json.dumps(located.data, default=str))
    for path, value in updates.items():
        new = value(_get(data, path)) if callable(value) else value
        if new is None and "." in path:
            parent = _get(data, path.rsplit(".", 1)[0])
            if isinstance(parent, dict):
                parent.pop(path.rsplit(".", 1)[1], None)
            continue
        _set(data, path, new)
    scenario = scenario_from_data(data, source, located)
    check_plannable(scenario)
    return scenario, scenario.to_yaml()


def problems_of(exc: ScenarioError, section: str = "") -> list[str]:
    """Plain messages for the problems under ``section`` (all when empty), no file name."""
    out = []
    for p in exc.problems:
        if section and not p.path.startswith(section):
            continue
        got = f" (got {p.value!r})" if p.show_value else ""
        where = f"{p.path}: " if p.path else ""
        out.append(f"{where}{p.message}{got}")
    return out or [str(p) for p in exc.problems]


def read_upload(data: bytes, name: str) -> tuple[Scenario | None, str, list[str]]:
    """Validate an uploaded file: ``(scenario, text, [])`` or ``(None, "", messages)``."""
    try:
        text = decode_text(data, name)  # size limit, then UTF-8 with the bad byte's line
        scenario = loads_scenario(text, name)
        check_plannable(scenario)
    except ScenarioError as exc:
        return None, "", [str(p) for p in exc.problems]
    return scenario, text, []


# -- autosave ---------------------------------------------------------------------------------
_SID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


def new_session_id() -> str:
    """A fresh URL-safe session id."""
    return secrets.token_urlsafe(9)


def valid_session_id(sid: object) -> bool:
    """True for ids :func:`new_session_id` could have made (safe as a file name)."""
    return isinstance(sid, str) and bool(_SID.fullmatch(sid))  # fullmatch: no trailing newline


def autosave_dir(root: str | Path = ".") -> Path:
    """``$COMMITSIM_AUTOSAVE_DIR`` or ``<root>/.commitsim/autosave``."""
    env = os.environ.get("COMMITSIM_AUTOSAVE_DIR")
    return Path(env) if env else Path(root) / ".commitsim" / "autosave"


def autosave(sid: str, state: Mapping[str, Any], root: str | Path = ".") -> Path:
    """Write the session's working state (JSON of plain values) atomically."""
    if not valid_session_id(sid):
        raise ValueError(f"bad session id {sid!r}")
    path = autosave_dir(root) / f"{sid}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(dict(state), indent=1))
    return path


def restore(sid: str, root: str | Path = ".") -> dict[str, Any] | None:
    """The autosaved state of ``sid``, or None when absent, unreadable or invalid."""
    if not valid_session_id(sid):
        return None
    path = autosave_dir(root) / f"{sid}.json"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        loads_scenario(state["yaml"], "autosave")
    except (OSError, ValueError, KeyError, TypeError, ScenarioError):
        return None
    return state if isinstance(state, dict) else None


def save_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a file in ``scenarios/`` (None when fine)."""
    # fullmatch, not match: "$" would let a trailing newline through
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml", name):
        return "use letters, digits, '_', '.', '-' and end in .yaml"
    return None


# -- decisions --------------------------------------------------------------------------------
def commit_at_risk(
    term_spend: np.ndarray[Any, np.dtype[np.float64]],
    contract: Contract,
    eps: float,
    samples: SpendSamples | None = None,
) -> CommitRecommendation:
    """Re-solve the commitment at shortfall tolerance ``eps`` from cached term spend (no resim)."""
    if contract.ramped:
        return recommend_commit(term_spend, contract, max_shortfall_probability=eps)
    s = samples if samples is not None else SpendSamples.from_array(term_spend)
    return recommend_commit(s, contract, max_shortfall_probability=eps)


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, Mapping):
        out: dict[str, Any] = {}
        keyed = {}
        for k, v in data.items():
            keyed.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        out.update(keyed)
        return out
    if isinstance(data, list) and data and all(isinstance(x, Mapping) for x in data):
        out = {}
        for i, x in enumerate(data):
            label = x.get("id", x.get("name", i))
            out.update(_flat(x, f"{prefix}[{label}]"))
        return out
    return {prefix: data}


def input_diff(scenarios: Sequence[Scenario], names: Sequence[str]) -> pd.DataFrame:
    """Inputs that differ between scenarios: one row per dotted field, one column per name."""
    flats = [_flat(s.model_dump(mode="json")) for s in scenarios]
    keys: list[str] = []
    for f in flats:
        keys.extend(k for k in f if k not in keys)
    rows = []
    for k in keys:
        values = [f.get(k, "(absent)") for f in flats]
        if any(json.dumps(v) != json.dumps(values[0]) for v in values[1:]):
            rows.append({"input": k} | {n: _show(v) for n, v in zip(names, values, strict=True)})
    return pd.DataFrame(rows, columns=["input", *names])


def _show(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v)


def outcome_table(
    outcomes: Sequence[Mapping[str, float]],
    names: Sequence[str],
    baseline: int = 0,
    shares: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Outcomes as text, one row per outcome and a column per scenario: the baseline's value, and
    ``value (+delta)`` for the others (dollars, or percentage points for the ``shares``)."""
    base = outcomes[baseline]
    rows: dict[str, dict[str, str]] = {}
    for key in base:
        row: dict[str, str] = {}
        for i, (name, out) in enumerate(zip(names, outcomes, strict=True)):
            v, d = float(out[key]), float(out[key]) - float(base[key])
            if key in shares:
                text, delta = pct(v), ("+" if d >= 0 else "-") + points(abs(d))
            else:
                text, delta = money(v), ("+" if d >= 0 else "-") + money(abs(d))
            row[name] = text if i == baseline else f"{text} ({delta})"
        rows[key] = row
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(names))
