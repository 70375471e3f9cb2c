"""Table 1 — calibration: each target, its source and the model's value, from runs.

The model's values come from the retainer arm of Experiment 1 (``gaming``; the retainer is the
default contract), at the scale of the build: per run, a rate is pooled over the weeks after the
first quarter (its numerator's sum over its denominator's), then averaged over seeds with a 95%
interval. Quantities the model takes as parameters (ramp, prices) are shown as such, without an
interval. Each value is flagged against its target range; a target given as "about x" counts as
the range x ± :data:`APPROX` (relative).

Tenure and attrition targets are not consistent as a constant hazard: a mean tenure of about 14
months is a quit hazard of 12/14 a year, under which 58% of a cohort leave within a year, while
30–34% annual attrition (leavers per head a year) implies a mean tenure of 35–40 months. The
table's note says so, with these implied figures computed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import polars as pl

from analysis import stats
from analysis.common import Section, put_run_info
from analysis.data import Results
from analysis.numbers import Numbers
from analysis.typst import Fragment, escape, num
from sales_abm.scenario import PRESETS, WEEKS_PER_MONTH, Scenario

NAME = "calibration"
SOURCE = "gaming"
ARM = "retainer"
#: Weeks left out at the start of every run (start-up: empty pipeline, untrained learners).
BURN_IN = 13
WORKDAYS_PER_WEEK = 5
#: A target stated as "about x" is the range x·(1 ± APPROX).
APPROX = 0.15
WEEKLY = ["calls", "connects", "reps_employed", "appointments_set", "meetings_held",
          "meetings_cancelled", "no_shows", "opportunities", "closes", "rep_quits", "rep_pay"]


@dataclass(frozen=True)
class Target:
    """One calibration quantity: what it is, its target range and where the range comes from.

    Attributes:
        key: path segment in the numbers.
        quantity: the quantity in words (as measured in the model where definitions differ).
        low: lower end of the target range.
        high: upper end.
        source: where the range comes from.
        about: the target is "about x" (x = low = high), widened by :data:`APPROX`.
        unit: how the table shows it: ``""`` (number), ``"pct"`` (a share in percent),
            ``"usd"``.
    """

    key: str
    quantity: str
    low: float
    high: float
    source: str
    about: bool = False
    unit: str = ""

    def bounds(self) -> tuple[float, float]:
        """The range a value is flagged against."""
        if self.about:
            return self.low * (1 - APPROX), self.high * (1 + APPROX)
        return self.low, self.high


#: The calibration targets (``/work/shared/EVIDENCE.md``; the paper's Table 1), in its order.
TARGETS = (
    Target("dials_per_day", "dials per representative per day", 45, 100,
           "industry surveys (Bridge Group)"),
    Target("connect_rate", "connect rate per dial", 0.048, 0.054,
           "Cognism 2025; Gong Labs 2024 (top quartile 13.3%)", unit="pct"),
    Target("meetings_per_month", "meetings set per representative per month", 10, 20,
           "TOPO 2017; common quotas"),
    Target("show_rate", "meeting show rate", 0.70, 0.80, "practitioner reports", unit="pct"),
    Target("held_to_opportunity", "held meeting → opportunity (target: qualified meetings, "
           "top teams)", 0.59, 0.59, "Gartner/TOPO 2019", about=True, unit="pct"),
    Target("held_to_won", "held meeting → closed-won", 0.17, 0.22,
           "TOPO 2017; Bridge Group 2024", unit="pct"),
    Target("ramp_months", "ramp of a new representative (months)", 3, 3, "Bridge Group",
           about=True),
    Target("attrition", "annual attrition (leavers per head and year)", 0.30, 0.34,
           "Bridge Group; TOPO", unit="pct"),
    Target("tenure_months", "mean tenure (months; implied by the quit rate)", 14, 14,
           "Bridge Group; TOPO", about=True),
    Target("earnings", "representative earnings per year (USD; target: on-target earnings)",
           77_000, 87_000, "Glassdoor 2024 via industry summaries", unit="usd"),
    Target("price_per_meeting", "price per meeting, pay per appointment (USD)", 300, 800,
           "vendor price lists", unit="usd"),
    Target("retainer_per_rep_month", "retainer per representative-month (USD)", 3000, 8000,
           "vendor price lists", unit="usd"),
)
#: Targets the model takes as parameters: their value is the default, with no interval.
PARAMETERS = ("ramp_months", "price_per_meeting", "retainer_per_rep_month")
#: A target with no counterpart in the model, and why.
NOT_MODELLED = {
    "cost of gaming a nonlinear plan (6–8% of revenue; Larkin 2014)":
        "deal timing under accelerating commissions, a mechanism the model does not have",
}


def per_run(results: Results) -> pl.DataFrame:
    """One row per retainer run: each measured quantity pooled over the weeks after burn-in."""
    w = results.weekly(SOURCE, WEEKLY).filter((pl.col("arm") == ARM)
                                             & (pl.col("week") >= BURN_IN))
    s = {c: pl.col(c).sum() for c in WEEKLY}
    rep_weeks = s["reps_employed"]
    shown = s["meetings_held"] + s["meetings_cancelled"]
    return (w.group_by("seed", maintain_order=True).agg(
        dials_per_day=s["calls"] / rep_weeks / WORKDAYS_PER_WEEK,
        connect_rate=s["connects"] / s["calls"],
        meetings_per_month=s["appointments_set"] / rep_weeks * WEEKS_PER_MONTH,
        show_rate=shown / (shown + s["no_shows"]),
        held_to_opportunity=s["opportunities"] / s["meetings_held"],
        held_to_won=s["closes"] / s["meetings_held"],
        attrition=s["rep_quits"] / (rep_weeks / 52),
        earnings=s["rep_pay"] / (rep_weeks / 52),
    ).with_columns(tenure_months=12 / pl.col("attrition")).sort("seed"))


def compute(results: Results) -> Numbers:
    """The model's value of every target and whether it lies inside the target's range."""
    n = Numbers(NAME)
    put_run_info(n, results, SOURCE)
    n.set("arm", ARM)
    n.set("burn_in", BURN_IN)
    n.set("targets", len(TARGETS))
    runs = per_run(results)
    params = _parameters(results)
    outside = []
    for t in TARGETS:
        if t.key in PARAMETERS:
            value = params[t.key]
            n.set(f"value.{t.key}", {"mean": value, "ci_low": None, "ci_high": None})
        else:
            est = stats.mean_ci(runs[t.key])
            n.set(f"value.{t.key}", est.as_dict())
            value = est.mean
        n.set(f"flag.{t.key}", flag(value, *t.bounds()))
        if n.get(f"flag.{t.key}") != "in range":
            outside.append(t.quantity.split(" (")[0])
    n.set("outside", len(outside))
    n.set("outside_names", "; ".join(outside) if outside else "none")
    return n


def _parameters(results: Results) -> dict[str, float]:
    plan = results.spec(SOURCE).resolve(results.scale)
    point = next(p for p in plan.points if p.factors.get("arm") == ARM)
    sc = Scenario.from_dict(dict(point.overrides))
    pa = Scenario.from_dict({**dict(point.overrides), **PRESETS["per_appointment"]})
    return {"ramp_months": sc.outsourcer.ramp_weeks / WEEKS_PER_MONTH,
            "price_per_meeting": pa.contract.price_per_appointment,
            "retainer_per_rep_month": sc.contract.fixed_fee}


def flag(value: float | None, low: float, high: float) -> str:
    """"below", "above" or "in range" of [low, high]; "no value" when there is none."""
    if value is None or not math.isfinite(value):
        return "no value"
    if value < low:
        return "below"
    if value > high:
        return "above"
    return "in range"


def targets() -> dict[str, Any]:
    """The targets for the paper's Table 1 (``generated/calibration.json``; no runs needed):
    each row's range as stated and as flagged, what the tenure and attrition targets imply for
    each other under a constant quit hazard, and the targets the model has no counterpart of."""
    rows = []
    for t in TARGETS:
        flag_low, flag_high = t.bounds()
        rows.append({"key": t.key, "quantity": t.quantity, "low": t.low, "high": t.high,
                     "about": t.about, "flag_low": flag_low, "flag_high": flag_high,
                     "source": t.source, "unit": t.unit, "parameter": t.key in PARAMETERS})
    attrition = next(t for t in TARGETS if t.key == "attrition")
    tenure = next(t for t in TARGETS if t.key == "tenure_months").low
    hazard = 12 / tenure  # quits per rep-year
    implied = {"tenure_months": tenure, "tenure_hazard": hazard,
               "tenure_cohort_share": 1 - math.exp(-hazard),
               "attrition_low": attrition.low, "attrition_high": attrition.high,
               "attrition_tenure_low": 12 / attrition.high,
               "attrition_tenure_high": 12 / attrition.low}
    return {"rows": rows, "approx": APPROX, "implied": implied,
            "not_modelled": [{"quantity": q, "why": w} for q, w in NOT_MODELLED.items()]}


# -- fragment ----------------------------------------------------------------------------------


def fragment(n: Numbers) -> Fragment:
    """The sentence under Table 1: how many values miss their target, and which."""
    f = Fragment(NAME, "Calibration")
    f.para(
        f"@tab-calibration sets the model's values beside the targets: the "
        f"{escape(n.get('arm'))} arm of Experiment 1 at this build's scale ({num(n, 'seeds')} "
        f"seeds, {num(n, 'reps')} representatives, {num(n, 'prospects')} prospects, "
        f"{num(n, 'weeks')} weeks), each rate pooled per run over the weeks after week "
        f"{num(n, 'burn_in')} and averaged over seeds with a 95% interval.",
        f"{num(n, 'outside')} of the {num(n, 'targets')} values lie outside their target range"
        + (f" ({escape(n.get('outside_names'))})." if n.get("outside") else "."))
    return f


def draw(results: Results, n: Numbers, outdir: object) -> list[str]:
    """Table 1 has no figure."""
    return []


SECTION = Section(NAME, "Calibration", (SOURCE,), compute, "analysis.calibration", fragment)
