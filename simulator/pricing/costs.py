"""Exact cost model of Claude traffic: one workload-month by model x tier x token class.

A workload is described per request. Levers change it in a fixed order (routing, batch,
compression, caching, output control, custom); each acts on its own part of the traffic, so the
order in which a scenario lists them does not matter. Every function is vectorised: a lever's
effect may be a float or an array with one value per Monte Carlo path.

The cost of a request is multilinear in the lever effects (each effect enters every product at
most once), so with independent effects the expected cost equals the cost at the expected
effects. The planner relies on this; ``docs/methodology.md`` derives it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from simulator.catalog.prices import (
    TOKEN_CLASSES,
    Catalog,
    Rates,
    TokenClass,
    load_catalog,
    month_start,
)
from simulator.errors import CatalogError
from simulator.scenario import Lever, Scenario, Workload

Value: TypeAlias = float | npt.NDArray[np.float64]
TIERS = ("standard", "batch")


@dataclass(frozen=True)
class Applied:
    """A lever as applied on some paths.

    ``effect`` is the realised effect (0 where the lever failed its check or has not shipped);
    ``weight`` scales side effects that are not proportional to the effect (a caching lever's
    cache writes): 1 where active, 0 where not, or a probability for expected-value pricing.
    """

    lever: Lever
    effect: Value
    weight: Value = 1.0


@dataclass(frozen=True)
class Segment:
    """Part of a workload's requests served by one model after routing."""

    model: str
    share: Value
    token_scale: float


def scenario_catalog(scenario: Scenario) -> Catalog:
    """The scenario's catalog with its ``pricing.overrides`` applied."""
    catalog = load_catalog(scenario.pricing.catalog)
    overrides = {m: o.model_dump(exclude_none=True) for m, o in scenario.pricing.overrides.items()}
    return catalog.with_overrides(overrides)


def models_used(scenario: Scenario) -> set[str]:
    """Every model the scenario's traffic can run on: workloads' models and routing targets."""
    return {w.model for w in scenario.workloads} | {
        lv.to_model for lv in scenario.levers if lv.to_model is not None
    }


def rates_in_month(scenario: Scenario, catalog: Catalog, month: int) -> dict[str, Rates]:
    """Rates of every model the scenario uses, as in effect at the start of ``month``."""
    day = month_start(scenario.start, month)
    return {m: catalog.rates(m, day) for m in sorted(models_used(scenario))}


def price_periods(scenario: Scenario, catalog: Catalog) -> list[int]:
    """Months (0-based) at which any used model's rates change, always starting with 0."""
    models = models_used(scenario)
    starts = {0}
    first = month_start(scenario.start, 0)
    for m in models:
        for day in catalog.change_dates(m):
            if day > first:
                months = (day.year - first.year) * 12 + day.month - first.month
                # a change on day 1 applies that month; mid-month changes apply from the next month
                months += 0 if day.day == 1 else 1
                if months < scenario.horizon_months:
                    starts.add(months)
    return sorted(starts)


def _segments(workload: Workload, routing: Sequence[Applied]) -> list[Segment]:
    stay: Value = 1.0
    segs: list[Segment] = []
    for a in routing:
        assert a.lever.to_model is not None
        stay = stay - a.effect
        segs.append(Segment(a.lever.to_model, a.effect, a.lever.token_ratio))
    return [Segment(workload.model, stay, 1.0), *segs]


def _blended(rates: Rates, token_class: TokenClass, long_share: float) -> float:
    std = rates.rate(token_class)
    if long_share <= 0.0 or rates.lc is None:
        return std
    return (1.0 - long_share) * std + long_share * rates.rate(token_class, long_context=True)


@dataclass(frozen=True)
class _Mix:
    """A workload's request after its levers: shares of traffic and token scales."""

    not_batched: Value
    batched: Value
    in_scale: Value
    read: Value
    write: Value
    uncached: Value
    out_scale: Value
    keep: Value
    segments: list[Segment]


def _mix(workload: Workload, applied: Sequence[Applied]) -> _Mix:
    by_kind: dict[str, list[Applied]] = {}
    for a in applied:
        if a.lever.workload != workload.id:
            raise ValueError(f"lever {a.lever.id} acts on {a.lever.workload}, not {workload.id}")
        by_kind.setdefault(a.lever.kind, []).append(a)

    not_batched: Value = 1.0 - workload.batch_share
    for a in by_kind.get("batch", []):
        not_batched = not_batched * (1.0 - a.effect)
    batched: Value = 1.0 - not_batched

    in_scale: Value = 1.0
    for a in by_kind.get("compression", []):
        in_scale = in_scale * (1.0 - a.effect)

    read: Value = workload.cache_read_share
    write: Value = workload.cache_write_share
    uncached: Value = 1.0 - read - write
    for a in by_kind.get("caching", []):
        moved = uncached * a.effect
        read = read + moved
        uncached = uncached - moved
    for a in by_kind.get("caching", []):
        # writes come out of what is still uncached; validation keeps this from binding
        extra = np.minimum(a.lever.write_share * a.weight, uncached)
        write = write + extra
        uncached = uncached - extra

    out_scale: Value = 1.0
    for a in by_kind.get("output_control", []):
        out_scale = out_scale * (1.0 - a.effect)
    keep: Value = 1.0
    for a in by_kind.get("custom", []):
        keep = keep * (1.0 - a.effect)
    segments = _segments(workload, by_kind.get("routing", []))
    return _Mix(not_batched, batched, in_scale, read, write, uncached, out_scale, keep, segments)


