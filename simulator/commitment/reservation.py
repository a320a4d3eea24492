"""Sizing a per-minute capacity reservation from per-minute demand (the newsvendor rule).

A reservation of ``c`` units costs ``r`` per unit-minute whether used or not; demand above ``c``
in a minute overflows to pay-as-you-go at ``p`` per unit. Over ``m`` minutes on one path the cost
is ``r * c * m + p * sum_t max(0, D_t - c)``, convex in ``c`` with slope
``m * (r - p * P(D > c))``. So the expected cost is smallest where ``P(D > c) = r / p`` (the
critical fractile). The vendor's ``minimum`` and ``increment`` make the allowed sizes the lattice
``{0} U {minimum + k * increment}``; a convex function restricted to any set of points is smallest
at one of the two lattice points either side of the continuous optimum, so both are priced exactly
and the cheaper one wins (ties go to the smaller reservation). Every expectation below is evaluated
in ``O(log N)`` from the sorted, pooled demand and its prefix sums. ``docs/methodology.md`` has the
formulas. Standard errors come from independent batches of paths
(:mod:`simulator.commitment.reservation_errors`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from simulator.commitment.lattice import Lattice
from simulator.commitment.reservation_errors import (
    RESERVATION_SE_KEYS,
    Labels,
    batch_labels,
    fractile_point,
    mean_se,
    quantile_se,
    ratio_se,
)
from simulator.commitment.risk import cvar

FloatArray = NDArray[np.float64]
ReservationBinding = Literal[
    "critical_fractile", "minimum", "no_reservation", "utilisation_target", "overflow_target"
]
RESERVATION_KEYS: tuple[str, ...] = (
    "units",
    "expected_cost",
    "reservation_cost",
    "overflow_cost",
    "payg_cost",
    "expected_savings",
    "utilisation",
    "overflow_share",
    "idle_cost",
    "cvar95_cost",
    "critical_fractile",
    "continuous_optimum",
    "binding",
    "meets_targets",
)
_TIE = 1e-12


@dataclass(frozen=True)
class Reservation:
    """A sized reservation and what it costs; see :func:`size_reservation`.

    Costs are per path over all the demand's minutes (mean over paths). ``utilisation`` is the
    reserved unit-minutes used over those paid for; ``overflow_share`` the share of demand served at
    pay-as-you-go. ``utilisation_by_path`` and ``cost_by_path`` hold one value per path; ``curve``
    holds expected cost and the two shares against reserved units (for plotting).

    The ``*_se`` fields are Monte Carlo standard errors from independent batches of paths
    (``None`` with a single path, where they are undefined): ``units_se`` is the se of the
    continuous optimum the units round to (``None`` when a minimum, a target or given units set
    the size), the rest are the se of the figure of the same name.
    """

    units: float
    expected_cost: float
    reservation_cost: float
    overflow_cost: float
    payg_cost: float
    expected_savings: float
    utilisation: float
    overflow_share: float
    idle_cost: float
    cvar95_cost: float
    critical_fractile: float
    continuous_optimum: float
    binding: ReservationBinding
    meets_targets: bool
    minimum: float
    increment: float
    utilisation_by_path: FloatArray = field(repr=False)
    cost_by_path: FloatArray = field(repr=False)
    curve: pd.DataFrame = field(repr=False)
    units_se: float | None = None
    continuous_optimum_se: float | None = None
    expected_cost_se: float | None = None
    expected_savings_se: float | None = None
    utilisation_se: float | None = None
    overflow_share_se: float | None = None

    def utilisation_quantiles(self) -> dict[str, float]:
        """P10, P50 and P90 of utilisation across paths."""
        q = np.quantile(self.utilisation_by_path, [0.1, 0.5, 0.9])
        return {"p10": float(q[0]), "p50": float(q[1]), "p90": float(q[2])}

    def to_dict(self, curve: bool = False) -> dict[str, Any]:
        """Plain data with the :data:`RESERVATION_KEYS`, their ``_se`` standard errors (``None``
        when undefined) and the curve's rows when asked."""
        out: dict[str, Any] = {k: getattr(self, k) for k in RESERVATION_KEYS + RESERVATION_SE_KEYS}
        out["utilisation_quantiles"] = self.utilisation_quantiles()
        if curve:
            out["curve"] = self.curve.to_dict(orient="records")
        return out


class _Pooled:
    """Sorted pooled demand with prefix sums: overflow and served volume at any size."""

    def __init__(self, demand: FloatArray) -> None:
        self.paths, self.minutes = demand.shape
        self.sorted = np.sort(demand.ravel())
        self.prefix = np.concatenate(([0.0], np.cumsum(self.sorted)))
        self.total = float(self.prefix[-1])

    def overflow(self, c: FloatArray) -> FloatArray:
        """``sum max(0, D - c)`` over every path and minute, for each size in ``c``."""
        k = np.searchsorted(self.sorted, c, side="right")
        out: FloatArray = (self.total - self.prefix[k]) - c * (self.sorted.size - k)
        return np.maximum(out, 0.0)

    def exceed(self, c: float) -> float:
        """Share of path-minutes with demand above ``c``."""
        k = int(np.searchsorted(self.sorted, c, side="right"))
        return (self.sorted.size - k) / self.sorted.size


