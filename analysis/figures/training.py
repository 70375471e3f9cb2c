"""Figures of experiment 3 (training hold-up): small multiples per pay mix, theory scatter."""

from __future__ import annotations

from pathlib import Path

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
    cells = (f.group_by("mix", "arm", maintain_order=True)
             .agg(pl.col("npv").mean(), pl.col("trained_share_last").mean()))
    mixes = cells["mix"].unique(maintain_order=True).to_list()
    with style.figure(width=style.HALF_WIDTH * 1.3, height=2.7) as (fig, ax):
        for mix in mixes:
            rows = cells.filter(pl.col("mix") == mix)
            st = style.style_for(mix, mixes)
            ax.plot(rows["npv"] / 1000, rows["trained_share_last"], linestyle="none",
                    marker=st.marker, color=st.color, label=style.label(mix), alpha=0.85)
        ax.axvline(0, color="0.3", linewidth=0.8, linestyle="--")
        ax.set_xlabel("Training NPV per hire, closed form (kUSD)")
        ax.set_ylabel("Learned trained share (last year)")
        ax.legend()
        fig.tight_layout()
        style.save(fig, outdir, "training_theory")
