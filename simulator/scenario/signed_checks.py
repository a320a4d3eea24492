"""Checks on the optional ``signed:`` block (a commitment already signed, tracked with actuals)."""

from __future__ import annotations

from simulator.scenario.model import Scenario
from simulator.scenario.tier_checks import tier_schedule_problems

Loc = tuple[int | str, ...]
Found = list[tuple[Loc, str, object]]


def signed_problems(s: Scenario) -> Found:
    """Cross-field problems of ``signed`` as ``(path, message, value)``; empty without one."""
    out: Found = []
    sg = s.signed
    if sg is None:
        return out
    out.extend(tier_schedule_problems(sg.tiers, ("signed", "tiers")))
    reached = [t for t in sg.tiers if t.min_commit <= sg.commit]
    if sg.tiers and not reached:
        out.append(
            (
                ("signed", "commit"),
                f"below the smallest signed tier ({sg.tiers[0].min_commit:,.0f})",
                sg.commit,
            )
        )
    elif reached and abs(reached[-1].discount - sg.discount) > 1e-9:
        out.append(
            (
                ("signed", "discount"),
                f"the signed tiers give {reached[-1].discount:.4g} at this commitment",
                sg.discount,
            )
        )
    return out
