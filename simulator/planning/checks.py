"""Scenario checks that need the backlog: pinned levers that no plan can fund.

They sit here, not in :mod:`simulator.scenario.checks`, because deciding whether a lever can be
funded needs the backlog's requirement and exclusion closure. ``commitsim validate`` and every
command that loads a scenario run them through :func:`check_plannable`, with the same
FILE:LINE messages as the scenario's own checks.
"""

from __future__ import annotations

from simulator.errors import ScenarioError
from simulator.planning.backlog import backlog_levers, unfundable
from simulator.scenario import Scenario
from simulator.scenario.checks import Found
from simulator.scenario.load import located_problems


def funding_problems(scenario: Scenario) -> Found:
    """Pinned levers that cannot be funded, as ``(path, message, value)``.

    A pin cannot be funded when it requires (directly or through a chain) a lever that is
    excluded or unfundable, or when it and a shipped lever exclude each other.
    """
    out: Found = []
    plan = scenario.plan
    if plan is None or not plan.pinned:
        return out
    shipped = {lv.id for lv in scenario.levers if lv.shipped is not None}
    excluded = set(plan.excluded)
    blocked = unfundable(scenario, {lv.id for lv in backlog_levers(scenario)})
    for lid, k in plan.pinned.items():
        direct = [r for r in scenario.lever(lid).requires if r not in shipped]
        if lid in blocked and not any(r in excluded for r in direct):
            out.append(
                (
                    ("plan", "pinned", lid),
                    f"pinned lever {lid} cannot be funded: it requires a lever that is excluded"
                    " or unfundable, or it and a shipped lever exclude each other",
                    k,
                )
            )
    return out


def check_plannable(scenario: Scenario) -> None:
    """Raise :class:`~simulator.errors.ScenarioError` (located) if a pin cannot be funded.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.

    Raises
    ------
    ScenarioError
        One located problem per pinned lever that no plan can fund.
    """
    problems = located_problems(scenario, funding_problems(scenario))
    if problems:
        raise ScenarioError(problems)
