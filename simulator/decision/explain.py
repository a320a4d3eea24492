"""Plain-language explanations for the app: why each lever landed in its wave, and a glossary.

:func:`explain_plan` gives the reasons beside the greedy choice; :data:`GLOSSARY` defines every
column the pages show, with its unit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from simulator.decision.words import compact_money, percent
from simulator.scenario import Scenario

GLOSSARY: dict[str, str] = {
    "annual_savings": "Expected list-price dollars freed in the first 12 months if shipped alone "
    "at month 0, weighted by success probability ($ per year).",
    "effort_weeks": "Engineering effort to ship the lever (engineer-weeks).",
    "ratio": "Annual savings per engineering week ($ per engineer-week).",
    "payback_months": "Effort at the week cost divided by the monthly saving (months).",
    "quality_risk": "Chance the lever does not deliver: 1 - success probability (share, 0-1).",
    "wave": "Block of engineering capacity; its levers save from start + duration (index).",
    "ship_month": "First month the wave's levers save (months from scenario start).",
    "effort_used": "Engineer-weeks of the wave the plan uses (engineer-weeks).",
    "term spend": "List-price spend over the contract term ($).",
    "P5..P95": "Percentiles over simulated paths: P10 means 10% of paths spend less ($).",
    "recommended": "Commitment that minimises expected cost within the risk limits ($).",
    "discount": "Discount of the tier the commitment reaches (share of list price).",
    "expected_cost": (
        "Mean of what is paid over the term: commitment plus overage, minus the value of unused"
        " commitment that rolls over (rollover share x unused) ($)."
    ),
    "shortfall_probability": "Share of paths whose spend falls short of the commitment (0-1).",
    "expected_unused": "Mean commitment paid for but not used ($).",
    "cvar95_cost": "Mean cost over the worst 5% of paths ($).",
    "exposure_avoided": "Unused commitment avoided by sizing on the optimised forecast ($).",
    "walk_away_discount": "Smallest discount at which an offer beats pay-as-you-go (share).",
    "indifference_discount": "Discount at which an offer costs as much as ours (share).",
    "swing": "Commitment at the high setting minus at the low setting, absolute ($).",
    "gain_over_greedy": "Expected horizon savings of the optimal plan over the greedy one ($).",
}


def explain_plan(scenario: Scenario, plan: Any, ranking: pd.DataFrame) -> pd.DataFrame:
    """Why each backlog lever landed in its wave (or was left out), beside the greedy choice.

    Reasons cover pins, prerequisites, capacity binding in earlier waves, stacking with other
    levers on the same workload, exclusions and payback. ``ranking`` is
    :func:`simulator.planning.backlog.backlog`.
    """
    waves = scenario.capacity.waves
    name = {k: f"{w.name} (ships month {w.ship_month})" for k, w in enumerate(waves)}
    pinned = scenario.plan.pinned if scenario.plan else {}
    a, g = plan.assignment, plan.greedy_assignment
    rows = []
    for r in ranking.itertuples():
        lid = str(r.lever)
        lv = scenario.lever(lid)
        k = a.get(lid)
        why: list[str] = []
        if lid in pinned:
            why.append(f"pinned to {waves[pinned[lid]].name}")
        for req in lv.requires:
            if req in a:
                why.append(f"requires {req} ({waves[a[req]].name})")
        if k is not None:
            full = [
                f"{waves[j].name} {plan.effort_used[j]:g}/{plan.capacity[j]:g} wk"
                for j in range(k)
                if plan.capacity[j] - plan.effort_used[j] < lv.effort_weeks - 1e-9
            ]
            if full and len(full) == k:
                why.append("capacity binding: earlier waves full (" + ", ".join(full) + ")")
            elif k > 0 and lid not in pinned:
                why.append("deferred: the earlier room is worth more on other levers")
            else:
                why.append("ships first: largest saving when shipped early")
            mates = sorted(x for x in a if x != lid and scenario.lever(x).workload == lv.workload)
            if mates:
                why.append(f"stacks with {', '.join(mates)} on {lv.workload} (each adds less)")
        else:
            clash = [x for x in a if x in lv.excludes or lid in scenario.lever(x).excludes]
            if float(r.annual_savings) <= 0:  # type: ignore[arg-type]
                why.append("saves nothing on its own")
            elif clash:
                why.append(f"excluded by {', '.join(clash)}")
            else:
                why.append("not funded: capacity buys more elsewhere")
        why.append(f"payback {float(r.payback_months):.1f} months")  # type: ignore[arg-type]
        rows.append(
            {
                "lever": lid,
                "workload": lv.workload,
                "optimal wave": name[k] if k is not None else "not funded",
                "greedy wave": name[g[lid]] if lid in g else "not funded",
                "ratio": float(r.ratio),  # type: ignore[arg-type]
                "why": "; ".join(why),
            }
        )
    return pd.DataFrame(
        rows, columns=["lever", "workload", "optimal wave", "greedy wave", "ratio", "why"]
    )


def flat_frontier_reason(front: pd.DataFrame, term_spend: Any, contract: Any) -> str:
    """One sentence on why the risk frontier is flat, or ``""`` when the commitment moves.

    ``front`` is :func:`simulator.commitment.frontier`. A flat frontier means no risk tolerance
    changes the commitment: it sits on a tier threshold and the next tier would go unused too
    often (or cost more) for any tolerance to make it worth reaching.
    """
    if front.empty or front["recommended"].round(2).nunique() > 1:
        return ""
    commit = float(front["recommended"].iloc[0])
    tiers = contract.tiers
    higher = [t for t in tiers if t.min_commit > commit]
    text = f"The commitment stays at {compact_money(commit)} whatever the risk tolerance"
    if not higher:
        return text + ": it is already in the top tier, and more would only add unused commitment."
    nxt = higher[0]
    x = np.asarray(term_spend, dtype=np.float64)
    x = x.sum(axis=1) if x.ndim == 2 else x
    short = float(np.mean((1.0 - nxt.discount) * x < nxt.min_commit))
    why = (
        "more often than any tolerance shown allows"
        if short > float(front["eps"].max())
        else "and would cost more in expectation"
    )
    return (
        f"{text}: the next tier, {compact_money(nxt.min_commit)} for "
        f"{percent(nxt.discount)} off, would go partly unused in {percent(short)} of outcomes, "
        f"{why}."
    )
