"""What a capacity reservation can serve: weighted units and list dollars per request.

Only standard-tier traffic on the product's model counts (batch traffic never uses reserved
capacity). An ``input_tpm`` unit is one input token per minute with cache reads, 5-minute and
1-hour cache writes weighted by the product's burn-down weights; an ``output_tpm`` unit one output
token per minute; on models with long-context pricing, long-context tokens also carry the
long-context weight (the weights multiply). A ``usd_per_minute`` unit is one list-price dollar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from simulator.catalog.prices import Rates
from simulator.pricing.costs import Applied, Value, breakdown
from simulator.scenario import CapacityProduct, Scenario, Workload


def product_workloads(scenario: Scenario, product: CapacityProduct) -> list[Workload]:
    """Workloads whose traffic the product may serve (its list, or every workload)."""
    if product.workloads:
        chosen = set(product.workloads)
        return [w for w in scenario.workloads if w.id in chosen]
    return list(scenario.workloads)


def class_weight(product: CapacityProduct, token_class: str) -> float:
    """Burn-down weight of one token class for an ``input_tpm`` product (1 for plain input)."""
    w = product.weights
    return {
        "input": 1.0,
        "cache_read": w.cache_read,
        "cache_write_5m": w.cache_write_5m,
        "cache_write_1h": w.cache_write_1h,
    }.get(token_class, 0.0)


def reservable_per_request(
    workload: Workload,
    rates: Mapping[str, Rates],
    product: CapacityProduct,
    applied: Sequence[Applied] = (),
) -> tuple[Value, Value]:
    """Reservation units and list dollars per request that ``product`` can serve.

    Parameters
    ----------
    workload : Workload
        The traffic.
    rates : mapping of model id to Rates
        Rates in effect that month.
    product : CapacityProduct
        The reservation.
    applied : sequence of Applied
        Levers in force (batch moves traffic out of reach, caching lowers weighted input).

    Returns
    -------
    units, dollars
        Floats, or one value per path when lever effects are per path.
    """
    units: Value = 0.0
    dollars: Value = 0.0
    model_rates = rates.get(product.model)
    long_share = workload.long_context_share if model_rates and model_rates.lc else 0.0
    w = product.weights
    for (model, tier, cls), (tokens, usd) in breakdown(workload, rates, applied).items():
        if model != product.model or tier != "standard":
            continue
        if product.unit == "usd_per_minute":
            units = units + usd
            dollars = dollars + usd
        elif product.unit == "output_tpm" and cls == "output":
            units = units + tokens * (1.0 + (w.long_context_output - 1.0) * long_share)
            dollars = dollars + usd
        elif product.unit == "input_tpm" and cls != "output":
            lc = 1.0 + (w.long_context_input - 1.0) * long_share
            units = units + tokens * class_weight(product, cls) * lc
            dollars = dollars + usd
    return units, dollars
