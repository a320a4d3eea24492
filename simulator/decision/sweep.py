"""Running a sweep's independent pipeline runs: in this process, in local processes (joblib's
loky backend) or on a Dask cluster.

Runs are independent and seeded, so where they run never changes a result, only how long the
sweep takes. ``docs/performance.md`` says when each pays: local processes once a run takes
seconds, a Dask cluster (``--dask ADDRESS``) once the sweep outgrows one machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import joblib

from simulator.errors import SimulatorError

T = TypeVar("T")
R = TypeVar("R")


def run_all(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int = 1,
    dask: str | None = None,
    done: Callable[[int, int], None] | None = None,
) -> list[R]:
    """``[fn(x) for x in items]``, in order, possibly in parallel.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled to the workers).
    items : sequence
        One argument per run.
    jobs : int
        Local worker processes; 1 runs in this process, -1 one per core.
    dask : str, optional
        Address of a ``dask.distributed`` scheduler (e.g. ``tcp://10.0.0.5:8786``); the runs go
        to its workers instead of local processes.
    done : callable(finished, total), optional
        Called as each run finishes, in order.
    """
    total = len(items)
    if jobs == 0:
        raise ValueError("jobs must be a positive count or -1 (one per core), not 0")
    if dask is None and (jobs == 1 or total <= 1):
        out = []
        for i, x in enumerate(items):
            out.append(fn(x))
            if done is not None:
                done(i + 1, total)
        return out
    with _backend(dask):
        parallel = joblib.Parallel(
            n_jobs=jobs if dask is None else -1, return_as="generator", prefer="processes"
        )
        results: list[R] = []
        for i, r in enumerate(parallel(joblib.delayed(fn)(x) for x in items)):
            results.append(r)
            if done is not None:
                done(i + 1, total)
        return results


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
