"""Commands: ``commitsim memo`` (CFO report) and ``refresh`` (new usage, shipped levers). Every
file is written atomically, after all checks pass."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from simulator.cli.common import (
    DaskOpt,
    JobsOpt,
    JsonOpt,
    PathsOpt,
    ScenarioArg,
    SeedOpt,
    app,
    check_jobs,
    console,
    err_console,
    load,
    print_json,
    table,
)
from simulator.cli.progress import stage_bar
from simulator.decision.compare import compare as run_compare
from simulator.decision.report import recommend as run_pipeline
from simulator.errors import SimulatorError
from simulator.output.formatting import money, pct
from simulator.output.memo import Format, render_memo
from simulator.scenario.yamlio import write_atomic
from simulator.usage.refresh import RefreshResult
from simulator.usage.refresh import refresh as run_refresh


def _write(path: Path, text: str) -> None:
    write_atomic(path, text)  # WriteError names the path; main() exits 2


def _format(output: Path, override: str | None) -> Format:
    name = (override or output.suffix.lstrip(".")).lower()
    if name in ("html", "htm"):
        return "html"
    if name in ("md", "markdown"):
        return "md"
    raise SimulatorError(
        f"cannot tell the memo format from {output.name!r}: use a .html or .md file name, "
        "or --format html|md"
    )


@app.command()
def memo(
    file: ScenarioArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="memo.html or memo.md (default: <scenario file name>-memo.html here).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="html|md (default: from the suffix).")
    ] = None,
    paths: PathsOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Write the CFO memo: recommendation, plan by wave, charts, offers and assumptions."""
    if output is None:
        suffix = "md" if (fmt or "").lower() in ("md", "markdown") else "html"
        output = Path(f"{file.stem}-memo.{suffix}")
    kind = _format(output, fmt)
    s = load(file)
    with stage_bar() as step:
        report = run_pipeline(s, paths=paths, seed=seed, step=step)
    err_console.print("rendering the memo", highlight=False)
    _write(output, render_memo(report, kind))
    err_console.print(f"wrote {output}", markup=False, highlight=False)


