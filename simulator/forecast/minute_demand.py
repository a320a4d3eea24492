"""Per-minute demand on a capacity reservation, from the Monte Carlo's monthly volumes.

Each workload's monthly requests are drawn exactly as :func:`simulator.forecast.montecarlo.simulate`
draws them (the same named streams, so path ``i`` here is path ``i`` of the forecast), priced by
:func:`simulator.pricing.reservable.reservable_per_request` with the plan's levers from their ship
month (per-path effects and quality checks), and summed into the product's units per month. A
month's units are then spread over the 10,080 minutes of a representative week::

    D[i, t] = U[i, month] / MINUTES_PER_MONTH * shape[t] * exp(b * Z[i, t] - b^2 / 2)

``shape`` is ``hourly[hour] * weekday[day]`` normalised to mean one over the week and ``b`` the
profile's burstiness, so ``E[D]`` keeps the month's volume. Growth, launches, batch moving traffic
out of the reservation and caching lowering weighted input all carry through.
"""

from __future__ import annotations

import numpy as np

from simulator.forecast.adoption import SharedFactor, priced_volumes
from simulator.forecast.engine import applied_draws, block_stream, blocks
from simulator.forecast.montecarlo import ship_months
from simulator.forecast.randomness import F64, Sampling, even_paths, normals
from simulator.pricing.costs import Value, rates_in_month, scenario_catalog
from simulator.pricing.reservable import product_workloads, reservable_per_request
from simulator.scenario import CapacityProduct, DemandProfile, Scenario

MINUTES_PER_MONTH = 365.25 * 24 * 60 / 12
WEEK_MINUTES = 7 * 24 * 60


def week_shape(profile: DemandProfile) -> F64:
    """Mean-one demand shape over the 10,080 minutes of a week (Monday 00:00 UTC first)."""
    hourly = np.asarray(profile.hourly, dtype=np.float64)
    weekday = np.asarray(profile.weekday, dtype=np.float64)
    by_hour = (weekday[:, None] * hourly[None, :]).ravel()  # 168 hours
    shape: F64 = np.repeat(by_hour, 60)
    shape /= shape.mean()
    return shape


def monthly_units(
    scenario: Scenario,
    product: CapacityProduct,
    assignment: dict[str, int] | None = None,
    *,
    paths: int | None = None,
    seed: int | None = None,
    sampling: Sampling | None = None,
) -> tuple[F64, F64]:
    """Reservation units and reservable list dollars per path and month.

    Parameters
    ----------
    scenario : Scenario
        The programme.
    product : CapacityProduct
        The reservation.
    assignment : dict of lever id to wave, optional
        The plan; ``None`` or empty: no levers (the unoptimised demand).
    paths, seed, sampling : optional
        As :func:`~simulator.forecast.montecarlo.simulate` (same defaults, same draws).

    Returns
    -------
    units, dollars : ndarray, shape (paths, months)
    """
    sim = scenario.simulation
    sampling = sampling or sim.sampling
    seed = sim.seed if seed is None else seed
    n = even_paths(paths or sim.paths, sampling)
    months = scenario.horizon_months
    shipped = {lv.id for lv in scenario.levers if lv.shipped is not None}
    plan = {k: v for k, v in (assignment or {}).items() if k not in shipped}
    ships = ship_months(scenario, plan)
    catalog = scenario_catalog(scenario)
    rates = [rates_in_month(scenario, catalog, m) for m in range(months)]
    rho = sim.correlation
    units = np.zeros((n, months))
    dollars = np.zeros((n, months))
    chosen = {w.id for w in product_workloads(scenario, product)}
    # the forecast's blocks of paths and their streams, so the draws are the forecast's
    for k, (p0, p1) in enumerate(blocks(n)):
        nb = p1 - p0
        shared = SharedFactor.from_normals(
            normals(block_stream(seed, "factor", k), nb, months, sampling), rho
        )
        for w in scenario.workloads:
            if w.id not in chosen:
                continue  # streams are keyed by name, so skipping one changes no other draw
            rng = block_stream(seed, f"workload:{w.id}", k)
            z = normals(rng, nb, months, sampling)
            vol = priced_volumes(w, months, nb, z, shared, rng, sampling).astype(np.float64)
            levers = [lv for lv in scenario.levers if lv.workload == w.id and lv.id in ships]
            drawn = {lv.id: applied_draws(lv, seed, nb, sampling, k) for lv in levers}
            for m in range(months):
                applied = [drawn[lv.id] for lv in levers if ships[lv.id] <= m]
                u: Value
                u, d = reservable_per_request(w, rates[m], product, applied)
                units[p0:p1, m] += vol[m] * u
                dollars[p0:p1, m] += vol[m] * d
    return units, dollars


def minute_demand(month_units: F64, profile: DemandProfile, rng: np.random.Generator) -> F64:
    """Per-minute demand over a representative week for each path's month volume.

    Parameters
    ----------
    month_units : ndarray, shape (paths,)
        Units used in the month on each path.
    profile : DemandProfile
        Hour-of-day and weekday shape and burstiness.
    rng : numpy.random.Generator
        Source of the minute-to-minute bursts.

    Returns
    -------
    ndarray, shape (paths, 10080)
        Units per minute; the mean over minutes equals ``month_units / MINUTES_PER_MONTH`` in
        expectation.
    """
    shape = week_shape(profile)
    base = np.asarray(month_units, dtype=np.float64)[:, None] / MINUTES_PER_MONTH * shape[None, :]
    b = profile.burstiness
    if b > 0:
        noise = rng.standard_normal(base.shape)
        noise *= b
        noise -= b * b / 2.0
        base *= np.exp(noise)
    out: F64 = base
    return out


def path_subset(paths: int, keep: int) -> np.ndarray[tuple[int], np.dtype[np.intp]]:
    """Evenly spaced path indices (so antithetic halves stay balanced)."""
    keep = max(1, min(paths, keep))
    return np.unique(np.linspace(0, paths - 1, keep).round().astype(np.intp))
