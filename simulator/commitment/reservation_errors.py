"""Monte Carlo standard errors of a sized reservation, from independent batches of paths.

The minutes of one path share that path's monthly volume, so they are not independent draws; the
paths (or antithetic pairs, or Sobol replicates) are. Every figure is therefore re-estimated on
``k`` independent batches of whole paths and ``se = sd(batch estimates) / sqrt(k)``, the rule of
:meth:`simulator.forecast.montecarlo.Forecast.standard_errors`. Ratios (overflow share,
utilisation) are estimated per batch as a ratio of batch sums, so the se is the ratio's, not a
naive per-path sd. The continuous optimum (a quantile of pooled demand) is re-computed on each
batch: a quantile on a batch is slightly biased for the full-sample quantile and the batch spread
is an approximation to its sampling error, good when each batch holds many path-minutes.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from simulator.commitment.whatif import batch_se
from simulator.forecast.randomness import batch_index

FloatArray = NDArray[np.float64]
Labels = NDArray[np.intp]
BATCHES = 10
RESERVATION_SE_KEYS: tuple[str, ...] = (
    "units_se",
    "continuous_optimum_se",
    "expected_cost_se",
    "expected_savings_se",
    "utilisation_se",
    "overflow_share_se",
)


def batch_labels(
    paths: int, batch: ArrayLike | None = None, batches: int = BATCHES
) -> Labels | None:
    """Batch label per path, or ``None`` when fewer than two independent batches exist.

    Parameters
    ----------
    paths : int
        Number of paths (rows of the demand).
    batch : array_like of int, optional
        The caller's labels (e.g. antithetic partners sharing one label); by default the paths
        are taken as independent and split into ``min(batches, paths)`` contiguous batches.
    batches : int
        Batches when ``batch`` is not given.

    Returns
    -------
    ndarray of intp or None
        ``None`` for a single path or a single label: the standard errors are undefined.
    """
    if batch is None:
        labels: Labels = batch_index(paths, "plain", min(batches, paths))
    else:
        labels = np.asarray(batch, dtype=np.intp).ravel()
        if labels.size != paths:
            raise ValueError(f"batch must have one label per path ({paths}), got {labels.size}")
    return labels if np.unique(labels).size >= 2 else None


def fractile_point(values: FloatArray, fractile: float) -> float:
    """Smallest ``c`` among ``values`` with ``P(value > c) <= fractile`` (0 when fractile >= 1).

    The order statistic at ``1 - fractile``, found by partial sort (``values`` need not be sorted).
    """
    if fractile >= 1.0:
        return 0.0
    flat = np.asarray(values, dtype=np.float64).ravel()
    idx = min(flat.size - 1, max(0, math.ceil((1.0 - fractile) * flat.size) - 1))
    return float(np.partition(flat, idx)[idx])


def _se(estimates: FloatArray) -> float:
    return float(estimates.std(ddof=1) / math.sqrt(estimates.size))


def mean_se(x: FloatArray, labels: Labels | None) -> float | None:
    """Standard error of the mean of per-path values ``x`` from batch means (``None`` without
    batches; :func:`simulator.commitment.whatif.batch_se`)."""
    return None if labels is None else batch_se(x, labels)


def ratio_se(num: FloatArray, den: FloatArray, labels: Labels | None) -> float | None:
    """Standard error of ``sum(num) / sum(den)`` from batch ratios (0 where a batch has none)."""
    if labels is None:
        return None
    out = []
    for b in np.unique(labels):
        n, d = float(num[labels == b].sum()), float(den[labels == b].sum())
        out.append(n / d if d > 0 else 0.0)
    return _se(np.array(out))


def quantile_se(demand: FloatArray, labels: Labels | None, fractile: float) -> float | None:
    """Approximate standard error of the continuous optimum from per-batch critical fractiles.

    Parameters
    ----------
    demand : ndarray, shape (paths, minutes)
        Per-minute demand.
    labels : ndarray of intp or None
        Batch label per path (:func:`batch_labels`).
    fractile : float
        The critical fractile ``r / p``.

    Returns
    -------
    float or None
        ``sd(batch optima) / sqrt(batches)``; ``None`` without two batches or when
        ``fractile >= 1`` (the optimum is 0 by the prices, not estimated).
    """
    if labels is None or fractile >= 1.0:
        return None  # nothing estimated: reserving costs more than overflow, the optimum is 0
    return _se(np.array([fractile_point(demand[labels == b], fractile) for b in np.unique(labels)]))


__all__ = [
    "BATCHES",
    "RESERVATION_SE_KEYS",
    "batch_labels",
    "fractile_point",
    "mean_se",
    "quantile_se",
    "ratio_se",
]
