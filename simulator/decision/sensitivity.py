"""Which assumptions move the recommended commitment most: a one-at-a-time tornado.

Each assumption is moved to a low and a high setting and the whole pipeline (plan, forecast,
commitment) re-run with fewer paths on the same seed, so differences are the assumption's and not
Monte Carlo noise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.commitment import recommend_commit
from simulator.decision.report import recommend
from simulator.decision.sweep import sweep
from simulator.errors import SimulatorError
from simulator.planning.inputs import planning_key
from simulator.planning.planner import Plan
from simulator.scenario import Scenario

Data = dict[str, Any]
Progress = Callable[[str, float], None]
COLUMNS = [
    "assumption",
    "low_value",
    "high_value",
    "base_commit",
    "base_spend",
    "commit_low",
    "commit_high",
    "swing",
    "spend_low",
    "spend_high",
]


@dataclass(frozen=True)
class Assumption:
    """One assumption and how to move it: ``edit(data, side)`` changes a scenario dump in place."""

    name: str
    low: str
    high: str
    edit: Callable[[Data, str], None]


def _clip(x: float, lo: float, hi: float) -> float:
    return float(min(max(x, lo), hi))


def _growth(data: Data, side: str) -> None:
    f = 0.5 if side == "low" else 1.5
    for w in data["workloads"]:
        w["growth"]["monthly_rate"] = _clip(w["growth"]["monthly_rate"] * f, -0.49, 1.0)


def _volatility(data: Data, side: str) -> None:
    f = 0.5 if side == "low" else 2.0
    for w in data["workloads"]:
        w["growth"]["volatility"] = _clip(w["growth"]["volatility"] * f, 0.0, 1.0)


def _effects(data: Data, side: str) -> None:
    for lv in data["levers"]:
        e = lv["effect"]
        v = e[side]
        lv["effect"] = {"low": v, "mode": v, "high": v}


def _success(data: Data, side: str) -> None:
    d = -0.2 if side == "low" else 0.1
    for lv in data["levers"]:
        lv["success_probability"] = _clip(lv["success_probability"] + d, 0.0, 1.0)


def _correlation(data: Data, side: str) -> None:
    data["simulation"]["correlation"] = 0.2 if side == "low" else 0.8


ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption("Workload growth rates", "x0.5", "x1.5", _growth),
    Assumption("Growth volatility", "x0.5", "x2", _volatility),
    Assumption("Lever effects", "all at low", "all at high", _effects),
    Assumption("Lever success probabilities", "-0.2", "+0.1", _success),
    Assumption("Workload correlation", "0.2", "0.8", _correlation),
)


def _limits(eps: float) -> tuple[float, float]:
    return _clip(eps / 2, 0.0, 1.0), _clip(max(eps * 2, 0.05), 0.0, 1.0)


@dataclass(frozen=True)
class Run:
    """One setting of the sweep: the moved scenario, and the base plan when it provably holds."""

    scenario: Scenario
    paths: int
    seed: int | None
    plan: Plan | None


def _run(run: Run) -> tuple[float, float]:
    """Recommended commitment and mean optimised term spend of one setting (NaN if unsolvable).

    Module level so that worker processes can unpickle it.
    """
    try:
        rep = recommend(run.scenario, paths=run.paths, seed=run.seed, plan=run.plan)
    except (SimulatorError, ValueError):
        return float("nan"), float("nan")
    return rep.commit.recommended, float(np.mean(_total(rep.optimized_term)))


def tornado(
    scenario: Scenario,
    paths: int = 4000,
    seed: int | None = None,
    progress: Progress | None = None,
    *,
    jobs: int | None = None,
    dask: str | None = None,
) -> pd.DataFrame:
    """Recommended commitment with each assumption at its low and high setting.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    paths : int
        Monte Carlo paths per run (the same seed for every run).
    seed : int, optional
        Override ``scenario.simulation.seed``.
    progress : callable(name, fraction), optional
        Called as runs finish with the next assumption's name and the fraction done.
    jobs, dask : optional
        Run the settings in ``jobs`` local processes (None, the default: in this process unless
        runs are long enough for worker processes to pay), or on the Dask scheduler at ``dask``
        (:func:`simulator.decision.sweep.sweep`); results are the same either way.

    Returns
    -------
    pandas.DataFrame
        Columns ``assumption, low_value, high_value, base_commit, base_spend, commit_low,
        commit_high, swing``
        (``|commit_high - commit_low|``) and the mean optimised term spend at each setting
        (``spend_low``, ``spend_high``), sorted by swing (then spend range), largest first.
        A setting the planner cannot solve gives NaN. Settings the planner provably ignores
        (same :func:`simulator.planning.inputs.planning_key`) reuse the base plan instead of
        re-planning; ``frame.attrs["replans_skipped"]`` counts them. ``frame.attrs["ran_in"]``
        says where the settings ran (``"this process"``, ``"2 processes"``, ``"dask"``) and
        ``frame.attrs["ran_why"]`` why auto chose it (empty when ``jobs`` or ``dask`` was given).
    """
    notify = progress or (lambda _n, _f: None)
    runs = 2 * len(ASSUMPTIONS) + 1
    notify("base case", 0.0)
    base = recommend(scenario, paths=paths, seed=seed)
    base_commit = base.commit.recommended
    base_spend = float(np.mean(_total(base.optimized_term)))
    base_key = planning_key(scenario)
    dump = scenario.model_dump(mode="python")
    labels: list[str] = []
    tasks: list[Run | None] = []
    skipped = 0
    for a in ASSUMPTIONS:
        for side in ("low", "high"):
            data = _copy(dump)
            a.edit(data, side)
            labels.append(f"{a.name}: {side}")
            try:
                moved = Scenario.model_validate(data)
            except ValueError:
                tasks.append(None)
                continue
            # the planner reads nothing this assumption changed: its plan is the base plan
            same = planning_key(moved) == base_key
            skipped += same
            tasks.append(Run(moved, paths, seed, base.plan if same else None))
    todo = [t for t in tasks if t is not None]
    names = [label for label, t in zip(labels, tasks, strict=True) if t is not None]
    ran = sweep(
        _run,
        todo,
        jobs=jobs,
        dask=dask,
        done=lambda k, n: notify(
            names[k] if k < n else "Shortfall limit", (1 + k * (runs - 1) / n) / runs
        ),
    )
    answers = iter(ran.results)
    outcome = [next(answers) if t is not None else (float("nan"), float("nan")) for t in tasks]
    rows = []
    for i, a in enumerate(ASSUMPTIONS):
        row: dict[str, Any] = {
            "assumption": a.name,
            "low_value": a.low,
            "high_value": a.high,
            "base_commit": base_commit,
            "base_spend": base_spend,
        }
        for j, side in enumerate(("low", "high")):
            row[f"commit_{side}"], row[f"spend_{side}"] = outcome[2 * i + j]
        rows.append(row)
    eps = scenario.contract.max_shortfall_probability
    notes = []
    if eps is None:
        # a bar around an assumed limit would straddle a base that has none
        notes.append("no shortfall limit is set, so the tornado has no shortfall-limit bar")
    else:
        lo, hi = _limits(eps)
        row = {
            "assumption": "Shortfall limit",
            "low_value": f"{lo:.1%}",
            "high_value": f"{hi:.1%}",
        }
        row["base_commit"] = base_commit
        row["base_spend"] = spend = base_spend
        for side, limit in (("low", lo), ("high", hi)):
            rec = recommend_commit(
                base.optimized_term, scenario.contract, max_shortfall_probability=limit
            )
            row[f"commit_{side}"] = rec.recommended
            row[f"spend_{side}"] = spend
        rows.append(row)
    notify("done", 1.0)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.attrs["notes"] = notes
    frame.attrs["replans_skipped"] = skipped
    frame["swing"] = (frame["commit_high"] - frame["commit_low"]).abs()
    spread = (frame["spend_high"] - frame["spend_low"]).abs()
    order = np.lexsort((-spread.fillna(0).to_numpy(), -frame["swing"].fillna(0).to_numpy()))
    out = frame.iloc[order].reset_index(drop=True)
    out.attrs.update(notes=notes, replans_skipped=skipped, ran_in=ran.ran_in, ran_why=ran.why)
    return out


def _total(term: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return term.sum(axis=1) if term.ndim == 2 else term


def _copy(data: Data) -> Data:
    import copy

    return copy.deepcopy(data)
