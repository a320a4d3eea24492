"""Suggested levers from an imported workload's shape, marked as suggestions to keep or drop.

Effect priors are the documented defaults of ``docs/methodology.md`` ("Suggested levers"),
taken from the lever-prior table of the reference material: routing moves 20% / 45% / 75% of
requests to the next cheaper model; batch moves 5% / 20% / 50% of the not-yet-batched
requests (the batchable share is an expert prior); caching turns 30% / 60% / 88% of uncached
input into cache reads (observed hit rates) with 5% cache writes; output control cuts 15% / 40% /
70% of output tokens.
"""

from __future__ import annotations

import datetime as dt

from simulator.catalog.prices import Catalog
from simulator.scenario import Lever, Triangular, Workload

#: Marks a suggested lever in its description; the import summary lists these to keep or drop.
SUGGESTION = "Suggested from usage (keep or drop):"
#: Minimum prompt the API caches (tokens), below which caching cannot help.
MIN_CACHEABLE = 1024
ROUTE_TO = {"opus": "claude-sonnet-4-5", "sonnet": "claude-haiku-4-5"}


def _prior(low: float, mode: float, high: float) -> Triangular:
    return Triangular(low=low, mode=mode, high=high)


def suggest_levers(w: Workload, catalog: Catalog, day: dt.date) -> list[Lever]:
    """Levers worth considering for ``w``, each with a documented prior and a reason.

    Parameters
    ----------
    w : Workload
        An imported workload.
    catalog : Catalog
        Prices, to judge how much of the bill output tokens are.
    day : date
        Date whose rates are used.

    Returns
    -------
    list of Lever
        Ids ``<workload>-<kind>``; descriptions start with :data:`SUGGESTION` and say why.
    """
    out: list[Lever] = []
    rates = catalog.rates(w.model, day)
    uncached = max(0.0, 1.0 - w.cache_read_share - w.cache_write_share)
    family = next((f for f in ROUTE_TO if f in w.model), None)
    target = ROUTE_TO.get(family or "")
    if target is not None and target in catalog.models and target != w.model:
        out.append(
            Lever(
                id=f"{w.id}-route",
                workload=w.id,
                kind="routing",
                to_model=target,
                effect=_prior(0.2, 0.45, 0.75),
                effort_weeks=3,
                success_probability=0.8,
                description=f"{SUGGESTION} route easy requests from {w.model} to {target}",
            )
        )
    if w.batch_share < 0.5:
        out.append(
            Lever(
                id=f"{w.id}-batch",
                workload=w.id,
                kind="batch",
                effect=_prior(0.05, 0.2, 0.5),
                effort_weeks=2,
                success_probability=0.9,
                description=(
                    f"{SUGGESTION} {100 * (1 - w.batch_share):.0f}% of requests are not batched; "
                    "move the traffic that can wait to the batch API"
                ),
            )
        )
    if w.input_tokens >= MIN_CACHEABLE and uncached >= 0.3:
        out.append(
            Lever(
                id=f"{w.id}-cache",
                workload=w.id,
                kind="caching",
                effect=_prior(0.3, 0.6, 0.88),
                # writes must fit in the input still uncached at the effect's high (a check)
                write_share=round(min(0.05, 0.99 * uncached * (1 - 0.88)), 4),
                effort_weeks=2,
                success_probability=0.9,
                description=(
                    f"{SUGGESTION} prompts of {w.input_tokens:,.0f} tokens, {100 * uncached:.0f}% "
                    "uncached: cache the repeated prefix"
                ),
            )
        )
    cost_in = w.input_tokens * rates.input
    cost_out = w.output_tokens * rates.output
    if cost_in + cost_out > 0 and cost_out / (cost_in + cost_out) >= 0.2:
        share = cost_out / (cost_in + cost_out)
        out.append(
            Lever(
                id=f"{w.id}-output",
                workload=w.id,
                kind="output_control",
                effect=_prior(0.15, 0.4, 0.7),
                effort_weeks=1.5,
                success_probability=0.85,
                description=(
                    f"{SUGGESTION} output is {100 * share:.0f}% of the list price of a request: "
                    "ask for shorter answers"
                ),
            )
        )
    return out
