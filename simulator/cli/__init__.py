"""The ``commitsim`` command line. Each command group lives in its own module and registers
itself on the shared Typer app; :func:`main` turns every expected error into a located message
and exit code 2, never a traceback (an unexpected exception, a bug, exits 1 with one line)."""

from __future__ import annotations

import importlib
import os
import sys

import typer

from simulator.cli.common import app, err_console
from simulator.errors import ImportDataError, ScenarioError, SimulatorError

# one module per command group; each calls @app.command at import time
_GROUPS = (
    "scenario_cmds",
    "forecast_cmds",
    "plan_cmds",
    "commit_cmds",
    "import_cmds",
    "memo_cmds",
    "capacity_cmds",
    "track_cmds",
    "export_cmds",
    "sweep_cmds",
)


def _load_groups() -> None:
    for name in _GROUPS:
        importlib.import_module(f"simulator.cli.{name}")


def main() -> None:
    """Entry point of ``commitsim``."""
    _load_groups()
    try:
        app(standalone_mode=False)
    except (ScenarioError, ImportDataError) as exc:
        for problem in exc.problems:
            err_console.print(str(problem), markup=False, highlight=False)
        sys.exit(2)
    except SimulatorError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except Exception as exc:
        # usage errors from click (typer may vendor its own copy, so match by behaviour)
        show = getattr(exc, "show", None)
        if callable(show) and hasattr(exc, "exit_code"):
            show()
            sys.exit(2)
        if os.environ.get("COMMITSIM_DEBUG"):
            raise
        # a bug, not bad input: still no traceback on a user's terminal, but say it is ours
        err_console.print(
            f"internal error: {type(exc).__name__}: {exc}. This is a bug in commitsim, not in"
            " your input; please report it (COMMITSIM_DEBUG=1 shows the traceback)."
        )
        sys.exit(1)


__all__ = ["app", "main"]
