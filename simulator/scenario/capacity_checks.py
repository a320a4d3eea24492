"""Cross-field checks on ``capacity_products:`` (names, models, workloads, term, lattice)."""

from __future__ import annotations

import difflib
from collections import Counter

from simulator.catalog.prices import Catalog
from simulator.scenario.model import Scenario

Found = list[tuple[tuple[int | str, ...], str, object]]


def _hint(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def capacity_product_problems(s: Scenario, catalog: Catalog | None) -> Found:
    """Every problem with the scenario's capacity products as ``(path, message, value)``."""
    out: Found = []
    names = Counter(p.name for p in s.capacity_products)
    seen: set[str] = set()
    workloads = {w.id: w for w in s.workloads}
    served = {w.model for w in s.workloads} | {
        lv.to_model for lv in s.levers if lv.to_model is not None
    }
    for i, p in enumerate(s.capacity_products):
        where = ("capacity_products", i)
        if names[p.name] > 1 and p.name in seen:
            out.append(((*where, "name"), "duplicate name", p.name))
        seen.add(p.name)
        if catalog is not None and p.model not in catalog.models:
            known = set(catalog.models)
            out.append(
                (
                    (*where, "model"),
                    "unknown model; see `commitsim catalog`" + _hint(p.model, known),
                    p.model,
                )
            )
        elif p.model not in served:
            out.append(
                (
                    (*where, "model"),
                    "no workload runs on this model (nor is routed to it), so nothing would use"
                    " the reservation",
                    p.model,
                )
            )
        for j, wid in enumerate(p.workloads):
            if wid not in workloads:
                out.append(
                    (
                        (*where, "workloads", j),
                        "no workload with this id" + _hint(wid, set(workloads)),
                        wid,
                    )
                )
        if p.start_month + p.term_months > s.horizon_months:
            out.append(
                (
                    (*where, "term_months"),
                    f"reservation ends after the horizon ({s.horizon_months} months);"
                    " shorten the term or lengthen horizon_months",
                    p.term_months,
                )
            )
        if p.unit == "usd_per_minute" and p.weights.model_fields_set:
            out.append(
                (
                    (*where, "weights"),
                    "a dollars-per-minute reservation counts list dollars; burn-down weights"
                    " apply only to input_tpm and output_tpm",
                    None,
                )
            )
    return out
