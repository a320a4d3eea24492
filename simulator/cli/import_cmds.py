"""Commands: ``commitsim import anthropic-usage | focus | requests`` (usage data -> scenario).

Every command validates the scenario it builds before writing it atomically with
:meth:`Scenario.save`; bad rows either fail the import (exit 2, every row listed as
``FILE:LINE: field: message (got VALUE)``) or are skipped and listed in the summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from simulator.cli.common import app, console, table
from simulator.cli.import_merge import IntoOpt, SuggestOpt, finish_import
from simulator.errors import SimulatorError
from simulator.output.formatting import pct
from simulator.usage import (
    DEFAULT_INPUT_TOKENS_PER_REQUEST,
    ImportResult,
    import_anthropic_usage,
    import_focus,
    import_requests,
)
from simulator.usage.common import DEFAULT_MODEL
from simulator.usage.focus_commitments import commitment_status

import_app = typer.Typer(
    help="Build a scenario from usage data (Anthropic usage report, FOCUS export, request log).",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")


def _bad(mode: str) -> Literal["skip", "reject"]:
    # plain str options: a bad value becomes a clear exit-2 message from main(), not a traceback
    if mode not in ("skip", "reject"):
        raise SimulatorError(f"--bad-rows must be 'reject' or 'skip' (got {mode!r})")
    return "skip" if mode == "skip" else "reject"


def _group(mode: str) -> Literal["workspace", "api_key"]:
    if mode not in ("workspace", "api_key", "api-key"):
        raise SimulatorError(f"--group-by must be 'workspace' or 'api_key' (got {mode!r})")
    return "workspace" if mode == "workspace" else "api_key"


OutputOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Scenario YAML to write (atomically).", show_default=False),
]
BadRowsOpt = Annotated[
    str,
    typer.Option(
        "--bad-rows",
        help="reject|skip. reject: fail listing every bad row; skip: import the rest, list them.",
    ),
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")]
NameOpt = Annotated[str | None, typer.Option("--name", help="Scenario name.", show_default=False)]
TokensOpt = Annotated[
    float,
    typer.Option(
        "--input-tokens-per-request",
        help="Prompt tokens per request assumed to turn token totals into request counts.",
    ),
]
GroupOpt = Annotated[
    str,
    typer.Option("--group-by", help="workspace|api_key: workload = this dimension x model."),
]


def _finish(
    results: list[ImportResult],
    output: Path | None,
    json_out: bool,
    into: Path | None = None,
    suggest: bool = True,
    name: str | None = None,
) -> None:
    finish_import(
        results,
        output=output,
        into=into,
        suggest=suggest,
        json_out=json_out,
        name=name,
        show=_print_summary,
    )


def _print_summary(result: ImportResult) -> None:
    s: dict[str, Any] = result.summary
    console.print(
        f"{s['source']}: {s['rows_used']} rows used, {s['rows_skipped']} skipped; "
        f"scenario starts {s['start']}",
        markup=False,
        highlight=False,
    )
    console.print(f"rule: {s['requests_rule']}", markup=False, highlight=False)
    fits = {w["id"]: w["fit"] for w in s["workloads"]}
    rows = [
        [
            w.id,
            w.model,
            f"{w.requests_per_month:,.0f}",
            f"{w.input_tokens:,.1f}",
            f"{w.output_tokens:,.1f}",
            pct(w.cache_read_share),
            pct(w.cache_write_share),
            pct(w.batch_share),
            pct(w.long_context_share),
            pct(w.growth.monthly_rate, 2),
            pct(w.growth.volatility, 2),
            fits[w.id]["method"],
        ]
        for w in result.scenario.workloads
    ]
    cols = ["workload", "model", "req/month", "in tok", "out tok", "cache rd", "cache wr"]
    cols += ["batch", "long ctx", "growth/mo", "volatility", "fit"]
    console.print(table("Workloads", cols, rows))
    for w in s["workloads"]:
        if w["fit"]["note"]:
            console.print(f"fit {w['id']}: {w['fit']['note']}", markup=False, highlight=False)
    for key in ("input_tokens", "output_tokens"):
        if key in s:
            d = s[key]
            console.print(
                f"{key} per request: mean {d['mean']:,.1f}, sd {d['std']:,.1f}, "
                f"p10 {d['p10']:,.0f}, p50 {d['p50']:,.0f}, p90 {d['p90']:,.0f}, "
                f"p99 {d['p99']:,.0f}, max {d['max']:,.0f}",
                markup=False,
                highlight=False,
            )
    rec = s.get("reconciliation")
    if rec is not None:
        body = [
            [r["model"], _usd(r["reported"]), _usd(r["priced"]), _usd(r["difference"])]
            for r in rec["by_model"]
        ]
        body.append(
            [
                "total",
                _usd(rec["reported_total"]),
                _usd(rec["priced_total"]),
                _usd(rec["difference_total"]),
            ]
        )
        console.print(table("Reconciliation: reported vs catalog-priced usage", _REC_COLS, body))
        for kind, dollars in rec["other_costs"].items():
            console.print(f"other cost {kind}: ${dollars:,.2f}", markup=False, highlight=False)
    com = s.get("commitments")
    if com is not None:
        console.print(
            f"commitments ({com['column']}): used {_usd(com['used'])}, unused "
            f"{_usd(com['unused'])}, utilisation {pct(com['utilisation'])}",
            markup=False,
            highlight=False,
        )
    for w in s["warnings"]:
        console.print(f"warning: {w}", markup=False, highlight=False)
    for p in s["skipped"]:
        console.print(f"skipped {p}", markup=False, highlight=False)


_REC_COLS = ["model", "reported", "priced", "difference"]


def _usd(x: float) -> str:
    return f"-${-x:,.2f}" if x < 0 else f"${x:,.2f}"


@import_app.command("anthropic-usage")
def anthropic_usage_cmd(
    files: Annotated[
        list[Path], typer.Argument(help="Usage report JSON pages, in page order.", exists=False)
    ],
    output: OutputOpt = None,
    cost_report: Annotated[
        list[Path] | None,
        typer.Option("--cost-report", help="Cost report JSON pages to reconcile against."),
    ] = None,
    bad_rows: BadRowsOpt = "reject",
    json_out: JsonOut = False,
    model: Annotated[str, typer.Option("--model", help="Model for rows with model null.")] = (
        DEFAULT_MODEL
    ),
    group_by: GroupOpt = "workspace",
    tokens_per_request: TokensOpt = DEFAULT_INPUT_TOKENS_PER_REQUEST,
    name: NameOpt = None,
    into: IntoOpt = None,
    suggest: SuggestOpt = True,
) -> None:
    """Import Anthropic Admin API usage report pages (and reconcile with a cost report)."""
    result = import_anthropic_usage(
        files,
        cost_report=cost_report or [],
        bad_rows=_bad(bad_rows),
        default_model=model,
        group_by=_group(group_by),
        tokens_per_request=tokens_per_request,
        name=name,
    )
    _finish([result], output, json_out, into, suggest, name)


@import_app.command("focus")
def focus_cmd(
    file: Annotated[Path, typer.Argument(help="FOCUS cost and usage CSV.")],
    output: OutputOpt = None,
    bad_rows: BadRowsOpt = "reject",
    json_out: JsonOut = False,
    group_by: GroupOpt = "workspace",
    tokens_per_request: TokensOpt = DEFAULT_INPUT_TOKENS_PER_REQUEST,
    name: NameOpt = None,
    into: IntoOpt = None,
    suggest: SuggestOpt = True,
) -> None:
    """Import a FinOps FOCUS export filtered to Claude (reconciled with its ListCost)."""
    result = import_focus(
        file,
        bad_rows=_bad(bad_rows),
        group_by=_group(group_by),
        tokens_per_request=tokens_per_request,
        name=name,
    )
    # commitment status columns (Used / Unused), when the export has them
    result.summary["commitments"] = commitment_status(file)
    _finish([result], output, json_out, into, suggest, name)


@import_app.command("requests")
def requests_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(
            help=(
                "CSV logs: timestamp, prompt tokens, output tokens; optional cache and model "
                "columns (one workload per log, or per model in a log)."
            )
        ),
    ],
    output: OutputOpt = None,
    bad_rows: BadRowsOpt = "reject",
    json_out: JsonOut = False,
    model: Annotated[
        str, typer.Option("--model", help="Model of rows without a model column.")
    ] = DEFAULT_MODEL,
    workload_id: Annotated[
        str | None, typer.Option("--id", help="Workload id (default: file name; one log only).")
    ] = None,
    name: NameOpt = None,
    into: IntoOpt = None,
    suggest: SuggestOpt = True,
) -> None:
    """Import per-request logs, one workload each (means per request, observed request rate)."""
    if workload_id is not None and len(files) > 1:
        raise SimulatorError("--id names one workload: give one log, or leave --id out")
    results = [
        import_requests(
            file, model=model, bad_rows=_bad(bad_rows), workload_id=workload_id, name=name
        )
        for file in files
    ]
    _finish(results, output, json_out, into, suggest, name)
