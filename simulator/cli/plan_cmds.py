"""``commitsim backlog`` and ``commitsim plan``: rank the levers, then fund them in waves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simulator.cli.common import (
    JsonOpt,
    ScenarioArg,
    app,
    check_time_limit,
    console,
    load,
    print_json,
    table,
)
from simulator.decision.words import month_name
from simulator.output.formatting import money, pct
from simulator.planning.backlog import backlog as rank_backlog
from simulator.planning.planner import plan_waves
from simulator.scenario import PlanSection


@app.command()
def backlog(file: ScenarioArg, json_out: JsonOpt = False) -> None:
    """The optimisation backlog ranked by expected dollars freed per engineering week."""
    s = load(file)
    frame = rank_backlog(s)
    if json_out:
        print_json({"scenario": s.name, "levers": frame.to_dict(orient="records")})
        return
    rows = [
        [
            str(r["lever"]),
            str(r["workload"]),
            str(r["kind"]),
            money(float(r["annual_savings"])),
            f"{float(r['effort_weeks']):g}",
            money(float(r["ratio"])),
            f"{float(r['payback_months']):.1f}",
            pct(float(r["quality_risk"]), 0),
        ]
        for r in frame.to_dict(orient="records")
    ]
    cols = ["lever", "workload", "kind", "$/year", "weeks", "$/week", "payback (mo)", "risk"]
    console.print(table(f"{s.name}: backlog by $ freed per engineering week", cols, rows))


@app.command()
def plan(
    file: ScenarioArg,
    solver: Annotated[str, typer.Option(help="PuLP solver name.")] = "HiGHS",
    time_limit: Annotated[float, typer.Option(help="Solver time limit, seconds.")] = 60.0,
    write: Annotated[
        Path | None, typer.Option(help="Write the plan into this scenario file (plan.assignment).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """The optimal wave plan (MIP, proven), effort per wave and the gain over the greedy ranking."""
    check_time_limit(time_limit)
    s = load(file)
    p = plan_waves(s, solver=solver, time_limit=time_limit)
    if write is not None:
        section = s.plan or PlanSection()
        s.plan = section.model_copy(update={"assignment": dict(sorted(p.assignment.items()))})
        s.save(write)
    data = p.to_dict(s)
    if json_out:
        print_json(data)
        return
    rows = [
        [
            w["name"],
            month_name(s, int(w["ship_month"])),
            ", ".join(w["levers"]) or "(none)",
            f"{w['effort_used']:g}/{w['effort_available']:g}",
            money(w["expected_savings"]),
            money(w["cumulative_savings"]),
        ]
        for w in data["waves"]
    ]
    cols = ["wave", "saves from", "levers", "weeks used", "expected savings", "cumulative"]
    console.print(table(f"{s.name}: wave plan ({p.status}, gap {p.gap:.2%})", cols, rows))
    unfunded = [lv.id for lv in s.levers if lv.id not in p.assignment]
    console.print(
        "Not funded in any wave: " + (", ".join(unfunded) if unfunded else "none"),
        markup=False,
        highlight=False,
    )
    console.print(
        f"Optimal plan {money(p.expected_savings)} vs greedy ratio plan "
        f"{money(p.greedy_expected_savings)}: +{money(p.gain_over_greedy)} over the horizon."
    )
