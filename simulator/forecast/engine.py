"""The forecast's inner loop, one block of paths at a time.

Paths are simulated in blocks of :data:`BLOCK_PATHS`, each block with its own random streams
(block 0 uses the streams' plain names, so runs of up to one block draw exactly what they always
drew). Only the block's month-major float32 buffers are alive at once; the results (per-path
spend and per-lever savings) are written into the caller's arrays. One million paths with a plan
therefore need the results and a few tens of megabytes, not several copies of every draw.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from simulator.catalog.prices import Rates
from simulator.forecast.adoption import volumes
from simulator.forecast.randomness import (
    F32,
    F64,
    Sampling,
    normals,
    stream,
    triangular_ppf,
    uniforms,
)
from simulator.pricing.costs import Applied, cost_per_request
from simulator.scenario import LEVER_ORDER, Lever, Scenario

# a multiple of 16 (Sobol replicates) and even (antithetic pairs): every block keeps whole groups
BLOCK_PATHS = 1 << 16


def blocks(paths: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each block of paths."""
    return [(a, min(a + BLOCK_PATHS, paths)) for a in range(0, paths, BLOCK_PATHS)] or [(0, 0)]


def block_stream(seed: int, name: str, block: int) -> np.random.Generator:
    """The named stream of one block of paths (block 0: the plain name)."""
    return stream(seed, name if block == 0 else f"{name}#paths{block}")


def lever_draws(
    lever: Lever, seed: int, paths: int, sampling: Sampling, block: int = 0
) -> tuple[F64, npt.NDArray[np.bool_]]:
    """Per-path effect (triangular) and quality-check outcome of one lever."""
    rng = block_stream(seed, f"lever:{lever.id}", block)
    u = uniforms(rng, paths, sampling)
    e = lever.effect
    effect = triangular_ppf(u, e.low, e.mode, e.high)
    passed = uniforms(rng, paths, sampling) < lever.success_probability
    return effect, passed


def ordered(levers: list[Lever]) -> list[Lever]:
    """Levers in the cost model's order (the order savings are attributed in)."""
    return sorted(levers, key=lambda lv: (LEVER_ORDER.index(lv.kind), lv.id))


@dataclass
class Results:
    """What the blocks write: path-major float64 spend, per-lever savings, monthly sums."""

    spend: F64
    baseline: F64
    lever_savings: dict[str, F64]
    workload_sum: dict[str, F64]
    workload_baseline_sum: dict[str, F64]
    kept: dict[str, F32] | None


def run_block(
    scenario: Scenario,
    ships: dict[str, int],
    period_rates: dict[int, dict[str, Rates]],
    seed: int,
    sampling: Sampling,
    block: int,
    span: tuple[int, int],
    out: Results,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Simulate paths ``span`` (block number ``block``) of every workload into ``out``."""
    p0, p1 = span
    n = p1 - p0
    months = scenario.horizon_months
    periods = sorted(period_rates)
    rho = scenario.simulation.correlation
    factor = normals(block_stream(seed, "factor", block), n, months, sampling)
    factor *= np.float32(np.sqrt(rho))
    planned = bool(ships)
    # month-major float32 accumulators: contiguous rows, half the memory traffic of float64
    total = np.zeros((months, n), dtype=np.float32)
    base_total = np.zeros((months, n), dtype=np.float32) if planned else total
    z = np.empty((months, n), dtype=np.float32)
    scratch = np.empty((months, n), dtype=np.float32) if planned else z
    for i, w in enumerate(scenario.workloads):
        rng = block_stream(seed, f"workload:{w.id}", block)
        normals(rng, n, months, sampling, out=z)
        if rho > 0.0:
            z *= np.float32(np.sqrt(1.0 - rho))
            z += factor
        vol = volumes(w, months, n, z, rng, sampling)
        levers = ordered([lv for lv in scenario.levers if lv.workload == w.id and lv.id in ships])
        applied = {}
        for lv in levers:
            effect, passed = lever_draws(lv, seed, n, sampling, block)
            applied[lv.id] = Applied(lv, effect * passed, passed.astype(np.float64))
        cuts = sorted({*periods, *(ships[lv.id] for lv in levers if ships[lv.id] < months)})
        cuts.append(months)
        wsum = out.workload_sum[w.id]
        bsum = out.workload_baseline_sum[w.id]
        costs: dict[tuple[int, tuple[str, ...]], Any] = {}  # per-path cost of a lever prefix
        for a, b in itertools.pairwise(cuts):
            period = max(p for p in periods if p <= a)
            rates = period_rates[period]
            base_cpr = np.float32(cost_per_request(w, rates))
            seg = vol[a:b]
            # float32 pairwise sums along the contiguous path axis: as accurate as the means were
            msum = seg.sum(axis=1).astype(np.float64)
            active = [lv for lv in levers if ships[lv.id] <= a]
            if levers:
                np.multiply(seg, base_cpr, out=scratch[: b - a])
                base_total[a:b] += scratch[: b - a]
                bsum[a:b] += msum * float(base_cpr)
            if not active:
                seg *= base_cpr
                wsum[a:b] += msum * float(base_cpr)
                if not levers and base_total is not total:
                    base_total[a:b] += seg
            else:
                epoch_volume = seg.sum(axis=0, dtype=np.float64)
                prev: Any = float(base_cpr)
                for m, lv in enumerate(active):
                    key = (period, tuple(x.id for x in active[: m + 1]))
                    if key not in costs:
                        costs[key] = cost_per_request(
                            w, rates, [applied[x.id] for x in active[: m + 1]]
                        )
                    cur = costs[key]
                    # sequential attribution: the savings add up to baseline - optimised exactly
                    out.lever_savings[lv.id][p0:p1] += epoch_volume * (prev - cur)
                    prev = cur
                seg *= np.asarray(prev, dtype=np.float32)[None, :]
                wsum[a:b] += seg.sum(axis=1)
            total[a:b] += seg
        if out.kept is not None:
            out.kept[w.id][p0:p1] = vol.T
        if progress is not None:
            progress(i + 1)
    del z, factor, scratch  # free the draws before the float64 copies
    out.spend[p0:p1] = total.T
    if planned:
        out.baseline[p0:p1] = base_total.T
