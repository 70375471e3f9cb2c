"""Figure of the client and prospect dynamics: contracts ended, prospects' accept propensity."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis import stats, style
from analysis.common import binned
from analysis.data import Results
from analysis.dynamics import CONTRACT, CONTROL, HORIZON, NO_LEARNING, ROBUSTNESS, TREATED
from analysis.numbers import Numbers


def draw(results: Results, n: Numbers, outdir: Path) -> list[str]:
    """``dynamics``."""
    with style.figure(height=2.6, ncols=2) as (fig, axes):
        _terminations(axes[0], results)
        _accept(axes[1], results)
        style.legend_below(fig, axes[0], ncols=4, space=0.16)
        style.save(fig, outdir, "dynamics")
    return ["dynamics"]


def _terminations(ax: object, results: Results) -> None:
    w = results.weekly(HORIZON, ["contract_holder"])
    arms = [a for a in w["arm"].unique(maintain_order=True).to_list()]
    bands = stats.weekly_bands(w.with_columns(pl.col("contract_holder").cast(pl.Float64)),
                               ["arm"], "contract_holder")
    for arm in arms:
        b = bands.filter(pl.col("arm") == arm)
        low = b["ci_low"].clip(lower_bound=0.0)  # a count: the t interval's tail below 0 is cut
        style.band(ax, b["week"], b["mean"], low, b["ci_high"],
                   style.style_for(arm, arms), style.label(arm), markevery=26)
    ax.set_title("Contracts ended so far")  # type: ignore[attr-defined]
    ax.set_xlabel("Week")  # type: ignore[attr-defined]


def _accept(ax: object, results: Results) -> None:
    w = results.weekly(ROBUSTNESS, ["mean_prospect_accept"]).filter(
        pl.col("variant").is_in(["baseline", NO_LEARNING])
        & pl.col(CONTRACT).is_in([CONTROL, TREATED]))
    bands = binned(w, ["variant", CONTRACT], "mean_prospect_accept")
    for (variant, preset), b in bands.group_by("variant", CONTRACT, maintain_order=True):
        st = style.style_for(preset)
        ax.fill_between(b["week"], b["ci_low"], b["ci_high"], color=st.color,  # type: ignore[attr-defined]
                        alpha=0.18, linewidth=0)
        ax.plot(b["week"], b["mean"], color=st.color,  # type: ignore[attr-defined]
                linestyle="-" if variant == "baseline" else ":")
    ax.set_title("Prospects' propensity to accept")  # type: ignore[attr-defined]
    ax.set_xlabel("Week (dotted: prospect learning off)")  # type: ignore[attr-defined]
