"""Running a scale of an experiment: skip what is done, submit the rest, count what happens.

The unit of work is a block (a design point's replicates, :meth:`Plan.blocks`): one task, one
file. The parent submits small tasks with a bounded number in flight (twice the worker slots) and
keeps only counters; workers write their own files. Counts are in runs. A completed block is never
recomputed unless ``force``. A block that raises is recorded (``<block_key>.error.json``; its runs
count as failed) and the sweep goes on. If a worker process dies (a local pool breaks), the blocks
in flight are retried once, one at a time, on a fresh pool: the block that kills its worker again
is recorded as failed, the others complete. An interrupted sweep loses at most the blocks in
flight: rerunning it completes it.
"""

from __future__ import annotations

import io
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sales_abm.runner import manifest
from sales_abm.runner.executors import ExecutorSpec
from sales_abm.runner.spec import Block, Experiment, ExperimentError, Plan
from sales_abm.runner.store import (
    DISK_FULL,
    Layout,
    check_block,
    is_disk_full,
    results_root,
    stale_keys,
    write_design,
    write_error,
)

#: Pool restarts after worker deaths before the sweep gives up.
MAX_RESTARTS = 5
#: Attempts of a run whose worker died.
MAX_ATTEMPTS = 2
#: Failures whose messages a report keeps.
KEEP_FAILURES = 20


@dataclass
class SweepReport:
    """What a sweep did."""

    experiment: str
    scale: str
    root: Path
    executor: str
    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    stale: int = 0
    partial_removed: int = 0
    startup_seconds: float = 0.0
    wall_seconds: float = 0.0
    run_seconds: float = 0.0
    run_cpu_seconds: float = 0.0
    slots: int = 1
    status: str = "running"
    #: (block key, error) of the first failed blocks.
    failures: list[tuple[str, str]] = field(default_factory=list)
    blocks: int = 0
    failed_blocks: int = 0

    def line(self) -> str:
        """The one-line summary printed at the end of a sweep."""
        return (f"{self.experiment}/{self.scale}: {self.total} runs: {self.done} done, "
                f"{self.skipped} skipped, {self.failed} failed in {self.wall_seconds:.1f} s "
                f"({self.executor}) -> {self.root}")

    def as_dict(self) -> dict[str, Any]:
        """The counts for the manifest."""
        return {"total": self.total, "done": self.done, "skipped": self.skipped,
                "failed": self.failed, "stale_recomputed": self.stale,
                "partial_files_removed": self.partial_removed, "status": self.status,
                "wall_seconds": round(self.wall_seconds, 3),
                "run_seconds": round(self.run_seconds, 3),
                "run_cpu_seconds": round(self.run_cpu_seconds, 3), "slots": self.slots,
                "blocks": self.blocks, "failed_blocks": self.failed_blocks,
                "failures": [{"block_key": k, "error": e} for k, e in self.failures]}


def run_experiment(
    experiment: Experiment,
    scale: str = "quick",
    *,
    results: str | Path | None = None,
    executor: str = "local",
    force: bool = False,
    progress: bool | None = None,
    command: list[str] | None = None,
    function: Callable[[Any], Any] | None = None,
) -> SweepReport:
    """Run every run of one scale that is not done yet.

    Args:
        experiment: the spec.
        scale: the scale's name.
        results: base directory of results (default ``$SALES_ABM_RESULTS``, else
            ``results``); the root is ``<results>/<experiment>/<scale>``, made absolute before
            any task is sent (workers may run in another directory).
        executor: ``serial``, ``local[:N]`` or ``dask[:N|ADDRESS]``.
        force: recompute blocks that are done.
        progress: False for no progress bar.
        command: the command line to record in the manifest.
        function: the task function (default :func:`sales_abm.runner.worker.execute`; tests).

    Raises:
        ExperimentError: a bad scale, design, executor, results directory or manifest, before
            any run starts; or a full disk, which stops the sweep (the runs written are kept).
    """
    from sales_abm.version import MODEL_VERSION

    plan = experiment.resolve(scale)
    spec = ExecutorSpec.parse(executor)
    layout = Layout(results_root(experiment.name, scale, results).absolute())
    report = SweepReport(experiment.name, scale, layout.root, str(spec))
    try:
        with layout.lock():
            manifest.settle_abandoned(layout, locked=True)  # also checks the manifest is readable
            report.partial_removed = layout.remove_partial_files()
            write_design(layout, plan.design_frame(MODEL_VERSION))
            todo = _todo(plan, layout, MODEL_VERSION, force, report)
            before = _stamps(layout, todo)
            entry = {"id": uuid.uuid4().hex, "started": manifest.now(), "command": command,
                     "executor": str(spec), "force": force, "plan": _plan_info(plan),
                     "owner": manifest.owner(), **manifest.environment()}
            with _Sweep(spec, report, function, layout, progress, started=bool(todo)) as sweep:
                manifest.record(layout, experiment.name, scale, {**entry, **report.as_dict()})
                try:
                    _execute(sweep, todo, plan, MODEL_VERSION)
                finally:
                    report.done = _written(layout, todo, before)
                    manifest.record(layout, experiment.name, scale,
                                    {**entry, "finished": manifest.now(), **report.as_dict()})
    except OSError as exc:  # the design, an error record or the manifest did not fit
        if not is_disk_full(exc):
            raise
        raise _disk_full(layout) from None
    return report


