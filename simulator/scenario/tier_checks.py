"""The one check on a tier schedule, shared by the contract on offer and the one already signed."""

from __future__ import annotations

from collections.abc import Sequence

from simulator.scenario.model import Tier

Loc = tuple[int | str, ...]
Found = list[tuple[Loc, str, object]]


def tier_schedule_problems(tiers: Sequence[Tier], where: Loc) -> Found:
    """Tiers that do not rise in ``min_commit`` or whose discount falls, located under ``where``."""
    out: Found = []
    for i in range(1, len(tiers)):
        if tiers[i].min_commit <= tiers[i - 1].min_commit:
            out.append(
                ((*where, i, "min_commit"), "tiers must rise in min_commit", tiers[i].min_commit)
            )
        if tiers[i].discount < tiers[i - 1].discount:
            out.append(
                (
                    (*where, i, "discount"),
                    "a larger tier cannot have a smaller discount",
                    tiers[i].discount,
                )
            )
    return out
