"""Measuring shipped levers from monthly usage.

Aggregates parsed usage records into monthly token totals per workspace x model
(:func:`monthly_usage`) and measures a shipped lever's realised effect before versus after its
ship month, with a noise ``sigma`` from the pre-ship month-to-month variation
(:func:`measure_effect`). ``docs/memo-and-refresh.md`` (sections 1 and 2) has every formula;
:mod:`simulator.usage.refresh` uses these to update priors and refit baselines.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.catalog.prices import load_catalog
from simulator.errors import SimulatorError
from simulator.forecast.randomness import F64
from simulator.scenario import Lever
from simulator.usage.common import UsageRecord, covered_days, price_record

# measurement noise floor and the noise assumed with fewer than two pre-ship months
SIGMA_FLOOR = 0.02
SIGMA_NO_HISTORY = 0.10
MonthKey = tuple[int, int]


# -- monthly usage -------------------------------------------------------------------------------
@dataclass
class Month:
    """Token totals and list cost of one workspace x model in one calendar month."""

    days: float
    uncached: float = 0.0
    cache_read: float = 0.0
    writes_5m: float = 0.0
    writes_1h: float = 0.0
    output: float = 0.0
    batch: float = 0.0
    long_context: float = 0.0
    cost: float = 0.0

    @property
    def prompt(self) -> float:
        """Every input token class."""
        return self.uncached + self.cache_read + self.writes_5m + self.writes_1h

    @property
    def total(self) -> float:
        """Prompt and output tokens."""
        return self.prompt + self.output


Series = dict[MonthKey, Month]


def monthly_usage(
    records: Sequence[UsageRecord], window: tuple[dt.date, dt.date], catalog: str
) -> dict[tuple[str, str], Series]:
    """Aggregate usage records into ``{(workspace, model): {(year, month): Month}}``."""
    cat = load_catalog(catalog)
    days = covered_days(*window)
    out: dict[tuple[str, str], Series] = defaultdict(dict)
    for r in records:
        key = (r.day.year, r.day.month)
        m = out[(r.workspace, r.model)].setdefault(key, Month(days.get(key, 1.0)))
        m.uncached += r.uncached
        m.cache_read += r.cache_read
        m.writes_5m += r.write_5m
        m.writes_1h += r.write_1h
        m.output += r.output
        m.batch += r.total if r.batch else 0.0
        m.long_context += r.total if r.long_context else 0.0
        m.cost += price_record(r, cat)
    for series in out.values():  # months with no rows are zero, not missing
        for key, n in days.items():
            series.setdefault(key, Month(n))
    return {k: dict(sorted(v.items())) for k, v in out.items()}


def parse_month(text: str) -> MonthKey:
    """``'2026-07'`` -> ``(2026, 7)``; raises :class:`SimulatorError` on anything else."""
    try:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
            raise ValueError(text)  # strptime would also take '2026-4'; the scenario would not
        when = dt.datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise SimulatorError(f"ship month must be YYYY-MM, e.g. 2027-03 (got {text!r})") from None
    return when.year, when.month


def month_index(key: MonthKey) -> int:
    """Months since year 0: consecutive calendar months differ by one."""
    return key[0] * 12 + key[1] - 1


# -- measuring a shipped lever -------------------------------------------------------------------
@dataclass(frozen=True)
class Measurement:
    """A shipped lever's realised effect, measured before versus after its ship month."""

    lever: str
    kind: str
    month: str
    quantity: str
    estimate: float
    sigma: float
    months_before: int
    months_after: int
    monthly: dict[str, float]


_QUANTITY = {
    "caching": "cache-read share of prompt tokens, over the pre-ship uncached share",
    "batch": "batch share of tokens, over the pre-ship not-batched share",
    "routing": "share of requests (prompt tokens / token_ratio) on the target model",
    "compression": "prompt tokens per output token, relative drop",
    "output_control": "output tokens per prompt token, relative drop",
    "custom": "list cost per day against the pre-ship log-linear trend, relative drop",
}


