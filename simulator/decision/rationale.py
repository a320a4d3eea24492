"""The decision's rationale in plain words, built from the numbers.

What to sign and for how long; why our number sits where it does (the binding constraint in
words); what the next tier up would give and cost and what one tier down would cost; which deals
were set aside for breaking the risk limits; how far spend would have to move to change a
tier-threshold answer; and how sure we are (batch standard errors). No field names and no
zero-based years: the same text goes to the app, the CLI and the memo.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from simulator.commitment import CommitRecommendation, recommend_commit
from simulator.commitment.offers import COUNTER_LABELS
from simulator.commitment.risk import SpendSamples
from simulator.commitment.sizing import Terms, solve
from simulator.decision.choose import Candidate
from simulator.decision.words import compact_money as m
from simulator.decision.words import contract_year, percent, points, term_words
from simulator.scenario import Scenario

# How far spend is scaled, at most, when looking for the move that changes a threshold answer.
_MAX_MOVE = 0.8
_MOVE_STEPS = 14


@dataclass(frozen=True)
class Context:
    """What the rationale needs beyond the candidates."""

    scenario: Scenario
    term_spend: np.ndarray  # optimised list-price term spend (2-D for a ramped contract)
    rec: CommitRecommendation
    standard_errors: dict[str, float]
    batches: int
    extra_cost_unoptimized: float


def _deal(c: Candidate) -> str:
    return f"{m(c.commit)} at {percent(c.discount)} off"


def _ours(ctx: Context) -> str:
    r = ctx.rec
    if r.years:
        parts = [
            f"{m(y.recommended)} at {percent(y.discount)} off in {contract_year(ctx.scenario, i)}"
            for i, y in enumerate(r.years)
        ]
        return "a ramped commitment of " + ", ".join(parts)
    if r.recommended <= 0:
        return "no commitment (pay as you go)"
    return f"{m(r.recommended)} at {percent(r.discount)} off"


def lead(chosen: Candidate, fallback: Candidate | None, ctx: Context) -> str:
    """The first sentences: the action, the deal and the term."""
    term = term_words(ctx.scenario)
    if chosen.kind == "ours":
        if chosen.commit <= 0:
            return f"Do not commit: pay as you go for the {term}."
        return f"Sign {_ours(ctx)}, for {term}."
    saving = ctx.rec.expected_cost - chosen.expected_cost
    if chosen.kind == "offer":
        return (
            f"Accept {chosen.name} as offered: {_deal(chosen)} for {term}. It meets the risk "
            f"limits and costs {m(saving)} less in expectation than our own number "
            f"({_ours(ctx)})."
        )
    label = COUNTER_LABELS.get(chosen.counter_kind or "", "")
    text = (
        f"Counter {chosen.answers} with {_deal(chosen)} for {term} ({label}). It meets the risk "
        f"limits and costs {m(saving)} less in expectation than our own number."
    )
    if fallback is not None:
        gain = fallback.expected_cost - chosen.expected_cost
        back = (
            f"sign our own number ({_ours(ctx)})"
            if fallback.kind == "ours"
            else f"accept {fallback.name} as offered ({_deal(fallback)})"
        )
        text += f" If the vendor refuses, {back}; the counter is worth {m(gain)} over that."
    return text


def _why(ch: CommitRecommendation, terms: Terms) -> str:
    """Why one term's commitment sits where it does, in words."""
    k = ch.tier
    if ch.binding == "no_commit" or ch.recommended <= 0:
        return "no commitment saves money in expectation within the risk limits"
    if ch.binding == "newsvendor":
        return (
            "that is where a larger commitment stops paying for itself: the extra discount no "
            "longer covers the commitment that would go unused"
        )
    if ch.binding == "shortfall_limit":
        return (
            "it is the largest commitment that keeps the chance of not using it all within the "
            f"{percent(terms.eps or 0.0)} limit"
        )
    if ch.binding == "cvar_limit":
        return (
            "it is the largest commitment that keeps the average cost of the worst 5% of "
            f"outcomes within the {m(terms.cvar_limit or 0.0)} limit"
        )
    nxt = terms.thresholds[k + 1] if k + 1 < len(terms.thresholds) else math.inf
    if ch.recommended >= nxt * (1 - 1e-6):
        return f"it is the most that still stays below the {m(nxt)} minimum of the next tier"
    return (
        f"it is the smallest commitment that earns {percent(ch.discount)} off (the "
        f"{m(terms.thresholds[k])} tier); committing more inside this tier only adds commitment "
        "that may go unused"
    )


def _neighbours(s: SpendSamples, ch: CommitRecommendation, terms: Terms) -> str:
    """What the next tier up would give and cost, and what one tier down would cost."""
    k, out = ch.tier, []
    if k + 1 < len(terms.thresholds):
        c_up, d_up = terms.thresholds[k + 1], terms.discounts[k + 1]
        up = s.metrics(c_up, d_up, terms.overage, terms.rollover)
        diff = float(up.expected_cost[0]) - ch.expected_cost
        short = float(up.shortfall_probability[0])
        breaks = (terms.eps is not None and short > terms.eps) or (
            terms.cvar_limit is not None and float(up.cvar95_cost[0]) > terms.cvar_limit
        )
        out.append(
            f"The next tier up, {m(c_up)} for {percent(d_up)} off, would go partly unused in "
            f"{percent(short)} of outcomes, leave "
            f"{m(float(up.expected_unused[0]))} unused on average and cost {m(abs(diff))} "
            f"{'more' if diff >= 0 else 'less'} in expectation"
            + (", but it breaks the risk limits." if breaks else ".")
        )
    else:
        out.append("This is already the top tier.")
    if k >= 0:
        below = replace(
            terms, thresholds=terms.thresholds[:k], discounts=terms.discounts[:k], lam=0.0
        )
        low = solve(s, below)
        what = (
            "paying as you go"
            if low.commit <= 0
            else f"{m(low.commit)} at {percent(low.discount)} off"
        )
        out.append(
            f"One tier down, the best choice ({what}) would cost "
            f"{m(low.expected_cost - ch.expected_cost)} more in expectation."
        )
    return " ".join(out)


