"""Experiment 1 — gaming emerges: numbers, figures and the results fragment."""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis import stats
from analysis.common import (
    HEADLINE,
    Section,
    outcome_frame,
    put_estimates,
    put_paired,
    put_run_info,
)
from analysis.data import Results
from analysis.numbers import Numbers
from analysis.theory_arms import put_theory_arms, theory_arm_text
from analysis.typst import Fragment, ci, num, span, verb, verdict

NAME = "gaming"
CONTROL = "retainer"
#: The arms meant as falsification arms, in words; which of them the theory supports (their best
#: response books no more junk than the retainer's) is computed (:mod:`analysis.theory_arms`).
FALSIFICATION = {"pa_audited": "with every appointment audited and clawed back",
                 "pa_qualified": "billed only on qualified held meetings"}
OUTS = ("appointments_first", *HEADLINE, "close_rate_first", "gaming_first", "threshold_first",
        "pressure_last", "skill_last", "client_profit", "outsourcer_profit")
WEEKLY = ["appointments_set", "appointments_junk", "cohort_closes", "cohort_appointments_set",
          "cohort_resolved", "mean_threshold", "sd_threshold"]


def compute(results: Results) -> Numbers:
    """Means and CIs per arm, paired differences against the retainer, replicates justified."""
    n = Numbers(NAME)
    frame = outcome_frame(results.summaries(NAME))
    put_run_info(n, results, NAME)
    put_estimates(n, frame, "arm", OUTS)
    put_paired(n, frame, "arm", OUTS, CONTROL)
    _relative(n)
    _replicates(n, frame)
    n.set("base_rate.junk_share", market_junk_share(results.scenario(NAME)))
    _junk_pay(n, results)
    arms = [a for a in results.spec(NAME).design.factors["arm"] if a != CONTROL]
    put_theory_arms(n, results, NAME, {a: {"arm": a} for a in arms}, {"arm": CONTROL})
    return n


def falsification_arms(n: Numbers) -> list[str]:
    """The arms of :data:`FALSIFICATION` the theory supports."""
    return [a for a in FALSIFICATION if n.has(f"theory.{a}.supported")
            and n.get(f"theory.{a}.supported")]


def _junk_pay(n: Numbers, results: Results) -> None:
    """What one held junk meeting nets a retainer rep, in expectation, from the arm's scenario:
    the bonus less the expected clawback (bonus × audit rate × clawback share)."""
    from sales_abm.scenario import Scenario

    plan = results.spec(NAME).resolve(results.scale)
    point = next(p for p in plan.points if p.factors.get("arm") == CONTROL)
    pay = Scenario.from_dict(dict(point.overrides)).pay
    n.set("junk_pay.retainer.bonus", pay.bonus_per_appointment)
    n.set("junk_pay.retainer.net", pay.bonus_per_appointment * (1 - pay.audit_rate * pay.clawback))


def market_junk_share(scenario: dict) -> float:
    """The share of prospects below the qualification bar in the runs' market (exact, from the
    fit mixture): the junk share of appointments booked without any screening."""
    from analysis.inputs import model_numbers
    from sales_abm.scenario import Scenario

    return float(model_numbers(Scenario.from_dict(scenario))["junk_share"])


def _relative(n: Numbers) -> None:
    """Per-appointment's change relative to the retainer, in percent of the retainer's mean."""
    for out in ("appointments_last", "close_rate_last", "gaming_last"):
        base = n.get(f"{out}.{CONTROL}.mean")
        diff = n.get(f"diff.{out}.per_appointment_vs_{CONTROL}.mean")
        n.set(f"relative.{out}.per_appointment", 100 * diff / base if base else None)


def _replicates(n: Numbers, frame: pl.DataFrame) -> None:
    """Replicates after which the CV of the long-run close rate (and of the gap) levels off."""
    justified = []
    for arm in frame["arm"].unique(maintain_order=True).to_list():
        values = frame.filter(pl.col("arm") == arm).sort("replicate")["close_rate_last"]
        j = stats.replicates_justified(values)
        n.set(f"replicates.{arm}.justified", j)
        n.set(f"replicates.{arm}.cv_final", _last(stats.cv_curve(values)))
        justified.append(j or 0)
    gap = stats.paired_values(frame, "arm", "close_rate_last", "per_appointment", CONTROL)
    n.set("replicates.gap.justified", stats.replicates_justified(gap))
    n.set("replicates.gap.cv_final", _last(stats.cv_curve(gap)))
    n.set("replicates.max_justified", max(justified))
    n.set("replicates.tolerance", stats.CV_TOLERANCE)