def _shipped(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        lid, sep, month = v.partition("=")
        if not sep or not lid or not month:
            raise SimulatorError(f"--shipped takes LEVER=YYYY-MM (got {v!r})")
        out[lid.strip()] = month.strip()
    return out


def _mapping(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        wid, sep, target = v.partition("=")
        if not sep or not wid or not target:
            raise SimulatorError(f"--map takes WORKLOAD=WORKSPACE[/MODEL] (got {v!r})")
        out[wid.strip()] = target.strip()
    return out


@app.command("refresh")
def refresh_cmd(
    file: ScenarioArg,
    usage: Annotated[
        list[Path], typer.Option("--usage", help="Anthropic usage report JSON (repeatable).")
    ],
    shipped: Annotated[
        list[str] | None,
        typer.Option("--shipped", help="LEVER=YYYY-MM: a lever that went live (repeatable)."),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="WORKLOAD=WORKSPACE[/MODEL] where the import id differs."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write the refreshed scenario here.", show_default=False
        ),
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="Write the refreshed scenario back to FILE.")
    ] = False,
    no_new: Annotated[
        bool, typer.Option("--no-new", help="Do not add workloads for unmapped traffic.")
    ] = False,
    paths: PathsOpt = None,
    seed: SeedOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Refit baselines from new usage, measure shipped levers, update priors, re-plan."""
    s = load(file)
    if not json_out:
        err_console.print("refreshing: measuring, updating and re-planning", highlight=False)
    result = run_refresh(
        s,
        [str(p) for p in usage],
        _shipped(shipped or []),
        mapping=_mapping(mapping or []),
        paths=paths,
        seed=seed,
        add_new=not no_new,
    )
    targets = [p for p in (output, file if write else None) if p is not None]
    for target in targets:
        result.scenario.save(target)  # keeps mode, line endings and BOM; follows symlinks
    if json_out:
        print_json(result.to_dict() | {"written": [str(t) for t in targets]})
        return
    _print_refresh(result)
    for target in targets:
        console.print(f"wrote {target}", markup=False, highlight=False)
    if not targets:
        console.print("nothing written: pass -o OUT.yaml or --write to keep the refresh")


def _print_refresh(r: RefreshResult) -> None:
    for m, u in zip(r.measurements, r.updates, strict=True):
        console.print(
            f"{m.lever} shipped {m.month}: realised effect {m.estimate:.3f} +- {m.sigma:.3f} "
            f"({m.quantity}; {m.months_before} months before, {m.months_after} after). Prior "
            f"{u.prior.low:.2f}/{u.prior.mode:.2f}/{u.prior.high:.2f} -> posterior "
            f"{u.posterior.low:.3f}/{u.posterior.mode:.3f}/{u.posterior.high:.3f} "
            f"(mean {u.posterior_mean:.3f}, sd {u.posterior_sd:.3f})",
            markup=False,
            highlight=False,
        )
    if r.baselines:
        rows = [
            [
                b["workload"],
                f"{b['requests_per_month'][0]:,.0f} -> {b['requests_per_month'][1]:,.0f}",
                f"{b['output_tokens'][0]:,.0f} -> {b['output_tokens'][1]:,.0f}",
                f"{pct(b['cache_read_share'][0])} -> {pct(b['cache_read_share'][1])}",
                f"{pct(b['batch_share'][0])} -> {pct(b['batch_share'][1])}",
            ]
            for b in r.baselines
        ]
        cols = ["workload", "requests / month", "output tokens", "cache read", "batch"]
        console.print(table("Baselines refitted", cols, rows))
    for wid in r.added:
        console.print(f"added workload {wid} (traffic the scenario did not have)")
    for wid in r.unmapped:
        console.print(f"workload {wid}: not in the export, left as it was")
    ch = r.ranking_changes()

    def rank(x: float) -> str:
        return "not ranked" if math.isnan(x) else str(int(x))

    rows = [
        [
            str(row.lever),
            rank(float(row.rank_before)),  # type: ignore[arg-type]
            rank(float(row.rank_after)),  # type: ignore[arg-type]
            "shipped" if math.isnan(float(row.rank_after)) else f"{float(row.move):+.0f}",  # type: ignore[arg-type]
            money(float(row.ratio_before)),  # type: ignore[arg-type]
            money(float(row.ratio_after)),  # type: ignore[arg-type]
        ]
        for row in ch.itertuples()
    ]
    console.print(
        table("Backlog ranking", ["lever", "rank", "new rank", "move", "$/wk", "new $/wk"], rows)
    )
    pc = r.plan_changes()
    if pc:
        rows = [[p["lever"], p["before"] or "not planned", p["after"] or "not planned"] for p in pc]
        console.print(table("Plan changes", ["lever", "wave before", "wave after"], rows))
    else:
        console.print("Plan: no lever changed wave.")
    c = r.commitment_change()
    console.print(
        f"Recommended commitment {money(c['recommended']['before'])} at "
        f"{pct(c['discount']['before'])} -> {money(c['recommended']['after'])} at "
        f"{pct(c['discount']['after'])}; expected cost {money(c['expected_cost']['before'])} -> "
        f"{money(c['expected_cost']['after'])}"
    )
    for note in r.notes:
        console.print(f"note: {note}", markup=False, highlight=False)


def _show(v: object) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    if isinstance(v, float):
        return f"{v:.6g}"
    return "(not set)" if v is None else str(v)


# outcome labels in words; shares shown as % with deltas in percentage points
_OUTCOME_LABELS = {
    "baseline_mean": "term list spend without the plan, mean ($)",
    "baseline_p10": "term list spend without the plan, P10 ($)",
    "baseline_p90": "term list spend without the plan, P90 ($)",
    "optimized_mean": "term list spend with the plan, mean ($)",
    "optimized_p10": "term list spend with the plan, P10 ($)",
    "optimized_p90": "term list spend with the plan, P90 ($)",
    "plan_savings": "plan savings over the horizon ($)",
    "recommended_commit": "our number: commitment ($)",
    "discount": "our number: discount",
    "expected_cost": "our number: expected cost ($)",
    "shortfall_probability": "our number: chance of not using it all",
    "exposure_avoided": "unused commitment avoided by optimising ($)",
}
_SHARES = {"discount", "shortfall_probability"}
# money outcomes that grow with the contract term (annualised when terms differ)
_TERM_MONEY = (
    "optimized_mean",
    "recommended_commit",
    "expected_cost",
)
_MAIN_INPUTS = 12


def _with_delta(value: float, delta: float | None, share: bool) -> str:
    """``value (+delta)``; shares as % with the delta in percentage points."""
    text = pct(value) if share else money(value)
    if delta is None:
        return text
    if share:
        return f"{text} ({100 * delta:+.1f} pp)"
    sign = "+" if delta >= 0 else "-"
    return f"{text} ({sign}{money(abs(delta))})"


@app.command("compare")
def compare_cmd(
    files: Annotated[list[Path], typer.Argument(help="Two or more scenario files.")],
    baseline: Annotated[int, typer.Option(help="Index of the scenario deltas are against.")] = 0,
    all_inputs: Annotated[
        bool, typer.Option("--all", help="List every input that differs, not just the main ones.")
    ] = False,
    paths: PathsOpt = None,
    seed: SeedOpt = None,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Compare scenarios: outcomes first (with deltas), then the inputs that differ."""
    if len(files) < 2:
        raise SimulatorError("compare needs at least two scenario files")
    if not 0 <= baseline < len(files):
        raise SimulatorError(f"--baseline must be between 0 and {len(files) - 1} (got {baseline})")
    scenarios = [load(f) for f in files]
    names = [f.name for f in files]
    check_jobs(jobs)
    with stage_bar(enabled=not json_out) as step:
        cmp = run_compare(
            scenarios,
            names,
            baseline,
            paths=paths,
            seed=seed,
            jobs=jobs,
            dask=dask,
            done=lambda k, n: step(f"{k} of {n} scenarios done", k / n),
        )
    reports = cmp.reports
    if json_out:
        print_json(cmp.to_dict())
        return
    decisions = [
        "no decision"
        if r.decision is None
        else f"{r.decision.chosen.action}: {r.decision.chosen.name}"
        for r in reports
    ]
    dec_rows = [["decision", *decisions]]
    dec_rows.append(
        [
            "decision: commitment ($) at discount",
            *(
                ""
                if r.decision is None
                else f"{money(r.decision.chosen.commit)} at {pct(r.decision.chosen.discount)}"
                for r in reports
            ),
        ]
    )
    console.print(table("Decision", ["", *names], dec_rows))
    out_rows = []
    for k in cmp.outcomes[0]:
        share = k in _SHARES
        cells = [
            _with_delta(o[k], None if i == baseline else d[k], share)
            for i, (o, d) in enumerate(zip(cmp.outcomes, cmp.deltas, strict=True))
        ]
        out_rows.append([_OUTCOME_LABELS.get(k, k.replace("_", " ")), *cells])
    terms = [s.contract.term_months for s in scenarios]
    if len(set(terms)) > 1:  # different terms: put the term-sized figures on a per-year footing
        base_years = terms[baseline] / 12
        for k in _TERM_MONEY:
            per_year = [o[k] / (t / 12) for o, t in zip(cmp.outcomes, terms, strict=True)]
            b = cmp.outcomes[baseline][k] / base_years
            out_rows.append(
                [
                    _OUTCOME_LABELS[k].replace(" ($)", " per year ($)"),
                    *(
                        _with_delta(v, None if i == baseline else v - b, False)
                        for i, v in enumerate(per_year)
                    ),
                ]
            )
    console.print(
        table(
            f"Outcomes (differences against {names[baseline]} in brackets)",
            ["outcome", *names],
            out_rows,
        )
    )
    diffs = cmp.input_diffs
    shown = diffs if all_inputs else diffs[:_MAIN_INPUTS]
    rows = [[d["path"], *(_show(v) for v in d["values"])] for d in shown]
    title = f"Inputs that differ: {len(diffs)}"
    if len(shown) < len(diffs):
        title += f" (the first {len(shown)}; --all lists every one)"
    console.print(table(title, ["input", *names], rows))
