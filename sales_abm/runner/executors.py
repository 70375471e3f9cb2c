"""Executors behind ``concurrent.futures.Executor``: serial, local[:N] and dask[:N|ADDRESS].

- ``serial``: in this process, one run at a time (debugging, tests).
- ``local[:N]``: a ``ProcessPoolExecutor`` of N workers (default ``os.cpu_count()``). Workers
  are forked from a ``forkserver`` that has imported the model once (fast start, and no fork of a
  process whose polars thread pool is running).
- ``dask[:N|ADDRESS]``: ``distributed.Client.get_executor()``; ``dask`` or ``dask:N`` starts a
  ``LocalCluster`` of N single-threaded worker processes, ``dask:tcp://host:8786`` joins a
  running scheduler. Needs the ``cluster`` extra.

Results do not depend on the executor: a run is a pure function of its task.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sales_abm.runner.spec import ExperimentError

KINDS = ("serial", "local", "dask")
PRELOAD = ["sales_abm.runner.worker"]


class SerialExecutor(Executor):
    """Runs each call at submission, in this process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Call ``fn`` now and return its completed future (an exception is stored in it)."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


@dataclass(frozen=True)
class ExecutorSpec:
    """A parsed ``--executor`` value."""

    kind: str
    workers: int | None = None
    address: str | None = None

    @classmethod
    def parse(cls, text: str) -> ExecutorSpec:
        """Parse ``serial``, ``local``, ``local:N``, ``dask``, ``dask:N`` or ``dask:ADDRESS``."""
        kind, _, rest = text.partition(":")
        if kind not in KINDS or (kind == "serial" and rest):
            raise ExperimentError(f"executor must be serial, local[:N] or dask[:N|ADDRESS], "
                                  f"got {text!r}")
        if not rest:
            return cls(kind)
        if rest.isdigit() and int(rest) > 0:
            return cls(kind, workers=int(rest))
        if kind == "dask":
            return cls(kind, address=rest)
        raise ExperimentError(f"local:N needs a positive worker count, got {text!r}")

    def __str__(self) -> str:
        extra = self.address or (str(self.workers) if self.workers else "")
        return f"{self.kind}:{extra}" if extra else self.kind

    @contextmanager
    def open(self) -> Iterator[tuple[Executor, int]]:
        """Start the executor; yields it and its number of worker slots."""
        if self.kind == "serial":
            yield SerialExecutor(), 1
        elif self.kind == "local":
            n = self.workers or os.cpu_count() or 1
            with _process_pool(n) as pool:
                yield pool, n
        else:
            with _dask(self.workers, self.address) as opened:
                yield opened


@contextmanager
def _process_pool(n: int) -> Iterator[ProcessPoolExecutor]:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx)
    try:
        _warm_up(pool, n)
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _warm_up(pool: ProcessPoolExecutor, n: int) -> None:
    """Start every worker now, so that start-up is paid (and fails) before any run."""
    try:
        for future in [pool.submit(os.getpid) for _ in range(n)]:
            future.result()
    except BrokenProcessPool:
        raise RuntimeError("local worker processes failed to start: is the main script "
                           "importable, its work under `if __name__ == '__main__':`?") from None


@contextmanager
def _dask(workers: int | None, address: str | None) -> Iterator[tuple[Executor, int]]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ExperimentError("the dask executor needs the cluster extra: "
                              "pip install 'sales_abm[cluster]'") from None
    if address is None:
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        cluster, client = None, Client(address)
    try:
        client.run(importlib.import_module, PRELOAD[0])  # import the model on every worker now
        slots = sum(client.nthreads().values()) or 1
        yield client.get_executor(pure=False), slots
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
