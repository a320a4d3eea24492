"""Random streams and variance-reduced draws.

Every random quantity has its own stream keyed by a stable hash of its name (``workload:<id>``,
``lever:<id>``, ``factor``), so adding a workload or a lever never changes the draws of another:
a plan's optimised and unoptimised forecasts share every draw (common random numbers), and two
machines with the same seed get the same numbers.
"""

from __future__ import annotations

import hashlib
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri
from scipy.stats import qmc

Sampling = Literal["antithetic", "plain", "sobol"]
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
SOBOL_REPLICATES = 16


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent PCG64 generator for the named quantity."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key,))))


def even_paths(paths: int, sampling: Sampling) -> int:
    """Path count actually simulated: antithetic pairs and Sobol replicates need whole groups."""
    if sampling == "antithetic":
        return paths + paths % 2
    if sampling == "sobol":
        return -(-paths // SOBOL_REPLICATES) * SOBOL_REPLICATES
    return paths


def normals(
    rng: np.random.Generator, paths: int, dims: int, sampling: Sampling, out: F32 | None = None
) -> F32:
    """Standard normal draws, shape ``(dims, paths)`` (month-major), float32.

    Month-major keeps each month's draws for all paths contiguous, which makes the running
    sums over months cheap row additions. ``antithetic`` makes path ``p + paths/2`` the mirror
    of path ``p``; ``sobol`` stacks ``SOBOL_REPLICATES`` independently scrambled Sobol blocks of
    paths (each block an independent replicate for error estimates).
    """
    buf = out if out is not None else np.empty((dims, paths), dtype=np.float32)
    if dims == 0:
        return buf
    if sampling == "plain":
        rng.standard_normal(out=buf, dtype=np.float32)
    elif sampling == "antithetic":
        half = paths // 2
        for t in range(dims):
            rng.standard_normal(out=buf[t, :half], dtype=np.float32)
            np.negative(buf[t, :half], out=buf[t, half:])
    else:
        block = paths // SOBOL_REPLICATES
        for r in range(SOBOL_REPLICATES):
            u = _sobol(rng, block, dims)
            buf[:, r * block : (r + 1) * block] = ndtri(u).T
    return buf


def uniforms(rng: np.random.Generator, paths: int, sampling: Sampling) -> F64:
    """Uniform(0, 1) draws, one per path, paired like :func:`normals`."""
    if sampling == "antithetic":
        half = rng.random(paths // 2)
        return np.concatenate([half, 1.0 - half])
    if sampling == "sobol":
        block = paths // SOBOL_REPLICATES
        return np.concatenate([_sobol(rng, block, 1)[:, 0] for _ in range(SOBOL_REPLICATES)])
    return rng.random(paths)


def _sobol(rng: np.random.Generator, n: int, dims: int) -> F64:
    engine = qmc.Sobol(d=dims, scramble=True, seed=rng)
    m = max(0, int(np.ceil(np.log2(max(n, 1)))))
    # Latin supercube sampling: each quantity's points in a random order, so quantities drawn
    # from separate Sobol blocks are independent of one another
    pts: F64 = engine.random_base2(m)[:n][rng.permutation(n)]
    # keep draws strictly inside (0, 1) so the inverse normal stays finite
    return np.clip(pts, 1e-12, 1.0 - 1e-12)


def batch_index(paths: int, sampling: Sampling, batches: int) -> npt.NDArray[np.intp]:
    """Batch label of every path for standard errors: batches are independent replicates.

    Antithetic partners share a batch; Sobol batches are its scrambled replicates.
    """
    if sampling == "sobol":
        return np.repeat(np.arange(SOBOL_REPLICATES), paths // SOBOL_REPLICATES)
    if sampling == "antithetic":
        half = paths // 2
        first = (np.arange(half) * batches) // max(half, 1)
        return np.concatenate([first, first])
    return (np.arange(paths) * batches) // max(paths, 1)


def triangular_ppf(u: F64, low: float, mode: float, high: float) -> F64:
    """Inverse CDF of the triangular distribution (vectorised)."""
    if high <= low:
        return np.full_like(u, low)
    cut = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
    out: F64 = np.where(u < cut, left, right)
    return out
