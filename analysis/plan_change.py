"""Experiment 8 — plan change: outcomes by quarter since the switch, paired by seed.

Per run and quarter since the switch (quarter 0 = weeks 52-64; negative quarters are the year on
the retainer, identical across arms by construction): client profit (sum), client ROI
(``(margin - payments - AE cost) / (payments + AE cost)`` over the quarter), appointments set
per week, the close rate of the quarter's appointment cohorts (resolved cohorts only, pooled),
the gaming index (junk share of appointments set, pooled) and the reps' mean threshold. Each
switched arm is compared with staying on the retainer, paired by seed.

The paper's section (:data:`SECTION`) quotes the first quarter after the switch (the short run)
and the last quarter whose appointment cohorts have all resolved (the long run), and the theory's
best response of every switched arm (:mod:`analysis.theory_arms`): the falsification arm is the
one where gaming does not pay.

Run ``python -m analysis.plan_change [--scale quick]`` to print the table.
"""

from __future__ import annotations

import argparse
from typing import Any

import polars as pl

from analysis import stats
from analysis.common import Section, put_run_info
from analysis.data import Results
from analysis.numbers import Numbers, keyify
from analysis.theory_arms import put_theory_arms, theory_arm_text
from analysis.typst import Fragment, ci, direction, num, verdict

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


#: The switched arms in words, and the falsification arm (see the experiment's doc).
ARM_WORDS = {"to_per_appointment": "pay per appointment", "to_per_close": "pay per close",
             "to_hybrid": "the hybrid",
             "to_pa_audited": "pay per appointment with every appointment audited and clawed "
                              "back"}
MAIN, FALSIFICATION = "to_per_appointment", "to_pa_audited"


def compute(results: Results) -> Numbers:
    """The quarterly table of the stored plan-change runs, compared with staying; the short- and
    long-run quarters; the theory's best response per arm."""
    n = compare(quarterly(results.weekly(NAME, WEEKLY)))
    put_run_info(n, results, NAME, prefix="design.")
    put_horizons(n)
    factors = results.spec(NAME).design.factors["arm"]
    n.set("switch_week", min(s["week"] for o in factors.values() for s in o.get("schedule", ())))
    arms = [a for a in factors if a != CONTROL]
    put_theory_arms(n, results, NAME, {keyify(a): {"arm": a} for a in arms}, {"arm": CONTROL})
    return n


def put_horizons(n: Numbers) -> None:
    """``short_quarter`` (the first after the switch) and ``long_quarter`` (the last with a
    resolved close rate for every arm; null when none has one)."""
    after = [q for q in n.get("quarters") if q >= 0]
    n.set("short_quarter", after[0] if after else None)
    resolved = [q for q in after
                if all(d.get("mean") is not None
                       for d in n.get(f"diff.close_rate.q{q}").values())]
    n.set("long_quarter", resolved[-1] if resolved else None)


def _d(outcome: str, quarter: int | None, arm: str) -> str:
    return f"diff.{outcome}.q{quarter}.{arm}_vs_{CONTROL}"


def moves(n: Numbers, arm: str) -> tuple[str, str]:
    """(short-run appointments, long-run close rate) of ``arm`` against staying: "up", "down"
    or "flat", from whether the paired 95% interval lies above, below or across zero."""
    short, long_ = n.get("short_quarter"), n.get("long_quarter")
    out = []
    for outcome, q in (("appointments", short), ("close_rate", long_)):
        if q is None:
            out.append("flat")
            continue
        d = n.get(_d(outcome, q, arm))
        out.append(direction(d["ci_low"], d["ci_high"], "up", "down", "flat"))
    return out[0], out[1]


def fragment(n: Numbers) -> Fragment:
    """The results text of the plan-change experiment."""
    f = Fragment(NAME, "Plan change")
    short, long_ = n.get("short_quarter"), n.get("long_quarter")
    f.para(
        f"Over {num(n, 'seeds')} seeds per arm ({num(n, 'design.reps')} reps, "
        f"{num(n, 'design.prospects')} prospects, {num(n, 'design.weeks')} weeks, the switch "
        f"in week {num(n, 'switch_week')}), paired differences from staying on the retainer, "
        f"in the first quarter after the switch (q{short}) and the last quarter whose cohorts "
        f"have resolved (q{long_}).",
        " ".join(_arm_text(n, arm) for arm in ARM_WORDS if n.has(f"theory.{arm}.threshold")),
    )
    f.para(theory_arm_text(n, FALSIFICATION, ARM_WORDS[FALSIFICATION], "the retainer"),
           theory_arm_text(n, MAIN, ARM_WORDS[MAIN], "the retainer"))
    f.para(verdict_text(n))
    f.figure("plan_change_quarters",
             f"Switching from the retainer in week {num(n, 'switch_week')}: paired differences "
             f"from staying on the retainer by quarter since the switch (quarter 0 = the first "
             f"{QUARTER} weeks under the new terms; negative quarters are the shared retainer "
             f"year), mean over seeds with 95% confidence bands.")
    return f


def _arm_text(n: Numbers, arm: str) -> str:
    short, long_ = n.get("short_quarter"), n.get("long_quarter")
    up, down = moves(n, arm)
    words = {"up": "raises", "down": "lowers", "flat": "does not change"}
    text = (f"Switching to {ARM_WORDS[arm]} {words[up]} appointments per week at first "
            f"({ci(n, _d('appointments', short, arm))})")
    if long_ is None:
        return text + "; no quarter after the switch has resolved cohorts."
    return (text + f" and {words[down]} the cohort close rate in the long run "
            f"({ci(n, _d('close_rate', long_, arm))}; gaming index "
            f"{ci(n, _d('gaming_index', long_, arm))}, client ROI "
            f"{ci(n, _d('client_roi', long_, arm))}).")


def verdict_text(n: Numbers) -> str:
    """Whether the switch shows the practitioners' pattern (appointments up at first, close rate
    down later) where gaming pays, and not in the falsification arm; scale-gated."""
    if n.get("long_quarter") is None:
        return verdict("No quarter after the switch has resolved cohorts, so the claim is "
                       "untested in these runs.", n)
    main = moves(n, MAIN) == ("up", "down")
    false_harm = moves(n, FALSIFICATION)[1] == "down"
    theory_ok = bool(n.get(f"theory.{FALSIFICATION}.supported"))
    if main and not false_harm and theory_ok:
        text = ("The switch to pay per appointment raises appointments at first and lowers the "
                "close rate later, and the audited switch does not lower it: the plan change "
                "backfires through gaming; the practitioners' claim holds for a plan change.")
    elif main:
        text = ("The switch to pay per appointment raises appointments at first and lowers the "
                "close rate later, but " + ("the audited switch lowers it too, so the decline "
                                            "does not follow from gaming alone."
                                            if false_harm else
                                            "the theory does not make the audited switch a "
                                            "falsification arm, so the pattern is untested."))
    else:
        text = ("The switch to pay per appointment does not both raise appointments at first and "
                "lower the close rate later (each interval as reported): the practitioners' "
                "claim does not hold in these runs.")
    return verdict(text, n)


SECTION = Section(NAME, "Plan change", (NAME,), compute, "analysis.figures.plan_change",
                  fragment)


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
