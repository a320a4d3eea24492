"""What the wave planner reads from a scenario, so sweeps can tell when a re-plan is provably
unchanged.

The planner works from expected volumes and the cost model: volumes' expectations do not depend
on volatility (without saturation) or on the correlation between workloads, and nothing in the
plan depends on the contract, the offers, the path count or the sampling scheme. Two scenarios
with the same :func:`planning_key` therefore get the same plan, and a sweep may reuse it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from simulator.scenario import Scenario


def planning_inputs(scenario: Scenario) -> dict[str, Any]:
    """The scenario's data with every field the planner provably ignores left out."""
    data = scenario.model_dump(mode="json")
    for section in ("name", "contract", "offers"):
        data.pop(section, None)
    simulation = data.pop("simulation", {})
    saturating = False
    for w in data["workloads"]:
        growth = w.get("growth") or {}
        if growth.get("saturation") is None:
            # E[v_t] = v_0 (1 + mu)^t whatever the volatility (closed form, adoption.py)
            growth.pop("volatility", None)
        else:
            saturating = True
    if saturating:
        # saturating workloads' expected volumes are estimated from seeded paths
        data["expected_volume_seed"] = simulation.get("seed")
    return data


def planning_key(scenario: Scenario) -> str:
    """A digest of :func:`planning_inputs`: equal keys, equal plans."""
    text = json.dumps(planning_inputs(scenario), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
