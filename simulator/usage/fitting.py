"""Growth fitted to a usage history: a monthly rate and a volatility that carries the fit's doubt.

Method (documented in the import summary as ``fit.method`` and ``fit.note``):

* The history is one volume per calendar month (tokens per covered day, so month length and
  partial months do not look like growth). Leading months with no volume are before launch and
  are dropped; later empty months are dropped from the fit and named in the note.
* With at least :data:`MIN_MONTHS` positive months: ordinary least squares of ``log(volume)`` on
  the month index ``t``. ``monthly_rate = exp(slope) - 1``.
  ``volatility = sqrt(sd(dlog)^2 + se(slope)^2)`` where ``dlog`` are the month-over-month log
  changes (sample standard deviation, ``ddof=1``; the residual standard deviation when fewer than
  two changes exist) and ``se(slope)`` is the slope's standard error
  ``sqrt(SSR / (n - 2) / Sxx)``. Adding the squared standard error widens the simulated spread
  by the uncertainty in the mean rate itself.
* With fewer months: ``monthly_rate = 0``; volatility is the root mean square of the observed
  log changes when there is one, else the prior :data:`PRIOR_VOLATILITY`.
* Results are clipped to the scenario's bounds (rate in ``[-0.45, 1]``, volatility in ``[0, 1]``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

MIN_MONTHS = 3
# monthly volatility assumed without history: mid-range of the example scenario's 2-6%
PRIOR_VOLATILITY = 0.05
_RATE_BOUNDS = (-0.45, 1.0)


@dataclass(frozen=True)
class GrowthFit:
    """A fitted growth rate and volatility with the numbers behind them."""

    monthly_rate: float
    volatility: float
    method: str
    months_used: int
    slope: float | None = None
    se_slope: float | None = None
    change_sd: float | None = None
    resid_sd: float | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON summaries."""
        return asdict(self)


def _clip(rate: float, vol: float, notes: list[str]) -> tuple[float, float]:
    lo, hi = _RATE_BOUNDS
    if not lo <= rate <= hi:
        notes.append(f"rate {rate:.4f} clipped to [{lo}, {hi}]")
        rate = min(max(rate, lo), hi)
    if vol > 1.0:
        notes.append(f"volatility {vol:.4f} clipped to 1")
        vol = 1.0
    return rate, vol


def fit_growth(volumes: Sequence[float]) -> GrowthFit:
    """Fit a monthly growth rate and volatility to a monthly volume history.

    Parameters
    ----------
    volumes : sequence of float
        One non-negative volume per consecutive calendar month, oldest first.

    Returns
    -------
    GrowthFit
        Rate, volatility and the fit's details; ``method`` is ``log-linear`` or ``fallback``.

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
        notes.append(f"{len(gaps)} empty month(s) after the first left out of the fit")
    t = np.array([i for i in t_all if vals[i] > 0], dtype=float)
    y = np.log(np.array([vals[int(i)] for i in t]))
    adjacent = np.diff(t) == 1
    changes = np.diff(y)[adjacent]
    n = len(t)
    if n < MIN_MONTHS:
        if len(changes):
            vol = float(np.sqrt(np.mean(changes**2)))
            notes.append(
                f"only {n} month(s): rate 0, volatility = RMS of the observed log change(s)"
            )
        else:
            vol = PRIOR_VOLATILITY
            notes.append(f"only {n} month(s): rate 0, prior volatility {PRIOR_VOLATILITY}")
        rate, vol = _clip(0.0, vol, notes)
        return GrowthFit(rate, vol, "fallback", n, note="; ".join(notes))
    tc = t - t.mean()
    sxx = float(np.sum(tc**2))
    slope = float(np.sum(tc * (y - y.mean())) / sxx)
    resid = y - y.mean() - slope * tc
    resid_var = float(np.sum(resid**2)) / (n - 2)
    se = math.sqrt(resid_var / sxx)
    change_sd = float(np.std(changes, ddof=1)) if len(changes) >= 2 else math.sqrt(resid_var)
    vol = math.sqrt(change_sd**2 + se**2)
    rate, vol = _clip(math.expm1(slope), vol, notes)
    return GrowthFit(
        rate,
        vol,
        "log-linear",
        n,
        slope=slope,
        se_slope=se,
        change_sd=change_sd,
        resid_sd=math.sqrt(resid_var),
        note="; ".join(notes),
    )
