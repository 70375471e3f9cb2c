"""Reading results: status of a sweep, runs joined to their factors, summaries, compaction.

Nothing here runs the model: the design comes from the spec, the numbers from the block files
(each holds several runs; readers see runs, one row per run or per (run, week), as before).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from sales_abm.io import atomic_write, write_parquet
from sales_abm.runner import manifest
from sales_abm.runner.spec import Block, Experiment, ExperimentError, Plan
from sales_abm.runner.store import (
    Layout,
    check_block,
    read_scenario,
    read_summaries,
    results_root,
    run_schema,
    stale_keys,
)

STATES = ("done", "missing", "stale", "failed", "corrupt")
_SUMMARY_TYPES: dict[type, pl.DataType] = {
    bool: pl.Boolean(), int: pl.Int64(), float: pl.Float64(), str: pl.String()
}


@dataclass
class StatusReport:
    """How many runs of a scale are done, missing, stale, failed or corrupt (a run has the
    state of its block)."""

    experiment: str
    scale: str
    root: Path
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    keys: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in STATES})
    #: The error of each failed run (its block's), by run key.
    errors: dict[str, str] = field(default_factory=dict)
    #: The status of the latest sweep in the manifest (``finished``, ``interrupted``, ``killed``,
    #: ``disk full``, ``running`` ...), or None without a (readable) manifest.
    last_sweep: str | None = None

    @property
    def total(self) -> int:
        """Distinct runs of the plan."""
        return sum(self.counts.values())

    @property
    def complete(self) -> bool:
        """Every run is done."""
        return self.counts["done"] == self.total

    def line(self) -> str:
        """One line: the counts."""
        parts = ", ".join(f"{self.counts[s]} {s}" for s in STATES)
        return f"{self.experiment}/{self.scale}: {self.total} runs: {parts} ({self.root})"


def _model_version() -> str:
    from sales_abm.version import MODEL_VERSION

    return MODEL_VERSION


def _experiment(experiment: Experiment | str,
                experiments: str | Path | None = None) -> Experiment:
    if isinstance(experiment, Experiment):
        return experiment
    from sales_abm.runner.discover import load_experiment

    return load_experiment(experiment, experiments)


def status(experiment: Experiment | str, scale: str = "quick",
           results: str | Path | None = None, *, deep: bool = True,
           experiments: str | Path | None = None) -> StatusReport:
    """Check every block of a scale on disk (reading each file: unreadable means corrupt).

    A run is ``done`` (its block's file is valid), ``corrupt`` (the file cannot be read, or does
    not hold every run of the block), ``failed`` (the block's error record), ``stale`` (a result
    from another model version, run schema or block size exists) or ``missing``. A sweep the
    manifest still calls ``running`` while none holds the root's lock is marked ``killed``.

    Args:
        experiment: a spec, or an experiment name or file.
        scale: the scale.
        results: base directory of results (default ``$SALES_ABM_RESULTS``, else ``results``).
        deep: read every row of every file (else only the footers).
        experiments: the experiments directory a name is looked up in.
    """
    spec = _experiment(experiment, experiments)
    plan, version = spec.resolve(scale), _model_version()
    layout = Layout(results_root(spec.name, scale, results))
    manifest.settle_abandoned(layout)
    report = StatusReport(spec.name, scale, layout.root, last_sweep=_last_sweep(layout))
    pending = []
    blocks = plan.blocks(version)
    for block in blocks:
        state = check_block(layout.block_path(block.key), block.key, block.run_keys, deep=deep)
        if state == "missing" and layout.error_path(block.key).exists():
            state = "failed"
            error = _error_text(layout.error_path(block.key))
            report.errors.update(dict.fromkeys(block.run_keys, error))
        if state == "missing":
            pending.extend(block.run_keys)
        else:
            for key in block.run_keys:
                _count(report, state, key)
    stale = stale_keys(layout, set(pending), version, {b.key for b in blocks})
    for key in pending:
        _count(report, "stale" if key in stale else "missing", key)
    return report


def _last_sweep(layout: Layout) -> str | None:
    try:
        sweeps = manifest.read(layout).get("sweeps", [])
    except ExperimentError:
        return None
    return str(sweeps[-1].get("status")) if sweeps else None


def _count(report: StatusReport, state: str, key: str) -> None:
    report.counts[state] += 1
    report.keys[state].append(key)


def _error_text(path: Path) -> str:
    try:
        return str(json.loads(path.read_text(encoding="utf-8")).get("error", "?"))
    except (OSError, json.JSONDecodeError):
        return "unreadable error record"


@dataclass(frozen=True)
class _Done:
    """The runs of a scale that are done: their design rows and the blocks holding them."""

    plan: Plan
    design: pl.DataFrame
    layout: Layout
    blocks: list[Block]

    def paths(self) -> list[Path]:
        """The block files, in block order."""
        return [self.layout.block_path(b.key) for b in self.blocks]


def _done_design(spec: Experiment, scale: str, results: str | Path | None,
                 allow_missing: bool, *, deep: bool,
                 hint: str = " (or pass allow_missing=True)") -> _Done:
    """The design rows of the runs that are done; raises if some are not, unless allowed.

    ``deep`` reads every row of every file, so that a file whose data (not only its footer) is
    damaged counts as corrupt.
    """
    plan, version = spec.resolve(scale), _model_version()
    layout = Layout(results_root(spec.name, scale, results))
    design = plan.design_frame(version)
    blocks = plan.blocks(version)
    states = {b.key: check_block(layout.block_path(b.key), b.key, b.run_keys, deep=deep)
              for b in blocks}
    done = [b for b in blocks if states[b.key] == "done"]
    total, finished = (sum(len(b.runs) for b in bs) for bs in (blocks, done))
    if finished < total and not allow_missing:
        corrupt = sum(len(b.runs) for b in blocks if states[b.key] == "corrupt")
        raise ExperimentError(
            f"{spec.name}/{scale}: {total - finished} of {total} runs are not done "
            f"({corrupt} corrupt) in {layout.root.absolute()}; `sales-abm experiment run "
            f"{spec.name} --scale {scale}` computes them{hint}")
    keys = [k for b in done for k in b.run_keys]
    return _Done(plan, design.filter(pl.col("run_key").is_in(keys)), layout, done)


def load(experiment: Experiment | str, scale: str = "quick", results: str | Path | None = None,
         *, allow_missing: bool = False, experiments: str | Path | None = None
         ) -> pl.LazyFrame:
    """The weekly rows of every run, joined to its design point.

    Columns: ``point, replicate, seed, run_key``, one column per factor (named by the factor),
    then the run file's columns (:func:`sales_abm.runner.store.run_schema`): ``week``, the weekly
    metrics and the ``cohort_*`` columns. Rows are in (point, replicate, week) order. Design points
    that resolve to the same scenario share one run, whose rows appear under each of them.

    Args:
        experiment: a spec, or an experiment name or file.
        scale: the scale.
        results: base directory of results (default ``$SALES_ABM_RESULTS``, else ``results``).
        allow_missing: load the runs that are done instead of raising when some are not.
        experiments: the experiments directory a name is looked up in.

    Only the files' footers are checked here; a file whose data is damaged raises when the frame
    is collected.

    Raises:
        ExperimentError: runs are not done (unless ``allow_missing``).
    """
    spec = _experiment(experiment, experiments)
    done = _done_design(spec, scale, results, allow_missing, deep=False)
    schema = run_schema()
    runs_schema = {k: v for k, v in schema.items() if k != "seed"}
    if not done.blocks:
        return pl.LazyFrame(schema={**done.plan.schema(), **_tail(runs_schema)})
    scan = pl.scan_parquet(done.paths(), schema=schema).drop("seed")
    return done.design.lazy().join(scan, on="run_key", how="inner",
                                   maintain_order="left_right")


def _tail(schema: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    return {k: v for k, v in schema.items() if k != "run_key"}


def load_summaries(experiment: Experiment | str, scale: str = "quick",
                   results: str | Path | None = None, *, allow_missing: bool = False,
                   experiments: str | Path | None = None) -> pl.DataFrame:
    """One row per (design point, replicate): the design columns and every summary field.

    Summary fields are typed by their values: text -> String, whole numbers -> Int64, other
    numbers and nulls -> Float64, booleans -> Boolean. The summary's own ``seed`` is dropped (the
    design's is the same). Every file is read in full, so a run whose data is damaged is not
    done (its summary, in the file's footer, may still read well).

    Raises:
        ExperimentError: runs are not done or corrupt (unless ``allow_missing``, which leaves
            them out).
    """
    return _summaries(_experiment(experiment, experiments), scale, results, allow_missing)


def _summaries(spec: Experiment, scale: str, results: str | Path | None, allow_missing: bool,
               hint: str = " (or pass allow_missing=True)") -> pl.DataFrame:
    done = _done_design(spec, scale, results, allow_missing, deep=True, hint=hint)
    plan, design = done.plan, done.design
    rows: dict[str, dict[str, Any]] = {}
    for path in done.paths():
        for key, summary in read_summaries(path).items():
            summary.pop("seed", None)
            rows[key] = summary
    clash = set(plan.factor_types) & {k for r in rows.values() for k in r}
    if clash:
        raise ExperimentError(f"factor names clash with summary fields: {sorted(clash)}")
    schema = _summary_schema(rows.values())
    table = pl.DataFrame({"run_key": list(rows), **{k: [r.get(k) for r in rows.values()]
                                                     for k in schema}},
                         schema={"run_key": pl.String(), **schema})
    return design.join(table, on="run_key", how="left", maintain_order="left")


def run_scenario(experiment: Experiment | str, scale: str, run_key: str,
                 results: str | Path | None = None, *,
                 experiments: str | Path | None = None) -> dict[str, Any]:
    """The scenario (canonical JSON, decoded, with its seed) of one stored run.

    Raises:
        ExperimentError: the run is not part of the scale, or its block is not done.
    """
    spec = _experiment(experiment, experiments)
    done = _done_design(spec, scale, results, allow_missing=True, deep=False)
    for block in done.blocks:
        if run_key in block.run_keys:
            return read_scenario(done.layout.block_path(block.key), run_key)
    raise ExperimentError(f"{spec.name}/{scale}: run {run_key} is not done in "
                          f"{done.layout.root.absolute()}")


def _summary_schema(rows: Any) -> dict[str, pl.DataType]:
    kinds: dict[str, set[type]] = {}
    for row in rows:
        for k, v in row.items():
            kinds.setdefault(k, set()).add(type(v))
    schema = {}
    for key, seen in kinds.items():
        seen.discard(type(None))
        if len(seen) == 1 and (t := next(iter(seen))) in _SUMMARY_TYPES:
            schema[key] = _SUMMARY_TYPES[t]
        elif seen <= {int, float}:
            schema[key] = pl.Float64()
        else:
            schema[key] = pl.String()
    return schema


def compact(experiment: Experiment | str, scale: str = "quick",
            results: str | Path | None = None, out: str | Path | None = None, *,
            experiments: str | Path | None = None) -> dict[str, Path]:
    """Write the whole sweep as two files for analysis: ``weekly.parquet`` (:func:`load`) and
    ``summaries.parquet`` (:func:`load_summaries`), atomically, in ``out`` (default: the root).

    Raises:
        ExperimentError: runs are not done, or corrupt (every file is read in full first).
    """
    spec = _experiment(experiment, experiments)
    root = Path(out) if out is not None else results_root(spec.name, scale, results)
    summaries = _summaries(spec, scale, results, allow_missing=False, hint="")
    weekly = load(spec, scale, results)
    paths = {"weekly": root / "weekly.parquet", "summaries": root / "summaries.parquet"}
    try:
        atomic_write(paths["weekly"], lambda tmp: weekly.sink_parquet(tmp, compression="zstd"))
        write_parquet(paths["summaries"], summaries)
    except pl.exceptions.PolarsError as exc:  # a file damaged since it was checked
        raise ExperimentError(f"{spec.name}/{scale}: a run file cannot be read "
                              f"({type(exc).__name__}); `sales-abm experiment status "
                              f"{spec.name} --scale {scale}` finds it") from None
    except OSError as exc:
        raise ExperimentError(f"compact: cannot write to {root} "
                              f"({exc.strerror or exc}: {exc.filename or root})") from None
    return paths
