"""Figures of experiment 6 (robustness): forest plot of gaps, Sobol index bars."""

from __future__ import annotations

from pathlib import Path

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
    return v


def forest(g: pl.DataFrame, outdir: Path) -> None:
    """Per variant: per-appointment (filled) and per-close (open) gaps with 95% intervals."""
    variants = g["variant"].unique(maintain_order=True).to_list()
    y = np.arange(len(variants))[::-1]
    with style.figure(height=0.2 * len(variants) + 1.2, ncols=len(PANELS),
                      sharey=True) as (fig, axes):
        for ax, (out, title) in zip(axes, PANELS, strict=True):
            for k, (contrast, name, fill) in enumerate((("pa", "Per appointment", True),
                                                        ("pc", "Per close (falsif.)", False))):
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
    """First-order and total indices per parameter, bootstrap 95% intervals."""
    index = n.get("sobol.index")
    keys = sorted(index, key=lambda k: -index[k]["ST"])
    x = np.arange(len(keys))
    with style.figure(height=2.6) as (fig, ax):
        for k, (field, name, hatch) in enumerate((("S1", "First order", ""),
                                                  ("ST", "Total", "///"))):
            vals = [index[key][field] for key in keys]
            conf = [index[key][f"{field}_conf"] for key in keys]
            ax.bar(x + (k - 0.5) * 0.38, vals, 0.38, yerr=conf, capsize=2,
                   color=style.PALETTE[2 * k], edgecolor="black", linewidth=0.5, hatch=hatch,
                   label=name, alpha=0.85)
        ax.set_xticks(x, [index[key]["name"] for key in keys], rotation=30, ha="right")
        ax.set_ylabel("Sobol index")
        ax.axhline(0, color="0.3", linewidth=0.6)
        ax.legend()
        fig.tight_layout()
        style.save(fig, outdir, "sensitivity_sobol")
