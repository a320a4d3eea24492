"""Priced actions for a tracked commitment: which levers to defer, which workloads to launch,
how much rollover to negotiate. Every figure is an expectation over the paths of
:func:`simulator.decision.track_model.build_context`."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.commitment.risk import path_cost
from simulator.decision.track_model import (
    Context,
    month_label,
    months_of,
    plan_factor,
    sub_scenario,
)
from simulator.forecast.montecarlo import simulate
from simulator.forecast.randomness import F64
from simulator.scenario import Launch, Scenario


def _usd(x: float) -> str:
    return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"


def _launch(sc: Scenario, launch: Launch) -> str:
    when = sc.month_label(launch.first)
    if launch.last != launch.first:
        when += f" to {sc.month_label(launch.last)}"
    return f"{when}, {100 * launch.probability:.0f}% likely"


def _cost(ctx: Context, used: F64) -> F64:
    s = ctx.signed
    return path_cost(used / ctx.rate, s.commit, s.discount, s.overage, s.rollover_share)


def _material(ctx: Context, dollars: float) -> bool:
    # below a dollar or a hundredth of a percent of the commitment is Monte Carlo noise
    return dollars > max(1.0, 1e-4 * ctx.signed.commit)


def lever_actions(ctx: Context) -> list[dict[str, Any]]:
    """Planned levers due before the term ends whose saving would leave commitment unused."""
    sc = ctx.scenario
    used = ctx.used()
    unused = float(ctx.unused(used).mean())
    cost = _cost(ctx, used)
    end = month_label(sc.start, ctx.last)
    out = []
    for lid, wave in sorted(ctx.plan.items()):
        lever = sc.lever(lid)
        ship = sc.capacity.waves[wave].ship_month
        if lever.workload not in ctx.running_ids or not ctx.now < ship <= ctx.last:
            continue
        rest = {k: v for k, v in ctx.plan.items() if k != lid}
        factor = plan_factor(sc, ctx.running_ids, rest, ctx.horizon)
        ref = float(factor[ctx.now]) if ctx.now >= 0 else 1.0
        ratio = np.array([factor[m] if m >= 0 else 1.0 for m in range(ctx.now + 1, ctx.last + 1)])
        existing = ctx.existing / np.where(ctx.ratio > 0, ctx.ratio, 1.0) * (ratio / ref)
        used_wo = ctx.used(existing=existing)
        unused_wo = float(ctx.unused(used_wo).mean())
        kept = unused - unused_wo
        if not _material(ctx, kept):
            continue
        gross = float((used_wo - used).mean())
        lowers_bill = float((_cost(ctx, used_wo) - cost).mean())
        short_wo = float((used_wo < ctx.signed.commit).mean())
        out.append(
            {
                "kind": "defer_lever",
                "subject": lid,
                "value": kept,
                "ships": sc.month_label(ship),
                "saving_this_term": gross,
                "saving_that_lowers_the_bill": lowers_bill,
                "shortfall_probability_if_deferred": short_wo,
                "text": (
                    f"Lever {lid} ships in {sc.month_label(ship)} and saves {_usd(gross)} at "
                    f"contract rates before {end}, but only {_usd(lowers_bill)} of that lowers "
                    f"the bill: the rest becomes unused commitment. Deferring it until after "
                    f"{end} keeps {_usd(kept)} of commitment in use (shortfall chance "
                    f"{100 * short_wo:.0f}% instead of "
                    f"{100 * float((used < ctx.signed.commit).mean()):.0f}%)."
                ),
            }
        )
    return out


def _workload_spend(ctx: Context, wid: str, launch: Launch | None) -> F64:
    sc = ctx.scenario
    sub = sub_scenario(sc, [wid], ctx.horizon, None if launch is None else {wid: launch})
    levers = {lv.id for lv in sub.levers}
    plan = {k: v for k, v in ctx.plan.items() if k in levers}
    n = ctx.existing.shape[0]
    f = simulate(sub, plan, paths=n, seed=sc.simulation.seed)
    return months_of(f.spend[:n], ctx.now + 1, ctx.last)


def workload_actions(ctx: Context) -> list[dict[str, Any]]:
    """Workloads not launched yet: what launching each next month does to the unused amount."""
    if ctx.now + 1 > ctx.last:
        return []
    sc = ctx.scenario
    used = ctx.used()
    unused = float(ctx.unused(used).mean())
    if not _material(ctx, unused):
        return []
    nxt = ctx.now + 1
    out = []
    for wid in ctx.pending_ids:
        planned = _workload_spend(ctx, wid, None)
        early = _workload_spend(ctx, wid, Launch(month=max(nxt, 0), probability=1.0))
        used_early = used + ctx.rate * (early.sum(axis=1) - planned.sum(axis=1))
        closed = unused - float(ctx.unused(used_early).mean())
        if not _material(ctx, closed):
            continue
        added = ctx.rate * float((early.sum(axis=1) - planned.sum(axis=1)).mean())
        share = closed / unused
        out.append(
            {
                "kind": "launch_workload",
                "subject": wid,
                "value": closed,
                "launch": sc.month_label(max(nxt, 0)),
                "added_drawdown": added,
                "gap_closed_share": share,
                "text": (
                    f"Launching workload {wid} in {sc.month_label(max(nxt, 0))} for certain "
                    f"(planned: {_launch(sc, sc.workload(wid).launch)}) adds {_usd(added)} of "
                    f"drawdown and closes {100 * share:.0f}% of the expected unused "
                    f"{_usd(unused)}."
                ),
            }
        )
    return out


def rollover_action(ctx: Context) -> dict[str, Any] | None:
    """How much rollover of unused commitment to negotiate, and what it is worth."""
    unused = ctx.unused(ctx.used())
    mean = float(unused.mean())
    if not _material(ctx, mean):
        return None
    cap = float(np.quantile(unused, 0.9))
    rho = ctx.signed.rollover_share
    worth = (1.0 - rho) * float(np.minimum(unused, cap).mean())
    end = month_label(ctx.signed.start, ctx.signed.term_months - 1)
    return {
        "kind": "negotiate_rollover",
        "subject": "rollover",
        "value": worth,
        "rollover_cap": cap,
        "rollover_share_of_commit": cap / ctx.signed.commit,
        "text": (
            f"Negotiate rolling up to {_usd(cap)} ({100 * cap / ctx.signed.commit:.1f}% of the "
            f"commitment, the P90 of unused) past {end}: expected to save {_usd(worth)}"
            + (f" on top of the {100 * rho:.0f}% rollover signed." if rho else ".")
        ),
    }


def actions(ctx: Context) -> list[dict[str, Any]]:
    """Every priced action, largest value first; a single 'none' when nothing is at risk."""
    found = lever_actions(ctx) + workload_actions(ctx)
    roll = rollover_action(ctx)
    if roll is not None:
        found.append(roll)
    found.sort(key=lambda a: -float(a["value"]))
    if not found:
        used = ctx.used()
        found.append(
            {
                "kind": "none",
                "subject": "",
                "value": 0.0,
                "text": (
                    "No action needed: the commitment is used on every simulated path "
                    f"(expected drawdown {_usd(float(used.mean()))} against "
                    f"{_usd(ctx.signed.commit)})."
                ),
            }
        )
    return found
