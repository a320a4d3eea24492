"""``commitsim sensitivity`` (the one-at-a-time tornado) and ``commitsim seeds`` (the pipeline on
several seeds): independent runs in this process, in ``--jobs`` local processes or on a Dask
cluster (``--dask ADDRESS``), like ``commitsim compare``; by default (auto) in this process unless
runs are long enough for worker processes to pay."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from simulator.cli.common import (
    DaskOpt,
    JobsOpt,
    JsonOpt,
    ScenarioArg,
    SeedOpt,
    app,
    check_jobs,
    console,
    load,
    print_json,
    table,
)
from simulator.cli.progress import progress_bar, stage_bar
from simulator.decision.seeds import seed_study
from simulator.decision.sensitivity import ASSUMPTIONS, tornado
from simulator.decision.words import compact_money, percent
from simulator.output.formatting import money


@app.command("sensitivity")
def sensitivity_cmd(
    file: ScenarioArg,
    paths: Annotated[int, typer.Option(min=2, help="Monte Carlo paths per run.")] = 4000,
    seed: SeedOpt = None,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Which assumptions move the recommended commitment most (each at a low and a high
    setting, the pipeline re-run on the same seed; unchanged plans are reused)."""
    check_jobs(jobs)
    s = load(file)
    with stage_bar(enabled=not json_out) as step:
        frame = tornado(s, paths=paths, seed=seed, progress=step, jobs=jobs, dask=dask)
    if json_out:
        print_json(
            {
                "rows": frame.to_dict(orient="records"),
                "replans_skipped": frame.attrs["replans_skipped"],
                "ran_in": frame.attrs["ran_in"],
            }
        )
        return
    rows = [
        [
            str(r["assumption"]),
            f"{r['low_value']} / {r['high_value']}",
            _money(r["commit_low"]),
            _money(r["commit_high"]),
            _money(r["swing"]),
        ]
        for r in frame.to_dict(orient="records")
    ]
    console.print(
        table(
            f"Sensitivity of the commitment (base {money(float(frame['base_commit'].iloc[0]))})",
            ["assumption", "low / high", "commit at low", "commit at high", "swing"],
            rows,
        )
    )
    console.print(
        f"{frame.attrs['replans_skipped']} of {2 * len(ASSUMPTIONS)} settings reused the base plan"
        " (the planner reads nothing they change).",
        markup=False,
    )
    console.print(_where(str(frame.attrs["ran_in"]), str(frame.attrs["ran_why"]), dask))


def _where(ran_in: str, why: str, dask: str | None) -> str:
    """One plain line: where the runs ran and, when auto chose it, why."""
    if ran_in == "dask":
        return f"Runs ran on the Dask cluster at {dask}."
    return f"Runs ran in {ran_in}" + (f" (auto: {why})." if why else ".")


def _money(x: object) -> str:
    v = float(x)  # type: ignore[arg-type]
    return money(v) if math.isfinite(v) else "could not be planned"


@app.command("seeds")
def seeds_cmd(
    file: ScenarioArg,
    runs: Annotated[int, typer.Option(min=2, max=200, help="Number of seeds to run.")] = 10,
    paths: Annotated[
        int | None,
        typer.Option(
            min=100, max=2_000_000, help="Monte Carlo paths per run (default: scenario's)."
        ),
    ] = None,
    seed: SeedOpt = None,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Does the answer depend on the Monte Carlo seed? The whole pipeline on seeds
    SEED, SEED + 1, ... : the spread of the recommended commitment and how often the decision
    is the same."""
    check_jobs(jobs)
    s = load(file)
    with progress_bar("seeds", runs, enabled=not json_out) as tick:
        study = seed_study(s, runs=runs, paths=paths, seed=seed, jobs=jobs, dask=dask, done=tick)
    summary = study.summary()
    if json_out:
        print_json(
            {
                "rows": study.rows.to_dict(orient="records"),
                "summary": summary,
                "ran_in": study.ran_in,
            }
        )
        return
    rows = [
        [
            str(r["seed"]),
            money(float(r["commit"])),
            percent(float(r["discount"])),
            money(float(r["expected_cost"])),
            percent(float(r["shortfall_probability"])),
            f"{r['action']} at {compact_money(float(r['deal_commit']))}",
        ]
        for r in study.rows.to_dict(orient="records")
    ]
    console.print(
        table(
            f"The recommendation on {runs} seeds",
            [
                "seed",
                "our commitment",
                "discount",
                "expected cost",
                "chance of unused commitment",
                "decision",
            ],
            rows,
        )
    )
    console.print(
        f"Our commitment: {compact_money(summary['commit_mean'])} on average"
        f" (sd {compact_money(summary['commit_sd'])} across seeds, range"
        f" {compact_money(summary['commit_min'])} to {compact_money(summary['commit_max'])});"
        f" the same discount on {summary['same_discount']} of {runs} seeds.",
        markup=False,
    )
    top = summary["decision"]
    lo, hi = summary["deal_commit_min"], summary["deal_commit_max"]
    at = (
        compact_money(lo)
        if compact_money(lo) == compact_money(hi)
        else (f"{compact_money(lo)} to {compact_money(hi)}")
    )
    console.print(
        f"Decision: {top['action']} ({top['deal']}) at {at} on {summary['same_decision']} of"
        f" {runs} seeds.",
        markup=False,
    )
    console.print(_where(study.ran_in, study.why, dask), markup=False)
