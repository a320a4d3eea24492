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
from scipy import stats

from simulator.catalog.prices import load_catalog
from simulator.errors import SimulatorError
from simulator.forecast.randomness import F64
from simulator.scenario import Lever
from simulator.usage.common import UsageRecord, price_record
from simulator.usage.months import covered_days

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
    notes: tuple[str, ...] = ()


_QUANTITY = {
    "caching": "cache-read share of prompt tokens, over the pre-ship uncached share",
    "batch": "batch share of tokens, over the pre-ship not-batched share",
    "routing": "share of requests (prompt tokens / token_ratio) on the target model",
    "compression": "prompt tokens per output token, relative drop",
    "output_control": "output tokens per prompt token, relative drop",
    "custom": "list cost per day against the projected pre-ship trend, relative drop",
    "compression-trend": "prompt tokens per day against the projected pre-ship trend, "
    "relative drop",
    "output_control-trend": "output tokens per day against the projected pre-ship trend, "
    "relative drop",
}
# the two ratio statistics that see each other's lever: prompt/output and output/prompt
_PAIRED = {"compression": "output_control", "output_control": "compression"}
# ship day unknown (uniform in the month): the ship month carries half the effect on average,
# and the fraction it carries has sd 1/sqrt(12), i.e. 0.577 of that half
_HALF, _HALF_REL_SD = 0.5, 1.0 / math.sqrt(12.0) / 0.5


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
            raise ValueError(f"{lever.kind} is measured against a trend (trend_effect)")
    return out


def trend_effect(
    per_day: dict[MonthKey, float], pre: list[MonthKey], post: list[MonthKey]
) -> tuple[dict[MonthKey, float], float, float]:
    """Relative drop of a per-day quantity against its projected pre-ship trend.

    The projection follows the simulator's growth law (a random walk with drift in logs): from
    the last pre-ship month ``L``, ``trend_t = q_L exp(m (t - L))`` with ``m`` the mean monthly
    log change before shipping and ``s`` its sd (:func:`simulator.usage.fitting.fit_growth`'s
    estimator). The estimate is the mean over post-ship months of ``x_t = 1 - q_t / trend_t``;
    its sigma is the projection's error, ``(1 - estimate) sqrt(s^2 mean_ij min(h_i, h_j) +
    (mean h)^2 s^2 / K)`` for horizons ``h`` after ``L`` and ``K`` pre-ship months of changes:
    the walk's noise accumulated to each post month plus the drift's own error. ``s`` is widened
    by ``t(k - 1, 0.975) / z(0.975)`` for its own uncertainty (``k`` changes). Fewer than two
    pre-ship changes take ``s`` = :data:`SIGMA_NO_HISTORY` (and ``m = 0`` with one month).
    """
    tp = np.array([month_index(k) for k in pre], dtype=float)
    yp = np.log(np.array([per_day[k] for k in pre]))
    g, d = np.diff(tp), np.diff(yp)
    span = float(g.sum())
    m = float(d.sum()) / span if span > 0 else 0.0
    if len(d) >= 2:
        # s is estimated from few changes: widen to the Student-t 95% width, as the growth fit does
        widen = float(stats.t.ppf(0.975, len(d) - 1) / stats.norm.ppf(0.975))
        s2 = float(np.sum((d - g * m) ** 2 / g)) / (len(d) - 1) * widen**2
    else:
        s2 = SIGMA_NO_HISTORY**2
    last_t, last_y = tp[-1], yp[-1]
    x = {k: 1.0 - per_day[k] / math.exp(last_y + m * (month_index(k) - last_t)) for k in per_day}
    h = np.array([month_index(k) - last_t for k in post], dtype=float)
    est = float(np.mean([x[k] for k in post]))
    walk = float(np.mean(np.minimum.outer(h, h)))
    drift = float(h.mean()) ** 2 / span if span > 0 else 0.0
    sigma = max(abs(1.0 - est) * math.sqrt(s2 * (walk + drift)), SIGMA_FLOOR)
    return x, est, sigma


