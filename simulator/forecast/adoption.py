"""Adoption: monthly request volume per workload, the forecast's expected volumes.

Volume model (per workload, month t >= 1)::

    G_t = (1 + mu) * exp(s * Z_t - s^2 / 2),   s^2 = ln(1 + sigma^2 / (1 + mu)^2)
    Z_t = sqrt(rho) * F_t + sqrt(1 - rho) * E_t          (F shared by all workloads)
    v_t = v_0 * prod_{k=1..t} G_k

so ``E[G_t] = 1 + mu``, ``sd(G_t) = sigma`` and, the ``G_t`` being independent across months,
``E[v_t] = v_0 (1 + mu)^t`` exactly whatever the volatility. With ``trend_sd`` (``tau``) each
path also draws one log-trend offset ``delta ~ N(0, tau^2)`` added to every month's log factor
(the trend's own uncertainty persists along a path), so ``E[v_t] = v_0 (1 + mu)^t
exp(tau^2 t^2 / 2)``: the predictive mean when the trend is known only to ``tau``. When the
trend has already run ``g`` months at month 0 (``trend_elapsed_months``: ``v_0`` is the expected
month 0 of a level measured ``g`` months earlier), every month, month 0 included, also carries
``exp(delta g - tau^2 g^2 / 2)``, so ``E[v_t] = v_0 (1 + mu)^t exp(tau^2 ((t + g)^2 - g^2) / 2)``:
the trend's doubt grows from the measurement, not from month 0. With
``saturation`` the step is ``v_t = v_{t-1} (1 + (G_t - 1) max(0, 1 - v_{t-1} / K))``,
``K = saturation * v_0`` (a discrete logistic S-curve). A planned workload starts at ``v_0`` in
its launch month (uniform over the range) on the paths where it ships (probability
``launch.probability``) and costs nothing before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from simulator.forecast.randomness import F32, F64, Sampling, even_paths, normals, stream, uniforms
from simulator.scenario import Scenario, Workload


def volumes(
    w: Workload, months: int, paths: int, z: F32, rng: np.random.Generator, sampling: Sampling
) -> F32:
    """Monthly request volume, shape ``(months, paths)``, from the shocks ``z`` (overwritten)."""
    mu, sigma = w.growth.monthly_rate, w.growth.volatility
    s2 = float(np.log1p(sigma**2 / (1.0 + mu) ** 2))
    drift, scale = np.float32(np.log1p(mu) - s2 / 2.0), np.float32(np.sqrt(s2))
    v = z
    v *= scale
    v += drift
    d = _trend_offsets(w, paths, rng, sampling)
    if d is not None:
        v += d[None, :]
    v[0] = 0.0
    fixed_start = w.launch.first == w.launch.last == 0
    if w.growth.saturation is None:
        for t in range(1, months):  # running log-growth; row adds beat np.cumsum here
            v[t] += v[t - 1]
        if not fixed_start:
            tau = _launch_months(w, paths, rng, sampling)
            v -= np.take_along_axis(v, tau[None, :], axis=0)
            v[np.arange(months)[:, None] < tau[None, :]] = -np.inf
        np.exp(v, out=v)
    else:
        tau = (
            np.zeros(paths, dtype=np.intp)
            if fixed_start
            else _launch_months(w, paths, rng, sampling)
        )
        cap = w.growth.saturation
        level = np.ones(paths)
        np.exp(v, out=v)
        for t in range(months):
            grow = t > tau
            room = np.maximum(0.0, 1.0 - level / cap)
            level = np.where(grow, level * (1.0 + (v[t] - 1.0) * room), level)
            v[t] = np.where(t >= tau, level, 0.0)
    if d is not None and w.growth.trend_elapsed_months > 0:
        v *= np.exp(_elapsed(w, d))[None, :]
    if w.launch.probability < 1.0:
        ships = uniforms(rng, paths, sampling) < w.launch.probability
        v[:, ~ships] = 0.0
    v *= np.float32(w.requests_per_month)
    return v


def _trend_offsets(
    w: Workload, paths: int, rng: np.random.Generator, sampling: Sampling
) -> F32 | None:
    """One log-trend offset ``delta ~ N(0, trend_sd^2)`` per path, paired like the shocks."""
    if w.growth.trend_sd <= 0:
        return None
    delta = ndtri(np.clip(uniforms(rng, paths, sampling), 1e-12, 1 - 1e-12))
    out: F32 = (w.growth.trend_sd * delta).astype(np.float32)
    return out


def _elapsed(w: Workload, d: F32) -> F32:
    """Log factor of the trend's months before month 0: ``delta g - tau^2 g^2 / 2`` per path."""
    g, tau = w.growth.trend_elapsed_months, w.growth.trend_sd
    out: F32 = (d * np.float32(g) - np.float32(tau * tau * g * g / 2.0)).astype(np.float32)
    return out


@dataclass(frozen=True)
class SharedFactor:
    """The shocks all workloads share, cumulated over months and scaled for :func:`priced_volumes`.

    With ``a = sqrt(1 - rho)`` a workload's log-growth to month ``t`` is
    ``scale * sum_{k<=t} (a E_k + sqrt(rho) F_k) = scale * a * (cumE_t + cum_t)`` where
    ``cum_t = sqrt(rho) / a * sum_{k<=t} F_k`` (``a > 0``), or ``scale * cum_t`` with
    ``cum_t = sum_{k<=t} F_k`` when ``rho = 1`` (``a = 0``). Month 0 has no growth (row 0 is 0).
    """

    cum: F32
    a: float

    @classmethod
    def from_normals(cls, f: F32, rho: float) -> SharedFactor | None:
        """Cumulate the factor's normals ``f`` (shape ``(months, paths)``, overwritten)."""
        if rho <= 0.0:
            return None
        a = float(np.sqrt(1.0 - rho))
        if len(f):
            f[0] = 0.0
        for t in range(1, len(f)):
            f[t] += f[t - 1]
        f *= np.float32(np.sqrt(rho) / a if a > 0.0 else 1.0)
        return cls(f, a)

    def mix(self, z: F32) -> F32:
        """Per-month correlated shocks ``a E_t + sqrt(rho) F_t`` from own shocks ``E``, in place."""
        c = self.cum
        if self.a == 0.0:  # rho = 1: the workload's own shocks carry no weight
            np.subtract(c[1:], c[:-1], out=z[1:])
            return z
        for t in range(1, len(z)):
            z[t] += c[t]
            z[t] -= c[t - 1]
        z *= np.float32(self.a)
        return z


