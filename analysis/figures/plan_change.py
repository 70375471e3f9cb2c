"""Figure of the plan-change experiment: paired differences from staying, by quarter."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis import style
from analysis.data import Results
from analysis.numbers import Numbers
from analysis.plan_change import ARM_WORDS, CONTROL

PANELS = (("appointments", "Appointments per week"), ("close_rate", "Cohort close rate"),
          ("gaming_index", "Gaming index"), ("client_roi", "Client ROI (quarter)"))


def draw(results: Results, n: Numbers, outdir: Path) -> list[str]:
    """``plan_change_quarters`` (drawn from the numbers: each quarter's paired difference)."""
    quarters = list(n.get("quarters"))
    arms = [a for a in ARM_WORDS if n.has(f"theory.{a}.threshold")]
    with style.figure(height=2.4, ncols=len(PANELS)) as (fig, axes):
        for ax, (outcome, title) in zip(axes, PANELS, strict=True):
            for arm in arms:
                rows = [n.get(f"diff.{outcome}.q{q}.{arm}_vs_{CONTROL}") for q in quarters]
                mean, low, high = (np.array([np.nan if r[k] is None else r[k] for r in rows])
                                   for k in ("mean", "ci_low", "ci_high"))
                style.band(ax, quarters, mean, low, high, style.style_for(arm, arms),
                           arm.removeprefix("to_").replace("_", " "))
            ax.axhline(0, color="0.3", linewidth=0.8)
            ax.axvline(-0.5, color="0.5", linewidth=0.8, linestyle=":")
            ax.set_title(title)
            ax.set_xticks([q for q in quarters if q % 4 == 0])  # yearly: every quarter's
            # label would overlap at the panel's width
            ax.set_xlabel("Quarter since the switch")
        style.legend_below(fig, axes[0], ncols=len(arms), space=0.16)
        style.save(fig, outdir, "plan_change_quarters")
    return ["plan_change_quarters"]
