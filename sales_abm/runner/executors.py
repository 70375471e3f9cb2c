"""Executors behind ``concurrent.futures.Executor``: serial, local[:N] and dask[:N|ADDRESS].

- ``serial``: in this process, one run at a time (debugging, tests).
- ``local[:N]``: a ``ProcessPoolExecutor`` of N workers (default: the CPUs this process may
  use). Workers are forked from a ``forkserver`` that has imported the model once (fast start,
  and no fork of a process whose polars thread pool is running).
- ``dask[:N|ADDRESS]``: ``distributed.Client.get_executor()``; ``dask`` or ``dask:N`` starts a
  ``LocalCluster`` of N single-threaded worker processes, ``dask:tcp://host:8786`` joins a
  running scheduler. Needs the ``cluster`` extra.

Worker counts are bounded (:func:`max_workers`: four per CPU and one per
:data:`WORKER_MEMORY` bytes of memory, whichever is fewer), so a typo such as ``local:99999`` is
refused instead of forking until the machine runs out of memory. Local workers watch the sweep's
process and exit when it dies, so a ``kill -9`` of a sweep leaves no orphan behind (the worker
processes of a ``LocalCluster`` do so by themselves).

Results do not depend on the executor: a run is a pure function of its task.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sales_abm.runner.spec import ExperimentError

KINDS = ("serial", "local", "dask")
PRELOAD = ["sales_abm.runner.worker"]
#: Memory a worker may need (a default-sized run peaks near 300 MB).
WORKER_MEMORY = 300 * 2**20
#: Workers allowed per CPU (runs are CPU-bound: more only helps while some wait on the disk).
WORKERS_PER_CPU = 4
#: Seconds between a worker's checks that the sweep's process is alive.
WATCH_INTERVAL = 0.5
#: Seconds allowed to reach a running dask scheduler.
CONNECT_TIMEOUT = 10.0


def cpu_count() -> int:
    """CPUs this process may use (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:
        return os.cpu_count() or 1


def memory_bytes() -> int | None:
    """Physical memory of the machine, or None where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def max_workers() -> int:
    """The most workers a local executor may start: bounded by CPUs and by memory."""
    bound = WORKERS_PER_CPU * cpu_count()
    memory = memory_bytes()
    if memory is not None:
        bound = min(bound, max(1, memory // WORKER_MEMORY))
    return bound


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
        if rest.isdigit():
            return cls(kind, workers=_checked_count(text, int(rest)))
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
            n = self.workers or min(cpu_count(), max_workers())
            with _process_pool(_checked_count(str(self), n)) as pool:
                yield pool, n
        else:
            with _dask(self.workers, self.address) as opened:
                yield opened


def _checked_count(text: str, n: int) -> int:
    """``n`` if it is a sane worker count, else an error naming the allowed range."""
    bound = max_workers()
    if not 1 <= n <= bound:
        raise ExperimentError(
            f"executor {text!r}: the worker count must be 1 to {bound} on this machine "
            f"({cpu_count()} CPUs, {WORKERS_PER_CPU} workers per CPU at most, "
            f"{WORKER_MEMORY // 2**20} MB of memory per worker)")
    return n


def watch_parent(pid: int, interval: float = WATCH_INTERVAL) -> None:
    """Exit this worker as soon as process ``pid`` (the sweep) has died.

    The initializer of every local worker. A worker blocked on its task queue never learns that
    the sweep died (it holds that queue's write end itself), so a daemon thread polls the sweep's
    pid and this worker's parent (the forkserver, which exits with the sweep); on Linux the
    kernel also kills the worker when the forkserver dies (single-threaded, so the signal is not
    sent early by a thread's exit).
    """
    _die_with_parent()
    threading.Thread(target=_watch, args=(pid, os.getppid(), interval), daemon=True,
                     name="sales_abm-watch-parent").start()


def _watch(pid: int, parent: int, interval: float) -> None:
    while _alive(pid) and os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or its pid reused by another user
        return False
    return True


def _die_with_parent() -> None:
    """Linux: ask the kernel to kill this process when its parent dies (prctl PDEATHSIG)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@contextmanager
def _process_pool(n: int) -> Iterator[ProcessPoolExecutor]:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=watch_parent,
                               initargs=(os.getpid(),))
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
        n = _checked_count(f"dask:{workers or ''}", workers or min(cpu_count(), max_workers()))
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)  # its worker processes exit when this one dies (distributed
        # watches the parent of every process it starts)
    else:
        cluster, client = None, _connect(Client, address)
    try:
        client.run(importlib.import_module, PRELOAD[0])  # import the model on every worker now
        slots = sum(client.nthreads().values()) or 1
        yield client.get_executor(pure=False), slots
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _connect(client: Callable[..., Any], address: str) -> Any:
    """A client of the scheduler at ``address``; one line within seconds if it cannot be reached."""
    try:
        return client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExperimentError(f"executor dask:{address}: cannot reach a dask scheduler there "
                              f"within {CONNECT_TIMEOUT:g} s ({type(exc).__name__}: "
                              f"{_first_line(exc)})") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no detail"
