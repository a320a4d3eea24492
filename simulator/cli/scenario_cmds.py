"""Commands on the scenario itself: validate, schema, catalog, cost."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from simulator.catalog.prices import TOKEN_CLASSES, available_catalogs, load_catalog
from simulator.cli.common import JsonOpt, ScenarioArg, app, console, load, print_json, table
from simulator.output.formatting import money
from simulator.pricing.costs import month0_costs
from simulator.scenario import Scenario


@app.command()
def validate(file: ScenarioArg, json_out: JsonOpt = False) -> None:
    """Check a scenario file; print every problem as FILE:LINE: path: message (exit 2)."""
    s = load(file)
    if json_out:
        print_json({"valid": True, "name": s.name, "hash": s.content_hash()})
    else:
        console.print(
            f"{file}: ok ({len(s.workloads)} workloads, {len(s.levers)} levers, "
            f"{len(s.capacity.waves)} waves, {len(s.offers)} offers)"
        )


@app.command()
def schema() -> None:
    """Print the scenario file's JSON Schema."""
    typer.echo(json.dumps(Scenario.model_json_schema(), indent=2))


@app.command()
def catalog(
    name: Annotated[str, typer.Argument(help="Catalog name.")] = "anthropic-2026-11",
    json_out: JsonOpt = False,
) -> None:
    """List a shipped price catalog (USD per million tokens)."""
    cat = load_catalog(name)
    rows = [
        {
            "model": r.model,
            "from": r.valid_from.isoformat(),
            "until": r.valid_until.isoformat() if r.valid_until else None,
            **{c: r.rate(c) for c in TOKEN_CLASSES},
            "batch_discount": r.batch_discount,
            "source": r.source,
            "read_on": r.read_on,
        }
        for r in cat.rows
    ]
    if json_out:
        print_json({"catalog": name, "available": available_catalogs(), "rows": rows})
        return
    cols = ["model", "from", "until", *TOKEN_CLASSES, "batch"]
    body = [
        [
            r["model"],
            r["from"],
            r["until"] or "",
            *(f"{r[c]:g}" for c in TOKEN_CLASSES),
            r["batch_discount"],
        ]
        for r in rows
    ]
    console.print(table(f"{name} ($ per million tokens)", cols, body))


@app.command()
def cost(file: ScenarioArg, json_out: JsonOpt = False) -> None:
    """Month-0 list cost per workload and token class, before any lever."""
    s = load(file)
    rows = month0_costs(s)
    total = sum(float(r["total"]) for r in rows)
    if json_out:
        print_json(
            {"scenario": s.name, "month": s.month_label(0), "workloads": rows, "total": total}
        )
        return
    cols = ["workload", "model", *TOKEN_CLASSES, "total"]
    body = [[r["id"], r["model"], *(money(r[c]) for c in (*TOKEN_CLASSES, "total"))] for r in rows]
    body.append(["total", "", *([""] * len(TOKEN_CLASSES)), money(total)])
    console.print(table(f"Month-0 list cost, {s.month_label(0)}", cols, body))
