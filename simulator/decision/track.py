"""Track a signed commitment: :func:`track` puts the model (:mod:`.track_model`) and the priced
actions (:mod:`.track_actions`) together into a :class:`TrackResult`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.decision.track_actions import actions
from simulator.decision.track_model import (
    DEFAULT_LIMIT,
    GrowthRefit,
    build_context,
    month_index,
    month_label,
)
from simulator.scenario import Scenario


@dataclass
class TrackResult:
    """Where a signed commitment stands and what to do about it."""

    months_elapsed: int
    spent_to_date: float
    committed: float
    remaining: dict[str, float]
    shortfall_probability: float
    expected_unused: float
    on_track: bool
    actions: list[dict[str, Any]]
    limit: float
    term_labels: list[str]
    actual_cumulative: list[float]
    fan: dict[str, list[float]]
    growth: GrowthRefit
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON answer of ``commitsim track`` (exactly its documented keys)."""
        return {
            "months_elapsed": self.months_elapsed,
            "spent_to_date": self.spent_to_date,
            "committed": self.committed,
            "remaining": dict(self.remaining),
            "shortfall_probability": self.shortfall_probability,
            "expected_unused": self.expected_unused,
            "on_track": self.on_track,
            "actions": list(self.actions),
        }


def track(
    scenario: Scenario,
    months: Sequence[str],
    list_spend: Sequence[float],
    *,
    paths: int | None = None,
    seed: int | None = None,
) -> TrackResult:
    """Where the scenario's signed commitment stands, given monthly list spend to date.

    Parameters
    ----------
    scenario : Scenario
        Must have a ``signed:`` block; its workloads, levers and plan shape the rest of the term.
    months : sequence of str
        Calendar months ``YYYY-MM`` of the actuals, consecutive (months before the term's start
        only inform the growth refit).
    list_spend : sequence of float
        List-price spend of each month, in dollars.
    paths, seed : int, optional
        Monte Carlo paths (default: the scenario's, at most 20,000) and seed.

    Returns
    -------
    TrackResult
        ``spent_to_date``, ``remaining`` and ``expected_unused`` are contract dollars (list x
        ``1 - discount``), comparable with ``committed``.

    Raises
    ------
    SimulatorError
        No signed block, or actuals that are empty, negative, repeated, gapped or past the term.
    """
    ctx, growth, labels, values = build_context(
        scenario, months, list_spend, paths=paths, seed=seed
    )
    sg = ctx.signed
    rate = ctx.rate
    rest = rate * (ctx.existing + ctx.pending)
    total_rest = rest.sum(axis=1)
    used = ctx.drawn + total_rest
    unused = ctx.unused(used)
    p10, p50, p90 = (float(v) for v in np.quantile(total_rest, [0.1, 0.5, 0.9]))
    short = float((used < sg.commit).mean())
    limit = scenario.contract.max_shortfall_probability
    limit = DEFAULT_LIMIT if limit is None else limit
    elapsed = month_index(labels[-1], sg.start) + 1
    in_term = [month_index(m, sg.start) >= 0 for m in labels]
    actual_cum = list(np.cumsum(rate * values[np.array(in_term)]).astype(float))
    cum = ctx.drawn + np.cumsum(rest, axis=1)
    fan: dict[str, list[float]] = {"mean": [], "p10": [], "p50": [], "p90": []}
    if cum.shape[1]:
        q = np.quantile(cum, [0.1, 0.5, 0.9], axis=0)
        fan = {
            "mean": [float(x) for x in cum.mean(axis=0)],
            "p10": [float(x) for x in q[0]],
            "p50": [float(x) for x in q[1]],
            "p90": [float(x) for x in q[2]],
        }
    notes = []
    if ctx.pending_ids:
        notes.append(
            "not launched by the last actual month, forecast as the scenario plans them: "
            + ", ".join(ctx.pending_ids)
        )
    return TrackResult(
        months_elapsed=elapsed,
        spent_to_date=ctx.drawn,
        committed=sg.commit,
        remaining={"mean": float(total_rest.mean()), "p10": p10, "p50": p50, "p90": p90},
        shortfall_probability=short,
        expected_unused=float(unused.mean()),
        on_track=short <= limit,
        actions=actions(ctx),
        limit=limit,
        term_labels=[month_label(sg.start, k) for k in range(sg.term_months)],
        actual_cumulative=actual_cum,
        fan=fan,
        growth=growth,
        notes=notes,
    )
