"""Figure of experiment 4 (horizon): ROI paths, paired differences, stop-week distribution."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from analysis import stats, style
from analysis.data import Results
from analysis.horizon import BURN_IN, CONTROL, roi_paths, stop_weeks
from analysis.numbers import Numbers


def draw(results: Results, n: Numbers, outdir: Path) -> list[str]:
    """``horizon_roi``."""
    paths = roi_paths(results)
    arms = paths["arm"].unique(maintain_order=True).to_list()
    with style.figure(height=2.6, ncols=3) as (fig, axes):
        _levels(axes[0], paths, arms)
        _differences(axes[1], paths, arms)
        _stops(axes[2], paths, arms)
        style.legend_below(fig, axes[0], ncols=len(arms), space=0.14)
        style.save(fig, outdir, "horizon_roi")
    return ["horizon_roi"]


def _levels(ax: object, paths: pl.DataFrame, arms: list[str]) -> None:
    bands = stats.weekly_bands(paths.filter(pl.col("week") >= BURN_IN), ["arm"], "roi")
    for arm in arms:
        b = bands.filter(pl.col("arm") == arm)
        style.band(ax, b["week"], b["mean"], b["ci_low"], b["ci_high"],
                   style.style_for(arm, arms), style.label(arm), markevery=26)
    ax.set_title("Client cumulative ROI")  # type: ignore[attr-defined]
    ax.set_xlabel("Week")  # type: ignore[attr-defined]


def _differences(ax: object, paths: pl.DataFrame, arms: list[str]) -> None:
    base = paths.filter(pl.col("arm") == CONTROL).select("seed", "week",
                                                         pl.col("roi").alias("base"))
    diff = (paths.filter(pl.col("arm") != CONTROL).join(base, on=["seed", "week"])
            .with_columns((pl.col("roi") - pl.col("base")).alias("d"))
            .filter(pl.col("week") >= BURN_IN))
    bands = stats.weekly_bands(diff, ["arm"], "d")
    for arm in arms:
        if arm == CONTROL:
            continue
        b = bands.filter(pl.col("arm") == arm)
        style.band(ax, b["week"], b["mean"], b["ci_low"], b["ci_high"],
                   style.style_for(arm, arms), style.label(arm), markevery=26)
    ax.axhline(0, color="0.3", linewidth=0.8)  # type: ignore[attr-defined]
    ax.set_title("Difference from retainer (paired)")  # type: ignore[attr-defined]
    ax.set_xlabel("Week")  # type: ignore[attr-defined]


def _stops(ax: object, paths: pl.DataFrame, arms: list[str]) -> None:
    horizon = int(paths["week"].max()) + 1
    for arm in arms:
        if arm == CONTROL:
            continue
        t = np.array(list(stop_weeks(paths, arm).values()), dtype=float)
        x = np.sort(np.where(np.isfinite(t), t, horizon))
        y = np.arange(1, x.size + 1) / x.size
        st = style.style_for(arm, arms)
        ax.step(np.r_[BURN_IN, x], np.r_[0, y], where="post", color=st.color,  # type: ignore[attr-defined]
                linestyle=st.linestyle)
    ax.axvline(horizon, color="0.5", linewidth=0.8, linestyle=":")  # type: ignore[attr-defined]
    ax.set_title("Week it stops paying off")  # type: ignore[attr-defined]
    ax.set_xlabel("Week (dotted: horizon, censored)")  # type: ignore[attr-defined]
    ax.set_ylabel("Share of seeds (ECDF)")  # type: ignore[attr-defined]
