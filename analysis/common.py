"""Shared pieces of the experiment analyses: outcome names, estimate tables, binned series."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from analysis import stats
from analysis.data import Results
from analysis.numbers import Numbers, keyify
from analysis.typst import Fragment

#: Short outcome names → run summary fields.
OUTCOMES = {
    "appointments_first": "appointments_set_first_13",
    "appointments_last": "appointments_set_last_13",
    "close_rate_first": "cohort_close_rate_first_13",
    "close_rate_last": "cohort_close_rate_last_13",
    "gaming_first": "gaming_index_first_13",
    "gaming_last": "gaming_index_last_13",
    "threshold_first": "mean_threshold_first_13",
    "threshold_last": "mean_threshold_last_13",
    "pressure_last": "mean_pressure_last_13",
    "skill_last": "mean_skill_last_13",
    "client_roi": "client_cumulative_roi_final",
    "client_profit": "client_profit",
    "outsourcer_profit": "outsourcer_profit",
    "training_spend": "training_spend",
    "trained_share": "trained_hires_share",
    "replacements": "contract_holder_final",
    "rep_quits": "rep_quits",
    "burned_share": "burned_share_final",
}
#: Outcomes the headline comparisons report.
HEADLINE = ("appointments_last", "close_rate_last", "gaming_last", "threshold_last",
            "client_roi")


@dataclass(frozen=True)
class Section:
    """One results slot of the paper: what it reads, computes, draws and writes.

    Attributes:
        slot: the paper's slot (``generated/results_<slot>.typ``, top-level key of the numbers).
        title: the slot's heading in the paper (shown with the "not yet run" box).
        experiments: the experiment names it reads.
        compute: results → numbers (pure; the claims tests call it).
        figures: the module whose ``draw(results, numbers, figure dir)`` writes the figures
            (imported only when figures are drawn: it needs matplotlib).
        fragment: numbers → the Typst fragment.
        optional: experiments it reads when they are complete (the section is written without
            them otherwise).
    """

    slot: str
    title: str
    experiments: tuple[str, ...]
    compute: Callable[[Results], Numbers]
    figures: str
    fragment: Callable[[Numbers], Fragment]
    optional: tuple[str, ...] = ()


def outcome_frame(summaries: pl.DataFrame, outcomes: Iterable[str] = OUTCOMES) -> pl.DataFrame:
    """The summaries with short outcome columns added (missing fields become nulls)."""
    cols = []
    for short in outcomes:
        field = OUTCOMES[short]
        cols.append((pl.col(field).cast(pl.Float64) if field in summaries.columns
                     else pl.lit(None, dtype=pl.Float64)).alias(short))
    return summaries.with_columns(cols)


def levels(frame: pl.DataFrame, factor: str) -> list[Any]:
    """The factor's levels in design order (by design point)."""
    return (frame.select("point", factor).unique().sort("point")[factor]
            .unique(maintain_order=True).to_list())


def put_estimates(numbers: Numbers, frame: pl.DataFrame, factor: str,
                  outcomes: Iterable[str], prefix: str = "") -> None:
    """``<prefix><outcome>.<level>`` = mean and 95% CI over seeds, for every level."""
    for level in levels(frame, factor):
        sub = frame.filter(pl.col(factor) == level)
        for out in outcomes:
            numbers.set(f"{prefix}{out}.{keyify(level)}", stats.mean_ci(sub[out]).as_dict())


def put_paired(numbers: Numbers, frame: pl.DataFrame, factor: str, outcomes: Iterable[str],
               control: Any, treatments: Iterable[Any] | None = None,
               prefix: str = "diff.") -> None:
    """``<prefix><outcome>.<t>_vs_<control>`` = paired difference by seed, with Cohen's d_z."""
    treat = [t for t in (treatments or levels(frame, factor)) if t != control]
    for out in outcomes:
        for t in treat:
            est = stats.paired(frame, factor, out, t, control)
            numbers.set(f"{prefix}{out}.{keyify(t)}_vs_{keyify(control)}", est.as_dict())


def binned(weekly: pl.DataFrame, group: list[str], num: str, den: str | None = None,
           width: int = 4, where: pl.Expr | None = None) -> pl.DataFrame:
    """A smoothed time series per group: per run and ``width``-week bin, then over runs.

    Per run and bin the value is ``sum(num) / sum(den)`` (a pooled rate) or, without ``den``,
    the mean of ``num``. Across runs: mean and 95% CI by bin.

    Returns:
        Columns ``group..., week`` (the bin's middle week), ``mean, ci_low, ci_high, n``.
    """
    frame = weekly if where is None else weekly.filter(where)
    keys = [*group, "point", "replicate"]
    frame = frame.with_columns(((pl.col("week") // width) * width + (width - 1) / 2)
                               .alias("bin"))
    if den is None:
        agg = pl.col(num).mean().alias("value")
    else:
        total = pl.col(den).sum()
        agg = pl.when(total > 0).then(pl.col(num).sum() / total).otherwise(None).alias("value")
    per_run = (frame.sort([*keys, "week"]).group_by([*keys, "bin"], maintain_order=True)
               .agg(agg).with_columns(pl.col("value").round_sig_figs(stats.SIG_FIGS)))
    return stats.weekly_bands(per_run.rename({"bin": "week"}), group, "value")


def seeds(frame: pl.DataFrame) -> int:
    """Replicates per design point (the most any point has)."""
    return int(frame.group_by("point", maintain_order=True).len()["len"].max() or 0)


def put_run_info(numbers: Numbers, results: Results, name: str, prefix: str = "") -> None:
    """Design size and scenario scale of an experiment: ``<prefix>seeds, points, runs, ...``."""
    summaries = results.summaries(name)
    scenario = results.scenario(name)
    numbers.set(f"{prefix}seeds", seeds(summaries))
    numbers.set(f"{prefix}points", int(summaries["point"].n_unique()))
    numbers.set(f"{prefix}runs", int(summaries["run_key"].n_unique()))
    for key in ("reps", "prospects", "weeks"):
        numbers.set(f"{prefix}{key}", int(scenario[key]))


def first_below(values: np.ndarray, level: float) -> float:
    """The first index where ``values <= level`` (NaN when never)."""
    hit = np.flatnonzero(np.asarray(values, dtype=float) <= level)
    return float(hit[0]) if hit.size else float("nan")
