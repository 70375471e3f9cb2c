"""Figures of experiment 1 (gaming emerges): one function per figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from analysis import stats, style
from analysis.common import binned, outcome_frame
from analysis.data import Results
from analysis.gaming import NAME, WEEKLY
from analysis.numbers import Numbers

PANELS = (
    ("appointments_set", None, "Appointments set per week"),
    ("cohort_closes", "cohort_appointments_set", "Cohort close rate"),
    ("appointments_junk", "appointments_set", "Gaming index (junk share)"),
    ("mean_threshold", None, "Mean rep threshold"),
)


def draw(results: Results, n: Numbers, outdir: Path) -> list[str]:
    """``gaming_timeseries``, ``gaming_thresholds`` and ``gaming_replicates``."""
    weekly = results.weekly(NAME, WEEKLY)
    frame = outcome_frame(results.summaries(NAME))
    arms = frame["arm"].unique(maintain_order=True).to_list()
    _timeseries(weekly, arms, outdir)
    _thresholds(weekly, arms, outdir)
    _replicate_curves(frame, arms, n, outdir)
    return ["gaming_timeseries", "gaming_thresholds", "gaming_replicates"]


def _timeseries(weekly: pl.DataFrame, arms: list[str], outdir: Path) -> None:
    with style.figure(height=4.6, nrows=2, ncols=2, sharex=True) as (fig, axes):
        for ax, (numer, den, title) in zip(axes.flat, PANELS, strict=True):
            where = pl.col("cohort_resolved") if numer.startswith("cohort_") else None
            series = binned(weekly, ["arm"], numer, den, width=8 if where is not None else 4,
                            where=where)
            for arm in arms:
                s = series.filter(pl.col("arm") == arm)
                style.band(ax, s["week"], s["mean"], s["ci_low"], s["ci_high"],
                           style.style_for(arm, arms), style.label(arm), markevery=4)
            ax.set_title(title)
        for ax in axes[1]:
            ax.set_xlabel("Week (cohorts: week set)")
        style.legend_below(fig, axes.flat[0], ncols=3)
        style.save(fig, outdir, "gaming_timeseries")


def _thresholds(weekly: pl.DataFrame, arms: list[str], outdir: Path) -> None:
    mean = binned(weekly, ["arm"], "mean_threshold")
    spread = binned(weekly, ["arm"], "sd_threshold")
    ncols = 3
    nrows = -(-len(arms) // ncols)
    with style.figure(height=2.0 * nrows, nrows=nrows, ncols=ncols, sharex=True,
                      sharey=True, squeeze=False) as (fig, axes):
        for ax, arm in zip(axes.flat, arms, strict=False):
            m = mean.filter(pl.col("arm") == arm)
            s = spread.filter(pl.col("arm") == arm)
            st = style.style_for(arm, arms)
            ax.fill_between(m["week"], m["mean"] - s["mean"], m["mean"] + s["mean"],
                            color="0.85", linewidth=0, label="± within-run sd")
            style.band(ax, m["week"], m["mean"], m["ci_low"], m["ci_high"], st,
                       "mean (95% CI)", markevery=4)
            ax.set_title(style.label(arm))
            ax.set_ylim(bottom=0)
        for ax in axes.flat[len(arms):]:
            ax.set_visible(False)
        axes[0, 0].legend(loc="lower left")
        for ax in axes[:, 0]:
            ax.set_ylabel("Threshold (perceived fit)")
        for ax in axes[-1]:
            ax.set_xlabel("Week")
        fig.tight_layout()
        style.save(fig, outdir, "gaming_thresholds")


def _replicate_curves(frame: pl.DataFrame, arms: list[str], n: Numbers, outdir: Path) -> None:
    with style.figure(width=style.HALF_WIDTH * 1.3, height=2.6) as (fig, ax):
        for arm in arms:
            values = frame.filter(pl.col("arm") == arm).sort("replicate")["close_rate_last"]
            curve = stats.cv_curve(values)
            ax.plot(np.arange(2, curve.size + 2), curve, label=style.label(arm),
                    **style.style_for(arm, arms).kwargs(markevery=max(1, curve.size // 8)))
        ax.axvline(n.get("replicates.max_justified") or 0, color="0.4", linewidth=0.8,
                   linestyle=":")
        ax.set_xlabel("Replicates (seeds)")
        ax.set_ylabel("CV of long-run close rate")
        ax.legend(fontsize=6.5)
        fig.tight_layout()
        style.save(fig, outdir, "gaming_replicates")
