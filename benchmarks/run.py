"""`make bench`: every speed and precision goal, each as a ratio against a baseline measured in
the same run. Prints Markdown tables (paste into docs/performance.md).

Sections: forecast speed and memory, variance reduction, planner speed and scaling, greedy
shortfall, app rerun. ``--quick`` shrinks the sizes for a smoke run.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator import load_scenario  # noqa: E402
from simulator.forecast.montecarlo import simulate  # noqa: E402
from simulator.forecast.synthetic import generated_programme  # noqa: E402
from simulator.planning.planner import plan_waves  # noqa: E402


def machine() -> str:
    """One line naming the machine."""
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )


def best_of(fn: object, repeats: int) -> float:
    """Fastest of ``repeats`` timed calls (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return min(times)


def forecast_speed(paths: int, repeats: int) -> None:
    """Simulator vs a plain loop drawing as many float32 normals as the simulation consumes."""
    s = generated_programme(workloads=30, months=36, paths=paths, seed=0)
    months, workloads = s.horizon_months, len(s.workloads)
    print(f"\n### Forecast: {workloads} workloads x {months} months x {paths:,} paths\n")
    buf = np.empty((months, paths), dtype=np.float32)
    rng = np.random.default_rng(0)

    def draw_loop() -> None:
        for _ in range(workloads + 1):  # every workload plus the shared factor
            rng.standard_normal(out=buf, dtype=np.float32)

    base = best_of(draw_loop, repeats)
    print(
        f"baseline: numpy loop drawing {(workloads + 1) * months * paths:,} float32 normals:"
        f" {base:.3f} s\n"
    )
    print("| sampling | seconds | ratio to baseline | peak traced memory |")
    print("|---|---|---|---|")
    for sampling in ("antithetic", "plain", "sobol"):
        secs = best_of(lambda sampling=sampling: simulate(s, sampling=sampling), repeats)
        tracemalloc.start()
        simulate(s, sampling=sampling)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"| {sampling} | {secs:.3f} | {secs / base:.2f}x | {peak / 2**30:.2f} GiB |")


def variance_reduction(replications: int, paths: int) -> None:
    """How many plain Monte Carlo paths each sampling scheme is worth for term-spend quantiles."""
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    print(
        f"\n### Variance reduction: default scenario, first contract term, {paths:,} paths,"
        f" {replications} independent runs\n"
    )
    probs = (0.1, 0.5, 0.9)
    estimates: dict[str, np.ndarray] = {}
    for sampling in ("plain", "antithetic", "sobol"):
        rows = []
        for r in range(replications):
            f = simulate(s, paths=paths, seed=1000 + r, sampling=sampling)  # type: ignore[arg-type]
            x = f.term_spend(s.contract.start_month, s.contract.term_months)
            rows.append([x.mean(), *np.quantile(x, probs)])
        estimates[sampling] = np.array(rows)
    plain_var = estimates["plain"].var(axis=0, ddof=1)
    print("| sampling | mean | P10 | P50 | P90 |")
    print("|---|---|---|---|---|")
    for sampling, est in estimates.items():
        worth = paths * plain_var / est.var(axis=0, ddof=1)
        cells = " | ".join(f"{w:,.0f} paths ({w / paths:.1f}x)" for w in worth)
        print(f"| {sampling} | {cells} |")


def planner_speed(seeds: int, sizes: tuple[int, ...]) -> None:
    """Generated backlogs (5 levers per workload, 4 waves) solved to a proven optimum."""
    print("\n### Wave planner: generated backlogs, 5 levers x 4 waves per workload\n")
    print(
        "| workloads | seed | columns | kept | build s | solve s | total s | status |"
        " greedy shortfall |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        for seed in range(seeds if size <= 30 else 1):
            s = generated_programme(workloads=size, levers_per_workload=5, waves=4, seed=seed)
            t = time.perf_counter()
            p = plan_waves(s)
            total = time.perf_counter() - t
            short = (p.expected_savings - p.greedy_expected_savings) / p.expected_savings
            print(
                f"| {size} | {seed} | {p.stats['columns']:,} | {p.stats['columns_kept']:,} |"
                f" {p.build_seconds:.2f} | {p.solve_seconds:.2f} | {total:.2f} | {p.status} |"
                f" {short:.2%} |"
            )
    for name in ("default", "startup", "enterprise"):
        s = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        p = plan_waves(s)
        short = (p.expected_savings - p.greedy_expected_savings) / max(p.expected_savings, 1e-9)
        print(
            f"\n{name}.yaml: optimal ${p.expected_savings:,.0f}, greedy"
            f" ${p.greedy_expected_savings:,.0f}, greedy shortfall {short:.2%},"
            f" solved in {p.build_seconds + p.solve_seconds:.2f} s ({p.status})"
        )


def app_rerun() -> None:
    """Widget-change rerun of the front end (cache warm)."""
    print("\n### Front end\n")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import app_rerun as bench

    median = bench.main()
    statistics.median([median])  # printed by the benchmark itself


def main() -> None:
    """Run every benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    if args.quick:
        forecast_speed(paths=10_000, repeats=1)
        variance_reduction(replications=5, paths=2_000)
        planner_speed(seeds=1, sizes=(10,))
    else:
        forecast_speed(paths=100_000, repeats=3)
        variance_reduction(replications=40, paths=20_000)
        planner_speed(seeds=5, sizes=(30, 50, 100))
        app_rerun()


if __name__ == "__main__":
    main()
