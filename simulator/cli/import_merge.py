"""Finishing ``commitsim import``: merge into ``--into BASE`` (or the bundled template), write
atomically, print what came from where."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from simulator.cli.common import console, print_json
from simulator.errors import SimulatorError
from simulator.scenario import load_scenario
from simulator.usage import ImportResult
from simulator.usage.merge import merge_imports

IntoOpt = Annotated[
    Path | None,
    typer.Option(
        "--into",
        help=(
            "Scenario to merge the imported workloads into (same id: replaced; new: added); "
            "written in place unless -o is given. Without it a bundled template supplies "
            "tiers, waves and offers."
        ),
        show_default=False,
    ),
]
SuggestOpt = Annotated[
    bool,
    typer.Option(
        "--suggest/--no-suggest",
        help="Add suggested levers (routing, batch, caching, output control) to keep or drop.",
    ),
]


def finish_import(
    results: Sequence[ImportResult],
    *,
    output: Path | None,
    into: Path | None,
    suggest: bool,
    json_out: bool,
    name: str | None,
    show: Callable[[ImportResult], None],
) -> None:
    """Merge, write (``-o``, else ``--into`` in place, else nothing) and report."""
    base = load_scenario(into) if into is not None else None
    merged = merge_imports(results, base, suggest=suggest, name=name if base is None else None)
    target = output if output is not None else into
    if target is not None:
        try:
            merged.scenario.save(target)
        except OSError as exc:
            raise SimulatorError(f"cannot write {target}: {exc.strerror or exc}") from None
    if json_out:
        body: dict[str, Any] = (
            dict(results[0].summary)
            if len(results) == 1
            else {"imports": [r.summary for r in results]}
        )
        body.update(
            {
                "output": str(target) if target is not None else None,
                "merge": merged.as_dict(),
                "scenario": merged.scenario.model_dump(mode="json"),
            }
        )
        print_json(body)
        return
    for res in results:
        show(res)
    m = merged
    into_name = str(into) if into is not None else "the bundled template"
    lines = [f"merged into {into_name}: added {', '.join(m.added) or 'none'}"]
    if m.replaced:
        lines.append(f"replaced (same id): {', '.join(m.replaced)}")
    if m.from_template:
        lines.append(
            "from the template (illustrative, replace with your own): " + ", ".join(m.from_template)
        )
    if m.suggested:
        lines.append(
            "suggested levers (keep or drop; their descriptions say why): " + ", ".join(m.suggested)
        )
    lines += [f"warning: {w}" for w in m.warnings]
    lines.append(f"wrote {target}" if target is not None else "no file written (use -o FILE)")
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