def _last(curve: np.ndarray) -> float | None:
    return float(curve[-1]) if curve.size else None


# -- fragment ----------------------------------------------------------------------------------


def fragment(n: Numbers) -> Fragment:
    """The results text of experiment 1."""
    f = Fragment(NAME, "Gaming emerges")
    d = f"diff.{{}}.per_appointment_vs_{CONTROL}"
    f.para(
        f"Across {num(n, 'seeds')} seeds per contract ({num(n, 'reps')} reps, "
        f"{num(n, 'prospects')} prospects, {num(n, 'weeks')} weeks), paying per appointment "
        f"{verb(n, d.format('appointments_last'), 'raises', 'lowers', 'does not change')} "
        f"appointments set per week in the last quarter from "
        f"{ci(n, 'appointments_last.retainer')} under the retainer to "
        f"{ci(n, 'appointments_last.per_appointment')};",
        f"it {verb(n, d.format('close_rate_last'), 'raises', 'lowers', 'does not change')} "
        f"the cohort close rate from {ci(n, 'close_rate_last.retainer')} to "
        f"{ci(n, 'close_rate_last.per_appointment')} (paired difference "
        f"{ci(n, d.format('close_rate_last'))}, Cohen's $d_z$ = "
        f"{num(n, d.format('close_rate_last') + '.d')}),",
        f"and {verb(n, d.format('gaming_last'), 'raises', 'lowers', 'leaves unchanged')} "
        f"the gaming index from {ci(n, 'gaming_last.retainer')} to "
        f"{ci(n, 'gaming_last.per_appointment')}. Reps learn it: their mean threshold moves "
        f"from {num(n, 'threshold_first.per_appointment.mean')} in the first quarter to "
        f"{ci(n, 'threshold_last.per_appointment')} in the last, against "
        f"{ci(n, 'threshold_last.retainer')} under the retainer.",
    )
    f.para(_other_contracts_text(n))
    f.para(_falsification_text(n), _participation_text(n))
    f.para(retainer_junk_text(n))
    f.figure("gaming_timeseries",
             "Four contracts and two further per-appointment arms (billing qualified meetings; "
             "full audit with clawback): weekly appointments, cohort close "
             "rate (8-week cohort bins), gaming index and mean rep threshold (4-week bins); "
             "mean over seeds with 95% confidence bands.")
    f.figure("gaming_thresholds",
             "The distribution of rep thresholds over time per contract: mean over seeds "
             "(line, 95% band) and the mean within-run spread (grey, ± one standard "
             "deviation across reps).")
    f.para(
        f"The coefficient of variation of the long-run close rate levels off (stays within "
        f"{num(n, 'replicates.tolerance')} of its final value, relative) after at most "
        f"{num(n, 'replicates.max_justified')} replicates in any arm, and after "
        f"{num(n, 'replicates.gap.justified')} for the paired gap; we run "
        f"{num(n, 'seeds')}.")
    f.figure("gaming_replicates",
             "Coefficient of variation of the long-run cohort close rate as replicates are "
             "added; the dotted line marks where every arm has levelled off.")
    return f


def _other_contracts_text(n: Numbers) -> str:
    """Pay per close and the hybrid against the retainer, and what each contract earns."""
    parts = []
    for arm, name in (("per_close", "Paying per close"), ("hybrid", "The hybrid")):
        close, gaming = (f"diff.{out}.{arm}_vs_{CONTROL}" for out in ("close_rate_last",
                                                                       "gaming_last"))
        parts.append(
            f"{name} {verb(n, close, 'raises', 'lowers', 'does not change')} the long-run close "
            f"rate relative to the retainer (paired difference {ci(n, close)}) and "
            f"{verb(n, gaming, 'raises', 'lowers', 'leaves unchanged')} the gaming index "
            f"(paired difference {ci(n, gaming)}).")
    roi = f"diff.client_roi.per_appointment_vs_{CONTROL}"
    profit = f"diff.client_profit.per_appointment_vs_{CONTROL}"
    parts.append(
        f"For the client, paying per appointment "
        f"{verb(n, roi, 'raises', 'lowers', 'does not change')} the return on what it spends "
        f"over these runs' {span(n)} (cumulative ROI {ci(n, 'client_roi.per_appointment')} "
        f"against {ci(n, 'client_roi.retainer')}; paired difference {ci(n, roi)}), and it "
        f"{verb(n, profit, 'raises', 'lowers', 'does not change')} the client's profit in dollars "
        f"(paired difference {ci(n, profit)} USD). This ROI gap is Experiment 1's; Experiment 4 "
        f"(@sec-exp-horizon) measures the same gap on its own runs and horizon, so the two "
        f"differ.")
    return " ".join(parts)


