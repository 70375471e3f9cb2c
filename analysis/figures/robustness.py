"""Figures of experiment 6 (robustness): forest plot of gaps, Sobol index bars."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from analysis import style
from analysis.data import Results
from analysis.numbers import Numbers
from analysis.robustness import gaps

PANELS = (("close_rate_last", "Close-rate gap vs retainer"),
          ("gaming_last", "Gaming-index gap vs retainer"))


def draw(results: Results, n: Numbers, outdir: Path) -> list[str]:
    """``robustness_forest`` and, with Sobol indices, ``sensitivity_sobol``."""
    forest(gaps(results), outdir)
    names = ["robustness_forest"]
    if "sobol" in n.tree:
        sobol(n, outdir)
        names.append("sensitivity_sobol")
    return names


def _variant_label(v: str) -> str:
    if v.startswith("rule_"):
        return "rule: " + v[5:].replace("_", " ")
    if v.startswith("no_"):
        return "off: " + v[3:].replace("_", " ")
    return v.replace("_", " ")  # e.g. "credit paid"


def forest(g: pl.DataFrame, outdir: Path) -> None:
    """Per variant: per-appointment (filled) and per-close (open) gaps with 95% intervals."""
    variants = g["variant"].unique(maintain_order=True).to_list()
    y = np.arange(len(variants))[::-1]
    with style.figure(height=0.2 * len(variants) + 1.2, ncols=len(PANELS),
                      sharey=True) as (fig, axes):
        for ax, (out, title) in zip(axes, PANELS, strict=True):
            for k, (contrast, name, fill) in enumerate((("pa", "Per appointment", True),
                                                        ("pc", "Per close", False))):
                rows = g.filter((pl.col("outcome") == out) & (pl.col("contrast") == contrast))
                st = style.style_for(["per_appointment", "per_close"][k])
                mean = rows["mean"].to_numpy()
                err = np.vstack([mean - rows["ci_low"].to_numpy(),
                                 rows["ci_high"].to_numpy() - mean])
                ax.errorbar(mean, y + (0.15 if k == 0 else -0.15), xerr=err, color=st.color,
                            marker=st.marker, linestyle="none", capsize=1.5,
                            markerfacecolor=st.color if fill else "white", label=name)
            ax.axvline(0, color="0.3", linewidth=0.8)
            ax.set_title(title)
        axes[0].set_yticks(y, [_variant_label(v) for v in variants])
        style.legend_below(fig, axes[0], ncols=2, space=0.06)
        style.save(fig, outdir, "robustness_forest")


def sobol(n: Numbers, outdir: Path) -> None:
    """First-order and total indices per parameter, bootstrap 95% intervals, unclipped."""
    with style.figure(height=2.6) as (fig, ax):
        sobol_axes(ax, n.get("sobol.index"), n.get("sobol.floor"))
        fig.tight_layout()
        style.save(fig, outdir, "sensitivity_sobol")


def sobol_axes(ax: Any, index: dict[str, dict[str, Any]], floor: float) -> list[str]:
    """Draw the indices on ``ax``: each estimate as a point, its interval as a line between its
    computed ends, the region outside [0, 1] shaded, the floor dashed; the axis spans [0, 1]
    and every interval.

    Returns:
        The parameters' keys in the order drawn (by total index, largest first).
    """
    keys = sorted(index, key=lambda k: -_num(index[k]["ST"], -np.inf))
    x = np.arange(len(keys))
    ends = [0.0, 1.0]
    for k, (field, name, marker) in enumerate((("S1", "First order", "o"),
                                               ("ST", "Total", "s"))):
        vals = np.array([_num(index[key][field]) for key in keys])
        low = np.array([_num(index[key][f"{field}_low"]) for key in keys])
        high = np.array([_num(index[key][f"{field}_high"]) for key in keys])
        colour, at = style.PALETTE[2 * k], x + (k - 0.5) * 0.3
        # the interval as computed: a bias-corrected (basic) bootstrap interval can lie wholly
        # below a near-zero estimate, so it is drawn from its ends, not as error bars around it
        ax.vlines(at, low, high, color=colour, linewidth=1.0)
        ax.plot(np.r_[at, at], np.r_[low, high], linestyle="none", marker="_", markersize=5,
                color=colour)
        ax.plot(at, vals, linestyle="none", marker=marker, markersize=3.5, color=colour,
                label=name)
        ends += [v for v in (*low, *high, *vals) if np.isfinite(v)]
    bottom, top = min(ends), max(ends)
    pad = 0.05 * (top - bottom)
    ax.set_ylim(bottom - pad, top + pad)
    for lo, hi in ((bottom - pad, 0.0), (1.0, top + pad)):
        if hi > lo:
            ax.axhspan(lo, hi, color="0.85", zorder=0, linewidth=0)
    ax.axhline(0, color="0.3", linewidth=0.6)
    ax.axhline(floor, color="0.3", linewidth=0.6, linestyle="--")
    ax.set_xticks(x, [index[key]["name"] for key in keys], rotation=30, ha="right")
    ax.set_ylabel("Sobol index (unclipped)")
    ax.legend(fontsize=6.5)
    return keys


def _num(value: Any, missing: float = np.nan) -> float:
    return float(value) if value is not None else missing
