"""The decision: which deal to sign, reconciled across our number, the offers and the counters.

Candidates are our commitment on the tier schedule, each vendor offer as offered and each
generated counteroffer, all priced on the same optimised spend samples. Those that break the risk
limits are set aside (and named); the cheapest in expectation among the rest is the decision.
Ties go to our own number, then to an offer as offered, then to a counter, so a counter is only
proposed when it saves money. The rule is in ``docs/methodology.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from simulator.commitment import CommitRecommendation
from simulator.commitment.offers import COUNTER_LABELS, Counteroffer, OfferEvaluation
from simulator.scenario import Contract

Action = Literal["sign", "accept", "counter"]
Kind = Literal["ours", "offer", "counter"]
_ACTION: dict[str, Action] = {"ours": "sign", "offer": "accept", "counter": "counter"}
# Costs within this share of each other are a tie (bisection noise on the counters' frontier).
TIE = 1e-7
#: A counter must save at least this share of the expected cost over the best deal that needs
#: no negotiation (our number or an offer as offered); a smaller gain is not worth proposing.
COUNTER_GAIN = 1e-3
OUR_NAME = "Our commitment on the tier schedule"


@dataclass(frozen=True)
class Candidate:
    """One deal the buyer could sign, priced on the optimised forecast.

    ``answers`` names the offer a counter answers; ``counter_kind`` its kind
    (:data:`~simulator.commitment.offers.COUNTER_LABELS`). ``years`` holds the per-year
    ``(commit, discount)`` of a ramped commitment of ours.
    """

    kind: Kind
    name: str
    commit: float
    discount: float
    expected_cost: float
    shortfall_probability: float
    expected_unused: float
    meets_limits: bool
    answers: str | None = None
    counter_kind: str | None = None
    years: tuple[tuple[float, float], ...] = ()

    @property
    def action(self) -> Action:
        """``sign`` (our number), ``accept`` (an offer as offered) or ``counter``."""
        return _ACTION[self.kind]


@dataclass(frozen=True)
class Decision:
    """The chosen candidate, what to fall back to, what was set aside, and the explanation.

    ``fallback`` is the cheapest candidate within the limits that is not a counter (for a
    ``counter`` decision: what to sign if the vendor refuses). ``set_aside`` lists the candidates
    breaking the risk limits. ``standard_errors`` are batch standard errors of the chosen
    candidate's expected cost, savings, shortfall probability and expected unused.
    """

    chosen: Candidate
    fallback: Candidate | None
    candidates: tuple[Candidate, ...]
    rationale: str = ""
    standard_errors: dict[str, float] = field(default_factory=dict)
    #: the rationale's parts: ``lead``, ``why`` (our number and the tiers either side),
    #: ``threshold``, ``set_aside`` and ``how_sure``, for pages that show one of them
    parts: dict[str, str] = field(default_factory=dict)

    @property
    def set_aside(self) -> list[Candidate]:
        """Candidates that break the risk limits."""
        return [c for c in self.candidates if not c.meets_limits]

    def alternatives(self) -> list[dict[str, Any]]:
        """Every candidate with its expected cost difference from the decision."""
        best = self.chosen.expected_cost
        return [
            {
                "name": c.name,
                "action": c.action,
                "commit": c.commit,
                "discount": c.discount,
                "expected_cost": c.expected_cost,
                "cost_difference": c.expected_cost - best,
                "shortfall_probability": c.shortfall_probability,
                "expected_unused": c.expected_unused,
                "meets_limits": c.meets_limits,
                "answers": c.answers,
                "chosen": c is self.chosen,
            }
            for c in self.candidates
        ]

    def to_dict(self) -> dict[str, Any]:
        """The ``decision`` object of ``commitsim recommend --json``."""
        c = self.chosen
        return {
            "action": c.action,
            "name": c.name,
            "commit": c.commit,
            "discount": c.discount,
            "expected_cost": c.expected_cost,
            "shortfall_probability": c.shortfall_probability,
            "expected_unused": c.expected_unused,
            "rationale": self.rationale,
            "alternatives": self.alternatives(),
            "answers": c.answers,
            "fallback": None if self.fallback is None else self.fallback.name,
            "set_aside": [s.name for s in self.set_aside],
            "years": [{"commit": y[0], "discount": y[1]} for y in c.years],
            "standard_errors": self.standard_errors,
        }


def counter_name(offer: str, kind: str, discount: float, commit: float) -> str:
    """Label of a counteroffer: the offer it answers and what it asks for."""
    short = {
        "same_commit": "same commitment, more discount",
        "same_discount": "same discount, other commitment",
        "within_limits": "same discount, largest commitment within our limits",
        "best_commit": "same discount, the commitment that costs us least",
        "frontier": f"{100 * discount:.1f}% on ${commit / 1e6:,.1f}M",
    }.get(kind, COUNTER_LABELS.get(kind, kind))
    return f"Counter to {offer}: {short}"


def candidates(
    rec: CommitRecommendation,
    offers: Sequence[OfferEvaluation],
    counters: dict[str, list[Counteroffer]],
    contract: Contract,
) -> list[Candidate]:
    """Our commitment, each offer as offered, then each offer's counters, in that order."""
    ours_ok = contract.cvar_limit is None or rec.cvar95_cost <= contract.cvar_limit * (1 + 1e-12)
    out = [
        Candidate(
            "ours",
            OUR_NAME,
            rec.recommended,
            rec.discount,
            rec.expected_cost,
            rec.shortfall_probability,
            rec.expected_unused,
            bool(ours_ok),
            years=tuple((y.recommended, y.discount) for y in rec.years),
        )
    ]
    for o in offers:
        out.append(
            Candidate(
                "offer",
                o.name,
                o.commit,
                o.discount,
                o.expected_cost,
                o.shortfall_probability,
                o.expected_unused,
                o.meets_risk_limits,
            )
        )
    for o in offers:
        seen: set[str] = set()
        for k in counters.get(o.name, []):
            name = counter_name(o.name, k.kind, k.discount, k.commit)
            if name in seen:
                continue
            seen.add(name)
            out.append(
                Candidate(
                    "counter",
                    name,
                    k.commit,
                    k.discount,
                    k.expected_cost,
                    k.shortfall_probability,
                    k.expected_unused,
                    k.meets_risk_limits,
                    answers=o.name,
                    counter_kind=k.kind,
                )
            )
    return out