def _as_paths(demand: ArrayLike) -> FloatArray:
    d = np.asarray(demand, dtype=np.float64)
    if d.ndim == 1:
        d = d[None, :]
    if d.ndim != 2 or d.shape[1] == 0 or d.shape[0] == 0:
        raise ValueError("demand must have shape (minutes,) or (paths, minutes), not empty")
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise ValueError("demand must be finite and non-negative")
    return d


def size_reservation(
    demand: ArrayLike,
    unit_price_per_minute: float,
    overflow_price_per_unit: float,
    minimum: float = 0,
    increment: float = 1,
    *,
    target_utilisation: float | None = None,
    max_overflow_share: float | None = None,
    curve_points: int = 101,
    batch: ArrayLike | None = None,
) -> Reservation:
    """Size a per-minute capacity reservation at the critical fractile of per-minute demand.

    Parameters
    ----------
    demand : array_like, shape (minutes,) or (paths, minutes)
        Demand in reservation units in each minute (tokens per minute, weighted; or dollars).
    unit_price_per_minute : float
        Price ``r`` of one reserved unit for one minute (the monthly price / minutes in a month).
    overflow_price_per_unit : float
        Pay-as-you-go price ``p`` of one unit of demand above the reservation.
    minimum, increment : float
        Allowed sizes are 0 (no reservation) or ``minimum + k * increment``.
    target_utilisation : float, optional
        Reserve no more than keeps pooled utilisation at or above this share.
    max_overflow_share : float, optional
        Reserve at least enough that at most this share of demand overflows. When both targets
        are given and conflict, the overflow target wins and ``meets_targets`` is false.
    curve_points : int
        Points of the cost curve (from 0 units to past the largest useful size).
    batch : array_like of int, shape (paths,), optional
        Batch label of each path for the standard errors; paths sharing a label are dependent
        (antithetic partners). Default: paths independent, in 10 batches.

    Returns
    -------
    Reservation
        ``units`` minimises expected cost on the lattice (within the targets); the continuous
        optimum is where ``P(demand > c) = r / p``.

    Examples
    --------
    >>> r = size_reservation(np.arange(1.0, 101.0), 0.25, 1.0)
    >>> r.units, r.critical_fractile
    (75.0, 0.25)
    """
    d = _as_paths(demand)
    r, p = float(unit_price_per_minute), float(overflow_price_per_unit)
    if not (math.isfinite(r) and r >= 0 and math.isfinite(p) and p > 0):
        raise ValueError("prices must be finite, the unit price >= 0 and the overflow price > 0")
    lat = Lattice(float(minimum), float(increment))
    pool = _Pooled(d)
    n, m = pool.paths, pool.minutes

    def cost(c: float) -> float:
        over = float(pool.overflow(np.array([c]))[0])
        return float(r * c * m + p * over / n)

    fractile = r / p
    # smallest c with P(D > c) <= r/p: the order statistic at 1 - r/p of the pooled demand
    c_star = fractile_point(pool.sorted, fractile)
    below, above = lat.below(c_star), lat.above(c_star)
    # convex cost: the cheaper lattice neighbour of the continuous optimum; ties to the smaller
    units = above if cost(above) < cost(below) - _TIE * abs(cost(below)) else below
    binding: ReservationBinding = "critical_fractile"
    if fractile >= 1.0 or (units == 0.0 and c_star > 0):
        binding = "no_reservation"
    elif units == lat.minimum and c_star < lat.minimum:
        binding = "minimum"

    top = float(pool.sorted[-1])
    meets = True
    lo_c = 0.0
    if max_overflow_share is not None and pool.total > 0:
        found = lat.first(lambda c: _share(pool, c) <= max_overflow_share + 1e-12, lat.above(top))
        lo_c = found if found is not None else lat.above(top)
    hi_c = math.inf
    if target_utilisation is not None:
        # utilisation falls as the reservation grows: the first size where it drops below U,
        # one step back, is the largest that keeps it
        bad = lat.first(lambda c: c > 0 and _util(pool, c) < target_utilisation - 1e-12, top * 2)
        hi_c = math.inf if bad is None else _step_back(lat, bad)
    if lo_c > hi_c:
        meets, hi_c = False, lo_c
    if units < lo_c:
        units, binding = lo_c, "overflow_target"
    elif units > hi_c:
        units, binding = hi_c, "utilisation_target"

    labels = batch_labels(n, batch)
    res = _finish(d, pool, r, p, lat, units, fractile, c_star, binding, meets, curve_points, labels)
    c_se = quantile_se(d, labels, fractile)
    u_se = c_se if binding == "critical_fractile" else None
    return replace(res, units_se=u_se, continuous_optimum_se=c_se)


