"""Figure of experiment 7 (docking): learned strategies against the static benchmark."""

from __future__ import annotations

from pathlib import Path

from analysis import style
from analysis.data import Results
from analysis.docking import DIMS
from analysis.numbers import Numbers

ARMS = ("retainer", "per_appointment", "per_close", "hybrid")
WORLDS = ("full", "stationary")
YLABEL = {"effort": "Calls per week", "threshold": "Threshold", "pressure": "Pressure"}


def draw(results: Results, n: Numbers, outdir: Path) -> list[str]:
    """``docking_strategies``."""
    with style.figure(height=2.6, ncols=len(DIMS)) as (fig, axes):
        for ax, dim in zip(axes, DIMS, strict=True):
            for k, world in enumerate(WORLDS):
                st = style.style_for(world, WORLDS)
                for i, arm in enumerate(ARMS):
                    x = i + (k - 0.5) * 0.3
                    e = n.get(f"{world}.{arm}.{dim}.learned")
                    lo = e["mean"] - (e["ci_low"] if e["ci_low"] is not None else e["mean"])
                    hi = (e["ci_high"] if e["ci_high"] is not None else e["mean"]) - e["mean"]
                    ax.errorbar([x], [e["mean"]], yerr=[[lo], [hi]], color=st.color,
                                marker=st.marker, capsize=2, linestyle="none",
                                label=f"learned, {world}" if i == 0 else None)
                    br = n.get(f"{world}.{arm}.{dim}.br.mean")
                    ax.plot([x - 0.12, x + 0.12], [br, br], color="black", linewidth=2,
                            label="best response" if i == 0 and k == 0 else None)
                    mf = n.get(f"{world}.{arm}.{dim}.mean_field.mean")
                    ax.plot([x], [mf], marker="x", color="0.35", linestyle="none",
                            label="mean-field rest point" if i == 0 and k == 0 else None)
            ax.set_xticks(range(len(ARMS)), [style.label(a) for a in ARMS], rotation=25,
                          ha="right")
            ax.set_title(YLABEL[dim])
        style.legend_below(fig, axes[0], ncols=4, space=0.16)
        style.save(fig, outdir, "docking_strategies")
    return ["docking_strategies"]
