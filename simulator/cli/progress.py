"""A rich progress bar that can be switched off (``--json`` output stays clean)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from simulator.cli.common import err_console


@contextmanager
def progress_bar(
    label: str, total: int, enabled: bool = True
) -> Iterator[Callable[[int, int], None]]:
    """Yield a ``tick(done, total)`` callback that advances a bar on stderr."""
    if not enabled:
        yield lambda _done, _total: None
        return
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@contextmanager
def stage_bar(enabled: bool = True) -> Iterator[Callable[[str, float], None]]:
    """Yield a ``step(name, fraction)`` callback for multi-stage pipelines."""
    if not enabled:
        yield lambda _name, _frac: None
        return
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=100)
        yield lambda name, frac: bar.update(task, description=name, completed=100 * frac)
