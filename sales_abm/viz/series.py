"""What the explorer's views show, as polars frames read off live runs.

Per-week metrics come from each run's :class:`~sales_abm.metrics.Recorder` (its polars frames,
cut at the weeks run so far); the strategy distribution and the office network are read off the
reps' columns (:class:`~sales_abm.agents.SalesForce`). Nothing here imports Solara or Altair.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import polars as pl

from sales_abm.metrics import summarize
from sales_abm.model import SalesModel

#: Cohorts pooled (closes over appointments) in the smoothed close rate.
POOLED_COHORTS = 4


#: The recorder's frames of each live run at the week they were read (a redraw reads them often).
_FRAMES: weakref.WeakKeyDictionary[SalesModel, tuple[int, pl.DataFrame, pl.DataFrame]] = (
    weakref.WeakKeyDictionary())


def _frames(run: SalesModel) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The recorder's weekly and cohort frames, read once per week of the run."""
    cached = _FRAMES.get(run)
    if cached is None or cached[0] != run.week:
        cached = (run.week, run.recorder.weekly_frame(), run.recorder.cohort_frame())
        _FRAMES[run] = cached
    return cached[1], cached[2]


def weekly(run: SalesModel) -> pl.DataFrame:
    """The recorder's weekly frame, weeks run so far only."""
    return _frames(run)[0].head(run.week)


def resolved_cohorts(run: SalesModel) -> pl.DataFrame:
    """The recorder's cohort frame, cohorts resolved by now only.

    A cohort is resolved once its meetings and longest sales cycle are over: the recorder's
    rule (:meth:`~sales_abm.metrics.Recorder.resolved`), applied at the weeks run so far rather
    than at the horizon, so a half-resolved cohort never shows a close rate. At the horizon the
    two agree.
    """
    done = pl.col("cohort_week") + 1 + run.recorder.cycle_max <= run.week - 1
    return _frames(run)[1].filter(done & pl.col("resolved"))


def cohorts(run: SalesModel, pool: int = POOLED_COHORTS) -> pl.DataFrame:
    """Resolved cohorts' close rate (the recorder's) and the rate pooled over ``pool`` cohorts.

    ``pooled_close_rate`` is closes over appointments of the last ``pool`` resolved cohorts (null
    for the first ``pool - 1`` cohorts, and when they set none).
    """
    closes = pl.col("closes").rolling_sum(pool)
    sets = pl.col("appointments_set").rolling_sum(pool)
    pooled = pl.when(sets > 0).then(closes / sets).otherwise(None)
    return resolved_cohorts(run).select("cohort_week", "appointments_set", "closes",
                                        "close_rate", pooled.alias("pooled_close_rate"))


def summary(run: SalesModel) -> dict[str, Any] | None:
    """The run's headline numbers so far (:func:`sales_abm.metrics.summarize`); None at week 0."""
    if run.week == 0:
        return None
    return summarize(weekly(run), resolved_cohorts(run))


def weekly_view(run: SalesModel) -> pl.DataFrame:
    """The weekly series the charts plot, with cumulative training spend."""
    return weekly(run).select(
        "week", "appointments_set", "gaming_index", "client_cumulative_roi", "mean_skill",
        "training_spend", pl.col("training_spend").cum_sum().alias("training_spend_cumulative"),
    )


def strategy_counts(run: SalesModel, dim: str) -> pl.DataFrame:
    """How many employed reps play each level of a strategy dimension right now."""
    force = run.sales_force
    levels = force.levels[dim]
    counts = np.bincount(force.action[dim][force.employed], minlength=levels.size)
    return pl.DataFrame({"level": levels.astype(float), "reps": counts.astype(np.int64)})


def office_layout(run: SalesModel) -> dict[int, tuple[float, float]]:
    """Desk positions of the office network: a circle, slot 0 at the top, clockwise."""
    n = run.config.reps
    angle = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    return {i: (float(np.cos(a)), float(np.sin(a))) for i, a in enumerate(angle)}


def office_nodes(run: SalesModel) -> pl.DataFrame:
    """One row per desk: position, threshold and pressure (null while the desk is vacant)."""
    force = run.sales_force
    pos = office_layout(run)
    on = force.employed
    return pl.DataFrame({
        "slot": np.arange(on.size, dtype=np.int64),
        "x": [pos[i][0] for i in range(on.size)],
        "y": [pos[i][1] for i in range(on.size)],
        "threshold": np.where(on, force.value("threshold"), np.nan),
        "pressure": np.where(on, force.value("pressure"), np.nan),
    }).fill_nan(None)


def office_edges(run: SalesModel) -> pl.DataFrame:
    """One row per office tie, with both ends' positions."""
    graph: nx.Graph = run.sales_force.office
    pos = office_layout(run)
    ends = list(graph.edges())
    return pl.DataFrame({
        "x": [pos[a][0] for a, _ in ends], "y": [pos[a][1] for a, _ in ends],
        "x2": [pos[b][0] for _, b in ends], "y2": [pos[b][1] for _, b in ends],
    }, schema={"x": pl.Float64, "y": pl.Float64, "x2": pl.Float64, "y2": pl.Float64})


def stacked(runs: Mapping[str, SalesModel],
            frame: Callable[[SalesModel], pl.DataFrame]) -> pl.DataFrame:
    """One frame of every run's rows, with the run's label in a ``contract`` column."""
    parts = [frame(run).with_columns(pl.lit(name).alias("contract"))
             for name, run in runs.items()]
    return pl.concat(parts, how="vertical") if parts else pl.DataFrame()
