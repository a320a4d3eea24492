"""Commitment: risk measures, sizing (flat and ramped), offers and counteroffers.

Everything here is a pure function of list-price spend samples and contract terms.
"""

from simulator.commitment.recommend import UNSET, frontier, recommend_commit
from simulator.commitment.sizing import JSON_KEYS, Binding, CommitRecommendation

__all__ = [
    "JSON_KEYS",
    "UNSET",
    "Binding",
    "CommitRecommendation",
    "frontier",
    "recommend_commit",
]
