"""``commitsim sensitivity``: the one-at-a-time tornado, its independent runs in this process, in
``--jobs`` local processes or on a Dask cluster (``--dask ADDRESS``), like ``commitsim compare``;
by default (auto) in this process unless runs are long enough for worker processes to pay."""

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
from simulator.cli.progress import stage_bar
from simulator.decision.sensitivity import ASSUMPTIONS, tornado
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
