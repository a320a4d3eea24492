"""Cross-field checks a field-by-field schema cannot express (ids, references, cycles, sums)."""

from __future__ import annotations

import difflib
import itertools
from collections import Counter

from simulator.catalog.prices import Catalog, available_catalogs, load_catalog
from simulator.errors import CatalogError
from simulator.scenario.capacity_checks import capacity_product_problems
from simulator.scenario.model import Scenario, Workload
from simulator.scenario.signed_checks import signed_problems
from simulator.scenario.tier_checks import tier_schedule_problems

Loc = tuple[int | str, ...]
Found = list[tuple[Loc, str, object]]


def _hint(name: str, known: list[str] | set[str]) -> str:
    """`` (did you mean X?)`` for a near miss, else empty."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _catalog(s: Scenario, out: Found) -> Catalog | None:
    if s.pricing.catalog not in available_catalogs():
        out.append(
            (
                ("pricing", "catalog"),
                f"unknown catalog; shipped: {', '.join(available_catalogs())}",
                s.pricing.catalog,
            )
        )
        return None
    try:
        return load_catalog(s.pricing.catalog)
    except CatalogError as exc:  # pragma: no cover - shipped catalogs are tested
        out.append((("pricing", "catalog"), str(exc), s.pricing.catalog))
        return None


def _models(s: Scenario, catalog: Catalog | None, out: Found) -> None:
    known = set(catalog.models) if catalog else set()
    for m in s.pricing.overrides:
        if catalog and m not in known:
            out.append(
                (("pricing", "overrides", m), "override for a model the catalog does not price", m)
            )
    if not catalog:
        return
    for i, w in enumerate(s.workloads):
        if w.model not in known:
            out.append(
                (
                    ("workloads", i, "model"),
                    "unknown model; see `commitsim catalog`" + _hint(w.model, known),
                    w.model,
                )
            )
    for i, lv in enumerate(s.levers):
        if lv.to_model is not None and lv.to_model not in known:
            out.append(
                (
                    ("levers", i, "to_model"),
                    "unknown model; see `commitsim catalog`" + _hint(lv.to_model, known),
                    lv.to_model,
                )
            )


def _duplicates(ids: list[str], section: str, out: Found) -> None:
    counts = Counter(ids)
    for i, x in enumerate(ids):
        if counts[x] > 1 and ids.index(x) != i:
            field = "name" if section == "offers" else "id"
            out.append(((section, i, field), f"duplicate {field}", x))


def _workloads(s: Scenario, out: Found) -> None:
    _duplicates([w.id for w in s.workloads], "workloads", out)
    for i, w in enumerate(s.workloads):
        if w.cache_read_share + w.cache_write_share > 1.0 + 1e-12:
            out.append(
                (
                    ("workloads", i, "cache_write_share"),
                    "cache_read_share + cache_write_share must be <= 1",
                    w.cache_write_share,
                )
            )
        if w.launch.last >= s.horizon_months:
            out.append(
                (
                    ("workloads", i, "launch", "month"),
                    "launch must fall inside the horizon",
                    list(w.launch.month) if isinstance(w.launch.month, tuple) else w.launch.month,
                )
            )


def _levers(s: Scenario, out: Found) -> None:
    lever_ids = [lv.id for lv in s.levers]
    _duplicates(lever_ids, "levers", out)
    workloads: dict[str, Workload] = {}
    for wl in s.workloads:
        workloads.setdefault(wl.id, wl)  # a duplicate id is reported once, on the second one
    known = set(lever_ids)
    routed: dict[str, float] = {}
    cached: dict[str, list[tuple[float, float]]] = {}
    for i, lv in enumerate(s.levers):
        e = lv.effect
        if not e.low <= e.mode <= e.high:
            out.append((("levers", i, "effect"), "need low <= mode <= high", e.model_dump()))
        w = workloads.get(lv.workload)
        if w is None:
            out.append(
                (
                    ("levers", i, "workload"),
                    "no workload with this id" + _hint(lv.workload, set(workloads)),
                    lv.workload,
                )
            )
        if lv.kind == "routing":
            if lv.to_model is None:
                out.append((("levers", i, "to_model"), "a routing lever needs to_model", None))
            elif w is not None and lv.to_model == w.model:
                out.append(
                    (
                        ("levers", i, "to_model"),
                        "routes to the model the workload already uses",
                        lv.to_model,
                    )
                )
            routed[lv.workload] = routed.get(lv.workload, 0.0) + e.high
            if routed[lv.workload] > 1.0 + 1e-12:
                out.append(
                    (
                        ("levers", i, "effect", "high"),
                        f"routing shares on workload {lv.workload} add up to more than 1",
                        e.high,
                    )
                )
        else:
            if lv.to_model is not None:
                out.append(
                    (("levers", i, "to_model"), "only routing levers take to_model", lv.to_model)
                )
            if lv.token_ratio != 1.0:
                out.append(
                    (
                        ("levers", i, "token_ratio"),
                        "only routing levers take token_ratio",
                        lv.token_ratio,
                    )
                )
        if lv.kind != "caching" and lv.write_share:
            out.append(
                (
                    ("levers", i, "write_share"),
                    "only caching levers take write_share",
                    lv.write_share,
                )
            )
        if lv.kind == "caching":
            cached.setdefault(lv.workload, []).append((lv.write_share, e.high))
            # a workload whose own cache shares are invalid is reported on the workload
            if w is not None and w.cache_read_share + w.cache_write_share <= 1.0 + 1e-12:
                free = 1.0 - w.cache_read_share - w.cache_write_share
                for _, high in cached[lv.workload]:
                    free *= 1.0 - high
                used = sum(ws for ws, _ in cached[lv.workload])
                if used > free + 1e-12:
                    out.append(
                        (
                            ("levers", i, "write_share"),
                            "cache writes exceed the input still uncached after the effects' highs"
                            f" ({free:.3g})",
                            lv.write_share,
                        )
                    )
        for field in ("requires", "excludes"):
            for j, other in enumerate(getattr(lv, field)):
                if other not in known:
                    out.append(
                        (
                            ("levers", i, field, j),
                            "no lever with this id" + _hint(other, known),
                            other,
                        )
                    )
                elif other == lv.id:
                    out.append((("levers", i, field, j), "a lever cannot name itself", other))
        both = set(lv.requires) & set(lv.excludes)
        if both:
            out.append(
                (("levers", i, "excludes"), "a lever cannot both require and exclude", sorted(both))
            )
    _cycles(s, out)


def _cycles(s: Scenario, out: Found) -> None:
    graph = {lv.id: [r for r in lv.requires if r != lv.id] for lv in s.levers}
    index = {lv.id: i for i, lv in enumerate(s.levers)}
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    out.append(
                        (
                            ("levers", index[nxt], "requires"),
                            "requires cycle: " + " -> ".join([*cycle, nxt]),
                            s.levers[index[nxt]].requires,
                        )
                    )
            elif state.get(nxt) is None:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for lv in s.levers:
        if lv.id not in state:
            visit(lv.id, [])


def _contract(s: Scenario, out: Found) -> None:
    c = s.contract
    if c.start_month + c.term_months > s.horizon_months:
        out.append(
            (
                ("contract", "term_months"),
                f"contract ends after the horizon ({s.horizon_months} months);"
                " lengthen horizon_months",
                c.term_months,
            )
        )
    if not c.tiers:
        out.append((("contract", "tiers"), "need at least one tier", []))
    out.extend(tier_schedule_problems(c.tiers, ("contract", "tiers")))
    if c.ramped and c.term_months % 12:
        out.append(
            (("contract", "ramped"), "a ramped contract needs a term in whole years", c.term_months)
        )
    _duplicates([o.name for o in s.offers], "offers", out)


def _capacity_and_plan(s: Scenario, out: Found) -> None:
    for i, wave in enumerate(s.capacity.waves):
        if wave.start_month >= s.horizon_months:
            out.append(
                (
                    ("capacity", "waves", i, "start_month"),
                    "wave starts after the horizon",
                    wave.start_month,
                )
            )
    # `requires` is enforced by wave index (a lever's prerequisites sit in the same or an earlier
    # wave); that means "ships no later" only if waves ship in time order, so demand it
    for i, (a, b) in enumerate(itertools.pairwise(s.capacity.waves), start=1):
        if b.ship_month < a.ship_month:
            msg = f"waves must be listed in the order they ship: {b.name} ships in month"
            msg += (
                f" {b.ship_month}, before {a.name} (month {a.ship_month}); reorder capacity.waves"
            )
            out.append((("capacity", "waves", i, "start_month"), msg, b.start_month))
    if s.plan is None:
        return
    ids = {lv.id for lv in s.levers}
    for lever_id, wave_ix in s.plan.pinned.items():
        if lever_id not in ids:
            out.append(
                (
                    ("plan", "pinned", lever_id),
                    "no lever with this id" + _hint(lever_id, ids),
                    lever_id,
                )
            )
        elif wave_ix >= len(s.capacity.waves):
            out.append(
                (
                    ("plan", "pinned", lever_id),
                    f"no wave {wave_ix} (waves are 0..{len(s.capacity.waves) - 1})",
                    wave_ix,
                )
            )
    pins_valid = all(lid in ids and k < len(s.capacity.waves) for lid, k in s.plan.pinned.items())
    if pins_valid and all(x in ids for x in s.plan.excluded):
        out.extend(pin_problems(s))
    for j, lever_id in enumerate(s.plan.excluded):
        if lever_id not in ids:
            out.append((("plan", "excluded", j), "no lever with this id", lever_id))
        if lever_id in s.plan.pinned:
            out.append(
                (("plan", "excluded", j), "a lever cannot be both pinned and excluded", lever_id)
            )
    for lever_id, wave_ix in s.plan.assignment.items():
        if lever_id not in ids or wave_ix >= len(s.capacity.waves):
            out.append(
                (
                    ("plan", "assignment", lever_id),
                    "assignment names an unknown lever or wave",
                    wave_ix,
                )
            )


def pin_problems(s: Scenario) -> Found:
    """Pinned decisions that no wave plan can honour, each with the setting to relax.

    Capacity: the pins of a wave need more weeks than it has. Order: a pin requires a lever
    pinned to a later wave, or one that ``plan.excluded`` removes. Pairs: two pinned levers that
    exclude each other. Pins that only the backlog can show unfundable (through a chain of
    requirements, or a shipped lever they exclude) are checked by
    :func:`simulator.planning.checks.funding_problems`.
    """
    out: Found = []
    if s.plan is None or not s.plan.pinned:
        return out
    pins = s.plan.pinned
    waves = s.capacity.waves
    need = [0.0] * len(waves)
    for lid, k in pins.items():
        need[k] += s.lever(lid).effort_weeks
    for k, wave in enumerate(waves):
        if need[k] > wave.engineering_weeks + 1e-9:
            out.append(
                (
                    ("plan", "pinned"),
                    f"pinned levers need {need[k]:g} engineering weeks in {wave.name}, which has"
                    f" {wave.engineering_weeks:g}: relax plan.pinned or raise"
                    f" capacity.waves.{k}.engineering_weeks",
                    need[k],
                )
            )
    excluded = set(s.plan.excluded)
    shipped = {lv.id for lv in s.levers if lv.shipped is not None}
    pairs: set[frozenset[str]] = set()
    for lid, k in pins.items():
        lv = s.lever(lid)
        where = ("plan", "pinned", lid)
        direct = [r for r in lv.requires if r not in shipped]
        if any(r in excluded for r in direct):
            r = next(r for r in direct if r in excluded)
            out.append((where, f"requires {r}, which plan.excluded removes: relax one of them", k))
        for r in direct:
            if r in pins and pins[r] > k:
                out.append(
                    (
                        where,
                        f"requires {r}, pinned to a later wave ({pins[r]}): relax plan.pinned",
                        k,
                    )
                )
        for x in lv.excludes:
            if x in pins and frozenset((lid, x)) not in pairs:
                pairs.add(frozenset((lid, x)))
                out.append((where, f"pinned levers {lid} and {x} exclude each other", k))
    return out


def semantic_problems(s: Scenario) -> Found:
    """Every cross-field problem as ``(path, message, value)``."""
    out: Found = []
    catalog = _catalog(s, out)
    _models(s, catalog, out)
    _workloads(s, out)
    _levers(s, out)
    _contract(s, out)
    _capacity_and_plan(s, out)
    out.extend(capacity_product_problems(s, catalog))
    out.extend(signed_problems(s))
    return out
