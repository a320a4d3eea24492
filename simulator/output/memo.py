"""The CFO memo: one self-contained HTML (or Markdown) file built from a :class:`Report`.

The memo is assembled once as a list of blocks (headings, paragraphs, tables, charts) and then
rendered, so the HTML and Markdown versions carry exactly the same numbers. HTML uses inline CSS,
the system font stack and inline SVG charts (:mod:`simulator.output.svgcharts`); Markdown embeds
the same SVGs as ``data:image/svg+xml;base64`` images. Nothing is fetched: the file works offline.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from simulator.decision.report import Report, term_stats
from simulator.decision.words import month_name
from simulator.forecast.randomness import F64
from simulator.output.capacity_memo import capacity_blocks
from simulator.output.formatting import money, pct
from simulator.output.memo_blocks import Block, table, to_html, to_markdown
from simulator.output.svgcharts import commitment_chart, fan_chart, savings_ramp_chart
from simulator.planning.backlog import backlog

Format = Literal["html", "md"]


def _decision(r: Report) -> list[Block]:
    """The memo's lead: the decision and its rationale, and when the memo was prepared."""
    prepared = dt.datetime.now(dt.UTC).strftime("%d %B %Y, %H:%M UTC")
    text = r.decision.rationale if r.decision is not None else ""
    out = [Block("h2", "Decision"), Block("p", text)] if text else []
    return [*out, Block("p", f"Prepared {prepared} with commitsim {r.provenance['version']}.")]


def _recommendation(r: Report) -> list[Block]:
    s, c, u = r.scenario, r.commit, r.commit_unoptimized
    term = f"{s.contract.term_months} months from {month_name(s, s.contract.start_month)}"
    tier = (
        "no commitment"
        if c.tier < 0
        else f"the tier for commitments from {money(s.contract.tiers[c.tier].min_commit)}"
    )
    head = (
        f"Our number on the tier schedule: a commitment of {money(c.recommended)} for {term} at "
        f"{pct(c.discount)} off list ({tier}). Expected cost {money(c.expected_cost)}, which saves "
        f"{money(c.expected_savings)} ({pct(c.effective_savings_rate)}) against pay-as-you-go."
    )
    why = (
        f"The chance of paying for unused commitment is {pct(c.shortfall_probability)} "
        f"(limit {_limit(s.contract.max_shortfall_probability)}); expected unused "
        f"{money(c.expected_unused)}; the average cost in the worst 5% of outcomes is "
        f"{money(c.cvar95_cost)}. The commitment breaks even against pay-as-you-go at list spend "
        f"of {money(c.break_even_list_spend)} over the term."
    )
    rows = [
        ["recommended commitment", money(c.recommended)],
        ["discount", pct(c.discount)],
        ["expected cost", money(c.expected_cost)],
        ["pay-as-you-go expected cost", money(c.payg_expected_cost)],
        ["expected savings", money(c.expected_savings)],
        ["shortfall probability", pct(c.shortfall_probability)],
        ["expected unused", money(c.expected_unused)],
        ["CVaR95 of cost", money(c.cvar95_cost)],
        ["break-even list spend", money(c.break_even_list_spend)],
    ]
    exposure = [
        Block("h2", "Exposure avoided by optimising first"),
        Block(
            "p",
            f"Sized on today's unoptimised spend the commitment would be {money(u.recommended)}. "
            f"Once the plan delivers, that would leave {money(r.unused_if_committed_unoptimized)} "
            f"unused on average; sizing on the optimised forecast avoids "
            f"{money(r.exposure_avoided)} of that unused commitment. Net of the larger discount "
            f"it would have earned, signing on the unoptimised forecast would cost "
            f"{money(r.extra_cost_if_committed_unoptimized)} more in expectation.",
        ),
        table(
            ["", "unoptimised", "optimised"],
            [
                ["term list spend (mean)", _mean(r.baseline_term), _mean(r.optimized_term)],
                ["recommended commitment", money(u.recommended), money(c.recommended)],
                ["discount", pct(u.discount), pct(c.discount)],
                ["expected cost", money(u.expected_cost), money(c.expected_cost)],
                [
                    "shortfall probability",
                    pct(u.shortfall_probability),
                    pct(c.shortfall_probability),
                ],
            ],
        ),
    ]
    return [
        Block("h2", "Recommendation"),
        Block("p", head),
        Block("p", why),
        table(["measure", "value"], rows),
        *exposure,
    ]


