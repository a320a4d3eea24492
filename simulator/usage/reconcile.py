"""Reconciling catalog-priced usage with the costs an export reports, and explaining the gaps.

A gap above :data:`GAP_THRESHOLD` of the priced amount (per model and in total) is never left
silent: :func:`explain_gaps` matches the reported / priced ratio against the known price
modifiers an importer may not see in the data (regional or US-only 1.1x, batch 50%, fast mode)
and otherwise warns that the gap is unexplained.
"""

from __future__ import annotations

from typing import Any

# a gap is reported when it exceeds 2% of the priced amount and a cent
GAP_THRESHOLD = 0.02
_MATCH = 0.015
# ratio reported / priced -> what would explain it
_EXPLANATIONS = (
    (
        1.1,
        "consistent with a 1.1x premium (Bedrock regional or cross-region endpoints, or "
        "US-only inference) that the usage rows do not show",
    ),
    (
        1 / 1.1,
        "consistent with usage priced at 1.1x (US-only or regional) but billed without the premium",
    ),
    (0.5, "consistent with a 50% discount (batch) billed but not marked in the usage rows"),
    (2.0, "consistent with usage marked batch but billed at standard rates"),
    (6.0, "consistent with fast mode (6x) billed but not marked in the usage rows"),
)


def reconcile(
    priced: dict[str, float], reported: dict[str, float], other: dict[str, float]
) -> dict[str, Any]:
    """Compare catalog-priced usage with reported token costs by model (dollars).

    ``difference`` is reported minus priced; ``other`` holds reported non-token costs (web
    search and so on) by cost type, shown but not compared.
    """
    models = sorted(set(priced) | set(reported))
    rows = [
        {
            "model": m,
            "reported": reported.get(m, 0.0),
            "priced": priced.get(m, 0.0),
            "difference": reported.get(m, 0.0) - priced.get(m, 0.0),
        }
        for m in models
    ]
    rep, pri = sum(reported.values()), sum(priced.values())
    return {
        "by_model": rows,
        "reported_total": rep,
        "priced_total": pri,
        "difference_total": rep - pri,
        "difference_share": (rep - pri) / pri if pri else None,
        "other_costs": dict(sorted(other.items())),
    }


def _explain(what: str, reported: float, priced: float, below_list: str) -> str | None:
    diff = reported - priced
    if abs(diff) <= 0.01 or (priced > 0 and abs(diff) <= GAP_THRESHOLD * priced):
        return None
    if priced <= 0:
        return f"{what}: ${reported:,.2f} reported but no usage priced for it"
    ratio = reported / priced
    head = f"{what}: reported ${reported:,.2f} vs priced ${priced:,.2f} ({diff / priced:+.1%})"
    for target, why in _EXPLANATIONS:
        if abs(ratio / target - 1.0) <= _MATCH:
            return f"{head}, {why}"
    if ratio < 1.0 and below_list:
        return f"{head}, {below_list}"
    return f"{head}: unexplained; check prices, tiers and missing rows"


def explain_gaps(rec: dict[str, Any], *, below_list: str = "") -> list[str]:
    """Warnings for every per-model and total gap above :data:`GAP_THRESHOLD`.

    Parameters
    ----------
    rec : dict
        A :func:`reconcile` result.
    below_list : str
        Explanation offered when reported is below priced for a reason the caller knows (for
        example a FOCUS ``BilledCost`` that carries negotiated discounts).

    Returns
    -------
    list of str
        One sentence per gap, empty when everything reconciles.
    """
    out = []
    for row in rec["by_model"]:
        msg = _explain(row["model"], row["reported"], row["priced"], below_list)
        if msg:
            out.append(f"reconciliation gap, {msg}")
    total = _explain("total", rec["reported_total"], rec["priced_total"], below_list)
    # the per-model lines already explain a total made of them
    if total and len(rec["by_model"]) > 1 and not out:
        out.append(f"reconciliation gap, {total}")
    return out
