"""Loading a scenario: file -> safe YAML -> pydantic -> cross-field checks.

Every problem is reported with its file, line and dotted path (see
:mod:`simulator.scenario.yamlio`); the checks that need the wave-planning backlog live in
:mod:`simulator.planning.checks` and run when a plan is made (``commitsim validate`` runs both).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.errors import Problem, ScenarioError
from simulator.scenario import messages
from simulator.scenario.checks import Found, semantic_problems
from simulator.scenario.model import Scenario
from simulator.scenario.yamlio import Located, parse_yaml, read_text


def scenario_from_data(
    data: Any, source: str = "<scenario>", located: Located | None = None
) -> Scenario:
    """Validate already-parsed data; raise :class:`ScenarioError` with every problem found.

    Parameters
    ----------
    data : Any
        Parsed YAML (plain dicts and lists).
    source : str
        File name used in messages.
    located : Located, optional
        The round-trip document, for line numbers and for keeping comments on save.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        With every problem found, in file order within each stage.
    """
    loc = located or Located(source, None)
    if data is None:
        raise ScenarioError(
            [Problem(source, 1, "", "the file is empty; a scenario is a YAML mapping", None, False)]
        )
    if not isinstance(data, Mapping):
        kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        raise ScenarioError(
            [
                Problem(
                    source,
                    1,
                    "",
                    f"a scenario must be a YAML mapping (schema_version: 1, name: ...), not {kind}",
                    None,
                    False,
                )
            ]
        )
    problems: list[Problem] = []
    try:
        scenario = Scenario.model_validate(dict(data))
    except ValidationError as exc:
        for err in exc.errors():
            path = tuple(
                p
                for p in err["loc"]
                if not (
                    isinstance(p, str)
                    and p.startswith(("function-", "tagged-", "tuple[", "nullable[", "union["))
                )
            )
            # pydantic reports union members separately (int and tuple for launch.month); keep one
            path = tuple(
                p
                for p in path
                if p not in ("int", "tuple[int,int]", "constrained-int", "float", "none")
            )
            value = messages.shown(err.get("input"))
            show = err["type"] not in ("missing", "extra_forbidden")
            problems.append(
                Problem(
                    source,
                    loc.line(path),
                    messages.loc_path(path),
                    messages.message(err, path, Scenario),
                    value,
                    show,
                )
            )
        raise ScenarioError(messages.in_file_order(problems)) from None
    problems.extend(_located(semantic_problems(scenario), loc))
    if problems:
        raise ScenarioError(messages.in_file_order(problems))
    scenario._document = loc.document
    scenario._source = source
    scenario._indent = loc.indent
    scenario._style = loc.style
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A YAML file with ``schema_version: 1``.

    Returns
    -------
    Scenario
        The validated scenario; it keeps its document so :meth:`Scenario.to_yaml` keeps comments.

    Raises
    ------
    ScenarioError
        With one :class:`~simulator.errors.Problem` per issue (file, line, dotted path, message).
    """
    source = str(path)
    return loads_scenario(read_text(path, source), source)


def loads_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Validate scenario YAML given as text (``source`` names it in messages)."""
    located = parse_yaml(text, source)
    return scenario_from_data(located.data, source, located)


def _located(found: Found, loc: Located) -> list[Problem]:
    out = []
    for path, message, value in found:
        # prefer the value exactly as written (400000, not 400000.0) when it is the same value
        raw = loc.value(path)
        shown = raw if raw is not None and messages.same(raw, value) else messages.shown(value)
        out.append(
            Problem(
                loc.source,
                loc.line(path),
                messages.loc_path(path),
                message,
                shown,
                value is not None,
            )
        )
    return out


def located_problems(scenario: Scenario, found: Found) -> list[Problem]:
    """Turn ``(path, message, value)`` findings of a later stage into located problems.

    Parameters
    ----------
    scenario : Scenario
        A scenario from :func:`load_scenario` or :func:`loads_scenario` (it keeps its document,
        so each finding gets the line it sits on; a scenario built in code gets line 0).
    found : list of (path, message, value)
        Findings, as the stage checks return them.

    Returns
    -------
    list of Problem
        In file order.
    """
    loc = Located(scenario._source, scenario._document)
    return messages.in_file_order(_located(found, loc))
