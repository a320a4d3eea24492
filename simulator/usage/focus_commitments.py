"""Commitment status from a FOCUS export: used and unused commitment, when the columns exist.

FOCUS 1.0+ cost rows carry ``CommitmentDiscountStatus`` (``Used`` / ``Unused``; unused rows hold
the unused part of the committed amount) and 1.1+ ``CapacityReservationStatus``. Utilisation is
``Used / (Used + Unused)`` with ``Purchase`` rows left out (they are the commitment's own fee).
Amounts are ``EffectiveCost`` where the export has it, else ``BilledCost``.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path
from typing import Any

from simulator.errors import ImportDataError, Problem

STATUS_COLUMNS = ("CommitmentDiscountStatus", "CapacityReservationStatus")


def commitment_status(path: str | Path) -> dict[str, Any] | None:
    """Used, unused and utilisation by commitment from a FOCUS CSV; ``None`` without the columns.

    Returns
    -------
    dict or None
        ``{"column", "cost_column", "used", "unused", "utilisation", "by_commitment": [...]}``
        (utilisation ``None`` when nothing is used or unused).
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportDataError(
            [Problem(name, 0, "", f"cannot read file: {exc}", None, False)]
        ) from None
    with io.StringIO(text, newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        column = next((c for c in STATUS_COLUMNS if c in header), None)
        cost = "EffectiveCost" if "EffectiveCost" in header else "BilledCost"
        if column is None or cost not in header:
            return None
        sums: dict[tuple[str, str], float] = defaultdict(float)
        problems: list[Problem] = []
        for row in reader:
            status = (row.get(column) or "").strip().lower()
            if status not in ("used", "unused") or (row.get("ChargeCategory") or "") == "Purchase":
                continue
            try:
                amount = float(row.get(cost) or 0.0)
            except ValueError:
                problems.append(Problem(name, reader.line_num, cost, "not a number", row.get(cost)))
                continue
            ident = (
                row.get("CommitmentDiscountId") or row.get("CapacityReservationId") or ""
            ).strip()
            sums[(ident or "(no id)", status)] += amount
    if problems:
        raise ImportDataError(problems)
    if not sums:
        return None
    ids = sorted({k[0] for k in sums})
    rows: list[dict[str, Any]] = []
    for ident in ids:
        used, unused = sums.get((ident, "used"), 0.0), sums.get((ident, "unused"), 0.0)
        total = used + unused
        rows.append(
            {
                "id": ident,
                "used": used,
                "unused": unused,
                "utilisation": used / total if total else None,
            }
        )
    used = sum(sums[k] for k in sums if k[1] == "used")
    unused = sum(sums[k] for k in sums if k[1] == "unused")
    return {
        "column": column,
        "cost_column": cost,
        "used": used,
        "unused": unused,
        "utilisation": used / (used + unused) if used + unused else None,
        "by_commitment": rows,
    }
