"""The commitment recommendation for a contract, flat or ramped, and the risk frontier."""

from __future__ import annotations

import enum
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from simulator.commitment.ramped import recommend_ramped
from simulator.commitment.risk import SpendSamples
from simulator.commitment.sizing import CommitRecommendation, Terms, finish, solve
from simulator.scenario import Contract


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = _Unset.UNSET


def recommend_commit(
    term_spend: ArrayLike | SpendSamples,
    contract: Contract,
    *,
    max_shortfall_probability: float | _Unset | None = UNSET,
    cvar_limit: float | _Unset | None = UNSET,
    cvar_weight: float | _Unset = UNSET,
    with_curve: bool = True,
) -> CommitRecommendation:
    """Recommend the commitment that minimises expected cost within the contract's risk limits.

    Parameters
    ----------
    term_spend : array_like or SpendSamples
        List-price term spend per path (1-D). For ``contract.ramped`` a 2-D array
        ``(paths, contract years)``; a 2-D array for a non-ramped contract is summed over years.
        Pass :meth:`SpendSamples.from_array` to re-solve repeatedly without re-sorting.
    contract : Contract
        Tiers, overage, rollover and risk limits (``scenario.contract``).
    max_shortfall_probability, cvar_limit, cvar_weight : optional
        Override the contract's risk settings (e.g. from a UI slider).
    with_curve : bool
        Build the cost-versus-commitment curve (skip it in sweeps).

    Returns
    -------
    CommitRecommendation
        The commitment, its tier and discount, cost and risk metrics, and the curve.

    Examples
    --------
    >>> import numpy as np
    >>> from simulator.scenario import Contract, Tier
    >>> spend = np.random.default_rng(0).lognormal(15.4, 0.3, 20_000)
    >>> c = Contract(overage="list", tiers=[Tier(min_commit=0, discount=0.2)],
    ...              max_shortfall_probability=None)
    >>> rec = recommend_commit(spend, c)
    >>> float(round(rec.recommended / (0.8 * np.quantile(spend, 0.2)), 2))
    1.0
    """
    updates: dict[str, Any] = {}
    if max_shortfall_probability is not UNSET:
        updates["max_shortfall_probability"] = max_shortfall_probability
    if cvar_limit is not UNSET:
        updates["cvar_limit"] = cvar_limit
    if cvar_weight is not UNSET:
        updates["cvar_weight"] = cvar_weight
    if updates:
        # validate, so a negative or NaN tolerance cannot slip past the schema's bounds
        contract = Contract.model_validate(contract.model_dump() | updates)
    terms = Terms.of(contract)
    if isinstance(term_spend, SpendSamples):
        if contract.ramped:
            raise ValueError("a ramped contract needs a 2-D array (paths x contract years)")
        return finish(term_spend, terms, solve(term_spend, terms), with_curve)
    arr = np.asarray(term_spend, dtype=np.float64)
    if contract.ramped:
        return recommend_ramped(arr, terms, with_curve)
    if arr.ndim == 2:
        arr = arr.sum(axis=1)
    s = SpendSamples.from_array(arr)
    return finish(s, terms, solve(s, terms), with_curve)


def frontier(
    term_spend: ArrayLike | SpendSamples, contract: Contract, eps_grid: ArrayLike
) -> pd.DataFrame:
    """Recommended commitment, expected cost and shortfall probability for each risk tolerance.

    Parameters
    ----------
    term_spend : array_like or SpendSamples
        1-D list-price term spend per path (sorted once, reused for every ``eps``).
    contract : Contract
        The contract; its ``max_shortfall_probability`` is replaced by each ``eps``.
    eps_grid : array_like
        Shortfall-probability limits in [0, 1].

    Returns
    -------
    pandas.DataFrame
        Columns ``eps, recommended, discount, tier, expected_cost, shortfall_probability,
        expected_unused, cvar95_cost, binding``.
    """
    s = term_spend if isinstance(term_spend, SpendSamples) else SpendSamples.from_array(term_spend)
    rows = []
    for eps in np.asarray(eps_grid, dtype=np.float64).ravel():
        rec = recommend_commit(s, contract, max_shortfall_probability=float(eps), with_curve=False)
        rows.append({"eps": float(eps), **rec.to_dict(), "tier": rec.tier, "binding": rec.binding})
    return pd.DataFrame(rows)


__all__ = ["UNSET", "frontier", "recommend_commit"]
