"""What a worker does with one run: simulate it and write its own file (or its error record).

The parent sends a small :class:`RunTask` (the run's overrides, seed and key) and receives a
small :class:`Outcome`; results never travel back, so the parent's memory stays flat however large
the sweep. This module imports the model, so worker processes preload it once.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sales_abm.model import RunResult, run
from sales_abm.runner.identity import point_digest, run_key
from sales_abm.runner.store import (
    DISK_FULL,
    Layout,
    is_disk_full,
    run_frame,
    write_error,
    write_run,
)
from sales_abm.scenario import Scenario
from sales_abm.version import MODEL_VERSION


@dataclass(frozen=True)
class RunTask:
    """One run to do: its place in the design, identity and where its file goes."""

    key: str
    point: int
    replicate: int
    seed: int
    overrides: Mapping[str, Any]
    root: str
    model_version: str

    def info(self) -> dict[str, Any]:
        """The run's identity, for error records."""
        return {"point": self.point, "replicate": self.replicate, "seed": self.seed,
                "model_version": self.model_version}


@dataclass(frozen=True)
class Outcome:
    """What became of a run: ``done``, ``failed`` (with its error) or :data:`DISK_FULL`, its
    wall and CPU time."""

    key: str
    status: str
    seconds: float
    error: str | None = None
    cpu_seconds: float = 0.0


def simulate(scenario: Scenario, seed: int) -> RunResult:
    """Run the model (a module attribute, so tests can replace it in-process).

    A worker's memory does not grow by a model per run: Mesa forgets each model once it is
    dropped (:func:`sales_abm.model.hold_models_weakly`).
    """
    return run(scenario, seed)


def execute(task: RunTask) -> Outcome:
    """Simulate one run and write its file; a run that raises writes its error record instead.

    Only ``Exception`` is caught: an interrupt or a dying process leaves no file at all (writes
    are atomic), and the run is simply missing. A full disk is no fault of the run: it is
    reported as :data:`DISK_FULL` (no error record, which would not fit either), and the sweep
    stops.
    """
    start, cpu = time.perf_counter(), time.process_time()
    layout = Layout(Path(task.root))
    try:
        _simulate_and_write(task, layout)
    except Exception as exc:
        status = DISK_FULL if is_disk_full(exc) else "failed"
        if status == "failed":
            try:
                write_error(layout, task.key, task.info(), exc)
            except OSError as err:
                if not is_disk_full(err):
                    raise
                status = DISK_FULL
        return Outcome(task.key, status, time.perf_counter() - start,
                       f"{type(exc).__name__}: {exc}", time.process_time() - cpu)
    layout.error_path(task.key).unlink(missing_ok=True)
    return Outcome(task.key, "done", time.perf_counter() - start, None,
                   time.process_time() - cpu)


def _simulate_and_write(task: RunTask, layout: Layout) -> None:
    if task.model_version != MODEL_VERSION:
        raise RuntimeError(f"this worker has model version {MODEL_VERSION}, the sweep expects "
                           f"{task.model_version}")
    scenario = Scenario.from_dict(task.overrides)
    digest = point_digest(scenario.canonical_json())
    if run_key(digest, task.seed, MODEL_VERSION) != task.key:
        raise RuntimeError("run key mismatch: this worker resolves the scenario differently")
    seeded = scenario.with_overrides({"seed": task.seed})
    result = simulate(seeded, task.seed)
    frame = run_frame(task.key, task.seed, result.weekly, result.cohorts)
    meta = {"run_key": task.key, "seed": str(task.seed), "point": digest,
            "model_version": MODEL_VERSION, "scenario": seeded.canonical_json(),
            "summary": result.summary}
    write_run(layout.run_path(task.key), frame, meta)