def _limit(x: float | None) -> str:
    return "none" if x is None else pct(x)


def _mean(x: F64) -> str:
    return money(term_stats(x)["mean"])


def _plan(r: Report) -> list[Block]:
    s, p = r.scenario, r.plan
    ranking = {str(row["lever"]): row for row in backlog(s).to_dict(orient="records")}
    rows: list[list[str]] = []
    for k, wave in enumerate(s.capacity.waves):
        for lid in sorted(x for x, w in p.assignment.items() if w == k):
            b = ranking.get(lid)
            lv = s.lever(lid)
            rows.append(
                [
                    wave.name,
                    s.month_label(wave.ship_month),
                    lid,
                    lv.kind,
                    f"{lv.effort_weeks:g}",
                    money(lv.effort_weeks * s.capacity.week_cost),
                    money(float(b["annual_savings"])) if b is not None else "not in backlog",
                    f"{float(b['payback_months']):.1f}" if b is not None else "not in backlog",
                ]
            )
    waves = [
        [
            w.name,
            s.month_label(w.ship_month),
            f"{p.effort_used[k]:g} / {p.capacity[k]:g}",
            money(p.wave_savings[k] if k < len(p.wave_savings) else 0.0),
        ]
        for k, w in enumerate(s.capacity.waves)
    ]
    unfunded = sorted(set(ranking) - set(p.assignment))
    text = (
        f"The plan ({p.status}, gap {pct(p.gap, 2)}) funds {len(p.assignment)} levers in "
        f"{len(s.capacity.waves)} waves and saves {money(p.expected_savings)} of list spend over "
        f"the {s.horizon_months}-month horizon in expectation, {money(p.gain_over_greedy)} more "
        "than ranking levers by dollars per engineering week and filling waves in order. "
        "Payback is the lever's engineering cost over its first-year monthly saving."
    )
    out = [
        Block("h2", "The plan by wave"),
        Block("p", text),
        table(["wave", "ships", "weeks used", "expected savings (horizon)"], waves),
        table(
            ["wave", "ships", "lever", "kind", "weeks", "cost", "saving / year", "payback (mo)"],
            rows,
        ),
    ]
    if unfunded:
        out.append(Block("p", "Not funded this round: " + ", ".join(unfunded) + "."))
    base = r.forecast.monthly_frame(baseline=True)
    opt = r.forecast.monthly_frame()
    ramp = savings_ramp_chart(
        list(base["mean"] - opt["mean"]),
        list(opt["label"]),
        [(w.name, w.ship_month) for w in s.capacity.waves],
        "Savings ramp by wave",
    )
    out.append(Block("chart", ramp))
    return out


def _forecast(r: Report) -> list[Block]:
    base = r.forecast.monthly_frame(baseline=True)
    opt = r.forecast.monthly_frame()
    b, o = term_stats(r.baseline_term), term_stats(r.optimized_term)
    return [
        Block("h2", "Forecast"),
        Block(
            "p",
            f"Monthly list spend over {r.forecast.months} months from {r.forecast.paths:,} "
            "simulated paths; bands are P10-P90 (dark) and P5-P95 (light), the line the median. "
            f"Contract-term list spend: {money(o['mean'])} expected with the plan "
            f"(P10 {money(o['p10'])}, P90 {money(o['p90'])}) against {money(b['mean'])} without.",
        ),
        Block("chart", fan_chart(base, opt, "Monthly spend forecast")),
    ]


def _curve(r: Report) -> list[Block]:
    c = r.commit
    curve = c.curve
    if "year" in curve:  # ramped: chart the first year, whose recommendation is c.years[0]
        curve = curve[curve["year"] == 0]
        c = c.years[0] if c.years else c
    svg = commitment_chart(
        curve,
        c.recommended,
        c.shortfall_probability,
        c.expected_unused,
        c.payg_expected_cost,
        "Commitment cost curve",
    )
    return [
        Block("h2", "Commitment curve"),
        Block(
            "p",
            "Expected cost of the contract at each commitment level; steps are the discount "
            "tiers, the dashed line pay-as-you-go, the marker the recommendation.",
        ),
        Block("chart", svg),
    ]


