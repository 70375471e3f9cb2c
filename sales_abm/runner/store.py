"""The results store: one Parquet file per run, error records, the manifest.

Layout of a results root (default ``results/<experiment>/<scale>/``)::

    manifest.json             experiment, scale, and one entry per sweep: versions, command, times
    design.parquet            one row per (design point, replicate): point, replicate, seed,
                              run_key and the factor columns (written when a sweep starts)
    runs/<run_key>.parquet    one completed run (below)
    runs/<run_key>.error.json a run that raised: error, traceback, seed, point, replicate
    .lock                     held by the sweep writing this root

A run file holds the weekly frame, one row per week, with the run's identity in front
(``run_key``, ``seed``) and the appointment cohorts of that week alongside (``cohort_*``, the
cohort frame's columns with ``cohort_week`` = ``week``). Its Parquet key-value metadata holds the
run's summary (``sales_abm.summary``, JSON), its scenario (``sales_abm.scenario``, canonical JSON
with the run's seed), the seed, the design point digest, the model version and the file format.
Files are written atomically (temporary file, then rename), so a file is complete or absent.
"""

from __future__ import annotations

import errno
import fcntl
import io
import json
import math
import os
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sales_abm.io import atomic_write, dumps, write_json, write_parquet
from sales_abm.metrics import COHORT_PREFIX, cohort_schema, weekly_schema
from sales_abm.runner.spec import ExperimentError

FORMAT = "1"
#: A worker's outcome for a run it could not write because the disk is full.
DISK_FULL = "disk full"
META = "sales_abm."
RUNS = "runs"


#: The environment variable naming the default base directory of results.
RESULTS_ENVIRONMENT = "SALES_ABM_RESULTS"


def results_root(experiment: str, scale: str, results: str | Path | None = None) -> Path:
    """``<results>/<experiment>/<scale>``; ``results`` defaults to ``$SALES_ABM_RESULTS``, else
    ``./results``."""
    if results is None:
        results = os.environ.get(RESULTS_ENVIRONMENT) or "results"
    return Path(results) / experiment / scale


def run_schema() -> dict[str, pl.DataType]:
    """The explicit schema of every run file."""
    schema: dict[str, pl.DataType] = {"run_key": pl.String(), "seed": pl.Int64()}
    schema.update(weekly_schema())
    schema.update({COHORT_PREFIX + name: dtype for name, dtype in cohort_schema().items()
                   if name != "cohort_week"})
    return schema


