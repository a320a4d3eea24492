"""Shared pieces of the CLI: the Typer app, consoles, JSON output and table helpers."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from simulator.errors import SimulatorError
from simulator.planning.checks import check_plannable
from simulator.scenario import Scenario, load_scenario
from simulator.scenario.numbers import strip_control
from simulator.version import __version__

app = typer.Typer(
    name="commitsim",
    help="Commitment negotiation simulator for buyers of the Claude API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class SafeConsole(Console):
    """A console that prints every string literally: no markup, no emoji, no escape sequences.

    Names come from users' files: ``[/x]`` would crash rich's markup parser, ``[draft]`` would
    vanish, ``:100:`` (a line number!) would become an emoji and ``ESC[2J`` would clear the
    screen. Styling is applied with :class:`rich.text.Text` styles, never with markup.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        """Render ``text`` as plain text with control characters removed."""
        kwargs.update(markup=False, emoji=False, highlight=False)
        return super().render_str(strip_control(text, keep_newlines=True), **kwargs)


console = SafeConsole(width=160)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"commitsim {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Commitment negotiation simulator for buyers of the Claude API."""


err_console = SafeConsole(stderr=True, soft_wrap=True)

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for machines.")]
PathsOpt = Annotated[
    int | None,
    typer.Option(min=100, max=2_000_000, help="Monte Carlo paths (default: scenario's)."),
]
SeedOpt = Annotated[int | None, typer.Option(min=0, help="Random seed (default: scenario's).")]


JobsOpt = Annotated[
    int | None,
    typer.Option(
        min=-1,
        show_default=False,
        help=(
            "Local worker processes for the independent runs; -1 = one per core, 1 = none"
            " (default: auto — in this process unless runs are long enough for worker"
            " processes to pay)."
        ),
    ),
]
DaskOpt = Annotated[
    str | None,
    typer.Option(
        help="Run on a Dask cluster instead: the scheduler's address, e.g. tcp://10.0.0.5:8786.",
    ),
]


def check_jobs(jobs: int | None) -> None:
    """``--jobs 0`` is the one value typer lets through that means nothing."""
    if jobs == 0:
        raise SimulatorError("--jobs must be a positive count or -1 (one per core), not 0")


def load(path: Path) -> Scenario:
    """Load a scenario and run every check, including the backlog's (exit code 2 on a problem).

    Errors propagate to :func:`simulator.cli.main`, which prints them as FILE:LINE messages.
    """
    scenario = load_scenario(path)
    check_plannable(scenario)
    return scenario


def check_time_limit(seconds: float) -> None:
    """Refuse a solver time limit that is not a positive, finite number of seconds (exit 2)."""
    if not (math.isfinite(seconds) and 0 < seconds <= 86_400):
        raise SimulatorError(
            f"--time-limit must be a positive number of seconds, at most 86400 (got {seconds:g})"
        )


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _clean(value.item())
    if hasattr(value, "tolist"):
        return _clean(value.tolist())
    return value


def print_json(data: Any) -> None:
    """Print ``data`` as JSON (NaN becomes null, numpy values become plain numbers)."""
    typer.echo(json.dumps(_clean(data), indent=2))


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """A rich table with right-aligned columns after the first."""
    t = Table(title=title, title_justify="left")
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right")
    for r in rows:
        t.add_row(*(str(x) for x in r))
    return t
