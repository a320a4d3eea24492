"""`make bench`: every speed and memory goal, each as a ratio against a baseline measured in the
same run (or against its target), and the scaling charts in docs/img/. Prints Markdown (also
written to benchmarks/last-run.md) for docs/performance.md.

Sections: forecast with and without the plan, forecast memory at 1M paths, forecast scaling in
paths; greedy; planner time limit, proven optima, memory, scaling in workloads, levers and waves;
app rerun; sweeps; variance reduction. ``--quick`` shrinks the sizes for a smoke run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from charts import line_chart  # noqa: E402

from simulator import load_scenario  # noqa: E402
from simulator.decision.report import recommend  # noqa: E402
from simulator.decision.sensitivity import tornado  # noqa: E402
from simulator.forecast import engine  # noqa: E402
from simulator.forecast.montecarlo import simulate  # noqa: E402
from simulator.forecast.synthetic import generated_programme  # noqa: E402
from simulator.output.memo import render_memo  # noqa: E402
from simulator.planning.backlog import greedy_plan  # noqa: E402
from simulator.planning.planner import plan_waves  # noqa: E402
from simulator.scenario import loads_scenario  # noqa: E402

IMG = ROOT / "docs" / "img"
OUT: list[str] = []


def say(line: str = "") -> None:
    """Print a line of the report and keep it for benchmarks/last-run.md."""
    print(line, flush=True)
    OUT.append(line)


def machine() -> str:
    """One line naming the machine."""
    from importlib.metadata import version

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}, numpy {np.__version__},"
        f" highspy {version('highspy')}, joblib {version('joblib')}, dask {version('dask')}"
    )


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Fastest of ``repeats`` timed calls (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


@contextlib.contextmanager
def traced() -> Iterator[list[float]]:
    """Peak traced allocations in GiB, appended to the yielded list on exit."""
    box: list[float] = []
    tracemalloc.start()
    try:
        yield box
    finally:
        box.append(tracemalloc.get_traced_memory()[1] / 2**30)
        tracemalloc.stop()


def draw_loop_seconds(workloads: int, months: int, paths: int, repeats: int) -> float:
    """A bare numpy loop drawing as many float32 normals as a plain simulation consumes."""
    buf = np.empty((months, paths), dtype=np.float32)
    rng = np.random.default_rng(0)

    def loop() -> None:
        for _ in range(workloads + 1):  # every workload plus the shared factor
            rng.standard_normal(out=buf, dtype=np.float32)

    return best_of(loop, repeats)


def forecast(paths: int, big: int, scaling: tuple[int, ...], repeats: int) -> None:
    """Forecast speed with and without the optimal plan, memory at ``big`` paths, scaling."""
    s = generated_programme(workloads=30, months=36, paths=paths, seed=0)
    plan = plan_waves(s).assignment
    months, workloads = s.horizon_months, len(s.workloads)
    say(f"\n### Forecast: {workloads} workloads x {months} months x {paths:,} paths\n")
    base = draw_loop_seconds(workloads, months, paths, repeats)
    say(
        f"Baseline: a numpy loop drawing {(workloads + 1) * months * paths:,} float32 normals:"
        f" {base:.3f} s. The plan is the optimal plan ({len(plan)} levers). Best of {repeats}.\n"
    )
    say("| sampling | no plan s | ratio | with plan s | ratio | peak traced, with plan |")
    say("|---|---|---|---|---|---|")
    for sampling in ("antithetic", "plain", "sobol"):
        bare = best_of(lambda sm=sampling: simulate(s, sampling=sm), repeats)
        withp = best_of(lambda sm=sampling: simulate(s, plan, sampling=sm), repeats)
        with traced() as peak:
            simulate(s, plan, sampling=sampling)  # type: ignore[arg-type]
        say(
            f"| {sampling} | {bare:.3f} | {bare / base:.2f}x | {withp:.3f} | {withp / base:.2f}x"
            f" | {peak[0]:.3f} GiB |"
        )
    engine.PREFETCH, threaded = False, engine.PREFETCH
    try:
        one = best_of(lambda: simulate(s, sampling="plain"), repeats)
        one_plan = best_of(lambda: simulate(s, plan, sampling="plain"), repeats)
    finally:
        engine.PREFETCH = threaded
    say(
        f"\nThe table draws the next workload's shocks on a second thread while this one is priced"
        f" ({'on' if threaded else 'off: one usable core'} here). On one thread, plain sampling"
        f" takes {one:.3f} s ({one / base:.2f}x) without a plan and {one_plan:.3f} s"
        f" ({one_plan / base:.2f}x) with it."
    )
    t = time.perf_counter()
    with traced() as peak:
        f = simulate(s, plan, paths=big)
    secs = time.perf_counter() - t
    results = f.spend.nbytes + f.baseline.nbytes + sum(v.nbytes for v in f.lever_savings.values())
    say(
        f"\n{big:,} paths with the plan: {secs:.1f} s, peak traced memory **{peak[0]:.2f} GiB**"
        f" ({peak[0] / 1.5:.2f}x the 1.5 GiB target), of which the results themselves"
        f" (float64 spend and baseline, per-lever savings) are {results / 2**30:.2f} GiB."
    )
    del f
    rows = []
    for n in scaling:
        loop = draw_loop_seconds(workloads, months, n, 1)
        sim = best_of(lambda n=n: simulate(s, plan, paths=n), 1)
        rows.append((n, loop, sim))
    say("\n| paths | draw loop s | forecast with plan s | ratio |")
    say("|---|---|---|---|")
    for n, loop, sim in rows:
        say(f"| {n:,} | {loop:.3f} | {sim:.3f} | {sim / loop:.2f}x |")
    chart(
        "bench-forecast-paths.svg",
        "Forecast with the plan vs paths (30 workloads x 36 months)",
        "paths",
        "seconds",
        [r[0] for r in rows],
        {"forecast with plan": [r[2] for r in rows], "draw loop": [r[1] for r in rows]},
    )


def greedy(sizes: tuple[int, ...]) -> None:
    """Greedy plan time by backlog size (target: 300 workloads under 5 s)."""
    say("\n### Greedy plan (5 levers x 4 waves per workload)\n")
    say("| workloads | levers | seconds | ratio to the 5 s target |")
    say("|---|---|---|---|")
    for n in sizes:
        s = generated_programme(workloads=n, seed=0)
        secs = best_of(lambda s=s: greedy_plan(s), 1)
        say(f"| {n} | {len(s.levers)} | {secs:.2f} | {secs / 5:.2f} |")


def time_limits(cases: tuple[tuple[int, float], ...]) -> None:
    """Planner under a time limit: wall time against the limit, status and proven gap."""
    say("\n### Planner under a time limit (5 levers x 4 waves per workload)\n")
    say("| workloads | limit s | wall s | wall / (1.1 limit + 2 s) | status | proven gap |")
    say("|---|---|---|---|---|---|")
    for n, limit in cases:
        s = generated_programme(workloads=n, levers_per_workload=5, waves=4, seed=0)
        t = time.perf_counter()
        p = plan_waves(s, time_limit=limit)
        wall = time.perf_counter() - t
        say(
            f"| {n} | {limit:g} | {wall:.2f} | {wall / (1.1 * limit + 2):.2f} | {p.status} |"
            f" {p.gap:.3%} |"
        )


def planner(seeds: int, sizes: tuple[int, ...]) -> list[tuple[int, float]]:
    """Generated backlogs (5 levers per workload, 4 waves) solved to a proven optimum."""
    say("\n### Planner to a proven optimum (5 levers x 4 waves per workload)\n")
    say(
        "| workloads | seed | enumerated | columns after pruning | kept for the MIP | build s |"
        " solve s | total s | status | greedy shortfall |"
    )
    say("|---|---|---|---|---|---|---|---|---|---|")
    curve = []
    for size in sizes:
        for seed in range(seeds if size == 30 else 1):
            s = generated_programme(workloads=size, levers_per_workload=5, waves=4, seed=seed)
            t = time.perf_counter()
            p = plan_waves(s)
            total = time.perf_counter() - t
            short = (p.expected_savings - p.greedy_expected_savings) / p.expected_savings
            st = p.stats
            say(
                f"| {size} | {seed} | {st['enumerated']:,} | {st['columns']:,} |"
                f" {st['columns_kept']:,} | {p.build_seconds:.2f} | {p.solve_seconds:.2f} |"
                f" {total:.2f} | {p.status} | {short:.2%} |"
            )
            if seed == 0:
                curve.append((size, total))
    for name in ("default", "startup", "enterprise"):
        s = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        p = plan_waves(s)
        short = (p.expected_savings - p.greedy_expected_savings) / max(p.expected_savings, 1e-9)
        say(
            f"\n{name}.yaml: optimal ${p.expected_savings:,.0f}, greedy"
            f" ${p.greedy_expected_savings:,.0f}, greedy shortfall {short:.2%},"
            f" solved in {p.build_seconds + p.solve_seconds:.2f} s ({p.status})"
        )
    return curve


def planner_shape(
    workloads: int,
    levers: tuple[int, ...],
    waves: tuple[int, ...],
    big: tuple[int, int, int],
    limit: float,
) -> None:
    """Memory and time as levers and waves per workload grow; the big case against 1 GiB.

    Each case runs under ``limit`` seconds: how hard a small knapsack is to prove varies a lot
    between instances, and the point here is how enumeration and memory scale.
    """
    say(
        f"\n### Planner memory and scaling in levers and waves ({workloads} workloads,"
        f" {limit:g} s limit each)\n"
    )
    say(
        "| levers | waves | enumerated | columns after pruning | seconds | peak traced |"
        " status | proven gap |"
    )
    say("|---|---|---|---|---|---|---|---|")
    by_levers, by_waves = [], []
    for n_lv, n_w in [(lv, 4) for lv in levers] + [(5, w) for w in waves if w != 4]:
        s = generated_programme(workloads=workloads, levers_per_workload=n_lv, waves=n_w, seed=0)
        t = time.perf_counter()
        with traced() as peak:
            p = plan_waves(s, time_limit=limit)
        secs = time.perf_counter() - t
        st = p.stats
        say(
            f"| {n_lv} | {n_w} | {st['enumerated']:,} | {st['columns']:,} | {secs:.2f} |"
            f" {peak[0] * 1024:.1f} MiB | {p.status} | {p.gap:.3%} |"
        )
        if n_w == 4:
            by_levers.append((n_lv, secs, peak[0] * 1024))
        if n_lv == 5:
            by_waves.append((n_w, secs, peak[0] * 1024))
    by_waves.sort()
    chart(
        "bench-planner-levers.svg",
        f"Planner vs levers per workload ({workloads} workloads, 4 waves)",
        "levers per workload",
        "seconds / MiB",
        [r[0] for r in by_levers],
        {"seconds": [r[1] for r in by_levers], "peak MiB": [r[2] for r in by_levers]},
    )
    chart(
        "bench-planner-waves.svg",
        f"Planner vs waves ({workloads} workloads, 5 levers each)",
        "waves",
        "seconds / MiB",
        [r[0] for r in by_waves],
        {"seconds": [r[1] for r in by_waves], "peak MiB": [r[2] for r in by_waves]},
    )
    n, n_lv, n_w = big
    s = generated_programme(workloads=n, levers_per_workload=n_lv, waves=n_w, seed=0)
    t = time.perf_counter()
    with traced() as peak:
        p = plan_waves(s, time_limit=600)
    secs = time.perf_counter() - t
    st = p.stats
    rss = big_case_rss(big)
    say(
        f"\n{n} x {n_lv} x {n_w}: {st['enumerated']:,} trajectories enumerated,"
        f" {st['columns']:,} kept after pruning ({st['columns'] / st['enumerated']:.1%}),"
        f" {secs:.1f} s (build {p.build_seconds:.1f} s), peak traced memory"
        f" **{peak[0]:.3f} GiB**; the whole process in a fresh interpreter (HiGHS included)"
        f" peaks at **{rss:.2f} GiB** resident ({rss:.2f}x the 1 GiB target); {p.status}."
    )


def big_case_rss(big: tuple[int, int, int]) -> float:
    """Peak resident memory (GiB) of a fresh interpreter that only plans the big case."""
    n, n_lv, n_w = big
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from simulator.forecast.synthetic import generated_programme\n"
        "from simulator.planning.planner import plan_waves\n"
        f"s = generated_programme(workloads={n}, levers_per_workload={n_lv}, waves={n_w}, seed=0)\n"
        "plan_waves(s, time_limit=600)\n"
        # VmHWM, not ru_maxrss: ru_maxrss survives fork and exec, so it would report this
        # benchmark's own peak (the 1M-path forecast) instead of the child's
        "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0]\n"
        "print(int(hwm.split()[1]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip().splitlines()[-1]) / 2**20  # VmHWM is in KiB


def app_rerun(repeats: int) -> None:
    """Widget-change reruns of the front end, cache warm, and the work they no longer do."""
    import app_rerun as bench
    import streamlit.logger

    # AppTest leaves Streamlit in bare mode; its warnings would drown the report
    streamlit.logger.set_log_level("error")

    say("\n### Front end: risk-slider rerun on the Commitment page, cache warm\n")
    say("| scenario | rerun wall s | rerun CPU s | CPU / 0.3 s target | parse s | memo s |")
    say("|---|---|---|---|---|---|")
    for name in ("default", "enterprise"):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            wall, cpu = bench.main(name, repeats)
        s = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        text = s.to_yaml()
        parse = best_of(lambda text=text: loads_scenario(text), 3)
        rep = recommend(s)
        memo = best_of(lambda rep=rep: render_memo(rep, fmt="html"), 3)
        say(f"| {name} | {wall:.3f} | {cpu:.3f} | {cpu / 0.3:.2f} | {parse:.3f} | {memo:.3f} |")


def sweeps(paths: int) -> None:
    """Sensitivity: plans reused where provably unchanged; auto, processes and a Dask cluster.

    The bundled scenarios at ``paths`` per run, then default at 50 times as many, where runs are
    long enough for auto to choose worker processes.
    """
    from dask.distributed import LocalCluster
    from joblib.externals.loky import get_reusable_executor

    def timed(s: Any, n: int, **where: Any) -> tuple[float, Any]:
        # every parallel run starts cold, as a `commitsim sensitivity` command does: loky keeps
        # its workers for 300 s, so the previous run's would otherwise be reused warm
        get_reusable_executor().shutdown(wait=True)
        t = time.perf_counter()
        frame = tornado(s, paths=n, **where)
        return time.perf_counter() - t, frame

    say("\n### Sweeps: sensitivity tornado (10 settings after the base case)\n")
    say(
        "| scenario | paths per run | in-process s | re-plans skipped | their planning s |"
        " auto s (ran in) | 2 processes s | Dask LocalCluster (2 workers) s |"
    )
    say("|---|---|---|---|---|---|---|---|")
    cases = [(name, paths) for name in ("startup", "default", "enterprise")]
    for name, n in [*cases, ("default", 50 * paths)]:
        s = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        here, frame = timed(s, n, jobs=1)
        saved = best_of(lambda s=s: plan_waves(s), 1) * frame.attrs["replans_skipped"]
        auto, auto_frame = timed(s, n)
        pool, _ = timed(s, n, jobs=2)
        env = dict(os.environ)
        with (
            contextlib.redirect_stderr(io.StringIO()),
            LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        ):
            t = time.perf_counter()
            tornado(s, paths=n, dask=cluster.scheduler_address)
            remote = time.perf_counter() - t
        # LocalCluster leaves its workers' settings in this process's environment
        # (MALLOC_TRIM_THRESHOLD_=65536, OMP_NUM_THREADS=1, ...); local workers started later
        # would inherit them, and the trim threshold made 200k-path runs 1.8x slower
        os.environ.clear()
        os.environ.update(env)
        say(
            f"| {name} | {n:,} | {here:.2f} | {frame.attrs['replans_skipped']} of 10 |"
            f" {saved:.2f} | {auto:.2f} ({auto_frame.attrs['ran_in']}) | {pool:.2f} |"
            f" {remote:.2f} |"
        )


def variance_reduction(replications: int, paths: int) -> None:
    """How many plain Monte Carlo paths each sampling scheme is worth for term-spend quantiles."""
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    say(
        f"\n### Variance reduction: default scenario, first contract term, {paths:,} paths,"
        f" {replications} independent runs\n"
    )
    probs = (0.1, 0.5, 0.9)
    estimates: dict[str, np.ndarray[Any, Any]] = {}
    for sampling in ("plain", "antithetic", "sobol"):
        rows = []
        for r in range(replications):
            f = simulate(s, paths=paths, seed=1000 + r, sampling=sampling)  # type: ignore[arg-type]
            x = f.term_spend(s.contract.start_month, s.contract.term_months)
            rows.append([x.mean(), *np.quantile(x, probs)])
        estimates[sampling] = np.array(rows)
    plain_var = estimates["plain"].var(axis=0, ddof=1)
    say("| sampling | mean | P10 | P50 | P90 |")
    say("|---|---|---|---|---|")
    for sampling, est in estimates.items():
        worth = paths * plain_var / est.var(axis=0, ddof=1)
        cells = " | ".join(f"{w:,.0f} paths ({w / paths:.1f}x)" for w in worth)
        say(f"| {sampling} | {cells} |")


def chart(
    name: str, title: str, x_label: str, y_label: str, xs: list[Any], series: dict[str, Any]
) -> None:
    """Write one scaling chart to docs/img and say where it is."""
    IMG.mkdir(parents=True, exist_ok=True)
    (IMG / name).write_text(line_chart(title, x_label, y_label, xs, series), encoding="utf-8")
    say(f"\n![{title}](img/{name})")


def main() -> None:
    """Run every benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    start = time.perf_counter()
    say(f"Machine: {machine()}. Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.")
    if args.quick:
        forecast(paths=10_000, big=100_000, scaling=(5_000, 10_000), repeats=1)
        greedy((30,))
        time_limits(((30, 1.0),))
        curve = planner(seeds=1, sizes=(10, 20))
        planner_shape(3, levers=(3, 4), waves=(3, 4), big=(3, 5, 4), limit=5)
        sweeps(paths=500)
    else:
        forecast(
            paths=100_000, big=1_000_000, scaling=(25_000, 50_000, 100_000, 200_000), repeats=3
        )
        greedy((100, 200, 300))
        time_limits(((200, 2.0), (100, 10.0), (300, 60.0), (300, 55.0)))
        curve = planner(seeds=5, sizes=(10, 30, 50, 100))
        planner_shape(
            10, levers=(3, 4, 5, 6, 7, 8), waves=(2, 3, 4, 5, 6), big=(30, 8, 4), limit=15
        )
        app_rerun(repeats=7)
        sweeps(paths=4000)
        variance_reduction(replications=40, paths=20_000)
    chart(
        "bench-planner-workloads.svg",
        "Planner to a proven optimum vs workloads (5 levers x 4 waves)",
        "workloads",
        "seconds",
        [c[0] for c in curve],
        {"plan_waves total": [c[1] for c in curve]},
    )
    say(f"\nWhole benchmark: {time.perf_counter() - start:.0f} s.")
    if not args.quick:
        (ROOT / "benchmarks" / "last-run.md").write_text("\n".join(OUT) + "\n", encoding="utf-8")
    json.dumps(OUT)  # the report is plain text lines


if __name__ == "__main__":
    main()