def cheapest(cands: Sequence[Candidate]) -> Candidate | None:
    """The cheapest in expectation; earlier candidates win ties (within :data:`TIE`)."""
    best: Candidate | None = None
    for c in cands:
        if best is None or c.expected_cost < best.expected_cost - TIE * abs(best.expected_cost):
            best = c
    return best


def choose(cands: Sequence[Candidate]) -> tuple[Candidate, Candidate | None]:
    """The decision and its fallback among ``cands`` (our commitment first).

    The decision is the cheapest candidate within the limits (our commitment if none is), except
    that a counter must beat the fallback, the cheapest within the limits that is not a counter,
    by at least :data:`COUNTER_GAIN` of its expected cost.
    """
    ok = [c for c in cands if c.meets_limits]
    fallback = cheapest([c for c in ok if c.kind != "counter"])
    best_counter = cheapest([c for c in ok if c.kind == "counter"])
    if fallback is None:
        return best_counter or cands[0], None
    if best_counter is not None and best_counter.expected_cost < fallback.expected_cost * (
        1.0 - COUNTER_GAIN
    ):
        return best_counter, fallback
    return fallback, fallback


__all__ = [
    "COUNTER_GAIN",
    "OUR_NAME",
    "TIE",
    "Action",
    "Candidate",
    "Decision",
    "candidates",
    "cheapest",
    "choose",
    "counter_name",
]
