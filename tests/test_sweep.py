"""Sweeps: provably unchanged re-plans are skipped, and runs give the same answers in this
process, in local worker processes and on a Dask cluster."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli

from simulator.decision import sweep as sweep_mod
from simulator.decision.report import recommend
from simulator.decision.sensitivity import Run, _run, tornado
from simulator.decision.sweep import processes_pay, run_all, sweep
from simulator.errors import SimulatorError
from simulator.forecast import engine
from simulator.planning.inputs import planning_key
from simulator.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent


def _square(x: int) -> int:
    return x * x


def _pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _slow_pid(x: int) -> tuple[int, int]:
    time.sleep(0.3)
    return x * x, os.getpid()


def _prefetch(_: int) -> tuple[bool, int]:
    return engine.PREFETCH, os.getpid()


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


def test_without_saturation_volatility_replans_are_skipped_too() -> None:
    """Without saturating workloads expected volumes are v_0 (1 + mu)^t whatever the volatility,
    so the volatility pair reuses the base plan as well: 4 of 10 re-plans skipped, and each
    skipped setting's answer is the one a re-plan gives."""
    s = load_scenario(ROOT / "scenarios" / "default.yaml")
    data = s.model_dump(mode="python")
    for w in data["workloads"]:
        w["growth"]["saturation"] = None
    flat = Scenario.model_validate(data)
    table = tornado(flat, paths=1000)
    assert table.attrs["replans_skipped"] == 4
    row = table.set_index("assumption").loc["Growth volatility"]
    for side, f in (("low", 0.5), ("high", 2.0)):
        data_v = flat.model_dump(mode="python")
        for w in data_v["workloads"]:
            w["growth"]["volatility"] = min(1.0, w["growth"]["volatility"] * f)
        replanned = recommend(Scenario.model_validate(data_v), paths=1000)
        assert row[f"commit_{side}"] == pytest.approx(replanned.commit.recommended, rel=1e-12)


def test_run_all_keeps_order_and_reports_progress() -> None:
    seen: list[tuple[int, int]] = []
    assert run_all(_square, [3, 1, 2], done=lambda k, n: seen.append((k, n))) == [9, 1, 4]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert run_all(_square, [3, 1, 2], jobs=2) == [9, 1, 4]
    with pytest.raises(ValueError, match="jobs"):
        run_all(_square, [1, 2], jobs=0)


def test_processes_pay_when_the_saving_is_twice_the_start_up() -> None:
    # 4 remaining runs on 2 cores save first_s * 4 * (1 - 1/2) = 2 * first_s; start-up 1 s, so
    # the break-even (saving = PAYS_BY x start-up = 2 s) is first_s = 1 s
    assert sweep_mod.PAYS_BY == 2.0
    assert not processes_pay(0.99, 4, cores=2, startup_s=1.0)
    assert processes_pay(1.01, 4, cores=2, startup_s=1.0)
    # more cores save more: 4 workers save 3/4 of 4 s = 3 s > 2 s
    assert processes_pay(1.0, 4, cores=8, startup_s=1.0)
    # the bundled sensitivity sweeps: 9 more runs of 0.15 s do not pay, of 1.5 s do
    assert not processes_pay(0.15, 9, cores=2, startup_s=sweep_mod.STARTUP_S)
    assert processes_pay(1.5, 9, cores=2, startup_s=sweep_mod.STARTUP_S)
    # one core, or one run left, never pays however long the runs
    assert not processes_pay(100.0, 9, cores=1, startup_s=1.0)
    assert not processes_pay(100.0, 1, cores=8, startup_s=1.0)


def test_auto_keeps_cheap_runs_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # two cores, so only the runs' cost keeps them here
    monkeypatch.setattr(sweep_mod, "usable_cores", lambda: 2)
    seen: list[tuple[int, int]] = []
    ran = sweep(_pid, [3, 1, 2, 5], done=lambda k, n: seen.append((k, n)))
    assert [r for r, _ in ran.results] == [9, 1, 4, 25]
    assert {pid for _, pid in ran.results} == {os.getpid()}
    assert ran.ran_in == "this process" and "too short" in ran.why
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    # the default of run_all is auto too
    assert run_all(_pid, [3, 1]) == [(9, os.getpid()), (1, os.getpid())]


def test_auto_on_one_core_stays_here_however_long_the_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sweep_mod, "usable_cores", lambda: 1)
    monkeypatch.setattr(sweep_mod, "STARTUP_S", 0.0)
    ran = sweep(_slow_pid, [1, 2])
    assert {pid for _, pid in ran.results} == {os.getpid()}
    assert (ran.ran_in, ran.why) == ("this process", "one core")