def _stamps(layout: Layout, todo: list[Block]) -> dict[str, tuple[int, int]]:
    """The (inode, mtime) of the block files of ``todo`` that exist (corrupt, or ``force``)."""
    stamps = {}
    for block in todo:
        try:
            st = layout.block_path(block.key).stat()
        except FileNotFoundError:
            continue
        stamps[block.key] = (st.st_ino, st.st_mtime_ns)
    return stamps


def _written(layout: Layout, todo: list[Block], before: dict[str, tuple[int, int]]) -> int:
    """The runs of ``todo`` whose block file this sweep wrote: counted from the files, so that
    blocks finished while an interrupt stopped the counting are counted too."""
    stamps = _stamps(layout, todo)
    return sum(len(b.runs) for b in todo
               if b.key in stamps and before.get(b.key) != stamps[b.key])


def _execute(sweep: _Sweep, todo: list[Block], plan: Plan, model_version: str) -> None:
    """Run the sweep, timing it and setting the report's status, whatever happens."""
    report, start = sweep.report, time.perf_counter()
    try:
        if todo:
            sweep.run(todo, plan, model_version)
        report.status = "finished"
    except KeyboardInterrupt:
        report.status = "interrupted"
        raise
    except DiskFullError:
        report.status = "disk full"
        raise
    finally:
        report.wall_seconds = time.perf_counter() - start
        if report.status == "running":
            report.status = "error"


def _todo(plan: Plan, layout: Layout, model_version: str, force: bool,
          report: SweepReport) -> list[Block]:
    blocks = plan.blocks(model_version)
    todo = [b for b in blocks if force or check_block(
        layout.block_path(b.key), b.key, b.run_keys) != "done"]
    report.blocks = len(blocks)
    report.total = sum(len(b.runs) for b in blocks)
    report.skipped = report.total - sum(len(b.runs) for b in todo)
    report.stale = len(stale_keys(layout, {k for b in todo for k in b.run_keys}, model_version,
                                  {b.key for b in blocks}))
    # Largest blocks first (a stable sort: plan order among equals), so that the short blocks
    # at the end of a point's replicates fill the workers' last gaps instead of leaving one
    # long block running alone.
    return sorted(todo, key=lambda b: -len(b.runs))


def _plan_info(plan: Plan) -> dict[str, Any]:
    return {"points": len(plan.points), "replicates": plan.replicates,
            "root_seed": plan.root_seed, "common_random_numbers": plan.common_random_numbers,
            "factors": list(plan.factor_types)}


class DiskFullError(ExperimentError):
    """The disk of the results is full: the sweep stops, its written runs are kept."""


