"""Running a sweep's independent pipeline runs: in this process, in local processes (joblib's
loky backend) or on a Dask cluster.

Runs are independent and seeded, so where they run never changes a result, only how long the
sweep takes. By default (``jobs=None``, "auto") the first run goes in this process and is timed;
the rest go to local worker processes only when there is more than one core and the time they
would save clearly repays starting the workers. ``docs/performance.md`` says when each pays.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import joblib

from simulator.errors import SimulatorError
from simulator.forecast import engine
from simulator.forecast.engine import usable_cores

T = TypeVar("T")
R = TypeVar("R")

# Seconds to start local worker processes that can run the pipeline: a joblib loky Parallel of 2
# trivial tasks importing simulator.decision.report, timed from a fresh interpreter that had
# already imported it (as the CLI has). Measured 0.93-1.05 s over 5 runs on the 2-core
# development machine, idle (2026-12-04); workers then pay about 0.2-0.4 s more on their first
# real run (lazy imports, pickling), which PAYS_BY covers.
STARTUP_S = 1.0
# "Clearly exceeds": the estimated saving must be this many times the start-up cost, because the
# first run's time is a noisy estimate and a shared machine starts processes more slowly.
PAYS_BY = 2.0


@dataclass(frozen=True)
class Ran(Generic[R]):
    """A sweep's results, in order, and where the runs went.

    Attributes
    ----------
    results : list
        ``fn(x)`` for each item, in the items' order.
    ran_in : str
        ``"this process"``, ``"N processes"`` (local workers) or ``"dask"``.
    why : str
        Why auto (``jobs=None``) chose ``ran_in``, in plain words; empty when it was asked for.
    """

    results: list[R]
    ran_in: str
    why: str = ""


def processes_pay(first_s: float, remaining: int, cores: int, startup_s: float) -> bool:
    """Whether ``remaining`` runs of about ``first_s`` seconds are worth worker processes.

    In this process they take ``first_s * remaining``; on ``w = min(cores, remaining)`` workers
    about ``startup_s + first_s * remaining / w``. Processes pay when the saving,
    ``first_s * remaining * (1 - 1/w)``, exceeds ``PAYS_BY`` times the start-up cost.
    """
    workers = min(cores, remaining)
    if workers < 2:
        return False
    return first_s * remaining * (1 - 1 / workers) > PAYS_BY * startup_s


def run_all(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int | None = None,
    dask: str | None = None,
    done: Callable[[int, int], None] | None = None,
) -> list[R]:
    """``[fn(x) for x in items]``, in order, possibly in parallel (see :func:`sweep`)."""
    return sweep(fn, items, jobs=jobs, dask=dask, done=done).results


def sweep(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int | None = None,
    dask: str | None = None,
    done: Callable[[int, int], None] | None = None,
) -> Ran[R]:
    """``[fn(x) for x in items]``, in order, possibly in parallel, and where it ran.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled to the workers).
    items : sequence
        One argument per run.
    jobs : int, optional
        Local worker processes: None (the default) is auto, 1 runs in this process, -1 one per
        core. Auto runs the first item here and sends the rest to
        ``min(cores, remaining)`` processes only if :func:`processes_pay` says so.
    dask : str, optional
        Address of a ``dask.distributed`` scheduler (e.g. ``tcp://10.0.0.5:8786``); the runs go
        to its workers instead of local processes.
    done : callable(finished, total), optional
        Called as each run finishes, in order.

    Returns
    -------
    Ran
    """
    total = len(items)
    if jobs == 0:
        raise ValueError("jobs must be a positive count or -1 (one per core), not 0")
    tick = done or (lambda _k, _n: None)
    if dask is not None:
        return Ran(_parallel(fn, items, -1, dask, tick, 0, total), "dask")
    if jobs is None:
        return _auto(fn, items, tick)
    if jobs == 1 or total <= 1:
        return Ran(_here(fn, items, tick, 0, total), "this process")
    workers = min(usable_cores() if jobs < 0 else jobs, total)
    results = _parallel(fn, items, jobs, None, tick, 0, total)
    # joblib runs a single job in the calling process
    return Ran(results, f"{workers} processes" if workers > 1 else "this process")


def _auto(fn: Callable[[T], R], items: Sequence[T], tick: Callable[[int, int], None]) -> Ran[R]:
    total = len(items)
    cores = usable_cores()
    if total <= 1 or cores < 2:
        why = "one core" if total > 1 else "a single run"
        return Ran(_here(fn, items, tick, 0, total), "this process", why)
    t = time.perf_counter()
    first = fn(items[0])
    first_s = time.perf_counter() - t
    tick(1, total)
    rest = items[1:]
    if not processes_pay(first_s, len(rest), cores, STARTUP_S):
        why = f"runs of {first_s:.2f} s are too short for worker processes to pay"
        return Ran([first, *_here(fn, rest, tick, 1, total)], "this process", why)
    workers = min(cores, len(rest))
    results = _parallel(fn, rest, workers, None, tick, 1, total)
    why = f"the first run, here, took {first_s:.1f} s: long enough for worker processes to pay"
    return Ran([first, *results], f"{workers} processes", why)


def _here(
    fn: Callable[[T], R],
    items: Sequence[T],
    tick: Callable[[int, int], None],
    before: int,
    total: int,
) -> list[R]:
    out = []
    for i, x in enumerate(items):
        out.append(fn(x))
        tick(before + i + 1, total)
    return out


def _parallel(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    dask: str | None,
    tick: Callable[[int, int], None],
    before: int,
    total: int,
) -> list[R]:
    cores = usable_cores()
    # local workers that fill the cores leave no room for the forecast's drawing thread
    prefetch = dask is not None or min(cores if jobs < 0 else jobs, len(items)) < cores
    with _backend(dask):
        parallel = joblib.Parallel(n_jobs=jobs, return_as="generator", prefer="processes")
        results: list[R] = []
        calls = (joblib.delayed(_in_worker)(fn, x, prefetch) for x in items)
        for i, r in enumerate(parallel(calls)):
            results.append(r)
            tick(before + i + 1, total)
        return results


def _in_worker(fn: Callable[[T], R], x: T, prefetch: bool) -> R:
    """``fn(x)`` in a worker, drawing the forecast's shocks on one thread unless ``prefetch``."""
    engine.PREFETCH = engine.PREFETCH and prefetch
    return fn(x)


@contextmanager
def _backend(dask: str | None) -> Iterator[Any]:
    if dask is None:
        yield None
        return
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover - dask is a declared dependency
        raise SimulatorError(
            "--dask needs dask.distributed: pip install 'dask[distributed]'"
        ) from None
    try:
        client = Client(dask, timeout=10)  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise SimulatorError(f"cannot reach the Dask scheduler at {dask}: {exc}") from None
    with client, joblib.parallel_config(backend="dask"):
        yield client
