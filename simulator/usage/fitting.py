"""Growth fitted to a usage history, in the simulator's own terms, with the trend's doubt carried.

The simulator (:mod:`simulator.forecast.adoption`) grows a workload by independent lognormal
monthly factors ``G_t`` with mean ``1 + monthly_rate`` and standard deviation ``volatility``:
``log G_t ~ N(m, s^2)`` with ``s^2 = ln(1 + volatility^2 / (1 + monthly_rate)^2)`` and
``m = ln(1 + monthly_rate) - s^2 / 2``. The fit estimates exactly that model:

* The history is one volume per calendar month (tokens per covered day, so month length and
  partial months do not look like growth). Leading months with no volume are before launch and
  are dropped; later empty months are gaps: the change across a gap of ``g`` months is
  ``N(g m, g s^2)``.
* Maximum likelihood of the log changes ``d_i`` over spans ``g_i`` months (``K = sum g_i``;
  a span is 2 across an empty month and below 1 after a partial first month, whose volume is
  placed at the time its days sit, see ``times``):
  ``m = sum d_i / K``; ``s^2 = sum (d_i - g_i m)^2 / g_i / (k - 1)`` (``k`` changes, unbiased);
  ``se(m) = s / sqrt(K)``.
* ``monthly_rate = exp(m + w^2 s^2 / 2) - 1`` (the mean factor, not the median) and
  ``volatility = (1 + monthly_rate) sqrt(exp(w^2 s^2) - 1)`` (the sd of the factor), so the
  simulator draws ``log G ~ N(m, w^2 s^2)``; ``w = t(k - 1, 0.9) / z(0.9)`` widens short
  histories, whose ``s`` is itself uncertain, to Student-t-wide bands (``w`` -> 1 as ``k`` grows).
* ``rate_interval``: 95% interval of the monthly rate, ``m +- t(k - 1, 0.975) se(m)`` mapped
  through ``exp(. + s^2 / 2) - 1``; exact under the model whatever ``k``.
* ``trend_sd``: the trend's own uncertainty carried into the forecast, where every path draws
  its own log trend ``N(m, trend_sd^2)`` (``Growth.trend_sd``): ``trend_sd = w se(m)``.
* With fewer than :data:`MIN_MONTHS` positive months: ``monthly_rate = 0``; volatility is the
  root mean square of the observed log change when there is one, else the prior
  :data:`PRIOR_VOLATILITY`; ``trend_sd`` is :data:`PRIOR_TREND_SD`.
* Results are clipped to the scenario's bounds (rate in ``[-0.45, 1]``, volatility in
  ``[0, 1]``, trend_sd at most 0.05, named in the note when it binds).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats

MIN_MONTHS = 3
# monthly volatility assumed without history: mid-range of the example scenario's 2-6%
PRIOR_VOLATILITY = 0.05
# trend uncertainty assumed without history: a monthly log trend known to about +-2 points
PRIOR_TREND_SD = 0.02
_RATE_BOUNDS = (-0.45, 1.0)
# a log trend sd tau multiplies the mean at month t by exp(tau^2 t^2 / 2): 0.05 keeps that
# under 1.2x at a year and 5x at 36 months; more would let a short history dominate a plan
_TREND_SD_MAX = 0.05
_Z90 = float(stats.norm.ppf(0.9))


@dataclass(frozen=True)
class GrowthFit:
    """A fitted growth rate and volatility with the numbers behind them.

    ``slope`` is the fitted mean monthly log change ``m`` and ``se_slope`` its standard error;
    ``change_sd`` is ``s``, the sd of the monthly log change.
    """

    monthly_rate: float
    volatility: float
    method: str
    months_used: int
    slope: float | None = None
    se_slope: float | None = None
    change_sd: float | None = None
    trend_sd: float = PRIOR_TREND_SD
    rate_interval: tuple[float, float] | None = None
    gaps: int = 0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON summaries."""
        return asdict(self)


def growth_params(m: float, s: float) -> tuple[float, float]:
    """``(monthly_rate, volatility)`` of lognormal factors ``log G ~ N(m, s^2)``.

    Examples
    --------
    >>> rate, vol = growth_params(0.0, 0.0)
    >>> (rate, vol)
    (0.0, 0.0)
    """
    rate = math.exp(m + s * s / 2.0) - 1.0
    return rate, (1.0 + rate) * math.sqrt(math.expm1(s * s))


def log_params(rate: float, vol: float) -> tuple[float, float]:
    """Inverse of :func:`growth_params`: ``(m, s)`` of the monthly log change."""
    s2 = math.log1p(vol * vol / (1.0 + rate) ** 2)
    return math.log1p(rate) - s2 / 2.0, math.sqrt(s2)


