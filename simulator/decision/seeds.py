"""How much the answer moves with the Monte Carlo seed alone: the pipeline re-run on several seeds.

A recommendation that changes tier or action from one seed to the next is a Monte Carlo artefact,
not a finding; the study shows the spread of the recommended commitment and of the decision over
``runs`` seeds (``seed, seed + 1, ...``), each run independent, so they go through
:func:`simulator.decision.sweep.sweep` like the other sweeps (auto, local processes or Dask).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.decision.report import recommend
from simulator.decision.sweep import sweep
from simulator.scenario import Scenario

COLUMNS = [
    "seed",
    "commit",
    "discount",
    "expected_cost",
    "shortfall_probability",
    "action",
    "deal",
    "deal_commit",
]


@dataclass(frozen=True)
class _Run:
    scenario: Scenario
    paths: int | None
    seed: int


def _one(run: _Run) -> dict[str, Any]:
    """One seed's recommendation, as plain data (module level: worker processes unpickle it)."""
    rep = recommend(run.scenario, paths=run.paths, seed=run.seed)
    d = rep.decision
    return {
        "seed": run.seed,
        "commit": rep.commit.recommended,
        "discount": rep.commit.discount,
        "expected_cost": rep.commit.expected_cost,
        "shortfall_probability": rep.commit.shortfall_probability,
        "action": d.chosen.action if d is not None else "sign",
        "deal": d.chosen.name if d is not None else "our number",
        "deal_commit": d.chosen.commit if d is not None else rep.commit.recommended,
    }


@dataclass(frozen=True)
class SeedStudy:
    """One row per seed and where the runs ran.

    Attributes
    ----------
    rows : pandas.DataFrame
        Columns ``seed, commit, discount, expected_cost, shortfall_probability, action, deal,
        deal_commit`` (our recommended commitment and its terms; the decision's action, the deal
        it names and that deal's commitment).
    ran_in : str
        ``"this process"``, ``"N processes"`` or ``"dask"``.
    why : str
        Why auto chose ``ran_in`` (empty when it was asked for).
    """

    rows: pd.DataFrame
    ran_in: str
    why: str = ""

    def summary(self) -> dict[str, Any]:
        """Spread of our commitment and how often each seed reached the most common decision.

        ``commit_sd`` is the standard deviation across seeds (``ddof=1``); ``commit_se`` the
        standard error of their mean (``sd / sqrt(runs)``); ``same_decision`` the number of seeds
        whose action and deal equal the most common pair, and ``deal_commit_min``/``_max`` the
        range of that deal's commitment over those seeds; ``same_discount`` counts the seeds
        whose discount (our tier) is the most common one.
        """
        c = self.rows["commit"].to_numpy(dtype=float)
        n = len(c)
        sd = float(np.std(c, ddof=1)) if n > 1 else math.nan
        pairs = list(zip(self.rows["action"], self.rows["deal"], strict=True))
        top = max(set(pairs), key=pairs.count) if pairs else ("", "")
        agree = [i for i, p in enumerate(pairs) if p == top]
        deal = self.rows["deal_commit"].to_numpy(dtype=float)[agree]
        discounts = [round(float(x), 9) for x in self.rows["discount"]]
        common = max(set(discounts), key=discounts.count) if discounts else math.nan
        return {
            "runs": n,
            "commit_mean": float(c.mean()) if n else math.nan,
            "commit_sd": sd,
            "commit_se": sd / math.sqrt(n) if n > 1 else math.nan,
            "commit_min": float(c.min()) if n else math.nan,
            "commit_max": float(c.max()) if n else math.nan,
            "decision": {"action": top[0], "deal": top[1]},
            "same_decision": len(agree),
            "deal_commit_min": float(deal.min()) if len(deal) else math.nan,
            "deal_commit_max": float(deal.max()) if len(deal) else math.nan,
            "discount": common,
            "same_discount": discounts.count(common),
        }


def seed_study(
    scenario: Scenario,
    runs: int = 10,
    paths: int | None = None,
    seed: int | None = None,
    *,
    jobs: int | None = None,
    dask: str | None = None,
    done: Callable[[int, int], None] | None = None,
) -> SeedStudy:
    """The whole pipeline on ``runs`` seeds: does the answer depend on the seed?

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    runs : int
        Number of seeds, ``seed, seed + 1, ..., seed + runs - 1`` (at least 2).
    paths : int, optional
        Paths per run (default: the scenario's).
    seed : int, optional
        First seed (default: ``scenario.simulation.seed``).
    jobs, dask, done : optional
        Where the runs go and progress, as in :func:`simulator.decision.sweep.sweep`.

    Returns
    -------
    SeedStudy

    Examples
    --------
    >>> from simulator import load_scenario
    >>> study = seed_study(load_scenario("scenarios/startup.yaml"), runs=2, paths=500)
    >>> list(study.rows["seed"]) == [study.rows["seed"][0], study.rows["seed"][0] + 1]
    True
    """
    if runs < 2:
        raise ValueError(f"a seed study needs at least 2 runs, got {runs}")
    first = scenario.simulation.seed if seed is None else seed
    items = [_Run(scenario, paths, first + k) for k in range(runs)]
    ran = sweep(_one, items, jobs=jobs, dask=dask, done=done)
    return SeedStudy(pd.DataFrame(ran.results, columns=COLUMNS), ran.ran_in, ran.why)
