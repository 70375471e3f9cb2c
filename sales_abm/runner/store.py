"""The results store: one Parquet file per block of runs, error records, the manifest.

Layout of a results root (default ``results/<experiment>/<scale>/``)::

    manifest.json               experiment, scale, and one entry per sweep: versions, command,
                                times
    design.parquet              one row per (design point, replicate): point, replicate, seed,
                                run_key and the factor columns (written when a sweep starts)
    runs/<block_key>.parquet    one completed block: several replicates of one design point
                                (below; :meth:`sales_abm.runner.spec.Plan.blocks`)
    runs/<block_key>.error.json a block that raised: error, traceback, point, replicates, seeds
    .lock                       held by the sweep writing this root

A block file holds the weekly frames of its runs, one row per (run, week), in replicate then week
order, with each run's identity in front (``run_key``, ``seed``) and the appointment cohorts of
that week alongside (``cohort_*``, the cohort frame's columns with ``cohort_week`` = ``week``). Its
Parquet key-value metadata holds the block key, its run keys and seeds (JSON lists, replicate
order), each run's summary and scenario (``sales_abm.summaries`` and ``sales_abm.scenarios``: JSON
objects by run key; a scenario is canonical JSON with the run's seed), the design point digest,
the model version and the file format. Files are written atomically (temporary file, then
rename), so a block is complete or absent: fsync and file overhead are paid once per block, and
an interrupted sweep loses the blocks in flight, never part of one.

Files of format ``1`` (one file per run, written before blocks) are not read as results: their
runs count as ``stale`` and a sweep recomputes them into blocks (the old files stay, unread, as
stale files of another model version always have).
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
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sales_abm.io import atomic_write, dumps, write_json, write_parquet
from sales_abm.metrics import COHORT_PREFIX, cohort_schema, weekly_schema
from sales_abm.runner.spec import ExperimentError

FORMAT = "2"
#: The format of the files of one run each, written before blocks (read only to report them stale).
RUN_FORMAT = "1"
#: A worker's outcome for a block it could not write because the disk is full.
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
        """Directory of the block files and error records."""
        return self.root / RUNS

    def block_path(self, key: str) -> Path:
        """The Parquet file of a block."""
        return self.runs / f"{key}.parquet"

    def error_path(self, key: str) -> Path:
        """The error record of a block that raised."""
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
    """One run's rows of a block file: identity, weekly rows and the cohorts of each week."""
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


def write_block(path: Path, frame: pl.DataFrame, meta: dict[str, Any]) -> None:
    """Write a block file atomically, with ``meta`` as key-value metadata.

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
    """The file's ``sales_abm.*`` metadata (footer only). Raises on an unreadable file."""
    raw = pl.read_parquet_metadata(path)
    return {k[len(META):]: v for k, v in raw.items() if k.startswith(META)}


def check_block(path: Path, key: str, run_keys: tuple[str, ...], deep: bool = True) -> str:
    """``done``, ``missing`` or ``corrupt``: is this a complete, readable file of this block?

    Args:
        path: the block file.
        key: the block key it must hold.
        run_keys: the keys of the runs it must hold, each with a summary and rows.
        deep: also read every row (catches damaged data pages, not only a damaged footer).
    """
    if not path.exists():
        return "missing"
    try:
        meta = read_meta(path)
        summaries = json.loads(meta["summaries"])
        ok = (meta.get("block_key") == key and meta.get("format") == FORMAT
              and json.loads(meta["run_keys"]) == list(run_keys)
              and set(summaries) == set(run_keys))
        if ok and deep:
            frame = pl.read_parquet(path)
            counts = frame["run_key"].value_counts()
            ok = (frame.schema == pl.Schema(run_schema())
                  and set(counts["run_key"].to_list()) == set(run_keys))
    except Exception:
        return "corrupt"
    return "done" if ok else "corrupt"


def write_error(layout: Layout, key: str, info: dict[str, Any], exc: BaseException) -> Path:
    """Record a block that raised (or whose worker died)."""
    record = {"block_key": key, **info, "error": f"{type(exc).__name__}: {exc}",
              "traceback": "".join(traceback.format_exception(exc))}
    return write_json(layout.error_path(key), record)


def read_summaries(path: Path) -> dict[str, dict[str, Any]]:
    """The summaries stored in a block file, by run key."""
    return json.loads(read_meta(path)["summaries"])


def read_scenario(path: Path, run_key: str) -> dict[str, Any]:
    """The scenario (canonical JSON, decoded) of one run of a block file."""
    return json.loads(json.loads(read_meta(path)["scenarios"])[run_key])


def write_design(layout: Layout, design: pl.DataFrame) -> None:
    """Write the design table."""
    write_parquet(layout.design, design)


def stale_keys(layout: Layout, pending: set[str], model_version: str,
               current: Collection[str] = ()) -> set[str]:
    """The pending runs whose result exists from another model version or run schema.

    A file holding the same design point and seed under another key is such a result (the key
    also holds the model version and the schema digest, see :mod:`sales_abm.runner.identity`):
    a block file of another version or block size, or a file of one run of the format before
    blocks.

    Args:
        layout: the results root.
        pending: current keys of the runs that are not done.
        model_version: the current model version.
        current: the current block keys (their files are not looked into).
    """
    if not pending or not layout.runs.exists():
        return set()
    found = set()
    for path in layout.runs.glob("*.parquet"):
        if path.stem in current:
            continue
        found |= _current_keys(path, model_version) & pending
    return found


def _current_keys(path: Path, model_version: str) -> set[str]:
    """The current keys of the runs a file of any format holds (none if it cannot be read)."""
    from sales_abm.runner.identity import run_key

    try:
        meta = read_meta(path)
        seeds = ([int(meta["seed"])] if meta.get("format") == RUN_FORMAT
                 else [int(s) for s in json.loads(meta["seeds"])])
        return {run_key(meta["point"], seed, model_version) for seed in seeds}
    except Exception:
        return set()
