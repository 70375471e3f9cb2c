"""Figures of experiment 5 (contagion): threshold paths per network, halving times."""

from __future__ import annotations

from pathlib import Path

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
    """Restricted-mean halving time per network, one marker series per rule and contract."""
    combos = [(r, c) for r in ("fermi", "imitate_best") for c in ("per_appointment", "retainer")]
    names = [f"{r}.{c}" for r, c in combos]
    with style.figure(width=style.HALF_WIDTH * 1.4, height=2.7) as (fig, ax):
        for k, (rule, contract) in enumerate(combos):
            est = [n.get(f"{rule}.{contract}.{net}.t_half") for net in NETWORKS]
            x = [i + (k - 1.5) * 0.12 for i in range(len(NETWORKS))]
            mean = [e["mean"] for e in est]
            err = [[e["mean"] - (e["ci_low"] if e["ci_low"] is not None else e["mean"])
                    for e in est],
                   [(e["ci_high"] if e["ci_high"] is not None else e["mean"]) - e["mean"]
                    for e in est]]
            st = style.style_for(names[k], names)
            ax.errorbar(x, mean, yerr=err, color=st.color, marker=st.marker, linestyle="none",
                        capsize=2, label=f"{style.label(rule)}, {style.label(contract).lower()}")
        ax.set_xticks(range(len(NETWORKS)), [style.label(net) for net in NETWORKS])
        ax.set_ylabel("Weeks to halve the threshold")
        ax.legend(fontsize=6.5)
        fig.tight_layout()
        style.save(fig, outdir, "contagion_speed")
