"""Side-by-side comparison of scenarios: which inputs differ, and what that does to the outcome."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.decision.report import Report, recommend, term_stats
from simulator.decision.sweep import run_all
from simulator.scenario import Scenario

# list sections whose items are matched by a key rather than by position
_KEYS = {"workloads": "id", "levers": "id", "offers": "name", "waves": "name"}
OUTCOME_KEYS: tuple[str, ...] = (
    "baseline_mean",
    "baseline_p10",
    "baseline_p90",
    "optimized_mean",
    "optimized_p10",
    "optimized_p90",
    "plan_savings",
    "recommended_commit",
    "discount",
    "expected_cost",
    "shortfall_probability",
    "exposure_avoided",
)


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaf values; list items of keyed sections are addressed by their key.

    >>> flatten({"levers": [{"id": "a", "effort_weeks": 2}]})
    {'levers.a.effort_weeks': 2}
    """
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        if not data and prefix:
            out[prefix] = {}
        for k, v in data.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(data, list):
        key = _KEYS.get(prefix.rsplit(".", 1)[-1])
        if key and all(isinstance(x, dict) and key in x for x in data):
            for item in data:
                here = f"{prefix}.{item[key]}"
                rest = {k: v for k, v in item.items() if k != key}
                out.update(flatten(rest, here) if rest else {here: {}})
            return out
        if all(not isinstance(x, dict | list) for x in data):
            out[prefix] = list(data)
            return out
        for i, v in enumerate(data):
            out.update(flatten(v, f"{prefix}.{i}"))
        return out
    out[prefix] = data
    return out


def outcomes_of(report: Report) -> dict[str, float]:
    """The outcome numbers compared across scenarios (see :data:`OUTCOME_KEYS`)."""
    b, o, c = term_stats(report.baseline_term), term_stats(report.optimized_term), report.commit
    return {
        "baseline_mean": b["mean"],
        "baseline_p10": b["p10"],
        "baseline_p90": b["p90"],
        "optimized_mean": o["mean"],
        "optimized_p10": o["p10"],
        "optimized_p90": o["p90"],
        "plan_savings": report.plan.expected_savings,
        "recommended_commit": c.recommended,
        "discount": c.discount,
        "expected_cost": c.expected_cost,
        "shortfall_probability": c.shortfall_probability,
        "exposure_avoided": report.exposure_avoided,
    }


@dataclass
class Comparison:
    """Differences in inputs and outcomes between scenarios.

    ``input_diffs`` rows are ``{"path": dotted path, "values": [one per scenario]}`` for every
    input that differs (``None`` where a scenario lacks it). ``outcomes`` has one dict per
    scenario (:data:`OUTCOME_KEYS`); ``deltas`` the same keys minus the baseline scenario's.
    """

    names: list[str]
    baseline: int
    input_diffs: list[dict[str, Any]]
    outcomes: list[dict[str, float]]
    deltas: list[dict[str, float]]
    reports: list[Report] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "names": self.names,
            "baseline": self.baseline,
            "input_diffs": self.input_diffs,
            "outcomes": self.outcomes,
            "deltas": self.deltas,
        }


def input_diffs(scenarios: Sequence[Scenario]) -> list[dict[str, Any]]:
    """Rows for every dotted input path whose value is not the same in all scenarios."""
    flat = [flatten(s.model_dump(mode="json")) for s in scenarios]
    paths: list[str] = []
    for f in flat:  # first-seen order keeps the file's section order
        paths += [p for p in f if p not in paths]
    rows = []
    for p in paths:
        values = [f.get(p) for f in flat]
        if any(v != values[0] for v in values[1:]):
            rows.append({"path": p, "values": values})
    return rows


def _report(args: tuple[Scenario, int | None, int | None]) -> Report:
    """One scenario's pipeline (module level, so worker processes can unpickle it)."""
    s, paths, seed = args
    return recommend(s, paths=paths, seed=seed)


def compare(
    scenarios: list[Scenario],
    names: list[str] | None = None,
    baseline: int = 0,
    *,
    paths: int | None = None,
    seed: int | None = None,
    reports: list[Report] | None = None,
    jobs: int | None = None,
    dask: str | None = None,
    done: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Compare scenarios' inputs and outcomes.

    Parameters
    ----------
    scenarios : list of Scenario
        Two or more scenarios.
    names : list of str, optional
        Labels (default: each scenario's ``name``, suffixed where two are equal).
    baseline : int
        Index of the scenario the deltas are taken against.
    paths, seed : int, optional
        Monte Carlo overrides passed to :func:`simulator.decision.report.recommend`.
    reports : list of Report, optional
        Already computed reports, one per scenario (skips the pipeline).
    jobs, dask, done : optional
        Run the scenarios in ``jobs`` local processes (None, the default: in this process
        unless runs are long enough for worker processes to pay) or on the Dask scheduler at
        ``dask``, calling ``done(finished, total)`` as each finishes
        (:func:`simulator.decision.sweep.run_all`).

    Returns
    -------
    Comparison
    """
    if len(scenarios) < 1:
        raise ValueError("compare needs at least one scenario")
    if not 0 <= baseline < len(scenarios):
        raise ValueError(f"baseline {baseline} is not an index into {len(scenarios)} scenarios")
    labels = list(names) if names is not None else [s.name for s in scenarios]
    if len(labels) != len(scenarios):
        raise ValueError("names must have one label per scenario")
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            labels[i] = f"{label} ({seen[label]})"
    reps = reports or run_all(
        _report, [(s, paths, seed) for s in scenarios], jobs=jobs, dask=dask, done=done
    )
    outs = [outcomes_of(r) for r in reps]
    base = outs[baseline]
    deltas = [{k: o[k] - base[k] for k in OUTCOME_KEYS} for o in outs]
    return Comparison(labels, baseline, input_diffs(scenarios), outs, deltas, reps)