def _effect_path(lever: Lever, src: Series, dst: Series | None, pre: list[MonthKey]) -> F64:
    """Per-month effect-scale statistic ``x_m``: about 0 before shipping and ``e`` after."""
    keys = list(src)

    def arr(f: Any) -> F64:
        return np.array([f(src[k], dst[k] if dst is not None and k in dst else None) for k in keys])

    def ref(x: F64) -> float:
        return float(np.mean([x[keys.index(k)] for k in pre]))

    with np.errstate(divide="ignore", invalid="ignore"):
        if lever.kind == "caching":
            read = arr(lambda m, _d: m.cache_read / m.prompt)
            wr = arr(lambda m, _d: (m.writes_5m + m.writes_1h) / m.prompt)
            out: F64 = (read - ref(read)) / (1.0 - ref(read) - ref(wr))
        elif lever.kind == "batch":
            share = arr(lambda m, _d: m.batch / m.total)
            out = (share - ref(share)) / (1.0 - ref(share))
        elif lever.kind == "routing":
            r = lever.token_ratio
            moved = arr(
                lambda m, d: (
                    (d.prompt / r if d else 0.0) / (m.prompt + (d.prompt / r if d else 0.0))
                )
            )
            out = moved - ref(moved)
        elif lever.kind == "compression":
            q = arr(lambda m, _d: m.prompt / m.output)
            out = 1.0 - q / ref(q)
        elif lever.kind == "output_control":
            q = arr(lambda m, _d: m.output / m.prompt)
            out = 1.0 - q / ref(q)
        else:
            cost = arr(lambda m, _d: m.cost / m.days)
            t = np.array([month_index(k) for k in keys], dtype=float)
            tp = np.array([month_index(k) for k in pre], dtype=float)
            yp = np.log([cost[keys.index(k)] for k in pre])
            slope = float(np.polyfit(tp, yp, 1)[0]) if len(pre) >= 3 else 0.0
            trend = np.exp(yp.mean() + slope * (t - tp.mean()))
            out = 1.0 - cost / trend
    return out


def measure_effect(lever: Lever, month: str, src: Series, dst: Series | None = None) -> Measurement:
    """Measure a shipped lever's realised effect from monthly usage.

    The ship month itself is a transition and is left out unless it is the only month after.
    ``estimate = mean(x_m, m after) `` where ``x_m`` is the kind's statistic scaled so that it is
    0 before and ``e`` after shipping; ``sigma = sd(x_m, m before) sqrt(1/n_after + 1/n_before)``
    floored at :data:`SIGMA_FLOOR` (:data:`SIGMA_NO_HISTORY` with fewer than two months before).

    Raises
    ------
    SimulatorError
        No usable month before, or none from, the ship month.
    """
    ship = parse_month(month)
    usable = [k for k, m in src.items() if m.prompt > 0 and m.output > 0]
    pre = [k for k in usable if k < ship]
    post = [k for k in usable if k > ship] or [k for k in usable if k == ship]
    if not pre or not post:
        side = "before" if not pre else "from"
        raise SimulatorError(
            f"lever {lever.id}: the usage export has no month with traffic {side} its ship month "
            f"{month}; it cannot be measured"
        )
    x = _effect_path(lever, src, dst, pre)
    keys = list(src)
    xs_pre = np.array([x[keys.index(k)] for k in pre])
    xs_post = np.array([x[keys.index(k)] for k in post])
    if not np.all(np.isfinite(xs_post)) or not np.all(np.isfinite(xs_pre)):
        raise SimulatorError(f"lever {lever.id}: its measured quantity is undefined in the data")
    if len(pre) >= 2:
        sd = float(np.std(xs_pre, ddof=1))
        sigma = max(sd * math.sqrt(1 / len(post) + 1 / len(pre)), SIGMA_FLOOR)
    else:
        sigma = SIGMA_NO_HISTORY
    labels = {f"{k[0]:04d}-{k[1]:02d}": float(x[i]) for i, k in enumerate(keys) if k in usable}
    return Measurement(
        lever.id,
        lever.kind,
        month,
        _QUANTITY[lever.kind],
        float(xs_post.mean()),
        sigma,
        len(pre),
        len(post),
        labels,
    )
