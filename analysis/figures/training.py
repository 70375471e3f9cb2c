"""Figures of experiment 3 (training hold-up): small multiples per pay mix, theory scatter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analysis import stats, style
from analysis.data import Results
from analysis.numbers import Numbers
from analysis.training import frame

ROWS = (("trained_share_last", "Trained share (last year)"),
        ("skill_last", "Mean skill (last qtr)"))


def draw(results: Results, n: Numbers, outdir: Path) -> list[str]:
    """``training_holdup`` and ``training_theory``."""
    f = frame(results)
    holdup(f.filter(pl.col("arm") != "default"), outdir)
    theory(f, outdir)
    return ["training_holdup", "training_theory"]


def _termination_label(level: str) -> str:
    return "no termination" if level == "off" else f"terminate if ROI < {level}"


def holdup(f: pl.DataFrame, outdir: Path) -> None:
    """Rows: trained share and skill; columns: pay mix; lines: termination risk."""
    mixes = f["mix"].unique(maintain_order=True).to_list()
    bars = f["termination"].unique(maintain_order=True).to_list()
    with style.figure(height=4.2, nrows=len(ROWS), ncols=len(mixes), sharex=True,
                      sharey="row", squeeze=False) as (fig, axes):
        for i, (out, ylabel) in enumerate(ROWS):
            for j, mix in enumerate(mixes):
                ax = axes[i, j]
                for bar in bars:
                    rows = f.filter((pl.col("mix") == mix) & (pl.col("termination") == bar))
                    terms = sorted(set(rows["term"].to_list()))
                    est = [stats.mean_ci(rows.filter(pl.col("term") == t)[out]) for t in terms]
                    style.band(ax, terms, [e.mean for e in est], [e.ci_low for e in est],
                               [e.ci_high for e in est], style.style_for(bar, bars),
                               _termination_label(bar))
                if i == 0:
                    ax.set_title(style.label(mix))
                if j == 0:
                    ax.set_ylabel(ylabel)
                if i == len(ROWS) - 1:
                    ax.set_xlabel("Guaranteed term (months)")
        style.legend_below(fig, axes[0, 0], ncols=min(4, len(bars)), space=0.1)
        style.save(fig, outdir, "training_holdup")


def theory(f: pl.DataFrame, outdir: Path) -> None:
    """Closed-form training NPV at measured hazards against the learned trained share."""
    with style.figure(width=style.HALF_WIDTH * 1.3, height=2.7) as (fig, ax):
        share_against_npv(ax, f, "trained_share_last", by=("mix", "arm"))
        ax.set_ylabel("Learned trained share (last year)")
        fig.tight_layout()
        style.save(fig, outdir, "training_theory")


def share_against_npv(ax: Any, f: pl.DataFrame, share: str,
                      by: tuple[str, ...] = ("mix", "point")) -> pl.DataFrame:
    """One marker per cell (``by``; the first is the pay mix): mean NPV and mean ``share`` with
    95% CIs across the cell's runs.

    The share's axis is its whole range [0, 1] (never cut to the points' spread). Cells whose
    runs give the same numbers (a switch that never acted) are drawn once and labelled "×k", so
    no marker hides another.

    Returns:
        The drawn markers: ``mix, npv, npv_low, npv_high, mean, low, high, points``.
    """
    rows = []
    for keys, runs in f.group_by(list(by), maintain_order=True):
        x, y = stats.mean_ci(runs["npv"] / 1000), stats.mean_ci(runs[share])
        rows.append((keys[0], x.mean, x.ci_low, x.ci_high, y.mean, y.ci_low, y.ci_high))
    cols = ["mix", "npv", "npv_low", "npv_high", "mean", "low", "high"]
    # the same runs can sum in another order: identical to 9 significant digits is identical
    cells = (pl.DataFrame(rows, schema=cols, orient="row")
             .with_columns(pl.col(cols[1:]).round_sig_figs(9))
             .group_by(cols, maintain_order=True).agg(pl.len().alias("points")))
    mixes = cells["mix"].unique(maintain_order=True).to_list()
    for mix in mixes:
        c = cells.filter(pl.col("mix") == mix)
        st = style.style_for(mix, mixes)
        ax.errorbar(c["npv"], c["mean"],
                    xerr=_half_widths(c["npv"], c["npv_low"], c["npv_high"]),
                    yerr=_half_widths(c["mean"], c["low"], c["high"]), linestyle="none",
                    marker=st.marker, color=st.color, capsize=2, elinewidth=0.8,
                    label=style.label(mix))
        for x, y, k in c.select("npv", "mean", "points").iter_rows():
            if k > 1:
                ax.annotate(f"×{k}", (x, y), xytext=(4, 3), textcoords="offset points",
                            fontsize=6)
    ax.axvline(0, color="0.3", linewidth=0.8, linestyle="--")
    ax.set_ylim(0, 1)
    ax.set_xlabel("Training NPV per hire, closed form (kUSD)")
    ax.legend(title="95% CIs across seeds; ×k: k cells\nwith the same runs", title_fontsize=6,
              loc="upper left")
    return cells


def _half_widths(mean: Any, low: Any, high: Any) -> np.ndarray:
    """Error-bar lengths below and above ``mean`` (zero where an interval is undefined)."""
    m = np.asarray(mean, dtype=float)
    lo = np.asarray(low.fill_null(np.nan), dtype=float)
    hi = np.asarray(high.fill_null(np.nan), dtype=float)
    return np.nan_to_num(np.vstack([m - lo, hi - m]))