def reservation_at(
    demand: ArrayLike,
    units: float,
    unit_price_per_minute: float,
    overflow_price_per_unit: float,
    *,
    curve_points: int = 101,
    batch: ArrayLike | None = None,
) -> Reservation:
    """Price a reservation of ``units`` on ``demand`` (e.g. one sized on other demand).

    Parameters
    ----------
    demand : array_like, shape (minutes,) or (paths, minutes)
        Per-minute demand in reservation units.
    units : float
        Reserved units (taken as given: no lattice is applied).
    unit_price_per_minute, overflow_price_per_unit : float
        As in :func:`size_reservation`.
    curve_points : int
        Points of the cost curve.
    batch : array_like of int, optional
        Batch labels for the standard errors, as in :func:`size_reservation`.

    Returns
    -------
    Reservation
        With ``binding`` ``critical_fractile`` and the fractile of these prices for reference.
    """
    d = _as_paths(demand)
    r, p = float(unit_price_per_minute), float(overflow_price_per_unit)
    if not (math.isfinite(units) and units >= 0):
        raise ValueError(f"units must be finite and >= 0, got {units!r}")
    pool = _Pooled(d)
    lat = Lattice(0.0, max(units, 1.0) / 100.0)
    labels = batch_labels(pool.paths, batch)
    return _finish(
        d, pool, r, p, lat, units, r / p, units, "critical_fractile", True, curve_points, labels
    )


def _share(pool: _Pooled, c: float) -> float:
    return float(pool.overflow(np.array([c]))[0]) / pool.total


def _util(pool: _Pooled, c: float) -> float:
    served = pool.total - float(pool.overflow(np.array([c]))[0])
    return served / (c * pool.sorted.size)


def _step_back(lat: Lattice, c: float) -> float:
    if c <= lat.minimum:
        return 0.0
    return c - lat.increment


def _finish(
    d: FloatArray,
    pool: _Pooled,
    r: float,
    p: float,
    lat: Lattice,
    units: float,
    fractile: float,
    c_star: float,
    binding: ReservationBinding,
    meets: bool,
    curve_points: int,
    labels: Labels | None,
) -> Reservation:
    n, m = pool.paths, pool.minutes
    over_path = np.maximum(d - units, 0.0).sum(axis=1)
    demand_path = d.sum(axis=1)
    cost_path = r * units * m + p * over_path
    util_path = (demand_path - over_path) / (units * m) if units > 0 else np.ones(n)
    over = float(over_path.mean())
    served = float(demand_path.mean()) - over
    # the curve spans the useful range: 2.5 times the choice, or the 99.5th percentile of demand
    q995 = float(pool.sorted[min(pool.sorted.size - 1, int(0.995 * pool.sorted.size))])
    wide = 2.5 * max(units, c_star) if max(units, c_star) > 0 else q995
    top = max(min(float(pool.sorted[-1]), wide), units, 1e-12)
    grid = np.unique(
        np.concatenate(
            [
                [lat.above(x) for x in np.linspace(0.0, top * 1.05, max(2, curve_points))],
                [units, 0.0],
            ]
        )
    )
    overflow = pool.overflow(grid)
    with np.errstate(invalid="ignore", divide="ignore"):
        util = np.where(grid > 0, (pool.total - overflow) / (grid * pool.sorted.size), 1.0)
    curve = pd.DataFrame(
        {
            "units": grid,
            "expected_cost": r * grid * m + p * overflow / n,
            "reservation_cost": r * grid * m,
            "overflow_cost": p * overflow / n,
            "utilisation": util,
            "overflow_share": overflow / pool.total if pool.total > 0 else np.zeros_like(grid),
        }
    )
    payg = p * pool.total / n
    expected = float(cost_path.mean())
    return Reservation(
        units=float(units),
        expected_cost=expected,
        reservation_cost=r * units * m,
        overflow_cost=p * over,
        payg_cost=payg,
        expected_savings=payg - expected,
        utilisation=served / (units * m) if units > 0 else 1.0,
        overflow_share=over / (pool.total / n) if pool.total > 0 else 0.0,
        idle_cost=r * (units * m - served) if units > 0 else 0.0,
        cvar95_cost=cvar(cost_path),
        critical_fractile=fractile,
        continuous_optimum=c_star,
        binding=binding,
        meets_targets=meets,
        minimum=lat.minimum,
        increment=lat.increment,
        utilisation_by_path=util_path,
        cost_by_path=cost_path,
        curve=curve,
        expected_cost_se=mean_se(cost_path, labels),
        expected_savings_se=mean_se(p * demand_path - cost_path, labels),
        # ratios: per-batch ratio of sums (served over paid-for, overflow over demand)
        utilisation_se=(
            ratio_se(demand_path - over_path, np.full(n, units * m), labels) if units > 0 else None
        ),
        overflow_share_se=ratio_se(over_path, demand_path, labels),
    )
