"""``commitsim track``: is a signed commitment on track, and what to do if it is not."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

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
from simulator.decision.track import track as run_track
from simulator.output.formatting import money, pct
from simulator.usage.actuals import read_actuals
from simulator.usage.common import DEFAULT_MODEL


@app.command()
def track(
    file: ScenarioArg,
    actuals: Annotated[
        list[Path],
        typer.Option(
            "--actuals",
            help=(
                "Monthly list spend to date: a CSV month,list_spend, a FOCUS export, a request "
                "log, or Anthropic usage report pages (repeat the option for several pages)."
            ),
            show_default=False,
        ),
    ],
    kind: Annotated[
        str,
        typer.Option(
            "--actuals-kind", help="auto|csv|anthropic-usage|focus|requests (auto: by the file)."
        ),
    ] = "auto",
    model: Annotated[
        str, typer.Option("--model", help="Model of a request log's traffic.")
    ] = DEFAULT_MODEL,
    paths: PathsOpt = None,
    seed: SeedOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Track the scenario's signed commitment against actual spend; price the actions."""
    s = load(file)
    spend = read_actuals(actuals, kind, model=model)
    r = run_track(s, spend.months, spend.list_spend, paths=paths, seed=seed)
    if json_out:
        print_json(r.as_dict())
        return
    sg = s.signed
    assert sg is not None  # run_track refuses a scenario without one
    # Styles through Text, never markup: the SafeConsole prints markup literally.
    verdict = ("on track", "green") if r.on_track else ("at risk", "red")
    console.print(
        Text.assemble(
            (s.name, "bold"),
            f": {money(r.committed)} committed at {pct(sg.discount)} off "
            f"for {sg.term_months} months from {sg.start}; {r.months_elapsed} months elapsed: ",
            verdict,
            ".",
        )
    )
    rem = r.remaining
    rows = [
        ["drawn down to date", money(r.spent_to_date)],
        ["rest of term, expected", money(rem["mean"])],
        ["rest of term, P10-P90", f"{money(rem['p10'])}-{money(rem['p90'])}"],
        ["chance of unused commitment", pct(r.shortfall_probability)],
        ["expected unused", money(r.expected_unused)],
        [
            "growth refitted (per month)",
            f"{pct(r.growth.monthly_rate)} +/- {pct(r.growth.trend_sd)}",
        ],
    ]
    console.print(table("Commitment status (contract dollars)", ["", "value"], rows))
    for i, a in enumerate(r.actions, 1):
        console.print(f"{i}. {a['text']}", markup=False, highlight=False, soft_wrap=True)
    for note in [*spend.warnings, *r.notes]:
        console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
