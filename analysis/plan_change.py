"""Experiment 7 — plan change: outcomes by quarter since the switch, paired by seed.

Per run and quarter since the switch (quarter 0 = weeks 52-64; negative quarters are the year on
the retainer, identical across arms by construction): client profit (sum), client ROI
(``(margin - payments - AE cost) / (payments + AE cost)`` over the quarter), appointments set
per week, the close rate of the quarter's appointment cohorts (resolved cohorts only, pooled),
the gaming index (junk share of appointments set, pooled) and the reps' mean threshold. Each
switched arm is compared with staying on the retainer, paired by seed.

Run ``python -m analysis.plan_change [--scale quick]`` to print the table.
"""

from __future__ import annotations

import argparse
from typing import Any

import polars as pl

from analysis import stats
from analysis.data import Results
from analysis.numbers import Numbers, keyify

NAME = "plan_change"
CONTROL = "stay_retainer"
SWITCH_WEEK = 52
QUARTER = 13
WEEKLY = ["client_profit", "client_margin", "client_payments", "ae_cost", "appointments_set",
          "appointments_junk", "cohort_closes", "cohort_appointments_set", "cohort_resolved",
          "mean_threshold"]
OUTCOMES = ("client_profit", "client_roi", "appointments", "close_rate", "gaming_index",
            "threshold")


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num / den).otherwise(None)


def quarterly(weekly: pl.DataFrame, switch_week: int = SWITCH_WEEK) -> pl.DataFrame:
    """One row per run (``arm``, ``seed``) and quarter since the switch, with :data:`OUTCOMES`.

    Args:
        weekly: weekly rows with ``arm``, ``seed``, ``week`` and the :data:`WEEKLY` columns.
        switch_week: the first week under the new terms.
    """
    cost = pl.col("client_payments") + pl.col("ae_cost")
    resolved = pl.col("cohort_resolved")
    frame = weekly.with_columns(
        ((pl.col("week") - switch_week) // QUARTER).alias("quarter"),
        pl.when(resolved).then(pl.col("cohort_closes")).otherwise(0.0).alias("_closes"),
        pl.when(resolved).then(pl.col("cohort_appointments_set")).otherwise(0.0).alias("_sets"),
        cost.alias("_cost"),
    )
    return (
        frame.group_by("arm", "seed", "quarter", maintain_order=True)
        .agg(
            pl.col("client_profit").sum(),
            _ratio(pl.col("client_profit").sum(), pl.col("_cost").sum()).alias("client_roi"),
            pl.col("appointments_set").mean().alias("appointments"),
            _ratio(pl.col("_closes").sum(), pl.col("_sets").sum()).alias("close_rate"),
            _ratio(pl.col("appointments_junk").sum(), pl.col("appointments_set").sum())
            .alias("gaming_index"),
            pl.col("mean_threshold").mean().alias("threshold"),
            pl.len().alias("weeks"),
        )
        .filter(pl.col("weeks") == QUARTER)  # a trailing partial quarter is left out
        .sort("arm", "seed", "quarter")
    )


def compare(table: pl.DataFrame, control: str = CONTROL) -> Numbers:
    """Per arm and quarter: each outcome's mean and CI, and its paired difference against
    ``control`` (``diff.<outcome>.q<k>.<arm>_vs_<control>``, quarters since the switch)."""
    n = Numbers(NAME)
    arms = table["arm"].unique(maintain_order=True).to_list()
    quarters = sorted(table["quarter"].unique().to_list())
    n.set("quarters", quarters)
    n.set("seeds", int(table["seed"].n_unique()))
    for q in quarters:
        at = table.filter(pl.col("quarter") == q)
        for out in OUTCOMES:
            for arm in arms:
                values = at.filter(pl.col("arm") == arm)[out]
                n.set(f"mean.{out}.q{q}.{keyify(arm)}", stats.mean_ci(values).as_dict())
                if arm != control:
                    est = stats.paired(at, "arm", out, arm, control)
                    n.set(f"diff.{out}.q{q}.{keyify(arm)}_vs_{keyify(control)}", est.as_dict())
    return n


def compute(results: Results) -> Numbers:
    """The quarterly table of the stored plan-change runs, compared with staying."""
    return compare(quarterly(results.weekly(NAME, WEEKLY)))


def table_lines(numbers: Numbers, outcome: str, arm: str, control: str = CONTROL) -> list[str]:
    """Rows ``quarter: mean difference [CI]`` of one outcome and arm against ``control``."""
    lines = []
    for q in numbers.get("quarters"):
        d: dict[str, Any] = numbers.get(f"diff.{outcome}.q{q}.{keyify(arm)}_vs_{keyify(control)}")
        if d["mean"] is None:
            lines.append(f"  q{q:+d}: -")
            continue
        low, high = (f"{x:+.4g}" if x is not None else "?" for x in (d["ci_low"], d["ci_high"]))
        lines.append(f"  q{q:+d}: {d['mean']:+.4g} [{low}, {high}]")
    return lines


def main(argv: list[str] | None = None) -> None:
    """Print every switched arm's quarterly differences against staying on the retainer."""
    parser = argparse.ArgumentParser(description="Plan change: quarterly paired differences.")
    parser.add_argument("--scale", default="quick")
    parser.add_argument("--results", default=None, help="results base directory")
    args = parser.parse_args(argv)
    table = quarterly(Results(args.scale, args.results).weekly(NAME, WEEKLY))
    numbers = compare(table)
    for arm in [a for a in table["arm"].unique(maintain_order=True).to_list() if a != CONTROL]:
        for outcome in OUTCOMES:
            print(f"{arm} - {CONTROL}: {outcome}")
            print("\n".join(table_lines(numbers, outcome, arm)))


if __name__ == "__main__":
    main()
