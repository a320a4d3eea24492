"""Merge imported workloads into a base scenario (or the bundled template), with suggestions.

* Imported workloads replace base workloads with the same id, in place, or are appended; the
  base's levers, waves, tiers, offers and comments are kept (saving goes through the base's
  round-trip document).
* Without a base, the bundled template ``simulator/data/templates/import-base.yaml`` supplies
  illustrative tiers, waves and offers (its offers' ``commit`` are multiples of the imported
  first-year contract spend) so the result runs to a recommendation; :attr:`Merged.from_template`
  says which parts came from it.
* Usage that starts before the catalog prices its model is flagged: it is priced at the
  catalog's earliest rates for that model, which did not exist then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from simulator.catalog.prices import Catalog, load_catalog, month_start
from simulator.pricing.costs import cost_per_request, rates_in_month, scenario_catalog
from simulator.scenario import Lever, Scenario, Workload, loads_scenario, scenario_from_data
from simulator.usage.common import ImportResult
from simulator.usage.suggest import suggest_levers

TEMPLATE = "import-base.yaml"
TEMPLATE_PARTS = ("contract tiers and terms", "engineering waves", "offers", "simulation settings")


@dataclass
class Merged:
    """The merged scenario and what happened to each part."""

    scenario: Scenario
    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    suggested: list[str] = field(default_factory=list)
    from_template: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain-data summary of the merge (for ``--json`` and the app)."""
        return {
            "replaced": list(self.replaced),
            "added": list(self.added),
            "suggested_levers": list(self.suggested),
            "from_template": list(self.from_template),
            "warnings": list(self.warnings),
        }


def load_template() -> Scenario:
    """The bundled template scenario (with a placeholder workload the import replaces)."""
    text = (resources.files("simulator") / "data" / "templates" / TEMPLATE).read_text("utf-8")
    return loads_scenario(text, f"template {TEMPLATE}")


def _combined(results: Sequence[ImportResult]) -> list[tuple[Workload, ImportResult]]:
    # two logs named alike must not collide: suffix -2, -3 ... as the importers do
    out: list[tuple[Workload, ImportResult]] = []
    seen: set[str] = set()
    for res in results:
        for w in res.scenario.workloads:
            wid, n = w.id, 1
            while wid in seen:
                n += 1
                wid = f"{w.id}-{n}"
            seen.add(wid)
            out.append((w if wid == w.id else w.model_copy(update={"id": wid}), res))
    return out


def _window_start(res: ImportResult) -> dt.date | None:
    window = res.summary.get("window") or []
    try:
        return dt.date.fromisoformat(str(window[0])[:10])
    except (IndexError, ValueError):
        return None


def catalog_warnings(results: Sequence[ImportResult], catalog: Catalog) -> list[str]:
    """One warning per import and model whose usage starts before the catalog prices it."""
    out = []
    for res in results:
        first = _window_start(res)
        if first is None:
            continue
        for model in sorted({w.model for w in res.scenario.workloads}):
            dates = catalog.change_dates(model)
            if dates and first < dates[0]:
                out.append(
                    f"{res.summary.get('source', 'import')}: usage from {first} predates the "
                    f"price catalog {catalog.name}, which prices {model} from {dates[0]}; it is "
                    "priced at those later list prices"
                )
    return out


def _first_year(s: Scenario) -> float:
    """Expected list spend of the scenario's first 12 months at mean growth, before levers."""
    rates = rates_in_month(s, scenario_catalog(s), 0)
    total = 0.0
    for w in s.workloads:
        month0 = float(cost_per_request(w, rates)) * w.requests_per_month
        g = w.growth.monthly_rate
        total += month0 * sum((1.0 + g) ** m for m in range(12))
    return total


def merge_imports(
    results: Sequence[ImportResult],
    base: Scenario | None = None,
    *,
    suggest: bool = True,
    name: str | None = None,
) -> Merged:
    """Merge the workloads of one or more imports into ``base`` (or the bundled template).

    Parameters
    ----------
    results : sequence of ImportResult
        Imports to merge, in order; later workloads with a taken id get ``-2``, ``-3`` ...
    base : Scenario, optional
        Scenario to merge into; ``None`` uses the bundled template and the imports' start month.
    suggest : bool
        Add suggested levers for imported workloads that have none in the base.
    name : str, optional
        Scenario name (default: the base's, or the first import's).

    Returns
    -------
    Merged
        The validated scenario (saving keeps the base's comments) and what was done.
    """
    merged = Merged(scenario=base if base is not None else load_template())
    template = base is None
    src = merged.scenario
    incoming = _combined(results)
    data = src.model_dump(mode="json", exclude_unset=True)
    workloads = [] if template else list(src.workloads)
    ids = [w.id for w in workloads]
    for w, _ in incoming:
        if w.id in ids:
            workloads[ids.index(w.id)] = w
            merged.replaced.append(w.id)
        else:
            workloads.append(w)
            ids.append(w.id)
            merged.added.append(w.id)
    data["workloads"] = [w.model_dump(mode="json", exclude_unset=True) for w in workloads]
    if template:
        starts = sorted(r.scenario.start for r in results)
        data["start"] = starts[-1] if starts else data["start"]
        one = results[0].scenario.name if len(results) == 1 else data["name"]
        data["name"] = name or one
        merged.from_template = list(TEMPLATE_PARTS)
    elif name:
        data["name"] = name
    else:
        for r in results:
            if r.scenario.start != src.start:
                merged.warnings.append(
                    f"{r.summary.get('source', 'import')} measured usage up to the month before "
                    f"{r.scenario.start}; the scenario starts {src.start}: its volumes are taken "
                    "as they are at the scenario's start (no growth across the gap)"
                )
    catalog = load_catalog(str(data.get("pricing", {}).get("catalog", src.pricing.catalog)))
    merged.warnings.extend(catalog_warnings(results, catalog))
    levers: list[Lever] = list(src.levers)
    if suggest:
        taken = {lv.id for lv in levers}
        covered = {lv.workload for lv in levers}
        day = month_start(str(data["start"]), 0)
        for w, _ in incoming:
            if w.id in covered:
                continue
            for lv in suggest_levers(w, catalog, day):
                if lv.id not in taken:
                    levers.append(lv)
                    taken.add(lv.id)
                    merged.suggested.append(lv.id)
    data["levers"] = [lv.model_dump(mode="json", exclude_unset=True) for lv in levers]
    scenario = scenario_from_data(data, "merged import")
    if template:
        year = _first_year(scenario)
        for offer in scenario.offers:
            # the template's offer commit is a multiple of first-year contract spend
            offer.commit = float(f"{offer.commit * year * (1 - offer.discount):.3g}")
    scenario._document = src._document
    scenario._indent = src._indent
    merged.scenario = scenario
    return merged
