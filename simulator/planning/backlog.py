"""The optimisation backlog as a buyer ranks it by hand: dollars freed per engineering week, and
the greedy plan that fills waves in that order (the baseline every optimal plan is compared with).
"""

from __future__ import annotations

import pandas as pd

from simulator.planning.trajectories import build_tables
from simulator.scenario import Lever, Scenario


def backlog_levers(scenario: Scenario) -> list[Lever]:
    excluded = set(scenario.plan.excluded) if scenario.plan else set()
    return [lv for lv in scenario.levers if lv.shipped is None and lv.id not in excluded]


def pinned(scenario: Scenario) -> dict[str, int]:
    return dict(scenario.plan.pinned) if scenario.plan else {}


def backlog(scenario: Scenario) -> pd.DataFrame:
    """One row per backlog lever, sorted by dollars freed per engineering week.

    Columns: ``lever``, ``workload``, ``kind``, ``annual_savings`` (expected dollars freed in the
    first 12 months if shipped alone at month 0, weighted by ``success_probability``),
    ``effort_weeks``, ``ratio`` ($ per engineering week), ``payback_months`` (effort at
    ``capacity.week_cost`` over the first-year monthly saving), ``quality_risk``
    (``1 - success_probability``).
    """
    levers = backlog_levers(scenario)
    tables = build_tables(scenario, {lv.workload: [] for lv in levers} | by_workload(levers))
    months = min(12, scenario.horizon_months)
    rows = []
    by_id = {t.workload.id: t for t in tables}
    for lv in levers:
        table = by_id[lv.workload]
        j = [x.id for x in table.levers].index(lv.id)
        annual = float(table.suffix[1 << j, 0] - table.suffix[1 << j, months]) * 12 / months
        cost = lv.effort_weeks * scenario.capacity.week_cost
        ratio = annual / lv.effort_weeks if lv.effort_weeks > 0 else float("inf")
        payback = cost / (annual / 12) if annual > 0 else float("inf")
        rows.append(
            {
                "lever": lv.id,
                "workload": lv.workload,
                "kind": lv.kind,
                "annual_savings": annual,
                "effort_weeks": lv.effort_weeks,
                "ratio": ratio,
                "payback_months": payback,
                "quality_risk": 1.0 - lv.success_probability,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "lever",
            "workload",
            "kind",
            "annual_savings",
            "effort_weeks",
            "ratio",
            "payback_months",
            "quality_risk",
        ],
    )
    return frame.sort_values("ratio", ascending=False, kind="stable").reset_index(drop=True)


def by_workload(levers: list[Lever]) -> dict[str, list[Lever]]:
    out: dict[str, list[Lever]] = {}
    for lv in levers:
        out.setdefault(lv.workload, []).append(lv)
    return out


def unfundable(scenario: Scenario, backlog_ids: set[str]) -> set[str]:
    """Backlog levers that no plan can fund.

    A lever is unfundable if it requires a lever that is neither in the backlog nor shipped (or
    is itself unfundable), or if it and a shipped lever exclude each other.
    """
    shipped = {lv.id for lv in scenario.levers if lv.shipped is not None}
    shipped_excludes = {x for lv in scenario.levers if lv.id in shipped for x in lv.excludes}
    out = {
        lv.id
        for lv in scenario.levers
        if lv.id in backlog_ids and (set(lv.excludes) & shipped or lv.id in shipped_excludes)
    }
    changed = True
    while changed:  # requirements propagate: A requires B requires an excluded C
        changed = False
        for lv in scenario.levers:
            if lv.id not in backlog_ids or lv.id in out:
                continue
            if any(r in out or (r not in backlog_ids and r not in shipped) for r in lv.requires):
                out.add(lv.id)
                changed = True
    return out


def greedy_plan(scenario: Scenario, ranking: pd.DataFrame | None = None) -> dict[str, int]:
    """The buyer's hand method: levers in ratio order, each into the earliest wave it fits.

    Pinned levers are placed first, then the levers they require, then the rest in ratio order.
    A lever is skipped if its ``requires`` are not yet placed, if it and a placed or shipped
    lever exclude each other, or if its stand-alone saving is not positive. A lever is never
    placed after a placed lever that requires it.
    """
    waves = scenario.capacity.waves
    left = [w.engineering_weeks for w in waves]
    placed: dict[str, int] = {}
    # dictionaries, not scans of scenario.levers: the loop below is linear in the backlog
    by_id = {lv.id: lv for lv in scenario.levers}
    required_by: dict[str, set[str]] = {}
    excluded_by: dict[str, set[str]] = {}
    for lv in scenario.levers:
        for r in lv.requires:
            required_by.setdefault(r, set()).add(lv.id)
        for x in lv.excludes:
            excluded_by.setdefault(x, set()).add(lv.id)
    pins = pinned(scenario)
    for lid, k in pins.items():
        placed[lid] = k
        left[k] -= by_id[lid].effort_weeks
    ranking = backlog(scenario) if ranking is None else ranking
    order = [str(x) for x in ranking["lever"]]
    needed = _required_by(scenario, set(pins))
    order = [x for x in order if x in needed] + [x for x in order if x not in needed]
    saving = dict(zip(ranking["lever"], ranking["annual_savings"], strict=True))
    blocked = unfundable(scenario, set(order))
    shipped = {x.id for x in scenario.levers if x.shipped is not None}
    for lid in order:
        lv = by_id[lid]
        if lid in placed or lid in blocked or (lid not in needed and float(saving[lid]) <= 0):
            continue
        if any(r not in placed and r not in shipped for r in lv.requires):
            continue
        if any(x in placed for x in lv.excludes) or any(
            p in placed for p in excluded_by.get(lid, ())
        ):
            continue
        first = max([placed[r] for r in lv.requires if r in placed], default=0)
        last = min(
            [placed[p] for p in required_by.get(lid, ()) if p in placed],
            default=len(waves) - 1,
        )
        for k in range(first, last + 1):
            if left[k] + 1e-9 >= lv.effort_weeks:
                placed[lid] = k
                left[k] -= lv.effort_weeks
                break
    return placed


def _required_by(scenario: Scenario, roots: set[str]) -> set[str]:
    """Every lever the ``roots`` require, directly or through other requirements."""
    by_id = {lv.id: lv for lv in scenario.levers}
    out: set[str] = set()
    stack = [r for lid in roots for r in by_id[lid].requires]
    while stack:
        lid = stack.pop()
        if lid not in out:
            out.add(lid)
            stack.extend(by_id[lid].requires)
    return out