def test_auto_sends_long_runs_to_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    # runs of 0.3 s against a 0.01 s start-up: the 3 after the first go to 2 processes
    monkeypatch.setattr(sweep_mod, "usable_cores", lambda: 2)
    monkeypatch.setattr(sweep_mod, "STARTUP_S", 0.01)
    seen: list[tuple[int, int]] = []
    ran = sweep(_slow_pid, [3, 1, 2, 5], done=lambda k, n: seen.append((k, n)))
    here = sweep(_slow_pid, [3, 1, 2, 5], jobs=1)
    assert [r for r, _ in ran.results] == [r for r, _ in here.results] == [9, 1, 4, 25]
    pids = [pid for _, pid in ran.results]
    assert pids[0] == os.getpid()  # the timed first run
    assert os.getpid() not in pids[1:]
    assert ran.ran_in == "2 processes" and "long enough" in ran.why
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert (here.ran_in, here.why) == ("this process", "")


def test_explicit_jobs_keep_todays_behaviour() -> None:
    seen: list[tuple[int, int]] = []
    ran = sweep(_pid, [3, 1, 2], jobs=2, done=lambda k, n: seen.append((k, n)))
    assert [r for r, _ in ran.results] == [9, 1, 4]
    assert os.getpid() not in {pid for _, pid in ran.results}
    assert (ran.ran_in, ran.why) == ("2 processes", "")
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_workers_that_fill_the_cores_draw_on_one_thread() -> None:
    """Two local workers on two cores each running a second drawing thread would oversubscribe
    them: workers draw on one thread when they are as many as the cores."""
    ran = sweep(_prefetch, [0, 1, 2, 3], jobs=2)
    assert os.getpid() not in {pid for _, pid in ran.results}
    cores = sweep_mod.usable_cores()
    # a worker's own default is a drawing thread whenever it may use more than one core
    assert {p for p, _ in ran.results} == {cores > 2}  # two workers leave room only past 2 cores
    assert (cores > 1) is engine.PREFETCH  # the calling process keeps its thread


@pytest.mark.slow
def test_tornado_is_the_same_in_processes_and_on_a_dask_cluster() -> None:
    distributed = pytest.importorskip("dask.distributed")
    s = load_scenario(ROOT / "scenarios" / "startup.yaml")
    here = tornado(s, paths=1000)
    pool = tornado(s, paths=1000, jobs=2)
    pd.testing.assert_frame_equal(here, pool)
    assert (pool.attrs["ran_in"], pool.attrs["ran_why"]) == ("2 processes", "")
    assert here.attrs["ran_why"]  # the default is auto, and it says why it ran where it did
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        remote = tornado(s, paths=1000, dask=cluster.scheduler_address)
        assert remote.attrs["ran_in"] == "dask"
        # the runs really went to the cluster's workers
        workers = set(run_all(_worker, [1, 2, 3, 4], dask=cluster.scheduler_address))
        assert workers <= set(cluster.scheduler_info["workers"])
    pd.testing.assert_frame_equal(here, remote)


def test_an_unreachable_dask_scheduler_is_a_named_error() -> None:
    pytest.importorskip("dask.distributed")
    with pytest.raises(SimulatorError, match="Dask scheduler"):
        run_all(_square, [1, 2], dask="tcp://127.0.0.1:1")


@pytest.mark.parametrize("command", ["sensitivity", "compare"])
def test_cli_jobs_zero_is_refused_with_a_message(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = ["default.yaml"] if command == "sensitivity" else ["default.yaml", "startup.yaml"]
    args = [command, *(str(ROOT / "scenarios" / f) for f in files), "--jobs", "0"]
    assert run_cli(args, monkeypatch) == 2
    err = capsys.readouterr().err
    assert "--jobs must be a positive count or -1 (one per core), not 0" in err
    assert "Traceback" not in err


def test_cli_sensitivity_says_where_the_runs_ran(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sweep_mod, "usable_cores", lambda: 2)
    # runs of a few hundredths of a second: auto keeps them here, and says so and why
    monkeypatch.setattr(sweep_mod, "STARTUP_S", 1000.0)
    path = str(ROOT / "scenarios" / "startup.yaml")
    assert run_cli(["sensitivity", path, "--paths", "500"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "Runs ran in this process (auto: runs of " in out
    assert "too short for worker processes to pay)." in out
    assert run_cli(["sensitivity", path, "--paths", "500", "--jobs", "1"], monkeypatch) == 0
    assert "Runs ran in this process.\n" in capsys.readouterr().out
    assert run_cli(["sensitivity", path, "--paths", "500", "--json"], monkeypatch) == 0
    assert json.loads(capsys.readouterr().out)["ran_in"] == "this process"
