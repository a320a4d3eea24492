"""The memo's capacity-reservation section (present when the scenario has capacity products)."""

from __future__ import annotations

from simulator.decision.capacity import ProductSizing
from simulator.decision.report import Report
from simulator.output.capacity_text import binding, plus_minus, share_pm, units, units_se
from simulator.output.formatting import money, pct
from simulator.output.memo_blocks import Block, table


def _term(ps: ProductSizing, se: float | None) -> float | None:
    return None if se is None else ps.term(se)


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
        cost = plus_minus(money(ps.term(z.expected_cost)), _term(ps, z.expected_cost_se), money)
        saving = plus_minus(
            money(ps.term(z.expected_savings)), _term(ps, z.expected_savings_se), money
        )
        out.append(
            Block(
                "p",
                f"{p.name} ({p.channel}, {p.model}, {term}): reserve {units(z.units, p.unit)} "
                f"± {units_se(z.units_se, p.unit)}, set by {binding(z)}. The reservation is "
                f"cheapest where the chance that a minute's demand exceeds it equals the price "
                f"ratio, {pct(z.critical_fractile)}. Expected utilisation "
                f"{share_pm(z.utilisation, z.utilisation_se)} (P10 "
                f"{pct(z.utilisation_quantiles()['p10'])}), "
                f"{share_pm(z.overflow_share, z.overflow_share_se)} of demand overflows to "
                f"pay-as-you-go; idle capacity costs {money(ps.term(z.idle_cost))}, the expected "
                f"cost over the term is {cost} and the reservation saves {saving} against "
                f"pay-as-you-go. Sized before the optimisation plan it would be "
                f"{units(ps.unoptimised.units, p.unit)}. (± one Monte Carlo standard error, from "
                f"independent batches of paths.)",
            )
        )
        rows.append(
            [
                p.name,
                units(z.units, p.unit),
                share_pm(z.utilisation, z.utilisation_se),
                share_pm(z.overflow_share, z.overflow_share_se),
                cost,
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
