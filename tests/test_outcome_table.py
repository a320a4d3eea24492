"""The app's compare table: baseline values as they are, others as ``value (+delta)``."""

from __future__ import annotations

from app_pages.state import outcome_table


def test_values_with_signed_deltas_in_dollars_and_points() -> None:
    outcomes = [
        {"expected cost": 2_000_000.0, "discount": 0.08},
        {"expected cost": 1_750_000.0, "discount": 0.12},
    ]
    t = outcome_table(outcomes, ["A", "B"], baseline=0, shares=frozenset({"discount"}))
    assert t.loc["expected cost", "A"] == "$2,000,000"
    assert t.loc["expected cost", "B"] == "$1,750,000 (-$250,000)"
    assert t.loc["discount", "A"] == "8.0%"
    assert t.loc["discount", "B"] == "12.0% (+4.0 pp)"
    t = outcome_table(outcomes, ["A", "B"], baseline=1, shares=frozenset({"discount"}))
    assert t.loc["expected cost", "A"] == "$2,000,000 (+$250,000)"
    assert t.loc["discount", "A"] == "8.0% (-4.0 pp)"
