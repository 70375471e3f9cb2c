"""What a worker does with one block: simulate its runs and write its file (or its error record).

The parent sends a small :class:`BlockTask` (the design point's overrides, the block's seeds and
keys) and receives a small :class:`Outcome`; results never travel back, so the parent's memory
stays flat however large the sweep. The runs of a block are simulated by one call of
:func:`sales_abm.batch.run_batch`. This module imports the model, so worker processes preload it
once.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sales_abm.batch import run_batch
from sales_abm.model import RunResult
from sales_abm.runner.identity import block_key, point_digest, run_key
from sales_abm.runner.store import (
    DISK_FULL,
    Layout,
    is_disk_full,
    run_frame,
    write_block,
    write_error,
)
from sales_abm.scenario import Scenario
from sales_abm.version import MODEL_VERSION


@dataclass(frozen=True)
class BlockTask:
    """One block to do: its place in the design, identity and where its file goes."""

    key: str
    point: int
    replicates: tuple[int, ...]
    seeds: tuple[int, ...]
    run_keys: tuple[str, ...]
    overrides: Mapping[str, Any]
    root: str
    model_version: str

    def info(self) -> dict[str, Any]:
        """The block's identity, for error records."""
        return {"point": self.point, "replicates": list(self.replicates),
                "seeds": list(self.seeds), "run_keys": list(self.run_keys),
                "model_version": self.model_version}


@dataclass(frozen=True)
class Outcome:
    """What became of a block: ``done``, ``failed`` (with its error) or :data:`DISK_FULL`, its
    wall and CPU time."""

    key: str
    status: str
    seconds: float
    error: str | None = None
    cpu_seconds: float = 0.0


def simulate_block(scenario: Scenario, seeds: tuple[int, ...]) -> list[RunResult]:
    """Run the model once per seed (a module attribute, so tests can replace it in-process).

    A worker's memory does not grow by a model per run: Mesa forgets each model once it is
    dropped (:func:`sales_abm.model.hold_models_weakly`).
    """
    return run_batch(scenario, seeds)


def execute(task: BlockTask) -> Outcome:
    """Simulate one block and write its file; a block that raises writes its error record instead.

    Only ``Exception`` is caught: an interrupt or a dying process leaves no file at all (writes
    are atomic), and the block is simply missing. A full disk is no fault of the block: it is
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


def _simulate_and_write(task: BlockTask, layout: Layout) -> None:
    if task.model_version != MODEL_VERSION:
        raise RuntimeError(f"this worker has model version {MODEL_VERSION}, the sweep expects "
                           f"{task.model_version}")
    scenario = Scenario.from_dict(task.overrides)
    digest = point_digest(scenario.canonical_json())
    keys = tuple(run_key(digest, seed, MODEL_VERSION) for seed in task.seeds)
    if keys != task.run_keys or block_key(keys) != task.key:
        raise RuntimeError("run key mismatch: this worker resolves the scenario differently")
    results = simulate_block(scenario, task.seeds)
    frame = pl.concat([run_frame(key, r.seed, r.weekly, r.cohorts)
                       for key, r in zip(keys, results, strict=True)], rechunk=True)
    meta = {"block_key": task.key, "run_keys": list(keys), "seeds": list(task.seeds),
            "point": digest, "model_version": MODEL_VERSION,
            "summaries": dict(zip(keys, (r.summary for r in results), strict=True)),
            "scenarios": {key: r.scenario.canonical_json()
                          for key, r in zip(keys, results, strict=True)}}
    write_block(layout.block_path(task.key), frame, meta)
