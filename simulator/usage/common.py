"""Pieces every importer shares: bad-row bookkeeping, usage records, and scenario building.

An importer turns its input into :class:`UsageRecord` rows (tokens by class for one workspace,
model, day, tier and context window) and hands them to :func:`build_import`, which aggregates them
into one workload per workspace x model, fits growth per workload and prices the usage with the
shipped catalog so it can be reconciled against reported costs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from simulator.catalog.prices import Catalog, load_catalog
from simulator.errors import ImportDataError, Problem
from simulator.scenario import Scenario, Workload, scenario_from_data
from simulator.usage.fitting import GrowthFit, fit_growth, growth_multiplier
from simulator.usage.months import covered_days, missing_days, month_centres, month_key, next_month
from simulator.usage.naming import find_model
from simulator.usage.rowsafety import describe, plain_name

BadRows = Literal["skip", "reject"]
DAYS_PER_MONTH = 365.25 / 12.0
DEFAULT_CATALOG = "anthropic-2026-11"
DEFAULT_MODEL = "claude-sonnet-4-5"
# tokens of prompt per request assumed when an export has no request counts (see build_import)
DEFAULT_INPUT_TOKENS_PER_REQUEST = 2000.0
HORIZON_MONTHS = 36
TOKEN_FIELDS = ("uncached", "cache_read", "write_5m", "write_1h", "output")
# fast mode (``speed: fast``) multiplies every token class: Opus 4.6 fast is $30 / $150 per MTok
# (6x); other models' fast rates are unpublished, so they price at standard and the importer warns.
FAST_MODE_MULTIPLIER = {"claude-opus-4-6": 6.0}


class RowLog:
    """Collects bad rows; ``skip`` keeps going, ``reject`` fails at :meth:`finish`."""

    def __init__(self, mode: BadRows) -> None:
        self.mode: BadRows = mode
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def bad(self, file: str, line: int, path: str, message: str, value: object = None) -> None:
        """Record one bad row (its file, line, field, what is wrong and the offending value)."""
        self.problems.append(Problem(file, line, path, message, value, value is not None))

    def finish(self) -> None:
        """Raise :class:`ImportDataError` listing every bad row when rejecting."""
        if self.problems and self.mode == "reject":
            raise ImportDataError(self.problems)


@dataclass
class UsageRecord:
    """Tokens of one workspace x model on one day in one tier and context window."""

    workspace: str
    model: str
    day: dt.date
    uncached: float = 0.0
    cache_read: float = 0.0
    write_5m: float = 0.0
    write_1h: float = 0.0
    output: float = 0.0
    batch: bool = False
    long_context: bool = False
    geo_us: bool = False
    fast: bool = False

    @property
    def total(self) -> float:
        """All tokens of the record, every class."""
        return self.uncached + self.cache_read + self.write_5m + self.write_1h + self.output


@dataclass
class ImportResult:
    """What an importer produced: a validated scenario and a summary for people and machines."""

    scenario: Scenario
    summary: dict[str, Any]
    skipped: list[Problem] = field(default_factory=list)


def normalise_model(name: str, catalog: Catalog) -> str | None:
    """Map a model id as billed (dated, Bedrock, product name) to a catalog id, or ``None``.

    See :mod:`simulator.usage.naming` for the forms read.
    """
    return find_model(name, catalog)


def slugify(text: str) -> str:
    """Lower-case ``text`` and keep ``[a-z0-9.-]``, the form scenario ids accept."""
    slug = re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")
    return slug or "workload"


def unique_ids(names: Iterable[str]) -> list[str]:
    """Slugify names, suffixing ``-2``, ``-3`` ... where two slugs collide."""
    seen: set[str] = set()
    out = []
    for name in names:
        base = slugify(name)
        slug, n = base, 1
        while slug in seen:
            n += 1
            slug = f"{base}-{n}"
        seen.add(slug)
        out.append(slug)
    return out


def price_record(rec: UsageRecord, catalog: Catalog) -> float:
    """List price of a record in dollars: batch, long-context rates, US-only 1.1x, fast mode."""
    rates = catalog.rates(rec.model, rec.day)
    lc = rec.long_context
    dollars = (
        rec.uncached * rates.rate("input", lc)
        + rec.cache_read * rates.rate("cache_read", lc)
        + rec.write_5m * rates.rate("cache_write_5m", lc)
        + rec.write_1h * rates.rate("cache_write_1h", lc)
        + rec.output * rates.rate("output", lc)
    ) / 1e6
    if rec.batch:
        dollars *= 1.0 - rates.batch_discount
    if rec.geo_us:
        dollars *= 1.1
    if rec.fast:
        dollars *= FAST_MODE_MULTIPLIER.get(rec.model, 1.0)
    return dollars


def _growth(fit: GrowthFit) -> dict[str, float]:
    out = {"monthly_rate": round(fit.monthly_rate, 6), "volatility": round(fit.volatility, 6)}
    if fit.trend_sd > 0:
        out["trend_sd"] = round(fit.trend_sd, 6)
    return out


def _workload(
    wid: str,
    model: str,
    recs: list[UsageRecord],
    bounds: tuple[dt.date, dt.date, set[dt.date] | None],
    tokens_per_request: float,
) -> tuple[Workload, dict[str, Any]]:
    # per-day volumes remove month length and partial first/last months from the fit; a
    # workload that starts inside the window is counted from its first day, not the window's
    first_day = min(r.day for r in recs)
    window = covered_days(*bounds)
    own = covered_days(max(bounds[0], first_day), bounds[1], bounds[2])
    starts_inside = first_day > bounds[0] and own.get(month_key(first_day)) != window.get(
        month_key(first_day)
    )
    window = {k: own.get(k, 0.0) if k >= month_key(first_day) else v for k, v in window.items()}
    per_month: dict[tuple[int, int], float] = defaultdict(float)
    for r in recs:
        per_month[month_key(r.day)] += r.total
    months = sorted(window)
    daily = [per_month.get(k, 0.0) / window[k] if window[k] > 0 else 0.0 for k in months]
    centre = month_centres(max(bounds[0], first_day), bounds[1], bounds[2])
    times = [i + centre.get(k, 0.5) for i, k in enumerate(months)]
    fit: GrowthFit = fit_growth(daily, times)
    if starts_inside:
        fit.extra["starts"] = (
            f"first usage on {first_day}, inside the data window: its first month is counted "
            f"over {window[month_key(first_day)]:g} day(s) from that day"
        )
    last = months[-1]
    cur = [r for r in recs if month_key(r.day) == last]
    scale = DAYS_PER_MONTH / window[last]
    sums = {f: sum(getattr(r, f) for r in cur) * scale for f in TOKEN_FIELDS}
    prompt = sums["uncached"] + sums["cache_read"] + sums["write_5m"] + sums["write_1h"]
    total = prompt + sums["output"]
    writes = sums["write_5m"] + sums["write_1h"]
    # output-only traffic (rare) still needs requests, so it takes the same rule on its output
    basis = prompt if prompt > 0 else sums["output"]
    requests = basis / tokens_per_request
    read = round(sums["cache_read"] / prompt, 6) if prompt > 0 else 0.0
    # rounding both shares up must not push read + write over 1 (the scenario check)
    write = min(round(writes / prompt, 6), 1.0 - read) if prompt > 0 else 0.0
    batch = sum(r.total for r in cur if r.batch) * scale
    long_ = sum(r.total for r in cur if r.long_context) * scale
    growth = _growth(fit)
    # the forecast does not grow month 0, the month after the data: give it the growth from
    # when the last month's volume was measured (its centre: 1 month for a full last month)
    ahead = 1.5 - centre.get(last, 0.5)
    grow = growth_multiplier(growth["monthly_rate"], growth.get("trend_sd", 0.0), ahead)
    if growth.get("trend_sd", 0.0) > 0:
        # the trend's doubt has already run that long at month 0 (adoption.py)
        growth["trend_elapsed_months"] = round(ahead, 6)
    w = Workload(
        id=wid,
        model=model,
        requests_per_month=round(requests * grow, 3),
        input_tokens=round(prompt / requests, 6) if requests > 0 else 0.0,
        output_tokens=round(sums["output"] / requests, 3) if requests > 0 else 0.0,
        cache_read_share=read,
        cache_write_share=write,
        cache_ttl="1h" if sums["write_1h"] > sums["write_5m"] else "5m",
        batch_share=round(batch / total, 6) if total > 0 else 0.0,
        long_context_share=round(long_ / total, 6) if total > 0 else 0.0,
        growth=growth,
    )
    info = {
        "id": wid,
        "model": model,
        "requests_last_month": requests,
        "months_ahead": ahead,
        "month0_growth": grow,
        "monthly_tokens": {f: sums[f] for f in TOKEN_FIELDS},
        "months": [f"{y:04d}-{m:02d}" for y, m in months],
        "tokens_per_day": daily,
        "fit": fit.as_dict(),
    }
    return w, info


def build_import(
    records: list[UsageRecord],
    *,
    window: tuple[dt.date, dt.date],
    name: str,
    source: str,
    log: RowLog,
    tokens_per_request: float = DEFAULT_INPUT_TOKENS_PER_REQUEST,
    catalog_name: str = DEFAULT_CATALOG,
    have_days: set[dt.date] | None = None,
) -> ImportResult:
    """Aggregate usage records into a validated scenario with one workload per workspace x model.

    Parameters
    ----------
    records : list of UsageRecord
        Good rows only (bad ones are already in ``log``).
    window : (date, date)
        The data's time window ``[first, end)``; months are weighted by the days inside it.
    name : str
        Scenario name.
    source : str
        Names the input in messages.
    log : RowLog
        Bad rows and warnings; raises here when rejecting and any row was bad.
    tokens_per_request : float
        Rule for exports without request counts: the last month's requests are its prompt
        tokens (uncached + cache reads + cache writes) / ``tokens_per_request``, and
        ``input_tokens`` = ``tokens_per_request``. Cost is linear in requests x tokens, so this
        choice changes no dollar figure. The scenario starts the month after the data and the
        forecast does not grow its month 0, so ``requests_per_month`` is the last month's
        requests grown one month at the fitted growth:
        ``x (1 + monthly_rate) exp(trend_sd^2 / 2)``
        (:func:`simulator.usage.fitting.growth_multiplier`; a last month with only some of its
        days grows ``1.5 - c`` months, ``c`` where those days sit as a fraction of the month).
        Tokens per request and the shares are the last month's, ungrown.
    catalog_name : str
        Price catalog used for the scenario and for pricing usage.
    have_days : set of date, optional
        Days the export holds data for (buckets present, empty or not). Days of the window not
        in it are missing data: they are left out of the per-day volumes and named in the
        warnings, never counted as zero usage.

    Returns
    -------
    ImportResult
        Scenario (validated) and summary with per-workload volumes, fits and priced costs.
    """
    log.finish()
    if not records:
        raise ImportDataError([Problem(source, 0, "", "no usable usage rows", None, False)])
    if not math.isfinite(tokens_per_request) or tokens_per_request < 1:
        raise ImportDataError(
            [
                Problem(
                    source,
                    0,
                    "",
                    "--input-tokens-per-request must be a finite number of at least 1",
                    tokens_per_request,
                )
            ]
        )
    catalog = load_catalog(catalog_name)
    months = covered_days(*window, have_days)
    if have_days is not None:
        gone = missing_days(*window, have_days)
        if gone:
            shown = ", ".join(d.isoformat() for d in gone[:5]) + (" ..." if len(gone) > 5 else "")
            log.warnings.append(
                f"{len(gone)} day(s) inside the window have no data ({shown}): treated as "
                "missing, not as zero usage"
            )
    groups: dict[tuple[str, str], list[UsageRecord]] = defaultdict(list)
    for r in records:
        groups[(r.workspace, r.model)].append(r)
    keys = sorted(groups)
    ids = unique_ids(f"{ws}-{model}" for ws, model in keys)
    workloads, infos = [], []
    for wid, key in zip(ids, keys, strict=True):
        w, info = _workload(
            wid, key[1], groups[key], (window[0], window[1], have_days), tokens_per_request
        )
        if "starts" in info["fit"]["extra"]:
            log.warnings.append(f"{wid}: {info['fit']['extra']['starts']}")
        info["workspace"] = key[0]
        w.description = describe(key, source, window)
        workloads.append(w)
        infos.append(info)
    last = max(months)
    start = next_month(last)
    data = {
        "schema_version": 1,
        "name": plain_name(name),
        "start": f"{start[0]:04d}-{start[1]:02d}",
        "horizon_months": HORIZON_MONTHS,
        "pricing": {"catalog": catalog_name, "overrides": {}},
        # launch and unset saturation are the defaults; leaving them out keeps the file short
        "workloads": [
            w.model_dump(mode="json", exclude={"launch"}, exclude_none=True) for w in workloads
        ],
        "levers": [],
    }
    scenario = scenario_from_data(data, source)
    priced: dict[str, float] = defaultdict(float)
    by_month: dict[str, float] = defaultdict(float)
    for r in records:
        priced[r.model] += (dollars := price_record(r, catalog))
        by_month[f"{r.day.year:04d}-{r.day.month:02d}"] += dollars
    summary: dict[str, Any] = {
        "source": source,
        "rows_used": len(records),
        "rows_skipped": len(log.problems),
        "skipped": [str(p) for p in log.problems],
        "warnings": list(log.warnings),
        "window": [window[0].isoformat(), window[1].isoformat()],
        "start": scenario.start,
        "requests_rule": (
            f"no request counts in the data: requests_per_month = last month's prompt tokens "
            f"(uncached + cache reads + cache writes, scaled to {DAYS_PER_MONTH:.4g} days) / "
            f"{tokens_per_request:g} input tokens per request, then grown by one month of the "
            "fitted growth (x (1 + monthly rate), and x exp(trend sd^2 / 2) for the trend's "
            "doubt), because the scenario starts the month after the data; a last month with "
            "only some of its days grows from the middle of those days"
        ),
        "workloads": infos,
        "priced_usage_by_model": dict(sorted(priced.items())),
        "priced_usage_total": sum(priced.values()),
        "monthly_list_spend": dict(sorted(by_month.items())),  # with month_days: for tracking
        "month_days": {f"{y:04d}-{m:02d}": d for (y, m), d in sorted(months.items())},
    }
    return ImportResult(scenario, summary, list(log.problems))
