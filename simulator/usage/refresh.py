"""Keep the backlog alive: refit baselines from new usage, measure shipped levers, update priors.

Procedure (``docs/memo-and-refresh.md`` has every formula):

1. parse the new Anthropic usage export into monthly token totals per workspace x model (the same
   parser and workload ids as ``commitsim import anthropic-usage``);
2. for each lever marked shipped, measure its realised effect from the quantity its kind moves,
   before versus after the ship month, with a measurement noise ``sigma`` from the pre-ship
   month-to-month variation (floored); steps 1 and 2 are :mod:`simulator.usage.measure`;
3. update the lever's triangular prior by Bayes on a grid (triangular density x normal likelihood)
   and refit a triangular by matching the posterior mode, mean and variance
   (:mod:`simulator.usage.bayes`);
4. refit each mapped workload's baseline from the last month of data, projected to the scenario's
   month 0 with the fitted growth (:func:`simulator.usage.fitting.growth_multiplier`, trend doubt
   included, from the middle of the last month's covered days: the importer's rule); add
   workloads for traffic the scenario does not know yet, projected the same way;
5. re-plan and re-recommend, and report what moved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.catalog.prices import load_catalog
from simulator.decision.report import Report, recommend
from simulator.errors import Problem, ScenarioError, SimulatorError
from simulator.planning.backlog import backlog
from simulator.scenario import Growth, Scenario, Shipped, Workload
from simulator.scenario.checks import semantic_problems
from simulator.usage.anthropic_usage import import_anthropic_usage, read_usage
from simulator.usage.bayes import PriorUpdate, bayes_update, clip_unit
from simulator.usage.common import DAYS_PER_MONTH, RowLog
from simulator.usage.fitting import fit_growth, growth_multiplier
from simulator.usage.measure import (
    Measurement,
    MonthKey,
    Series,
    measure_effect,
    month_index,
    monthly_usage,
    parse_month,
)
from simulator.usage.months import month_centres


# -- the refresh ---------------------------------------------------------------------------------
@dataclass
class RefreshResult:
    """The refreshed scenario, what was measured and updated, and before/after outcomes."""

    scenario: Scenario
    measurements: list[Measurement]
    updates: list[PriorUpdate]
    baselines: list[dict[str, Any]]
    added: list[str]
    unmapped: list[str]
    before: Report
    after: Report
    ranking_before: pd.DataFrame
    ranking_after: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def ranking_changes(self) -> pd.DataFrame:
        """Per lever: rank and $/engineering week before and after (NaN rank: not in backlog)."""
        b = self.ranking_before.assign(rank_before=lambda f: f.index + 1)
        a = self.ranking_after.assign(rank_after=lambda f: f.index + 1)
        m = b[["lever", "rank_before", "ratio"]].merge(
            a[["lever", "rank_after", "ratio"]],
            on="lever",
            how="outer",
            suffixes=("_before", "_after"),
        )
        m["move"] = m["rank_before"] - m["rank_after"]
        return m.sort_values(["rank_after", "rank_before"], na_position="last").reset_index(
            drop=True
        )

    def plan_changes(self) -> list[dict[str, Any]]:
        """Levers whose wave changed (``None``: not funded)."""
        old, new = self.before.plan.assignment, self.after.plan.assignment
        waves = self.scenario.capacity.waves
        return [
            {
                "lever": lid,
                "before": waves[old[lid]].name if lid in old else None,
                "after": waves[new[lid]].name if lid in new else None,
            }
            for lid in sorted(set(old) | set(new))
            if old.get(lid) != new.get(lid)
        ]

    def commitment_change(self) -> dict[str, dict[str, float]]:
        """Recommended commitment and its terms, before and after."""
        keys = ("recommended", "discount", "expected_cost", "shortfall_probability")
        return {
            k: {
                "before": float(getattr(self.before.commit, k)),
                "after": float(getattr(self.after.commit, k)),
            }
            for k in keys
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "measurements": [m.__dict__ for m in self.measurements],
            "updates": [
                u.__dict__ | {"prior": u.prior.model_dump(), "posterior": u.posterior.model_dump()}
                for u in self.updates
            ],
            "baselines": self.baselines,
            "added_workloads": self.added,
            "unmapped_workloads": self.unmapped,
            "ranking": self.ranking_changes().to_dict(orient="records"),
            "plan_changes": self.plan_changes(),
            "commitment": self.commitment_change(),
            "notes": self.notes,
        }


def _months_between(a: MonthKey, start: str) -> int:
    return month_index(parse_month(start)) - month_index(a)


def _refit(
    w: Workload,
    series: Series,
    size: float,
    volume: list[float],
    start: str,
    centres: Mapping[MonthKey, float],
) -> Workload:
    """The workload's baseline from its last month of data, projected to the scenario start."""
    last_key = max(k for k, m in series.items() if m.total > 0)
    m = series[last_key]
    scale = DAYS_PER_MONTH / m.days
    prompt, total = m.prompt * scale, m.total * scale
    fit = fit_growth(volume)
    growth = w.growth
    if fit.method == "log-changes":  # too short a history keeps the assumption it had
        data = w.growth.model_dump(exclude_unset=True)
        data |= {
            "monthly_rate": round(fit.monthly_rate, 6),
            "volatility": round(fit.volatility, 6),
            "trend_sd": round(fit.trend_sd, 6),
        }
        growth = Growth.model_validate(data)
    # month 0 is not grown by the forecast: project from the middle of the last month's days
    ahead = _months_between(last_key, start) + 0.5 - centres.get(last_key, 0.5)
    requests = prompt / size * growth_multiplier(growth.monthly_rate, growth.trend_sd, ahead)
    if growth.trend_sd > 0:
        growth = growth.model_copy(update={"trend_elapsed_months": round(max(ahead, 0.0), 6)})
    read = round(m.cache_read / m.prompt, 6) if m.prompt else 0.0
    writes = m.writes_5m + m.writes_1h
    update = {
        "requests_per_month": round(requests, 3),
        "input_tokens": round(size, 6),
        "output_tokens": round(m.output * scale / (prompt / size), 3) if prompt else 0.0,
        "cache_read_share": read,
        "cache_write_share": min(round(writes / m.prompt, 6), 1.0 - read) if m.prompt else 0.0,
        "batch_share": round(m.batch * scale / total, 6) if total else 0.0,
        "long_context_share": round(m.long_context * scale / total, 6) if total else 0.0,
        "growth": growth,
    }
    if writes > 0:
        update["cache_ttl"] = "1h" if m.writes_1h > m.writes_5m else "5m"
    out = w.model_copy(deep=True)
    for k, v in update.items():
        setattr(out, k, v)
    return out