def _offers(r: Report) -> list[Block]:
    if not r.offers:
        return [Block("h2", "Vendor offers"), Block("p", "No vendor offers in the scenario.")]
    rows = [
        [
            o.name,
            money(o.commit),
            pct(o.discount),
            money(o.expected_cost),
            money(o.savings_vs_recommendation),
            pct(o.shortfall_probability),
            money(o.expected_unused),
            "yes" if o.meets_risk_limits else "no",
            pct(o.walk_away_discount),
        ]
        for o in r.offers
    ]
    counters = [
        [o.name, k.kind.replace("_", " "), money(k.commit), pct(k.discount)]
        for o in r.offers
        for k in r.counteroffers[o.name]
        if k.kind != "frontier"
    ]
    cols = ["offer", "commit", "discount", "expected cost", "vs ours", "shortfall", "unused"]
    return [
        Block("h2", "Vendor offers"),
        Block(
            "p",
            "'vs ours' is positive when the offer is cheaper than our recommendation; the "
            "walk-away discount is the least discount at which the offer's commitment beats "
            "pay-as-you-go within the risk limits.",
        ),
        table([*cols, "within limits", "walk-away discount"], rows),
        Block("p", "Counteroffers that cost us the same as our recommendation:"),
        table(["offer", "counter", "commit", "discount"], counters),
    ]


def _assumptions(r: Report) -> list[Block]:
    s = r.scenario
    k = s.contract
    work = [
        [
            w.id,
            w.model,
            f"{w.requests_per_month:,.0f}",
            pct(w.growth.monthly_rate),
            pct(w.growth.volatility),
            "none" if w.growth.saturation is None else f"{w.growth.saturation:g}x",
            f"{s.month_label(w.launch.first)} ({pct(w.launch.probability, 0)})",
        ]
        for w in s.workloads
    ]
    levers = [
        [
            lv.id,
            lv.kind,
            f"{pct(lv.effect.low, 0)} / {pct(lv.effect.mode, 0)} / {pct(lv.effect.high, 0)}",
            pct(lv.success_probability, 0),
            "not shipped"
            if lv.shipped is None
            else f"{lv.shipped.month}: {pct(lv.shipped.realised_effect)}",
        ]
        for lv in s.levers
    ]
    tiers = ", ".join(f"{money(t.min_commit)}+ at {pct(t.discount)}" for t in k.tiers)
    terms = (
        f"Term {k.term_months} months from {s.month_label(k.start_month)}"
        f"{' (ramped by year)' if k.ramped else ''}; overage at {k.overage.replace('_', ' ')}; "
        f"rollover {pct(k.rollover_share, 0)} of unused; tiers {tiers}. Risk limits: shortfall "
        f"probability {_limit(k.max_shortfall_probability)}, CVaR limit "
        f"{'none' if k.cvar_limit is None else money(k.cvar_limit)}, CVaR weight {k.cvar_weight:g}."
    )
    return [
        Block("h2", "Assumptions that drive the answer"),
        table(
            ["workload", "model", "requests / month", "growth / mo", "volatility", "cap", "launch"],
            work,
        ),
        table(["lever", "kind", "effect low / mode / high", "success", "shipped"], levers),
        Block("p", terms),
    ]


def _provenance(r: Report) -> list[Block]:
    p = r.provenance
    rows = [[str(k).replace("_", " "), str(v)] for k, v in p.items()]
    return [Block("h2", "Provenance"), table(["item", "value"], rows)]


def memo_blocks(report: Report) -> list[Block]:
    """The memo's content, in order, independent of the output format."""
    return [
        *_decision(report),
        *_recommendation(report),
        *_plan(report),
        *_forecast(report),
        *_curve(report),
        *_offers(report),
        *capacity_blocks(report),
        *_assumptions(report),
        *_provenance(report),
    ]


def render_memo(report: Report, fmt: Format = "html") -> str:
    """Render the CFO memo for a report.

    Parameters
    ----------
    report : Report
        Output of :func:`simulator.decision.report.recommend`.
    fmt : {'html', 'md'}
        ``html``: one self-contained page (inline CSS and SVG, no scripts, fonts or external
        references). ``md``: Markdown with the same blocks; charts as base64 SVG data images.

    Returns
    -------
    str
        The document text.
    """
    title = f"Commitment memo: {report.scenario.name}"
    blocks = memo_blocks(report)
    if fmt == "html":
        return to_html(title, blocks)
    if fmt == "md":
        return to_markdown(title, blocks)
    raise ValueError(f"unknown memo format {fmt!r}; use 'html' or 'md'")