@dataclass(frozen=True)
class Layout:
    """The paths of one results root."""

    root: Path

    @property
    def runs(self) -> Path:
        """Directory of the run files."""
        return self.root / RUNS

    def run_path(self, key: str) -> Path:
        """The Parquet file of a run."""
        return self.runs / f"{key}.parquet"

    def error_path(self, key: str) -> Path:
        """The error record of a run that raised."""
        return self.runs / f"{key}.error.json"

    @property
    def manifest(self) -> Path:
        """The manifest."""
        return self.root / "manifest.json"

    @property
    def design(self) -> Path:
        """The design table."""
        return self.root / "design.parquet"

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the root's lock, so that two sweeps never write one root at once.

        Raises:
            ExperimentError: another sweep holds it, or the root cannot be written (a path
                under a file, a read-only place).
        """
        try:
            self.runs.mkdir(parents=True, exist_ok=True)
            fh = open(self.root / ".lock", "a+")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise self._unwritable(exc) from None
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ExperimentError(f"another sweep is writing {self.root}") from None
            try:
                self._check_writable()
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _check_writable(self) -> None:
        try:
            with tempfile.TemporaryFile(dir=self.runs):
                pass
        except OSError as exc:
            raise self._unwritable(exc) from None

    def _unwritable(self, exc: OSError) -> ExperimentError:
        where = f": {exc.filename}" if exc.filename else ""
        return ExperimentError(f"results: cannot write to {self.root} "
                               f"({exc.strerror or exc}{where})")

    def remove_partial_files(self) -> int:
        """Delete temporary files left by an interrupted sweep (call under the lock)."""
        count = 0
        for tmp in self.runs.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
            count += 1
        return count


def run_frame(key: str, seed: int, weekly: pl.DataFrame, cohorts: pl.DataFrame) -> pl.DataFrame:
    """The frame a run file holds: identity, weekly rows and the cohorts of each week."""
    if not weekly["week"].equals(cohorts["cohort_week"], check_names=False):
        raise ValueError("weekly and cohort frames do not cover the same weeks")
    n = weekly.height
    ident = pl.DataFrame({"run_key": [key] * n, "seed": [seed] * n},
                         schema={"run_key": pl.String(), "seed": pl.Int64()})
    coh = cohorts.drop("cohort_week").rename(lambda c: f"cohort_{c}")
    frame = pl.concat([ident, weekly, coh], how="horizontal")
    if frame.schema != pl.Schema(run_schema()):
        raise ValueError(f"run frame schema differs from the store's: {frame.schema}")
    return frame


def write_run(path: Path, frame: pl.DataFrame, meta: dict[str, Any]) -> None:
    """Write a run file atomically, with ``meta`` as key-value metadata.

    String values are stored as they are; anything else as JSON (non-finite floats as null).
    """
    text = {META + k: v if isinstance(v, str) else dumps(_json_safe(v)) for k, v in meta.items()}
    text[META + "format"] = FORMAT
    buffer = io.BytesIO()  # encoded in memory: a full disk then fails in Python's own write,
    frame.write_parquet(buffer, compression="zstd", metadata=text)  # with ENOSPC
    data = buffer.getvalue()
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error says the disk (or the user's quota) is full."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return "No space left on device" in str(exc)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def read_meta(path: Path) -> dict[str, str]:
    """The run file's ``sales_abm.*`` metadata (footer only). Raises on an unreadable file."""
    raw = pl.read_parquet_metadata(path)
    return {k[len(META):]: v for k, v in raw.items() if k.startswith(META)}


def check_run(path: Path, key: str, deep: bool = True) -> str:
    """``done``, ``missing`` or ``corrupt``: is this a complete, readable file of this run?

    Args:
        path: the run file.
        key: the run key it must hold.
        deep: also read every row (catches damaged data pages, not only a damaged footer).
    """
    if not path.exists():
        return "missing"
    try:
        meta = read_meta(path)
        ok = meta.get("run_key") == key and meta.get("format") == FORMAT
        json.loads(meta["summary"])
        if ok and deep:
            frame = pl.read_parquet(path)
            ok = frame.schema == pl.Schema(run_schema()) and frame.height > 0 and (
                frame["run_key"] == key).all()
    except Exception:
        return "corrupt"
    return "done" if ok else "corrupt"


def write_error(layout: Layout, key: str, info: dict[str, Any], exc: BaseException) -> Path:
    """Record a run that raised (or whose worker died)."""
    record = {"run_key": key, **info, "error": f"{type(exc).__name__}: {exc}",
              "traceback": "".join(traceback.format_exception(exc))}
    return write_json(layout.error_path(key), record)


def read_summary(path: Path) -> dict[str, Any]:
    """The summary stored in a run file."""
    return json.loads(read_meta(path)["summary"])


def write_design(layout: Layout, design: pl.DataFrame) -> None:
    """Write the design table."""
    write_parquet(layout.design, design)


def stale_keys(layout: Layout, pending: set[str], model_version: str) -> set[str]:
    """The pending runs whose result exists from another model version or run schema.

    A file of the same design point and seed under another key is such a result (the key also
    holds the model version and the schema digest, see :mod:`sales_abm.runner.identity`).

    Args:
        layout: the results root.
        pending: current keys of the runs that are not done.
        model_version: the current model version.
    """
    from sales_abm.runner.identity import run_key

    if not pending or not layout.runs.exists():
        return set()
    found = set()
    for path in layout.runs.glob("*.parquet"):
        if path.stem in pending:
            continue
        try:
            meta = read_meta(path)
            current = run_key(meta["point"], int(meta["seed"]), model_version)
        except Exception:
            continue
        if current in pending:
            found.add(current)
    return found