def breakdown(
    workload: Workload, rates: Mapping[str, Rates], applied: Sequence[Applied] = ()
) -> dict[tuple[str, str, str], tuple[Value, Value]]:
    """Cost of one request by (model, tier, token class): ``(tokens, dollars)``.

    Parameters
    ----------
    workload : Workload
        The traffic as it is today.
    rates : mapping of model id to Rates
        Rates in effect for the month being priced (every model used, routing targets included).
    applied : sequence of Applied
        Levers in force, with their realised effects.

    Returns
    -------
    dict
        Keys ``(model, tier, token_class)`` with tier ``standard`` or ``batch``; values are
        per-request token counts and dollars (floats or per-path arrays).
    """
    mix = _mix(workload, applied)
    not_batched, batched, in_scale = mix.not_batched, mix.batched, mix.in_scale
    read, write, uncached, out_scale, keep = (
        mix.read,
        mix.write,
        mix.uncached,
        mix.out_scale,
        mix.keep,
    )
    write_class: TokenClass = "cache_write_5m" if workload.cache_ttl == "5m" else "cache_write_1h"
    result: dict[tuple[str, str, str], tuple[Value, Value]] = {}
    for seg in mix.segments:
        try:
            r = rates[seg.model]
        except KeyError:
            raise CatalogError(f"no rates for model {seg.model!r}") from None
        inp = workload.input_tokens * seg.token_scale * in_scale
        tokens: dict[TokenClass, Value] = {
            "input": inp * uncached,
            write_class: inp * write,
            "cache_read": inp * read,
            "output": workload.output_tokens * seg.token_scale * out_scale,
        }
        for tier, tier_share, price_scale in (
            ("standard", not_batched, 1.0),
            ("batch", batched, 1.0 - r.batch_discount),
        ):
            for cls in TOKEN_CLASSES:
                t = tokens.get(cls, 0.0) * seg.share * tier_share * keep
                rate = _blended(r, cls, workload.long_context_share) * price_scale
                key = (seg.model, tier, cls)
                old_t, old_d = result.get(key, (0.0, 0.0))
                result[key] = (old_t + t, old_d + t * rate / 1e6)
    return result


def cost_per_request(
    workload: Workload, rates: Mapping[str, Rates], applied: Sequence[Applied] = ()
) -> Value:
    """List-price dollars per request (float, or one value per path).

    The same sum as :func:`breakdown` over its keys, with the per-class rates folded into
    scalars first: about a fifth of the array operations when effects are per-path arrays.
    """
    mix = _mix(workload, applied)
    write_class: TokenClass = "cache_write_5m" if workload.cache_ttl == "5m" else "cache_write_1h"
    lc = workload.long_context_share
    total: Value = 0.0
    for seg in mix.segments:
        try:
            r = rates[seg.model]
        except KeyError:
            raise CatalogError(f"no rates for model {seg.model!r}") from None
        tier: Value = mix.not_batched + mix.batched * (1.0 - r.batch_discount)
        inp = workload.input_tokens * seg.token_scale / 1e6
        out = workload.output_tokens * seg.token_scale / 1e6
        dollars = (
            inp
            * mix.in_scale
            * (
                mix.uncached * _blended(r, "input", lc)
                + mix.write * _blended(r, write_class, lc)
                + mix.read * _blended(r, "cache_read", lc)
            )
            + out * _blended(r, "output", lc) * mix.out_scale
        )
        total = total + dollars * seg.share * tier
    return total * mix.keep


def class_totals(
    workload: Workload, rates: Mapping[str, Rates], requests: float, applied: Sequence[Applied] = ()
) -> dict[str, float]:
    """Dollars per token class for ``requests`` requests (floats; levers at fixed effects)."""
    out: dict[str, float] = {cls: 0.0 for cls in TOKEN_CLASSES}
    for (_, _, cls), (_, dollars) in breakdown(workload, rates, applied).items():
        out[cls] += float(np.mean(dollars)) * requests
    out["total"] = sum(out[c] for c in TOKEN_CLASSES)
    return out


def month0_costs(scenario: Scenario) -> list[dict[str, Any]]:
    """Month-0 list cost per workload and token class, before levers (``commitsim cost``).

    Planned workloads are priced at their stated volume as if live, so the figure is a run rate.
    """
    catalog = scenario_catalog(scenario)
    rates = rates_in_month(scenario, catalog, 0)
    rows: list[dict[str, Any]] = []
    for w in scenario.workloads:
        row: dict[str, Any] = {"id": w.id, "model": w.model, "requests": w.requests_per_month}
        row.update(class_totals(w, rates, w.requests_per_month))
        rows.append(row)
    return rows
