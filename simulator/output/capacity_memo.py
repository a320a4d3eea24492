"""The memo's capacity-reservation section (present when the scenario has capacity products)."""

from __future__ import annotations

from simulator.decision.report import Report
from simulator.output.capacity_text import binding, units
from simulator.output.formatting import money, pct
from simulator.output.memo_blocks import Block, table


def capacity_blocks(r: Report) -> list[Block]:
    """Heading, one paragraph per product, a table and the combined view; empty without products."""
    cap = r.capacity
    if cap is None or not cap.products:
        return []
    s = r.scenario
    out = [Block("h2", "Capacity reservations")]
    rows = []
    for ps in cap.products:
        p, z = ps.product, ps.sized
        term = f"{p.term_months} month(s) from {s.month_label(p.start_month)}"
        out.append(
            Block(
                "p",
                f"{p.name} ({p.channel}, {p.model}, {term}): reserve {units(z.units, p.unit)}, "
                f"set by {binding(z)}. The reservation is cheapest where the chance that a "
                f"minute's demand exceeds it equals the price ratio, {pct(z.critical_fractile)}. "
                f"Expected utilisation {pct(z.utilisation)} (P10 "
                f"{pct(z.utilisation_quantiles()['p10'])}), {pct(z.overflow_share)} of demand "
                f"overflows to pay-as-you-go; idle capacity costs {money(ps.term(z.idle_cost))} "
                f"and the reservation saves {money(ps.term(z.expected_savings))} against "
                f"pay-as-you-go over the term. Sized before the optimisation plan it would be "
                f"{units(ps.unoptimised.units, p.unit)}.",
            )
        )
        rows.append(
            [
                p.name,
                units(z.units, p.unit),
                pct(z.utilisation),
                pct(z.overflow_share),
                money(ps.term(z.expected_cost)),
                money(ps.term(z.payg_cost)),
                money(ps.term(z.cvar95_cost)),
            ]
        )
    cols = ["product", "reserve", "utilisation", "overflow", "expected cost", "pay-as-you-go"]
    out.append(table([*cols, "CVaR95"], rows))
    if cap.commit_without is not None and cap.commit_with is not None:
        out.append(
            Block(
                "p",
                f"With the reservations the spend commitment is sized at "
                f"{money(cap.commit_with.recommended)} (without: "
                f"{money(cap.commit_without.recommended)}); the reservations serve "
                f"{money(cap.served_list_spend)} of list spend over the contract term. Expected "
                f"total cost {money(cap.total_with)} with them against "
                f"{money(cap.total_without)} without (estimated on {len(cap.products)} product(s) "
                f"and a subset of paths).",
            )
        )
    return out
