"""Figures of experiment 5 (contagion): threshold paths per network, halving times."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from analysis import style
from analysis.common import binned
from analysis.contagion import CONTRACT, NAME, NETWORK, RULE
from analysis.data import Results
from analysis.numbers import Numbers

NETWORKS = ("isolated", "ring", "small_world", "complete")


def draw(results: Results, n: Numbers, outdir: Path) -> list[str]:
    """``contagion_spread`` and ``contagion_speed``."""
    spread(results, outdir)
    speed(n, outdir)
    return ["contagion_spread", "contagion_speed"]


def spread(results: Results, outdir: Path) -> None:
    """Mean threshold over time: rows rule, columns contract, lines network."""
    w = results.weekly(NAME, ["mean_threshold"])
    series = binned(w, [NETWORK, RULE, CONTRACT], "mean_threshold", width=2)
    rules = w[RULE].unique(maintain_order=True).to_list()
    contracts = w[CONTRACT].unique(maintain_order=True).to_list()
    with style.figure(height=2.0 * len(rules) + 0.4, nrows=len(rules), ncols=len(contracts),
                      sharex=True, sharey=True, squeeze=False) as (fig, axes):
        for i, rule in enumerate(rules):
            for j, contract in enumerate(contracts):
                ax = axes[i, j]
                for net in NETWORKS:
                    s = series.filter((pl.col(NETWORK) == net) & (pl.col(RULE) == rule)
                                      & (pl.col(CONTRACT) == contract))
                    style.band(ax, s["week"], s["mean"], s["ci_low"], s["ci_high"],
                               style.style_for(net, NETWORKS), style.label(net), markevery=8)
                ax.set_title(f"{style.label(rule)}, {style.label(contract).lower()}")
                if j == 0:
                    ax.set_ylabel("Mean threshold")
                if i == len(rules) - 1:
                    ax.set_xlabel("Week")
        style.legend_below(fig, axes[0, 0], ncols=len(NETWORKS), space=0.08)
        style.save(fig, outdir, "contagion_spread")


def speed(n: Numbers, outdir: Path) -> None:
    """Kaplan–Meier median halving time per network, one marker series per rule and contract."""
    combos = [(r, c) for r in ("fermi", "imitate_best") for c in ("per_appointment", "retainer")]
    with style.figure(width=style.HALF_WIDTH * 1.4, height=2.7) as (fig, ax):
        speed_axes(ax, n, combos, float(n.get("weeks")))
        fig.tight_layout()
        style.save(fig, outdir, "contagion_speed")


def speed_axes(ax: Any, n: Numbers, combos: list[tuple[str, str]], horizon: float) -> None:
    """Draw the medians on ``ax``: a median not reached sits at the horizon, hollow; an upper
    end not reached is an arrow to the horizon. Nothing is drawn below zero or past the horizon.
    """
    names = [f"{r}.{c}" for r, c in combos]
    for k, (rule, contract) in enumerate(combos):
        st = style.style_for(names[k], names)
        label = f"{style.label(rule)}, {style.label(contract).lower()}"
        for i, net in enumerate(NETWORKS):
            m = n.get(f"{rule}.{contract}.{net}.t_half_median")
            x = i + (k - 1.5) * 0.12
            y = m["median"] if m["median_reached"] else horizon
            low = m["ci_low"] if m["ci_low"] is not None else y
            high = m["ci_high"] if m["ci_high_reached"] else horizon
            ax.plot([x, x], [min(low, y), max(high, y)], color=st.color, linewidth=1)
            if not m["ci_high_reached"]:
                ax.annotate("", xy=(x, horizon), xytext=(x, max(low, y)),
                            arrowprops={"arrowstyle": "->", "color": st.color, "lw": 0.8})
            ax.plot([x], [y], linestyle="none", marker=st.marker, color=st.color,
                    markerfacecolor=st.color if m["median_reached"] else "white",
                    label=label if i == 0 else None)
    ax.axhline(horizon, color="0.5", linewidth=0.8, linestyle=":")
    ax.set_ylim(0, horizon * 1.05)
    ax.set_xticks(range(len(NETWORKS)), [style.label(net) for net in NETWORKS])
    ax.set_ylabel("Weeks to halve the threshold\n(Kaplan–Meier median)")
    ax.legend(fontsize=6.5)