def growth_multiplier(rate: float, trend_sd: float, months: float) -> float:
    """Expected volume ``months`` after a measured one, relative to it, under the forecast's law.

    ``(1 + rate)^g exp(trend_sd^2 g^2 / 2)`` for ``g = months > 0``: the mean of ``g`` monthly
    factors with mean ``1 + rate`` and one log-trend offset ``N(0, trend_sd^2)`` per path, the
    :mod:`simulator.forecast.adoption` law (whose month 0 is not grown). An importer's data end
    the month before the scenario's month 0, so month 0's expected volume is the last month's
    times this with ``g = 1`` (a full last month). Backwards (``g <= 0``) only the rate applies.

    Examples
    --------
    >>> round(growth_multiplier(0.1, 0.0, 1.0), 12)
    1.1
    >>> round(growth_multiplier(0.1, 0.2, 1.0), 6)  # 1.1 * exp(0.02)
    1.122221
    """
    ahead = max(months, 0.0)
    return float((1.0 + rate) ** months * math.exp(trend_sd * trend_sd * ahead * ahead / 2.0))


def _clip(rate: float, vol: float, notes: list[str]) -> tuple[float, float]:
    lo, hi = _RATE_BOUNDS
    if not lo <= rate <= hi:
        notes.append(f"rate {rate:.4f} clipped to [{lo}, {hi}]")
        rate = min(max(rate, lo), hi)
    if vol > 1.0:
        notes.append(f"volatility {vol:.4f} clipped to 1")
        vol = 1.0
    return rate, vol


def _cap_trend(sd: float, notes: list[str]) -> float:
    if sd > _TREND_SD_MAX:
        notes.append(
            f"trend sd {sd:.3f} capped at {_TREND_SD_MAX}: the history is too short to bound "
            "the trend, so the forecast band understates the doubt"
        )
        return _TREND_SD_MAX
    return sd


def fit_growth(volumes: Sequence[float], times: Sequence[float] | None = None) -> GrowthFit:
    """Fit the simulator's growth model to a monthly volume history.

    Parameters
    ----------
    volumes : sequence of float
        One non-negative volume per consecutive calendar month, oldest first.
    times : sequence of float, optional
        When each volume was measured, in months (default ``0, 1, 2, ...``). A partial month
        measures the time its covered days sit at (a workload starting on the 17th), so the
        change to the next month spans less than a month.

    Returns
    -------
    GrowthFit
        Rate, volatility, trend uncertainty and the fit's details; ``method`` is ``log-changes``
        or ``fallback``.

    Examples
    --------
    >>> round(fit_growth([100, 110, 121, 133.1]).monthly_rate, 6)
    0.1
    """
    notes: list[str] = []
    vals = [float(v) for v in volumes]
    first = next((i for i, v in enumerate(vals) if v > 0), None)
    if first is None:
        return GrowthFit(0.0, PRIOR_VOLATILITY, "fallback", 0, note="no volume; prior volatility")
    t_all = list(range(first, len(vals)))
    gaps = [i for i in t_all if vals[i] <= 0]
    if gaps:
        notes.append(f"{len(gaps)} empty month(s) after the first: changes span the gap")
    when = [float(x) for x in times] if times is not None else [float(i) for i in range(len(vals))]
    keep = [i for i in t_all if vals[i] > 0]
    t = np.array([when[i] for i in keep], dtype=float)
    y = np.log(np.array([vals[i] for i in keep]))
    g = np.diff(t)
    d = np.diff(y)
    n, k = len(t), len(d)
    if n < MIN_MONTHS:
        if k:
            vol = float(np.sqrt(np.mean(d**2 / g)))
            notes.append(
                f"only {n} month(s): rate 0, volatility = RMS of the observed log change(s)"
            )
        else:
            vol = PRIOR_VOLATILITY
            notes.append(f"only {n} month(s): rate 0, prior volatility {PRIOR_VOLATILITY}")
        rate, vol = _clip(0.0, vol, notes)
        return GrowthFit(rate, vol, "fallback", n, gaps=len(gaps), note="; ".join(notes))
    span = float(g.sum())
    m = float(d.sum()) / span
    s2 = float(np.sum((d - g * m) ** 2 / g)) / (k - 1)
    s = math.sqrt(s2)
    se = s / math.sqrt(span)
    widen = float(stats.t.ppf(0.9, k - 1)) / _Z90
    t975 = float(stats.t.ppf(0.975, k - 1))
    lo, hi = (growth_params(m + sign * t975 * se, s)[0] for sign in (-1.0, 1.0))
    # the simulator then draws log G ~ N(m, (widen s)^2): median trend m, Student-t-wide spread
    rate, vol = _clip(*growth_params(m, s * widen), notes)
    if widen > 1.0 + 1e-9:
        notes.append(f"{k} change(s): volatility and trend sd widened x{widen:.2f} (Student t)")
    return GrowthFit(
        rate,
        vol,
        "log-changes",
        n,
        slope=m,
        se_slope=se,
        change_sd=s,
        trend_sd=_cap_trend(se * widen, notes),
        rate_interval=(lo, hi),
        gaps=len(gaps),
        note="; ".join(notes),
    )
