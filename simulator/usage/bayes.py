"""Bayesian update of a lever's triangular prior from one noisy measurement of its effect.

The posterior (triangular density x normal likelihood) is evaluated in log space on an even grid
(so a measurement tens of sigmas away still gives a proper posterior, never a collapsed point) and
refitted to a triangular by matching its mode, mean and variance. A measurement the prior could
hardly have produced is flagged as a prior conflict: the prior-predictive two-sided tail
probability ``p = 2 min(P(Y <= y), P(Y >= y))`` with ``Y = e + N(0, sigma^2)``, ``e`` from the
prior, is below :data:`CONFLICT_P`. ``docs/memo-and-refresh.md`` (section 3) has every formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from simulator.forecast.randomness import F64
from simulator.scenario import Triangular

GRID_POINTS = 4001
# prior-predictive tail probability below which a measurement conflicts with its prior
CONFLICT_P = 0.01


def triangular_pdf(x: F64, prior: Triangular) -> F64:
    """Density of the triangular distribution ``(low, mode, high)`` at ``x``."""
    a, c, b = prior.low, prior.mode, prior.high
    out = np.zeros_like(x)
    if b <= a:
        return out
    up = (x >= a) & (x <= c) & (c > a)
    down = (x >= c) & (x <= b) & (b > c)
    out[up] = 2 * (x[up] - a) / ((b - a) * (c - a))
    out[down] = 2 * (b - x[down]) / ((b - a) * (b - c))
    return out


def _log_prior(grid: F64, prior: Triangular) -> F64:
    tri = triangular_pdf(grid, prior)
    if prior.mode in (prior.low, prior.high):  # the density is 2/(b-a) at a mode on the edge
        tri[grid == prior.mode] = 2 / (prior.high - prior.low)
    with np.errstate(divide="ignore"):
        out: F64 = np.log(tri)
    return out


def posterior_grid(
    prior: Triangular, observed: float, sigma: float, points: int = GRID_POINTS
) -> tuple[F64, F64]:
    """Posterior density of the effect on an even grid over the prior's support.

    ``p(e | y) = tri(e) N(y; e, sigma^2) / Z``, computed as ``exp(log p - max log p)`` so the
    likelihood cannot underflow, and normalised by the trapezoid rule.

    Returns
    -------
    grid, density : ndarray
    """
    grid = np.linspace(prior.low, prior.high, points)
    logd = _log_prior(grid, prior) - 0.5 * ((observed - grid) / sigma) ** 2
    dens = np.exp(logd - np.max(logd))
    z = float(np.trapezoid(dens, grid))
    if not z > 0:  # all the mass on one grid point (a posterior narrower than the grid step)
        z = float(np.diff(grid).mean())
    return grid, dens / z


def conflict_p(prior: Triangular, observed: float, sigma: float) -> float:
    """Prior-predictive two-sided tail probability of ``observed`` (small: prior conflict)."""
    if prior.high - prior.low < 1e-12:
        below = float(ndtr((observed - prior.low) / sigma))
    else:
        grid = np.linspace(prior.low, prior.high, GRID_POINTS)
        w = np.exp(_log_prior(grid, prior))
        w /= float(np.trapezoid(w, grid))
        below = float(np.trapezoid(w * ndtr((observed - grid) / sigma), grid))
    return max(0.0, min(1.0, 2.0 * min(below, 1.0 - below)))


def fit_triangular(grid: F64, density: F64) -> Triangular:
    """Triangular with the posterior's mode, mean and variance (fallback: 0.5%/99.5% quantiles).

    With mode ``c``, mean ``m`` and variance ``v`` fixed, ``s = a + b = 3m - c`` and
    ``ab = (s^2 + c^2 - cs - 18v) / 3``, so ``a, b = (s -+ sqrt(s^2 - 4ab)) / 2``. When that has
    no real root with ``a <= c <= b`` inside ``[0, 1]`` the bounds are the posterior's 0.5% and
    99.5% quantiles instead.
    """
    c = float(grid[int(np.argmax(density))])
    m = float(np.trapezoid(grid * density, grid))
    v = max(float(np.trapezoid((grid - m) ** 2 * density, grid)), 0.0)
    s = 3 * m - c
    ab = (s * s + c * c - c * s - 18 * v) / 3
    disc = s * s - 4 * ab
    if disc >= 0:
        a, b = (s - math.sqrt(disc)) / 2, (s + math.sqrt(disc)) / 2
        if -1e-9 <= a <= c + 1e-9 and c - 1e-9 <= b <= 1 + 1e-9:
            return Triangular(
                low=clip_unit(min(a, c)), mode=clip_unit(c), high=clip_unit(max(b, c))
            )
    cdf = np.concatenate([[0.0], np.cumsum(np.diff(grid) * (density[1:] + density[:-1]) / 2)])
    lo, hi = np.interp([0.005, 0.995], cdf, grid)
    return Triangular(low=clip_unit(min(lo, c)), mode=clip_unit(c), high=clip_unit(max(hi, c)))


def clip_unit(x: float) -> float:
    """``x`` clipped to ``[0, 1]`` and rounded to 6 decimals."""
    return round(min(max(float(x), 0.0), 1.0), 6)


@dataclass(frozen=True)
class PriorUpdate:
    """One lever's prior, the observation, and the posterior (moments and refitted triangle)."""

    lever: str
    prior: Triangular
    observed: float
    sigma: float
    posterior_mean: float
    posterior_mode: float
    posterior_sd: float
    posterior: Triangular
    conflict_p: float = 1.0

    @property
    def prior_conflict(self) -> bool:
        """Whether the measurement is one the prior could hardly have produced."""
        return self.conflict_p < CONFLICT_P


def bayes_update(prior: Triangular, observed: float, sigma: float) -> PriorUpdate:
    """Posterior of a lever's effect given one noisy measurement ``observed ~ N(e, sigma^2)``.

    Parameters
    ----------
    prior : Triangular
        Prior on the effect.
    observed : float
        Measured effect (not clipped: a measurement may fall outside ``[0, 1]``).
    sigma : float
        Measurement standard deviation (> 0).

    Returns
    -------
    PriorUpdate
        Posterior mean, mode, standard deviation, and the refitted triangular.
    """
    if sigma <= 0:
        raise ValueError("sigma must be > 0")
    pc = conflict_p(prior, observed, sigma)
    if prior.high - prior.low < 1e-12:  # a point prior cannot move
        p = prior.low
        return PriorUpdate("", prior, observed, sigma, p, p, 0.0, prior, pc)
    grid, dens = posterior_grid(prior, observed, sigma)
    mean = float(np.trapezoid(grid * dens, grid))
    sd = math.sqrt(max(float(np.trapezoid((grid - mean) ** 2 * dens, grid)), 0.0))
    mode = float(grid[int(np.argmax(dens))])
    post = fit_triangular(grid, dens)
    return PriorUpdate("", prior, observed, sigma, mean, mode, sd, post, pc)
