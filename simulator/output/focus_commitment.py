"""The decision as FOCUS contract commitment rows (FOCUS 1.3's Contract Commitment dataset).

Columns are FOCUS 1.3's, in its order, plus ``x_ContractCommitmentLifecycleStatus``: FOCUS 1.4
(working draft) adds a lifecycle status whose value for a commitment being negotiated or modelled
is ``Proposed``; until it ships, custom columns carry the ``x_`` prefix. ``x_Discount`` records
the discount the commitment buys. A ramped contract is one row per contract year.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from simulator.catalog.prices import month_start
from simulator.commitment import CommitRecommendation
from simulator.scenario import Scenario

COLUMNS = (
    "BillingCurrency",
    "ContractCommitmentCategory",
    "ContractCommitmentCost",
    "ContractCommitmentDescription",
    "ContractCommitmentId",
    "ContractCommitmentPeriodStart",
    "ContractCommitmentPeriodEnd",
    "ContractCommitmentQuantity",
    "ContractCommitmentType",
    "ContractCommitmentUnit",
    "ContractId",
    "ContractPeriodStart",
    "ContractPeriodEnd",
    "x_ContractCommitmentLifecycleStatus",
    "x_Discount",
)


def _iso(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def commitment_rows(
    scenario: Scenario, rec: CommitRecommendation, status: str = "Proposed"
) -> list[dict[str, Any]]:
    """FOCUS contract commitment rows for a recommended commitment.

    Parameters
    ----------
    scenario : Scenario
        Supplies the contract's start and term.
    rec : CommitRecommendation
        The commitment (its ``years`` when ramped).
    status : str
        Lifecycle status (``Proposed`` for a decision not yet signed).

    Returns
    -------
    list of dict
        One row per commitment period, keys :data:`COLUMNS`; periods end exclusively.
    """
    c = scenario.contract
    first = c.start_month
    contract_id = f"commitsim-{scenario.content_hash()}"
    start = month_start(scenario.start, first)
    end = month_start(scenario.start, first + c.term_months)
    periods = [(y, r) for y, r in enumerate(rec.years)] if rec.years else [(None, rec)]
    rows = []
    for year, r in periods:
        suffix = f"y{year + 1}" if year is not None else "term"
        a = first + 12 * (year or 0)
        n = 12 if year is not None else c.term_months
        label = f"year {year + 1} of a ramped " if year is not None else ""
        rows.append(
            {
                "BillingCurrency": "USD",
                "ContractCommitmentCategory": "Spend",
                "ContractCommitmentCost": round(r.recommended, 2),
                "ContractCommitmentDescription": (
                    f"{label}Claude API spend commitment for {scenario.name}: "
                    f"{r.discount:.1%} off list, shortfall probability "
                    f"{r.shortfall_probability:.1%} (commitsim)"
                ),
                "ContractCommitmentId": f"{contract_id}-{suffix}",
                "ContractCommitmentPeriodStart": _iso(month_start(scenario.start, a)),
                "ContractCommitmentPeriodEnd": _iso(month_start(scenario.start, a + n)),
                # a spend commitment is measured in cost; quantity and unit are for usage ones
                "ContractCommitmentQuantity": "",
                "ContractCommitmentType": "Ramped spend commitment"
                if year is not None
                else "Spend commitment",
                "ContractCommitmentUnit": "",
                "ContractId": contract_id,
                "ContractPeriodStart": _iso(start),
                "ContractPeriodEnd": _iso(end),
                "x_ContractCommitmentLifecycleStatus": status,
                "x_Discount": r.discount,
            }
        )
    return rows


def rows_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV text with the FOCUS header."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()