def _trend_quantity(kind: str, m: Month) -> float:
    if kind == "custom":
        return m.cost
    return m.prompt if kind == "compression" else m.output


def measure_effect(
    lever: Lever,
    month: str,
    src: Series,
    dst: Series | None = None,
    *,
    together: Sequence[tuple[Lever, float]] = (),
) -> Measurement:
    """Measure a shipped lever's realised effect from monthly usage.

    The ship month itself is a transition and is left out unless it is the only month after; then
    it carries about half the effect (ship day unknown): the estimate is doubled and its sigma
    widened by the unknown fraction (sd 0.577 of the half), and a note says so.

    Ratio kinds: ``estimate = mean(x_m, m after)`` where ``x_m`` is the kind's statistic scaled
    so that it is 0 before and ``e`` after shipping; ``sigma = sd(x_m, m before) sqrt(1/n_after
    + 1/n_before)`` floored at :data:`SIGMA_FLOOR` (:data:`SIGMA_NO_HISTORY` with fewer than two
    months before). ``custom`` levers are measured on cost per day against the projected
    pre-ship trend (:func:`trend_effect`), whose projection error is in the sigma.

    Levers shipped on the same workload inside the data (``together``: each with its effect
    size) are not identifiable from the ratios: compression and output control together are
    each measured on their own token class against its projected trend (prompt or output tokens
    per day), which the other does not move; any other co-shipped lever widens the sigma by its
    effect, ``sigma^2 += e_other^2``, because the statistic may carry it. Both are named in
    ``notes``.

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
    notes: list[str] = []
    paired = [o for o, _e in together if _PAIRED.get(lever.kind) == o.kind]
    others = [(o, e) for o, e in together if o not in paired]
    quantity = _QUANTITY[lever.kind]
    keys = list(src)
    if lever.kind == "custom" or paired:
        per_day = {k: _trend_quantity(lever.kind, src[k]) / src[k].days for k in usable}
        xmap, est, sigma = trend_effect(per_day, pre, post)
        x = np.array([xmap.get(k, np.nan) for k in keys])
        if paired:
            quantity = _QUANTITY[f"{lever.kind}-trend"]
            notes.append(
                f"shipped with {', '.join(o.id for o in paired)}: the prompt/output ratio "
                "measures only their combined effect, so this lever is measured on its own "
                "token class against the projected pre-ship trend (sigma includes the "
                "projection error)"
            )
    else:
        x = _effect_path(lever, src, dst, pre)
        xs_pre = np.array([x[keys.index(k)] for k in pre])
        est = float(np.mean([x[keys.index(k)] for k in post]))
        if len(pre) >= 2:
            sd = float(np.std(xs_pre, ddof=1))
            sigma = max(sd * math.sqrt(1 / len(post) + 1 / len(pre)), SIGMA_FLOOR)
        else:
            sigma = SIGMA_NO_HISTORY
    used = [x[keys.index(k)] for k in pre + post]
    if not np.all(np.isfinite(used)) or not math.isfinite(est):
        raise SimulatorError(f"lever {lever.id}: its measured quantity is undefined in the data")
    if others:
        sigma = math.sqrt(sigma**2 + sum(e * e for _o, e in others))
        notes.append(
            f"shipped on the same workload as {', '.join(o.id for o, _e in others)}: "
            "not identifiable apart from them with this data; sigma widened by their effects"
        )
    if post == [ship]:
        est /= _HALF
        sigma = math.sqrt((sigma / _HALF) ** 2 + (est * _HALF_REL_SD) ** 2)
        notes.append(
            "shipped in the last month of data: that month carries about half the effect, so "
            "the estimate is doubled and its sigma widened for the unknown ship day; re-measure "
            "after a full month"
        )
    labels = {f"{k[0]:04d}-{k[1]:02d}": float(x[i]) for i, k in enumerate(keys) if k in usable}
    return Measurement(
        lever.id,
        lever.kind,
        month,
        quantity,
        est,
        sigma,
        len(pre),
        len(post),
        labels,
        tuple(notes),
    )
