"""Generated programmes for benchmarks and property tests (realistic shapes, seeded)."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.scenario import Scenario, scenario_from_data

_MODELS = ("claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-sonnet-4-6")
_CHEAPER = {
    "claude-opus-4-5": ("claude-sonnet-4-5", "claude-haiku-4-5"),
    "claude-sonnet-4-5": ("claude-haiku-4-5",),
    "claude-sonnet-4-6": ("claude-haiku-4-5",),
    "claude-haiku-4-5": ("claude-haiku-3-5",),
}
_KINDS = ("routing", "batch", "caching", "output_control", "compression", "custom")


def generated_programme(
    workloads: int = 30,
    levers_per_workload: int = 5,
    waves: int = 4,
    months: int = 36,
    paths: int = 20_000,
    seed: int = 0,
    capacity_share: float = 0.45,
) -> Scenario:
    """A random but realistic programme.

    Parameters
    ----------
    workloads, levers_per_workload, waves, months, paths : int
        Shape of the programme.
    seed : int
        Seed of the generator (same seed, same scenario).
    capacity_share : float
        Engineering weeks over all waves as a share of the backlog's total effort, so capacity
        binds and the planner has real choices to make.
    """
    rng = np.random.default_rng(seed)
    wls: list[dict[str, Any]] = []
    levers: list[dict[str, Any]] = []
    for i in range(workloads):
        model = _MODELS[int(rng.integers(len(_MODELS)))]
        read = float(rng.uniform(0.0, 0.5))
        wl = {
            "id": f"w{i:03d}",
            "model": model,
            "requests_per_month": float(rng.lognormal(12.5, 1.0)),
            "input_tokens": float(rng.lognormal(7.5, 1.0)),
            "output_tokens": float(rng.lognormal(5.5, 0.7)),
            "cache_read_share": round(read, 3),
            "cache_write_share": round(float(rng.uniform(0, 0.1)), 3),
            "batch_share": round(float(rng.uniform(0, 0.3)), 3),
            "growth": {
                "monthly_rate": round(float(rng.uniform(0.0, 0.08)), 4),
                "volatility": round(float(rng.uniform(0.01, 0.06)), 4),
            },
        }
        if rng.random() < 0.15:
            first = int(rng.integers(1, months // 3))
            wl["launch"] = {"month": [first, first + 3], "probability": 0.7}
        wls.append(wl)
        kinds = rng.choice(_KINDS, size=levers_per_workload, replace=True)
        routed = 0.0
        for j, kind in enumerate(kinds):
            low = float(rng.uniform(0.05, 0.3))
            high = float(min(0.9, low + rng.uniform(0.1, 0.5)))
            mode = float(rng.uniform(low, high))
            lever: dict[str, Any] = {
                "id": f"w{i:03d}-l{j}",
                "workload": wl["id"],
                "kind": str(kind),
                "effect": {"low": round(low, 3), "mode": round(mode, 3), "high": round(high, 3)},
                "effort_weeks": float(rng.integers(1, 9)),
                "success_probability": round(float(rng.uniform(0.6, 1.0)), 3),
            }
            if kind == "routing":
                if routed + high > 1.0:
                    lever["kind"] = "custom"
                else:
                    routed += high
                    options = _CHEAPER[model]
                    lever["to_model"] = options[int(rng.integers(len(options)))]
            levers.append(lever)
    total_effort = sum(lv["effort_weeks"] for lv in levers)
    per_wave = round(capacity_share * total_effort / waves, 1)
    step = max(1, months // (3 * waves))
    wave_rows = [
        {
            "name": f"Wave {k + 1}",
            "start_month": k * step,
            "duration_months": step,
            "engineering_weeks": per_wave,
        }
        for k in range(waves)
    ]
    data = {
        "schema_version": 1,
        "name": f"generated {workloads}x{levers_per_workload}x{waves} seed {seed}",
        "start": "2027-01",
        "horizon_months": months,
        "simulation": {"paths": paths, "seed": seed},
        "workloads": wls,
        "levers": levers,
        "capacity": {"waves": wave_rows},
        "contract": {"start_month": 0, "term_months": min(12, months)},
    }
    return scenario_from_data(data, f"<generated seed {seed}>")