class _Sweep:
    """The submission loop: bounded in flight, a progress bar, crash recovery.

    A context manager: entering starts the executor (when ``started``), so that an executor
    which cannot start fails before the manifest records a sweep; leaving stops it.
    """

    def __init__(self, spec: ExecutorSpec, report: SweepReport,
                 function: Callable[[Any], Any] | None, layout: Layout,
                 progress: bool | None, started: bool = True) -> None:
        from sales_abm.runner.worker import execute

        self.spec, self.report, self.layout = spec, report, layout
        self.function = function or execute
        self.progress = progress
        self.started = started
        self.pool = ExitStack()
        self.in_flight: dict[Future, Any] = {}
        self.retry: deque[Any] = deque()
        self.attempts: dict[str, int] = {}
        self.restarts = 0
        self.broken = False

    def __enter__(self) -> _Sweep:
        if self.started:
            self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.close()

    def run(self, todo: list[Block], plan: Plan, model_version: str) -> None:
        """Submit every block of ``todo`` and collect every outcome."""
        tasks = _tasks(todo, plan, model_version, self.layout)
        with ExitStack() as stack:
            runs = sum(len(b.runs) for b in todo)
            self.bar = stack.enter_context(_bar(runs, self.report, self.progress))
            stack.callback(lambda: self.pool.close())
            for task in tasks:
                self._submit_within_limit(task)
            while self.in_flight or self.retry:
                self._submit_within_limit(None)
                self._collect_some()

    def _start(self) -> None:
        t0 = time.perf_counter()
        self.pool = ExitStack()
        self.executor, slots = self.pool.enter_context(self.spec.open())
        self.limit = 2 * slots
        self.report.slots = slots
        self.report.startup_seconds += time.perf_counter() - t0

    def _capacity(self) -> int:
        """Blocks allowed in flight: one at a time while blocks lost to a dead worker are
        retried, so that a block which kills its worker is caught alone."""
        retrying = self.retry or any(self.attempts[t.key] > 1 for t in self.in_flight.values())
        return 1 if retrying else self.limit

    def _submit_within_limit(self, task: Any) -> None:
        while self.retry and len(self.in_flight) < self._capacity():
            self._submit(self.retry.popleft())
        if task is None:
            return
        while len(self.in_flight) >= self._capacity():
            self._collect_some()
        self._submit(task)

    def _submit(self, task: Any) -> None:
        self.attempts[task.key] = self.attempts.get(task.key, 0) + 1
        try:
            self.in_flight[self.executor.submit(self.function, task)] = task
        except BrokenProcessPool:
            self.broken = True
            self.retry.append(task)
            self._restart_if_broken()

    def _collect_some(self) -> None:
        if not self.in_flight:
            return
        finished, _ = wait(list(self.in_flight), return_when=FIRST_COMPLETED)
        for future in finished:
            self._collect(future, self.in_flight.pop(future))
        self._restart_if_broken()

    def _collect(self, future: Future, task: Any) -> None:
        try:
            outcome = future.result()
        except BrokenProcessPool as exc:
            self.broken = True
            if self.attempts[task.key] < MAX_ATTEMPTS:
                self.retry.append(task)
                return
            self._failed(task, _WorkerDied(f"the worker process died while running this "
                                            f"block alone, after a first loss ({exc})"))
            return
        except Exception as exc:  # e.g. dask's KilledWorker, a pickling error
            self._failed(task, exc)
            return
        self.attempts.pop(task.key, None)
        self.report.run_seconds += outcome.seconds
        self.report.run_cpu_seconds += outcome.cpu_seconds
        if outcome.status == DISK_FULL:
            raise self._disk_full()
        if outcome.status == "done" and not self.layout.block_path(task.key).exists():
            self._failed(task, _Misplaced(
                f"the worker wrote the block, but not at {self.layout.block_path(task.key)}: "
                f"do the workers see this file system at the same path?"))
            return
        if outcome.status == "done":
            self.report.done += len(task.run_keys)
        else:
            self._count_failure(task, outcome.error or "unknown error")
        self._tick(task)

    def _failed(self, task: Any, exc: BaseException) -> None:
        try:
            write_error(self.layout, task.key, task.info(), exc)
        except OSError as err:
            if is_disk_full(err):
                raise self._disk_full() from None
            raise
        self._count_failure(task, f"{type(exc).__name__}: {exc}")
        self._tick(task)

    def _disk_full(self) -> DiskFullError:
        return _disk_full(self.layout)

    def _count_failure(self, task: Any, error: str) -> None:
        self.report.failed += len(task.run_keys)
        self.report.failed_blocks += 1
        if len(self.report.failures) < KEEP_FAILURES:
            self.report.failures.append((task.key, error))

    def _tick(self, task: Any) -> None:
        self.bar.update(len(task.run_keys))
        if self.report.failed:
            self.bar.set_postfix(failed=self.report.failed, refresh=False)

    def _restart_if_broken(self) -> None:
        if not self.broken or self.in_flight:
            return
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise RuntimeError(f"the worker pool broke {self.restarts} times; giving up "
                               f"(rerun to continue)")
        self.pool.close()
        self.broken = False
        self._start()


def _disk_full(layout: Layout) -> DiskFullError:
    return DiskFullError(f"the disk is full (no space left on device) in {layout.root}: the "
                         f"sweep stopped; the runs written are kept; free some space and rerun "
                         f"to continue")


class _WorkerDied(RuntimeError):
    """A block lost because its worker process died."""


class _Misplaced(RuntimeError):
    """A block whose worker reported it done, but whose file is not where the store expects
    it."""


def _tasks(todo: list[Block], plan: Plan, model_version: str,
           layout: Layout) -> Iterator[Any]:
    from sales_abm.runner.worker import BlockTask

    root = str(layout.root)
    for block in todo:
        overrides = dict(plan.points[block.point].overrides)
        yield BlockTask(block.key, block.point, tuple(r.replicate for r in block.runs),
                        tuple(r.seed for r in block.runs), block.run_keys, overrides, root,
                        model_version)


def _bar(total: int, report: SweepReport, progress: bool | None) -> tqdm:
    """A progress bar: redrawn twice a second on a terminal; in a CI log, a plain line every
    30 s (and at the end)."""
    tty = sys.stderr.isatty()
    return tqdm(total=total, desc=f"{report.experiment}/{report.scale}", unit="run",
                file=sys.stderr if tty else _Lines(sys.stderr), disable=progress is False,
                mininterval=0.5 if tty else 30.0, maxinterval=60.0 if tty else 1e9,
                miniters=1, ascii=not tty, dynamic_ncols=tty, smoothing=0.05 if tty else 0.3)


class _Lines(io.TextIOBase):
    """A file for tqdm that turns each redraw into one line (logs do not understand ``\\r``)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        """Write the redraw as its own line."""
        line = text.replace("\r", "").strip()
        if line:
            self.stream.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        """Flush the underlying stream."""
        self.stream.flush()
