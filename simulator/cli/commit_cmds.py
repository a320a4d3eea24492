"""``commitsim recommend``: the commitment to sign, its risk, the offers and counteroffers."""

from __future__ import annotations

import math
from typing import Annotated

import typer
from rich.markup import escape

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
from simulator.cli.progress import stage_bar
from simulator.commitment.offers import COUNTER_LABELS
from simulator.commitment.whatif import (
    commit_for_coverage,
    commit_for_utilisation,
    evaluate_commit,
)
from simulator.decision.report import recommend as run_pipeline
from simulator.errors import SimulatorError
from simulator.forecast.montecarlo import simulate
from simulator.output.formatting import money, money_short, pct, points
from simulator.planning.planner import plan_waves
from simulator.scenario.numbers import MAX_MONEY


@app.command()
def recommend(
    file: ScenarioArg,
    paths: PathsOpt = None,
    seed: SeedOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Plan, forecast, and recommend the commitment on the optimised baseline."""
    s = load(file)
    with stage_bar(enabled=not json_out) as step:
        r = run_pipeline(s, paths=paths, seed=seed, step=step)
    if json_out:
        print_json(r.to_dict())
        return
    c, u = r.commit, r.commit_unoptimized
    d = r.to_dict()
    console.print(f"{s.name}", style="bold", markup=False, highlight=False)
    if r.decision is not None:
        console.print(r.decision.rationale, markup=False, highlight=False)
    se = r.standard_errors
    console.print(
        f"Our number: {money_short(c.recommended)} at {pct(c.discount)} off. Expected cost "
        f"{money(c.expected_cost)} (± {money(se.get('expected_cost'))}), saving "
        f"{money(c.expected_savings)} ({pct(c.effective_savings_rate)}) against pay-as-you-go; "
        f"chance of not using it all {pct(c.shortfall_probability)}, expected unused "
        f"{money(c.expected_unused)}, average cost in the worst 5% of outcomes "
        f"{money(c.cvar95_cost)}.",
        markup=False,
        highlight=False,
    )
    rows = [
        ["list spend mean", money(d["baseline"]["mean"]), money(d["optimized"]["mean"])],
        [
            "list spend P10-P90",
            f"{money(d['baseline']['p10'])}-{money(d['baseline']['p90'])}",
            f"{money(d['optimized']['p10'])}-{money(d['optimized']['p90'])}",
        ],
        ["recommended commitment", money(u.recommended), money(c.recommended)],
        ["discount", pct(u.discount), pct(c.discount)],
        ["expected cost", money(u.expected_cost), money(c.expected_cost)],
    ]
    console.print(
        table("Unoptimised vs optimised baseline", ["", "unoptimised", "optimised"], rows)
    )
    console.print(
        "Committing on the unoptimised forecast would leave "
        f"{money(r.unused_if_committed_unoptimized)} unused on average once the plan delivers; "
        f"optimising first avoids {money(r.exposure_avoided)} of that unused commitment, and "
        f"{money(r.extra_cost_if_committed_unoptimized)} of expected cost net (± "
        f"{money(se.get('extra_cost_if_committed_unoptimized'))}).",
        markup=False,
        highlight=False,
    )
    p = r.plan
    console.print(
        f"Plan ({p.status}): {len(p.assignment)} levers in {len(s.capacity.waves)} waves, expected "
        f"savings {money(p.expected_savings)} over the horizon "
        f"(+{money(p.gain_over_greedy)} over greedy)."
    )
    if r.offers:
        orow = [
            [
                o.name,
                money(o.commit),
                pct(o.discount),
                money(o.expected_cost),
                pct(o.shortfall_probability),
                money(o.expected_unused),
                "never worth it" if math.isnan(o.walk_away_discount) else pct(o.walk_away_discount),
                "yes" if o.meets_risk_limits else "no",
            ]
            for o in r.offers
        ]
        cols = [
            "offer",
            "commitment ($)",
            "discount",
            "expected cost ($)",
            "chance short",
            "expected unused ($)",
            "walk-away discount",
            "within limits",
        ]
        console.print(table("Vendor offers", cols, orow))
        for o in r.offers:
            counters = [k for k in r.counteroffers[o.name] if k.kind != "frontier"]
            if not counters:
                console.print(
                    f"  no counter to {o.name} improves on it", markup=False, highlight=False
                )
            for k in counters:
                flag = "" if k.meets_risk_limits else " (breaks the risk limits)"
                console.print(
                    f"  counter to {o.name}: {money(k.commit)} at {pct(k.discount)} off, "
                    f"{COUNTER_LABELS[k.kind]}{flag}",
                    markup=False,
                    highlight=False,
                )


@app.command()
def evaluate(
    file: ScenarioArg,
    commit: Annotated[
        float | None,
        typer.Option("--commit", min=0, help="Commitment to evaluate, in dollars."),
    ] = None,
    discount: Annotated[
        float | None,
        typer.Option(
            "--discount",
            min=0,
            max=0.999999,
            help="Discount as a share (default: the tier schedule's at that commitment).",
        ),
    ] = None,
    utilisation: Annotated[
        float | None,
        typer.Option(
            "--utilisation",
            min=0.000001,
            max=1,
            help="Instead of --commit: the largest commitment with at least this expected "
            "utilisation (share).",
        ),
    ] = None,
    coverage: Annotated[
        float | None,
        typer.Option(
            "--coverage",
            min=0.000001,
            max=1,
            help="Instead of --commit: the smallest commitment covering this share of spend.",
        ),
    ] = None,
    paths: PathsOpt = None,
    seed: SeedOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """What-if: cost, risk, utilisation and coverage of any commitment on the optimised forecast."""
    given = [x for x in (commit, utilisation, coverage) if x is not None]
    if len(given) != 1:
        raise SimulatorError("give exactly one of --commit, --utilisation or --coverage")
    if commit is not None and not (math.isfinite(commit) and 0 <= commit <= MAX_MONEY):
        raise SimulatorError(f"--commit must be a dollar amount from 0 to {MAX_MONEY:,.0f}")
    s = load(file)
    with stage_bar(enabled=not json_out) as step:
        step("planning waves", 0.0)
        plan = plan_waves(s)
        step("simulating spend", 0.4)
        fc = simulate(s, plan.assignment, paths=paths, seed=seed)
        step("done", 1.0)
    spend = fc.contract_term_spend()
    mode = "commit"
    if utilisation is not None:
        commit, mode = (
            commit_for_utilisation(spend, s.contract, utilisation, discount),
            "utilisation",
        )
    elif coverage is not None:
        commit, mode = commit_for_coverage(spend, s.contract, coverage, discount), "coverage"
    assert commit is not None
    w = evaluate_commit(spend, s.contract, commit, discount, batch=fc.batch)
    if json_out:
        print_json(w.to_dict() | {"scenario": s.name, "mode": mode})
        return
    se = w.standard_errors
    rows = [
        ["commitment", money(w.commit)],
        ["discount", pct(w.discount)],
        ["expected cost", f"{money(w.expected_cost)} (± {money(se['expected_cost'])})"],
        ["expected savings", f"{money(w.expected_savings)} (± {money(se['expected_savings'])})"],
        [
            "chance of not using it all",
            f"{pct(w.shortfall_probability)} (± {points(se['shortfall_probability'])})",
        ],
        ["expected unused", f"{money(w.expected_unused)} (± {money(se['expected_unused'])})"],
        ["utilisation (expected used / commitment)", pct(w.utilisation)],
        ["coverage (expected covered / expected spend)", pct(w.coverage)],
        ["within the risk limits", "yes" if w.meets_risk_limits else "no"],
    ]
    title = f"{escape(s.name)}: what if we commit {money_short(w.commit)}"
    console.print(table(title, ["measure", "value"], rows))
