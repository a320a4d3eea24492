"""``commitsim capacity``: size per-minute capacity reservations next to the spend commitment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

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
from simulator.commitment.reservation import Reservation, size_reservation
from simulator.decision.capacity import CapacityReport, ProductSizing, capacity_report
from simulator.errors import SimulatorError
from simulator.forecast.minute_demand import MINUTES_PER_MONTH
from simulator.output.capacity_text import binding, plus_minus, share_pm, units, units_se
from simulator.output.formatting import money, money_short, pct
from simulator.planning.planner import plan_waves
from simulator.scenario import CapacityProduct, Scenario
from simulator.usage.minute_logs import MinuteDemand, request_log_demand, usage_report_demand

LogOpt = Annotated[
    Path | None,
    typer.Option(
        "--requests-log",
        help="Size on the per-minute demand of this request log (timestamp, prompt and output "
        "tokens) instead of the forecast.",
    ),
]
UsageOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--usage-report",
        help="Size on Admin API usage report pages in 1-minute buckets (repeatable).",
    ),
]
ProductOpt = Annotated[
    str | None, typer.Option("--product", help="Only this capacity product (by name).")
]


def _products(s: Scenario, name: str | None) -> list[CapacityProduct]:
    if not s.capacity_products:
        raise SimulatorError(
            f"{s.name!r} has no capacity_products; add one (see docs/scenario-reference.md)"
        )
    if name is None:
        return list(s.capacity_products)
    chosen = [p for p in s.capacity_products if p.name == name]
    if not chosen:
        known = ", ".join(p.name for p in s.capacity_products)
        raise SimulatorError(f"no capacity product named {name!r}; the scenario has: {known}")
    return chosen


def _scaled(se: float | None, scale: float) -> float | None:
    return None if se is None else se * scale


def _row(label: str, r: Reservation, unit: str, scale: float) -> list[str]:
    return [
        label,
        f"{units(r.units, unit)} ± {units_se(r.units_se, unit)}",
        share_pm(r.utilisation, r.utilisation_se),
        share_pm(r.overflow_share, r.overflow_share_se),
        plus_minus(money(r.expected_cost * scale), _scaled(r.expected_cost_se, scale), money),
        plus_minus(money(r.expected_savings * scale), _scaled(r.expected_savings_se, scale), money),
        money(r.idle_cost * scale),
        money(r.cvar95_cost * scale),
    ]


def _headline(s: Scenario, ps: ProductSizing) -> Text:
    """Size, cost and saving with their standard errors, compact (plain Text: no markup)."""
    p, r, scale = ps.product, ps.sized, ps.term(1.0)
    cost = plus_minus(
        money_short(r.expected_cost * scale), _scaled(r.expected_cost_se, scale), money_short
    )
    saving = plus_minus(
        money_short(r.expected_savings * scale),
        _scaled(r.expected_savings_se, scale),
        money_short,
    )
    return Text.assemble(
        f"{p.name} ({p.channel}, {p.model}), {p.term_months} month(s) from "
        f"{s.month_label(p.start_month)}: reserve ",
        (f"{units(r.units, p.unit)} ± {units_se(r.units_se, p.unit)}", "bold"),
        f" ({binding(r)}); critical fractile P(demand > c) = {pct(r.critical_fractile)}.\n"
        f"Expected cost over the term {cost}, saving {saving} against pay-as-you-go; "
        f"utilisation {share_pm(r.utilisation, r.utilisation_se)}, overflow "
        f"{share_pm(r.overflow_share, r.overflow_share_se)} (± one Monte Carlo standard error).",
    )


COLUMNS = ["", "reserve", "utilisation", "overflow", "expected cost", "saving", "idle", "CVaR95"]


def _observed(
    s: Scenario, products: list[CapacityProduct], log: Path | None, report: list[Path]
) -> dict[str, Any]:
    out: dict[str, Any] = {"scenario": s.name, "products": []}
    for p in products:
        md: MinuteDemand = (
            request_log_demand(log, p, catalog_name=s.pricing.catalog)
            if log is not None
            else usage_report_demand(report, p, catalog_name=s.pricing.catalog)
        )
        r = size_reservation(
            md.demand,
            p.price_per_unit_month / MINUTES_PER_MONTH,
            md.overflow_price_per_unit,
            p.minimum,
            p.increment,
            target_utilisation=p.target_utilisation,
            max_overflow_share=p.max_overflow_share,
        )
        out["products"].append(
            {
                "name": p.name,
                "unit": p.unit,
                "source": md.source,
                "minutes": int(md.demand.size),
                "start": md.start.isoformat(),
                "demand_per_minute": {
                    "mean": float(md.demand.mean()),
                    "max": float(md.demand.max()),
                },
                "overflow_price_per_unit": md.overflow_price_per_unit,
                "sizing": r.to_dict(),
                "skipped": md.summary.get("skipped", []),
            }
        )
    return out


def _print(rep: CapacityReport) -> None:
    s = rep.scenario
    console.print(Text.assemble(("Capacity reservations", "bold"), f" ({rep.paths:,} paths)"))
    for ps in rep.products:
        p = ps.product
        scale = ps.term(1.0)
        r = ps.sized
        console.print(_headline(s, ps))
        rows = [
            _row("after the plan", r, p.unit, scale),
            _row("before the plan", ps.unoptimised, p.unit, scale),
            _row("sized before, run after", ps.unoptimised_on_plan, p.unit, scale),
        ]
        console.print(table(f"{p.name}: costs over the term", COLUMNS, rows))
    if rep.commit_without is not None and rep.commit_with is not None:
        console.print(
            f"Spend commitment: {money(rep.commit_without.recommended)} without the reservations, "
            f"{money(rep.commit_with.recommended)} with them (they serve "
            f"{money(rep.served_list_spend)} of list spend). Expected total cost "
            f"{money(rep.total_without)} without, {money(rep.total_with)} with "
            f"(fees outside the commitment {money(rep.fees_outside_commitment)}).",
            markup=False,
            highlight=False,
        )


@app.command()
def capacity(
    file: ScenarioArg,
    paths: PathsOpt = None,
    seed: SeedOpt = None,
    requests_log: LogOpt = None,
    usage_report: UsageOpt = None,
    product: ProductOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Size the scenario's capacity reservations from per-minute demand, after the wave plan."""
    s = load(file)
    chosen = _products(s, product)
    if requests_log is not None or usage_report:
        if requests_log is not None and usage_report:
            raise typer.BadParameter("give --requests-log or --usage-report, not both")
        data = _observed(s, chosen, requests_log, list(usage_report or []))
        if json_out:
            print_json(data)
            return
        rows = [
            [
                d["name"],
                f"{d['minutes']:,}",
                units(d["sizing"]["units"], d["unit"]),
                # one observed series: no Monte Carlo error, shown as n/a
                share_pm(d["sizing"]["utilisation"], d["sizing"]["utilisation_se"]),
                share_pm(d["sizing"]["overflow_share"], d["sizing"]["overflow_share_se"]),
                plus_minus(
                    money(d["sizing"]["expected_savings"]),
                    d["sizing"]["expected_savings_se"],
                    money,
                ),
            ]
            for d in data["products"]
        ]
        cols = ["product", "minutes", "reserve", "utilisation", "overflow", "saving (sample)"]
        console.print(table("Sized on observed per-minute demand", cols, rows))
        return
    scoped = s.model_copy(update={"capacity_products": chosen})
    plan = plan_waves(s)
    rep = capacity_report(scoped, plan.assignment, paths=paths, seed=seed)
    if json_out:
        print_json(rep.to_dict())
        return
    _print(rep)
