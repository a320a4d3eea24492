"""The forecast in blocks of paths: memory bounded by the results, blocks independent, every
block's figures consistent with the whole."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from simulator.forecast.engine import BLOCK_PATHS, blocks
from simulator.forecast.montecarlo import simulate
from simulator.forecast.synthetic import generated_programme
from simulator.planning.backlog import greedy_plan


def test_blocks_cover_the_paths_in_whole_groups() -> None:
    assert blocks(10) == [(0, 10)]
    spans = blocks(3 * BLOCK_PATHS + 32)
    assert spans[0] == (0, BLOCK_PATHS) and spans[-1] == (3 * BLOCK_PATHS, 3 * BLOCK_PATHS + 32)
    assert sum(b - a for a, b in spans) == 3 * BLOCK_PATHS + 32
    assert BLOCK_PATHS % 16 == 0


@pytest.mark.parametrize("sampling", ["antithetic", "plain", "sobol"])
def test_multi_block_forecast_is_consistent(sampling: str) -> None:
    s = generated_programme(workloads=3, levers_per_workload=3, waves=2, months=12, seed=5)
    plan = greedy_plan(s)
    n = BLOCK_PATHS + 4096
    f = simulate(s, plan, paths=n, sampling=sampling)  # type: ignore[arg-type]
    assert f.spend.shape == (n, 12) and f.paths == n
    # savings attributed to levers add up to baseline - optimised on every path of every block
    total = sum(f.lever_savings.values())
    np.testing.assert_allclose(total, (f.baseline - f.spend).sum(axis=1), rtol=1e-5, atol=1e-3)
    # per-workload means are the means over all blocks
    np.testing.assert_allclose(sum(f.workload_mean.values()), f.spend.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(
        sum(f.workload_baseline_mean.values()), f.baseline.mean(axis=0), rtol=1e-5
    )
    # the second block has its own draws, not a copy of the first
    assert not np.allclose(f.baseline[BLOCK_PATHS : BLOCK_PATHS + 100], f.baseline[:100])
    # batches cover both blocks; antithetic partners stay in one batch
    assert len(f.batch) == n and len(np.unique(f.batch)) > 1
    if sampling == "antithetic":
        half = (n - BLOCK_PATHS) // 2
        second = f.batch[BLOCK_PATHS:]
        assert np.array_equal(second[:half], second[half:])
    # the first block draws what a one-block run draws
    small = simulate(s, plan, paths=BLOCK_PATHS, sampling=sampling)  # type: ignore[arg-type]
    np.testing.assert_array_equal(small.baseline, f.baseline[:BLOCK_PATHS])


def test_peak_memory_is_the_results_plus_one_block() -> None:
    """200,000 paths x 36 months with a plan: float64 spend and baseline (115 MB) and per-lever
    savings are the results; everything else is one block's buffers (measured: 54 MiB over the
    results). Before streaming, the draws and accumulators of all paths were alive at once:
    144 MiB over the results."""
    s = generated_programme(workloads=4, levers_per_workload=3, waves=2, months=36, seed=1)
    plan = greedy_plan(s)
    n = 200_000
    tracemalloc.start()
    try:
        f = simulate(s, plan, paths=n)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    results = f.spend.nbytes + f.baseline.nbytes + sum(v.nbytes for v in f.lever_savings.values())
    block = 5 * 36 * BLOCK_PATHS * 4  # two shock buffers, shared factor, two accumulators (float32)
    assert peak < results + block + 24 * 2**20
