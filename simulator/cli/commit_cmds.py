"""``commitsim recommend``: the commitment to sign, its risk, the offers and counteroffers."""

from __future__ import annotations

import math

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
from simulator.decision.report import recommend as run_pipeline
from simulator.output.formatting import money, pct


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
    term = f"{d['contract']['term_months']} months from {d['contract']['start']}"
    console.print(f"[bold]{s.name}[/bold]: commitment for {term}")
    console.print(
        f"Sign [bold]{money(c.recommended)}[/bold] at {pct(c.discount)} off "
        f"({c.reason}). Expected cost {money(c.expected_cost)}, saving "
        f"{money(c.expected_savings)} ({pct(c.effective_savings_rate)}) against pay-as-you-go; "
        f"shortfall probability {pct(c.shortfall_probability)}, expected unused "
        f"{money(c.expected_unused)}, CVaR95 of cost {money(c.cvar95_cost)}."
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
        "optimising first avoids "
        f"{money(r.exposure_avoided)} of that exposure."
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
                "-" if math.isnan(o.walk_away_discount) else pct(o.walk_away_discount),
            ]
            for o in r.offers
        ]
        cols = ["offer", "commit", "discount", "expected cost", "shortfall", "unused", "walk-away"]
        console.print(table("Vendor offers", cols, orow))
        for o in r.offers:
            counters = [k for k in r.counteroffers[o.name] if k.kind != "frontier"]
            for k in counters:
                flag = "" if k.meets_risk_limits else " (breaks the risk limits)"
                console.print(
                    f"  counter to {o.name} ({k.kind.replace('_', ' ')}): {money(k.commit)} at"
                    f" {pct(k.discount)}{flag}"
                )