def why_ours(ctx: Context) -> str:
    """Why our number sits where it does, and what the tiers either side would do."""
    r, terms = ctx.rec, Terms.of(ctx.scenario.contract)
    arr = np.asarray(ctx.term_spend, dtype=np.float64)
    if r.years:
        lines = []
        for i, y in enumerate(r.years):
            s = SpendSamples.from_array(arr[:, i])
            lines.append(
                f"In {contract_year(ctx.scenario, i)}, {m(y.recommended)}: {_why(y, terms)}. "
                + _neighbours(s, y, terms)
            )
        return " ".join(lines)
    s = SpendSamples.from_array(arr.sum(axis=1) if arr.ndim == 2 else arr)
    return f"Our own number, {_ours(ctx)}: {_why(r, terms)}. " + _neighbours(s, r, terms)


def _tiers(rec: CommitRecommendation) -> tuple[int, ...]:
    return tuple(y.tier for y in rec.years) if rec.years else (rec.tier,)


def threshold_move(
    term_spend: np.ndarray, scenario: Scenario, rec: CommitRecommendation
) -> tuple[float, float]:
    """How far all spend would have to fall and rise (shares) to change the tiers chosen.

    Spend is scaled by ``1 - x`` and ``1 + x``; ``x`` is found by bisection up to 80% (``inf``
    beyond that).
    """
    base = _tiers(rec)
    arr = np.asarray(term_spend, dtype=np.float64)

    def changed(f: float) -> bool:
        return _tiers(recommend_commit(arr * f, scenario.contract, with_curve=False)) != base

    moves = []
    for sign in (-1.0, 1.0):
        if not changed(1.0 + sign * _MAX_MOVE):
            moves.append(math.inf)
            continue
        lo, hi = 0.0, _MAX_MOVE
        for _ in range(_MOVE_STEPS):
            mid = 0.5 * (lo + hi)
            lo, hi = (lo, mid) if changed(1.0 + sign * mid) else (mid, hi)
        moves.append(hi)
    return moves[0], moves[1]


def _move_words(x: float, way: str) -> str:
    return (
        f"{way} by more than {percent(_MAX_MOVE, 0)}" if math.isinf(x) else f"{way} {percent(x, 0)}"
    )


def on_threshold(ctx: Context) -> str:
    """A sentence when our number sits on a tier threshold: how far spend must move to change it."""
    r = ctx.rec
    bindings = [y.binding for y in r.years] if r.years else [r.binding]
    if "tier_threshold" not in bindings:
        return ""
    down, up = threshold_move(ctx.term_spend, ctx.scenario, r)
    return (
        "Our number sits on a tier threshold: spend would have to "
        f"{_move_words(down, 'fall')} or {_move_words(up, 'rise')} across the board to change "
        "the tier."
    )


def set_aside(cands: Sequence[Candidate]) -> str:
    """The candidates set aside for breaking the risk limits, by name."""
    out = [c for c in cands if not c.meets_limits]
    if not out:
        return "Every deal considered meets the risk limits."
    names = "; ".join(
        f"{c.name} ({_deal(c)}, short of full use in {percent(c.shortfall_probability)} of "
        "outcomes)"
        for c in out
    )
    return f"Set aside for breaking the risk limits: {names}."


def how_sure(chosen: Candidate, ctx: Context) -> str:
    """Batch standard errors of the decision's figures."""
    se = ctx.standard_errors
    text = (
        f"How sure we are: expected cost {m(chosen.expected_cost)} ± {m(se.get('expected_cost'))}, "
        f"chance of not using it all {percent(chosen.shortfall_probability)} ± "
        f"{points(se.get('shortfall_probability', math.nan))}, expected unused "
        f"{m(chosen.expected_unused)} ± {m(se.get('expected_unused'))} (standard errors over "
        f"{ctx.batches} independent batches of simulated paths)."
    )
    if math.isfinite(ctx.extra_cost_unoptimized):
        text += (
            " Sizing the commitment on the forecast without the optimisation plan would cost "
            f"{m(ctx.extra_cost_unoptimized)} more in expectation once the plan delivers."
        )
    return text


def rationale_parts(
    chosen: Candidate, fallback: Candidate | None, cands: Sequence[Candidate], ctx: Context
) -> dict[str, str]:
    """The rationale's parts in order: lead, why our number, threshold, set aside, how sure."""
    return {
        "lead": lead(chosen, fallback, ctx),
        "why": why_ours(ctx),
        "threshold": on_threshold(ctx),
        "set_aside": set_aside(cands),
        "how_sure": how_sure(chosen, ctx),
    }


def rationale(
    chosen: Candidate, fallback: Candidate | None, cands: Sequence[Candidate], ctx: Context
) -> str:
    """The full rationale: the parts of :func:`rationale_parts` as one paragraph."""
    return " ".join(p for p in rationale_parts(chosen, fallback, cands, ctx).values() if p)


__all__ = ["Context", "rationale", "rationale_parts", "threshold_move"]
