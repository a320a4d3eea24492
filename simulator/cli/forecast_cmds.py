"""``commitsim forecast``: the Monte Carlo spend forecast, with or without the optimal plan."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from simulator.cli.common import (
    JsonOpt,
    PathsOpt,
    ScenarioArg,
    SeedOpt,
    app,
    console,
    load,
    print_json,
    table,
)
from simulator.cli.progress import progress_bar
from simulator.forecast.montecarlo import simulate
from simulator.output.formatting import money
from simulator.planning.planner import plan_waves

PlanChoice = Literal["auto", "none"]


@app.command()
def forecast(
    file: ScenarioArg,
    plan: Annotated[
        str, typer.Option(help="auto: apply the optimal wave plan; none: no levers.")
    ] = "auto",
    paths: PathsOpt = None,
    seed: SeedOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Simulate monthly list-price spend; summary per month, per contract term and per year."""
    if plan not in ("auto", "none"):
        raise typer.BadParameter("must be 'auto' or 'none'", param_hint="--plan")
    s = load(file)
    assignment = plan_waves(s).assignment if plan == "auto" else None
    with progress_bar("simulating", len(s.workloads), enabled=not json_out) as tick:
        f = simulate(s, assignment, paths=paths, seed=seed, progress=tick)
    summary = f.summary()
    if json_out:
        print_json(summary)
        return
    rows = []
    for label, key in (
        ("contract term", "term"),
        *((f"year {i + 1}", i) for i in range(len(summary["years"]))),
    ):
        d = summary["term"] if key == "term" else summary["years"][key]
        rows.append(
            [
                label,
                money(d["mean"]),
                money(d["p10"]),
                money(d["p50"]),
                money(d["p90"]),
                money(d["se_mean"]),
                money(d["se_p10"]),
            ]
        )
    which = "optimised plan" if assignment else "no levers"
    title = f"{s.name}: list spend ({which}), {f.paths:,} paths"
    console.print(table(title, ["", "mean", "P10", "P50", "P90", "se(mean)", "se(P10)"], rows))