def priced_volumes(
    w: Workload,
    months: int,
    paths: int,
    z: F32,
    shared: SharedFactor | None,
    rng: np.random.Generator,
    sampling: Sampling,
    price: F64 | None = None,
) -> F32:
    """Monthly requests times ``price`` (dollars per request, per month), ``(months, paths)``.

    The forecast's inner loop: the same law and the same draws as :func:`volumes` on the
    correlated shocks (``z`` holds the workload's own normals and is overwritten), priced in
    the same pass. Without saturation the log-growth is cumulated first and the drift, the
    starting volume and the price enter as one factor per month after the exponential::

        v_t p_t = [v_0 p_t (1 + mu)^t e^(-t s^2 / 2)] * exp(s * a * (cumE_t + cum_t))

    which costs five passes over the shocks instead of ten. Saturating workloads need each
    month's growth factor and take the general path (:func:`volumes`).
    """
    row = np.ones(months) if price is None else np.asarray(price, dtype=np.float64)
    if w.growth.saturation is not None:
        mixed = shared.mix(z) if shared is not None else z
        vol = volumes(w, months, paths, mixed, rng, sampling)
        vol *= row.astype(np.float32)[:, None]
        return vol
    mu, sigma = w.growth.monthly_rate, w.growth.volatility
    s2 = float(np.log1p(sigma**2 / (1.0 + mu) ** 2))
    drift, scale = np.log1p(mu) - s2 / 2.0, float(np.sqrt(s2))
    v = z
    if months:
        v[0] = 0.0
    for t in range(1, months):
        v[t] += v[t - 1]
    if shared is None:
        v *= np.float32(scale)
    elif shared.a > 0.0:
        v += shared.cum
        v *= np.float32(scale * shared.a)
    else:
        np.multiply(shared.cum, np.float32(scale), out=v)
    t_months = np.arange(months, dtype=np.float64)
    d = _trend_offsets(w, paths, rng, sampling)
    if d is not None:
        # one trend offset per path (drawn as in volumes), growing linearly in log space
        for t in range(1, months):
            v[t] += np.float32(t) * d
    if not w.launch.first == w.launch.last == 0:
        tau = _launch_months(w, paths, rng, sampling)
        # restart at v_0 in the launch month: remove the log-growth (drift included) before it
        v -= np.take_along_axis(v, tau[None, :], axis=0) + (drift * tau).astype(np.float32)
        v[np.arange(months)[:, None] < tau[None, :]] = -np.inf
    if d is not None and w.growth.trend_elapsed_months > 0:
        v += _elapsed(w, d)[None, :]
    np.exp(v, out=v)
    row = row * w.requests_per_month * np.exp(drift * t_months)
    v *= row.astype(np.float32)[:, None]
    if w.launch.probability < 1.0:
        ships = uniforms(rng, paths, sampling) < w.launch.probability
        v *= ships.astype(np.float32)[None, :]
    return v


def _launch_months(
    w: Workload, paths: int, rng: np.random.Generator, sampling: Sampling
) -> npt.NDArray[np.intp]:
    u = uniforms(rng, paths, sampling)
    span = w.launch.last - w.launch.first + 1
    return (w.launch.first + np.minimum((u * span).astype(np.intp), span - 1)).astype(np.intp)


def expected_volumes(scenario: Scenario, mc_paths: int = 8192) -> F64:
    """Expected monthly requests per workload, shape ``(workloads, months)``.

    Closed form without saturation: ``p_launch * mean over launch months tau of
    v_0 (1 + mu)^(t - tau) exp(trend_sd^2 ((t - tau + g)^2 - g^2) / 2) [t >= tau]``
    (``g = trend_elapsed_months``). With saturation the
    S-curve has no closed-form mean, so it is estimated from ``mc_paths`` antithetic paths of
    that workload alone (the shared factor does not change a single workload's marginal law).
    """
    months = scenario.horizon_months
    t = np.arange(months)
    out = np.zeros((len(scenario.workloads), months))
    for i, w in enumerate(scenario.workloads):
        if w.growth.saturation is None:
            taus = np.arange(w.launch.first, w.launch.last + 1)
            lag = t[None, :] - taus[:, None]
            lag0 = np.maximum(lag, 0)
            g = w.growth.trend_elapsed_months
            trend = np.exp(w.growth.trend_sd**2 * ((lag0.astype(float) + g) ** 2 - g * g) / 2.0)
            grown = np.where(lag >= 0, (1.0 + w.growth.monthly_rate) ** lag0 * trend, 0.0)
            out[i] = w.requests_per_month * w.launch.probability * grown.mean(axis=0)
        else:
            rng = stream(scenario.simulation.seed, f"expected:{w.id}")
            n = even_paths(mc_paths, "antithetic")
            z = normals(rng, n, months, "antithetic")
            out[i] = volumes(w, months, n, z, rng, "antithetic").mean(axis=1, dtype=np.float64)
    return out