def _participation_text(n: Numbers) -> str:
    """What the falsification arms leave the outsourcer (the model has no exit for it)."""
    return (
        f"Both arms cost the client little because they pay the outsourcer little: its profit "
        f"over {span(n)} is {ci(n, 'outsourcer_profit.pa_qualified')} USD under qualified "
        f"billing and {ci(n, 'outsourcer_profit.pa_audited')} USD under full audit, against "
        f"{ci(n, 'outsourcer_profit.retainer')} USD under the retainer. The model gives the "
        f"outsourcer no participation constraint (it cannot refuse or leave a contract), so "
        f"their client ROI is not a recommendation. " + _falsification_verdict(n))


def _falsification_verdict(n: Numbers) -> str:
    """Scale-gated: does any theory-supported falsification arm lower the close rate?"""
    arms = falsification_arms(n)
    if not arms:
        return verdict("No arm of this experiment is a falsification arm by the theory, so the "
                       "close-rate gap is untested here.", n)
    harmed = [a for a in arms
              if (n.get(f"diff.close_rate_last.{a}_vs_{CONTROL}.ci_high") or 0) < 0]
    if harmed:
        return verdict("A falsification arm lowers the close rate too, so the gap does not "
                       "follow from gaming alone.", n)
    return verdict("Where the theory says gaming does not pay, the close rate does not fall: "
                   "the gap follows the incentive to game, not contracts an outsourcer would "
                   "sign.", n)


def retainer_junk_text(n: Numbers) -> str:
    """The retainer's own junk share, set beside the junk share of unscreened booking.

    The explanation is given only as far as the numbers carry it: a retainer junk share whose
    interval covers the market's share of below-bar prospects means the retainer's reps screen
    out no more junk than booking at random would.
    """
    junk = "gaming_last.retainer"
    text = (
        f"Under the retainer itself, {ci(n, junk)} of the appointments set in the last quarter "
        f"are junk; in the runs' market {num(n, 'base_rate.junk_share')} of prospects are below "
        f"the qualification bar, the junk share of booking without screening.")
    low, high = n.get(junk + ".ci_low"), n.get(junk + ".ci_high")
    base = n.get("base_rate.junk_share")
    if low is None or high is None or base is None:
        return text
    if low <= base <= high:
        text += " The retainer's reps thus screen out no more junk than random booking would"
    elif high < base:
        text += " The retainer's reps screen out part of it"
    else:
        text += " The retainer's reps book more junk than random booking would"
    text += f" (mean threshold {ci(n, 'threshold_last.retainer')})."
    net = n.get("junk_pay.retainer.net")
    if net is not None and net > 0:
        text += (
            f" Their pay plan does not make junk worthless to them: a held junk meeting still "
            f"nets a rep {num(n, 'junk_pay.retainer.net')} USD in expectation (a bonus of "
            f"{num(n, 'junk_pay.retainer.bonus')} USD less the expected clawback).")
    return text


def _falsification_text(n: Numbers) -> str:
    """Each arm meant as a falsification arm: what the theory makes of it, then what it did."""
    parts = []
    for arm, what in FALSIFICATION.items():
        path = f"diff.close_rate_last.{arm}_vs_{CONTROL}"
        parts.append(
            theory_arm_text(n, arm, f"per-appointment pay {what}", "the retainer")
            + f" In the runs it {verb(n, path, 'raises', 'lowers', 'does not lower')} the "
            f"close rate relative to the retainer (paired difference {ci(n, path)}; gaming "
            f"index {ci(n, f'gaming_last.{arm}')}).")
    return " ".join(parts)


SECTION = Section(NAME, "Gaming emerges", (NAME,), compute, "analysis.figures.gaming", fragment)
