"""``commitsim export focus-commitment``: the recommended commitment as FOCUS contract rows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simulator.cli.common import JsonOpt, PathsOpt, ScenarioArg, SeedOpt, app, load, print_json
from simulator.decision.report import recommend as run_pipeline
from simulator.errors import SimulatorError
from simulator.output.focus_commitment import commitment_rows, rows_csv
from simulator.scenario.yamlio import write_atomic

export_app = typer.Typer(help="Export the decision in other formats.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("focus-commitment")
def focus_commitment(
    file: ScenarioArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="CSV file to write (default: print).", show_default=False
        ),
    ] = None,
    paths: PathsOpt = None,
    seed: SeedOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Recommend, then write the commitment as FOCUS 1.3 contract commitment rows (Proposed)."""
    s = load(file)
    report = run_pipeline(s, paths=paths, seed=seed)
    rows = commitment_rows(s, report.commit)
    if json_out:
        print_json({"rows": rows, "output": str(output) if output is not None else None})
    text = rows_csv(rows)
    if output is not None:
        try:
            write_atomic(output, text)
        except OSError as exc:
            raise SimulatorError(f"cannot write {output}: {exc.strerror or exc}") from None
        if not json_out:
            typer.echo(f"wrote {output} ({len(rows)} row{'s' if len(rows) != 1 else ''})")
    elif not json_out:
        typer.echo(text, nl=False)
