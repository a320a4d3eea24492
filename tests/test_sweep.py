"""Sweeps: provably unchanged re-plans are skipped, and runs give the same answers in this
process, in local worker processes and on a Dask cluster."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simulator.decision.report import recommend
from simulator.decision.sensitivity import Run, _run, tornado
from simulator.decision.sweep import run_all
from simulator.errors import SimulatorError
from simulator.planning.inputs import planning_key
from simulator.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent


def _square(x: int) -> int:
    return x * x


def _worker(_: int) -> str:
    from dask.distributed import get_worker

    return str(get_worker().address)


def moved(s: Scenario, edit: dict[str, object]) -> Scenario:
    data = s.model_dump(mode="python")
    for dotted, value in edit.items():
        *path, last = dotted.split(".")
        node = data
        for p in path:
            node = node[int(p)] if isinstance(node, list) else node[p]
        node[last] = value
    return Scenario.model_validate(data)


def test_planning_key_ignores_only_what_the_planner_ignores() -> None:
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    key = planning_key(s)
    plain = [i for i, w in enumerate(s.workloads) if w.growth.saturation is None]
    curved = [i for i, w in enumerate(s.workloads) if w.growth.saturation is not None]
    assert plain and curved
    # provably unchanged: correlation, paths, sampling, contract, offers, a plain workload's
    # volatility
    for edit in (
        {"simulation.correlation": 0.9},
        {"simulation.paths": 1234},
        {"simulation.sampling": "plain"},
        {"contract.term_months": 24},
        {"offers": []},
        {f"workloads.{plain[0]}.growth.volatility": 0.3},
    ):
        assert planning_key(moved(s, edit)) == key, edit
    # read by the planner: growth rates, lever effects, capacity, a saturating workload's
    # volatility (its expected volume is estimated from seeded paths), and then the seed too
    for edit in (
        {f"workloads.{plain[0]}.growth.monthly_rate": 0.01},
        {"levers.0.success_probability": 0.5},
        {"capacity.waves.0.engineering_weeks": 1.0},
        {f"workloads.{curved[0]}.growth.volatility": 0.3},
        {"simulation.seed": 99},
    ):
        assert planning_key(moved(s, edit)) != key, edit


def test_a_skipped_replan_gives_the_answer_a_replan_gives() -> None:
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    base = recommend(s, paths=2000)
    m = moved(s, {"simulation.correlation": 0.8})
    assert planning_key(m) == planning_key(s)
    reused = _run(Run(m, 2000, None, base.plan))
    replanned = _run(Run(m, 2000, None, None))
    assert reused == replanned


def test_tornado_counts_the_replans_it_skips() -> None:
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    table = tornado(s, paths=1000)
    # correlation low and high; volatility moves the default's saturating workloads
    assert table.attrs["replans_skipped"] == 2


def test_run_all_keeps_order_and_reports_progress() -> None:
    seen: list[tuple[int, int]] = []
    assert run_all(_square, [3, 1, 2], done=lambda k, n: seen.append((k, n))) == [9, 1, 4]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert run_all(_square, [3, 1, 2], jobs=2) == [9, 1, 4]
    with pytest.raises(ValueError, match="jobs"):
        run_all(_square, [1, 2], jobs=0)


@pytest.mark.slow
def test_tornado_is_the_same_in_processes_and_on_a_dask_cluster() -> None:
    distributed = pytest.importorskip("dask.distributed")
    s = load_scenario(ROOT / "scenarios" / "startup.yaml")
    here = tornado(s, paths=1000)
    pool = tornado(s, paths=1000, jobs=2)
    pd.testing.assert_frame_equal(here, pool)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        remote = tornado(s, paths=1000, dask=cluster.scheduler_address)
        # the runs really went to the cluster's workers
        workers = set(run_all(_worker, [1, 2, 3, 4], dask=cluster.scheduler_address))
        assert workers <= set(cluster.scheduler_info["workers"])
    pd.testing.assert_frame_equal(here, remote)


def test_an_unreachable_dask_scheduler_is_a_named_error() -> None:
    pytest.importorskip("dask.distributed")
    with pytest.raises(SimulatorError, match="Dask scheduler"):
        run_all(_square, [1, 2], dask="tcp://127.0.0.1:1")
