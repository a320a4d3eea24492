"""The forecast's inner loop, one block of paths at a time.

Paths are simulated in blocks of :data:`BLOCK_PATHS`, each block with its own random streams
(block 0 uses the streams' plain names, so runs of up to one block draw exactly what they always
drew). Only the block's month-major float32 buffers are alive at once; the results (per-path
spend and per-lever savings) are written into the caller's arrays. One million paths with a plan
therefore need the results and a few tens of megabytes, not several copies of every draw.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from simulator.catalog.prices import Rates
from simulator.forecast.adoption import SharedFactor, priced_volumes
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
from simulator.scenario import LEVER_ORDER, Lever, Scenario, Workload

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


def applied_draws(
    lever: Lever, seed: int, paths: int, sampling: Sampling, block: int = 0
) -> Applied:
    """The lever as applied on each path: its drawn effect where it passed its quality check,
    0 where it did not (:func:`lever_draws`)."""
    effect, passed = lever_draws(lever, seed, paths, sampling, block)
    return Applied(lever, effect * passed, passed.astype(np.float64))


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


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - macOS and Windows


# Draw the next workload's shocks on a second thread while this one is priced: numpy's
# generators and ufuncs release the GIL, so on two cores the pricing hides behind the draws.
# Every workload has its own stream, so the numbers do not depend on the threading.
PREFETCH = usable_cores() > 1


class _Shocks:
    """Each workload's stream and normals, in order; with :data:`PREFETCH` the next workload's
    are drawn on a second thread (the first as soon as this is built, so it overlaps the
    shared factor's draw on the calling thread). Use as a context manager."""

    def __init__(
        self, seed: int, sampling: Sampling, block: int, n: int, months: int, names: list[str]
    ) -> None:
        self._key = (seed, sampling, block, n, months)
        self._names = names
        threaded = PREFETCH and len(names) > 1
        self._bufs = [np.empty((months, n), dtype=np.float32) for _ in range(1 + threaded)]
        self._pool = ThreadPoolExecutor(1, "commitsim-draws") if threaded else None
        self._ahead: Future[tuple[np.random.Generator, F32]] | None = None
        if self._pool is not None:
            self._ahead = self._pool.submit(self._draw, 0)

    def _draw(self, i: int) -> tuple[np.random.Generator, F32]:
        seed, sampling, block, n, months = self._key
        rng = block_stream(seed, f"workload:{self._names[i]}", block)
        return rng, normals(rng, n, months, sampling, out=self._bufs[i % len(self._bufs)])

    def __iter__(self) -> Iterator[tuple[np.random.Generator, F32]]:
        for i in range(len(self._names)):
            if self._pool is None or self._ahead is None:
                yield self._draw(i)
                continue
            got = self._ahead.result()
            # the other buffer: the workload before this one is finished with it
            nxt = i + 1 < len(self._names)
            self._ahead = self._pool.submit(self._draw, i + 1) if nxt else None
            yield got

    def __enter__(self) -> _Shocks:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


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
    names = [w.id for w in scenario.workloads]
    with _Shocks(seed, sampling, block, n, months, names) as draws:
        shared = SharedFactor.from_normals(
            normals(block_stream(seed, "factor", block), n, months, sampling),
            scenario.simulation.correlation,
        )
        _price_workloads(
            scenario,
            ships,
            period_rates,
            (seed, sampling, block),
            span,
            shared,
            draws,
            out,
            progress,
        )


def _price_workloads(
    scenario: Scenario,
    ships: dict[str, int],
    period_rates: dict[int, dict[str, Rates]],
    draw: tuple[int, Sampling, int],
    span: tuple[int, int],
    shared: SharedFactor | None,
    draws: _Shocks,
    out: Results,
    progress: Callable[[int], None] | None,
) -> None:
    """Each workload's list spend without levers is added to the baseline; where levers are in
    force, the part they save (per path) is added to ``saved``, and the plan's spend is the
    baseline minus the savings. Workloads without a planned lever cost two passes over their
    draws after the growth model, planned ones four more per period their set of levers holds.
    """
    sampling = draw[1]
    p0, p1 = span
    n = p1 - p0
    months = scenario.horizon_months
    periods = sorted(period_rates)
    planned = bool(ships)
    # month-major float32 accumulators: contiguous rows, half the memory traffic of float64
    baseline = np.zeros((months, n), dtype=np.float32)
    saved = np.zeros((months, n), dtype=np.float32) if planned else baseline
    period_of = np.searchsorted(periods, np.arange(months), side="right") - 1
    for i, (w, (rng, z)) in enumerate(zip(scenario.workloads, draws, strict=True)):
        base_cpr = {p: float(cost_per_request(w, period_rates[p])) for p in periods}
        price = np.array([base_cpr[periods[k]] for k in period_of], dtype=np.float64)
        spend = priced_volumes(w, months, n, z, shared, rng, sampling, price)
        baseline += spend
        msum = spend.sum(axis=1).astype(np.float64)
        out.workload_baseline_sum[w.id] += msum
        wsum = out.workload_sum[w.id]
        if wsum is not out.workload_baseline_sum[w.id]:
            wsum += msum
        levers = ordered([lv for lv in scenario.levers if lv.workload == w.id and lv.id in ships])
        if levers:
            _apply_levers(w, levers, ships, period_rates, base_cpr, draw, span, spend, saved, out)
        if out.kept is not None:
            out.kept[w.id][p0:p1] = spend.T
        if progress is not None:
            progress(i + 1)
    out.baseline[p0:p1] = baseline.T
    if planned:
        np.subtract(baseline, saved, out=saved)
        out.spend[p0:p1] = saved.T


def _apply_levers(
    w: Workload,
    levers: list[Lever],
    ships: dict[str, int],
    period_rates: dict[int, dict[str, Rates]],
    base_cpr: dict[int, float],
    draw: tuple[int, Sampling, int],
    span: tuple[int, int],
    spend: F32,
    saved: F32,
    out: Results,
) -> None:
    """Add what ``levers`` save on each path and month of ``spend`` (one workload's list spend
    without levers, priced at ``base_cpr`` per request in each price period) to ``saved``, the
    workload's monthly sums and each lever's savings.

    ``spend`` is overwritten: with the plan's spend when per-workload spend is kept, with the
    saved dollars otherwise (the caller has already added it to the baseline).
    """
    seed, sampling, block = draw
    p0, p1 = span
    n = p1 - p0
    months = len(spend)
    applied = {lv.id: applied_draws(lv, seed, n, sampling, block) for lv in levers}
    periods = sorted(period_rates)
    cuts = sorted({*periods, *(ships[lv.id] for lv in levers if ships[lv.id] < months)})
    cuts.append(months)
    wsum = out.workload_sum[w.id]
    costs: dict[tuple[int, tuple[str, ...]], Any] = {}  # per-path cost of a lever prefix
    tmp = np.empty(n)
    for a, b in itertools.pairwise(cuts):
        active = [lv for lv in levers if ships[lv.id] <= a]
        period = max(p for p in periods if p <= a)
        rates = period_rates[period]
        base = base_cpr[period]
        if not active or base == 0.0:
            continue
        seg = spend[a:b]
        # requests per path over the segment (a float32 sum of at most a horizon of rows)
        requests = seg.sum(axis=0).astype(np.float64)
        requests *= 1.0 / base
        prev: Any = base
        for m, lv in enumerate(active):
            key = (period, tuple(x.id for x in active[: m + 1]))
            if key not in costs:
                costs[key] = cost_per_request(w, rates, [applied[x.id] for x in active[: m + 1]])
            cur = costs[key]
            # sequential attribution: the savings add up to baseline - optimised exactly
            np.subtract(prev, cur, out=tmp)
            tmp *= requests
            out.lever_savings[lv.id][p0:p1] += tmp
            prev = cur
        share = np.broadcast_to(np.asarray((base - prev) / base, dtype=np.float32), (n,))
        if out.kept is None:
            seg *= share[None, :]  # now the saved dollars
            saved[a:b] += seg
            wsum[a:b] -= seg.sum(axis=1)
        else:
            cut = seg * share[None, :]
            saved[a:b] += cut
            wsum[a:b] -= cut.sum(axis=1)
            seg -= cut