def refresh(
    scenario: Scenario,
    usage: Sequence[str | Path],
    shipped: Mapping[str, str] | None = None,
    *,
    mapping: Mapping[str, str] | None = None,
    paths: int | None = None,
    seed: int | None = None,
    add_new: bool = True,
) -> RefreshResult:
    """Refresh a scenario from a new usage export and the levers that shipped.

    Parameters
    ----------
    scenario : Scenario
        The current scenario (left unchanged; the result holds an edited copy that keeps the
        original's comments when saved).
    usage : sequence of path
        Anthropic usage report JSON files.
    shipped : mapping of lever id to ``YYYY-MM``
        Levers that went live and when.
    mapping : mapping of workload id to ``WORKSPACE`` or ``WORKSPACE/MODEL``
        Where a workload's traffic is in the export; by default the importer's workload id
        (``<workspace>-<model>`` slug) equal to the scenario's workload id.
    paths, seed : int, optional
        Monte Carlo overrides for the before/after recommendations.
    add_new : bool
        Add workloads for export traffic no scenario workload maps to (routed traffic lands here).

    Returns
    -------
    RefreshResult
    """
    shipped = dict(shipped or {})
    for lid in shipped:
        try:
            scenario.lever(lid)
        except KeyError:
            known = ", ".join(lv.id for lv in scenario.levers) or "none"
            raise SimulatorError(f"--shipped {lid}: no such lever (levers: {known})") from None
    imported = import_anthropic_usage(usage, catalog_name=scenario.pricing.catalog)
    log = RowLog("reject")
    records, window = read_usage(usage, log, catalog=load_catalog(scenario.pricing.catalog))
    monthly = monthly_usage(records, window, scenario.pricing.catalog)
    centres = month_centres(*window)  # as monthly_usage counts days: every day of the window
    groups = {
        str(i["id"]): (str(i["workspace"]), str(i["model"])) for i in imported.summary["workloads"]
    }
    infos = {str(i["id"]): i for i in imported.summary["workloads"]}
    imported_start = parse_month(imported.scenario.start)
    new = scenario.model_copy(deep=True)
    new._document, new._source, new._indent = scenario._document, scenario._source, scenario._indent
    new._style = scenario._style

    def group_of(w: Workload) -> tuple[str, str] | None:
        target = (mapping or {}).get(w.id)
        if target is None:
            return groups.get(w.id)
        ws, _, model = target.partition("/")
        return ws, model or w.model

    where: dict[str, tuple[str, str]] = {}
    for w in new.workloads:
        key = group_of(w)
        if key is not None and key in monthly:
            where[w.id] = key
    measurements, updates, notes = [], [], []
    for lid, month in shipped.items():
        lv = new.lever(lid)
        if lv.workload not in where:
            raise SimulatorError(f"lever {lid}: workload {lv.workload} is not in the usage export")
        ws, model = where[lv.workload]
        dst = monthly.get((ws, lv.to_model)) if lv.to_model else None
        series = monthly[(ws, model)]
        first, last = min(series), max(series)
        together = [
            (o, (o.effect.low + o.effect.mode + o.effect.high) / 3.0)
            for oid, om in shipped.items()
            if oid != lid
            and (o := scenario.lever(oid)).workload == lv.workload
            and first <= parse_month(om) <= last
        ]
        meas = measure_effect(lv, month, series, dst, together=together)
        upd = bayes_update(lv.effect, meas.estimate, meas.sigma)
        upd = replace(upd, lever=lid)
        notes += [f"lever {lid}: {n}" for n in meas.notes]
        if upd.prior_conflict:
            notes.append(
                f"lever {lid}: measured {meas.estimate:.3f} (sigma {meas.sigma:.3f}) conflicts "
                f"with its prior [{lv.effect.low:g}, {lv.effect.mode:g}, {lv.effect.high:g}] "
                f"(prior-predictive p = {upd.conflict_p:.2g}): the posterior stays inside the "
                "prior's range; check the measurement or widen the prior"
            )
        lv.effect = upd.posterior
        lv.shipped = Shipped(month=month, realised_effect=clip_unit(meas.estimate))
        measurements.append(meas)
        updates.append(upd)
    baselines = []
    for i, w in enumerate(new.workloads):
        if w.id not in where:
            continue
        series = monthly[where[w.id]]
        if not any(m.total > 0 for m in series.values()):
            continue  # no traffic in the export: keep the baseline the scenario had
        size, volume = w.input_tokens, []
        for k, m in series.items():
            scale = 1.0
            for lv in new.levers:  # remove steps of levers shipped now so growth sees adoption
                if lv.workload == w.id and lv.id in shipped and k >= parse_month(shipped[lv.id]):
                    e = lv.shipped.realised_effect if lv.shipped else 0.0
                    # levers that remove prompt tokens step the volume down; custom levers
                    # are measured on cost, the nearest stand-in for their step in traffic
                    moves = lv.kind in ("compression", "routing", "custom")
                    scale *= (1 - e) if moves else 1.0
            volume.append(m.prompt / m.days / w.input_tokens / scale if scale > 0 else 0.0)
        for lv in new.levers:
            if lv.workload == w.id and lv.id in shipped and lv.kind == "compression":
                size *= 1 - (lv.shipped.realised_effect if lv.shipped else 0.0)
        fresh = _refit(w, series, size, volume, new.start, centres)
        fields = ("requests_per_month", "output_tokens", "cache_read_share", "batch_share")
        baselines.append(
            {"workload": w.id} | {f: [getattr(w, f), getattr(fresh, f)] for f in fields}
        )
        new.workloads[i] = fresh
    mapped = set(where.values())
    unmapped = [w.id for w in new.workloads if w.id not in where]
    added = []
    if add_new:
        for wl in imported.scenario.workloads:
            key = groups[wl.id]
            if key in mapped or wl.id in {w.id for w in new.workloads}:
                continue
            if not any(m.total > 0 for m in monthly[key].values()):
                continue  # rows without tokens describe no traffic to add
            # the import grew its last month to the month after the data; re-project that
            # same last month to this scenario's month 0 instead (not on top of it)
            info = infos[wl.id]
            ahead = info["months_ahead"] + _months_between(imported_start, new.start)
            grow = growth_multiplier(wl.growth.monthly_rate, wl.growth.trend_sd, ahead)
            wl.requests_per_month = round(info["requests_last_month"] * grow, 3)
            if wl.growth.trend_sd > 0:
                wl.growth.trend_elapsed_months = round(max(ahead, 0.0), 6)
            new.workloads.append(wl)
            added.append(wl.id)
    if new.plan is not None:
        new.plan.pinned = {k: v for k, v in new.plan.pinned.items() if k not in shipped}
        new.plan.excluded = [k for k in new.plan.excluded if k not in shipped]
    problems = semantic_problems(new)
    if problems:
        src = scenario._source
        raise ScenarioError(
            [
                Problem(src, 0, ".".join(map(str, p)), f"after refresh: {msg}", v)
                for p, msg, v in problems
            ]
        )
    before = recommend(scenario, paths=paths, seed=seed)
    after = recommend(new, paths=paths, seed=seed)
    if new.plan is not None:
        new.plan.assignment = dict(sorted(after.plan.assignment.items()))
    elif scenario.plan is None and after.plan.assignment:
        notes.append("the scenario has no plan section; the new plan is printed, not stored")
    return RefreshResult(
        new,
        measurements,
        updates,
        baselines,
        added,
        unmapped,
        before,
        after,
        backlog(scenario),
        backlog(new),
        notes,
    )
