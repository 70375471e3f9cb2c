"""Experiment 3 — training hold-up: the learned training policy beside the hold-up condition.

The hold-up condition is :func:`sales_abm.theory.training_npv` (a closed form, not a simulation)
applied to the training *increment*: the extra monthly margin a trained rep earns over an
untrained one. Per pay mix, the increment is measured from the experiment's two fixed-policy arms
(every hire trained against none, paired by seed, termination off): the paired difference in the
outsourcer's profit, plus the training fees, spread over the trained arm's rep-months after the
ramp. So the calls lost in the ramp are charged to the increment, and the fee is the sunk cost K.

Each learned run is then appraised at what it measured: its monthly quit hazard (quits per
rep-month), its client's churn hazard (:func:`churn_hazard`: terminations per contract-month in
which termination could happen), and its guaranteed term. The learned outcome is the trained
share of the hires made in the run's last 52 weeks (what the policy has become).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl

from analysis import stats
from analysis.common import Section, outcome_frame, put_run_info
from analysis.data import Results, flat_scenario
from analysis.numbers import Numbers, keyify
from analysis.typst import Fragment, ci, direction, num, verb, verdict
from sales_abm.scenario import PRESETS, WEEKS_PER_MONTH
from sales_abm.theory import training_npv

NAME = "training_holdup"
DELTA = 0.99  # monthly discount factor (EVIDENCE.md's hold-up example)
LAST_WEEKS = 52  # the learned policy: hires of the run's last year
POLICIES = ("always", "never")
RUN = ["mix", "arm", "seed"]
OUTS = ("trained_share_last", "skill_last", "replacements", "outsourcer_profit", "npv")


def churn_hazard(holder: Sequence[int] | np.ndarray, term_weeks: float, review_weeks: int,
                 notice_weeks: int = 0) -> tuple[int, int]:
    """Terminations and the reviews at which the client could terminate, in one run.

    ``holder`` is the weekly ``contract_holder`` (0 for the first outsourcer, +1 at each
    replacement). The client can end a contract only at a review (every ``review_weeks`` weeks of
    the contract) held once the guaranteed term is over; every contract but the last ended at
    such a review, ``notice_weeks`` before its last week. Counting the binding reviews each
    contract faced (its exposure) gives the chance per review; :func:`monthly_hazard` turns it
    into a monthly hazard.

    Returns:
        (terminations, binding reviews held).
    """
    h = np.asarray(holder)
    if h.size == 0:
        return 0, 0
    _, lengths = np.unique(h, return_counts=True)
    reviewed = lengths.copy()
    reviewed[:-1] -= notice_weeks  # an ended contract's last review came before its notice
    first_binding = max(1, math.ceil(term_weeks / review_weeks))  # index of the first such review
    reviews = np.clip(reviewed // review_weeks - first_binding + 1, 0, None)
    return int(lengths.size - 1), int(reviews.sum())


def monthly_hazard(events: float, reviews: float, review_weeks: int) -> float:
    """Monthly churn hazard from terminations per binding review.

    ``p = events / reviews`` is the chance per review; a review every ``review_weeks`` weeks gives
    the monthly hazard ``1 − (1 − p)^(months per review)⁻¹``. No binding review gives 0 (nothing
    was at risk).
    """
    if reviews <= 0:
        return 0.0
    p = min(events / reviews, 1.0)
    return 1.0 - (1.0 - p) ** (WEEKS_PER_MONTH / review_weeks)


def arm_levels(arm: str, mix: str) -> tuple[float, str]:
    """(term in months, termination level: "off", the ROI bar, or "default") of a learned arm.

    The ``default`` arm is the mix's preset as it is (its own term and ROI bar).
    """
    if arm == "default":
        return float(PRESETS[mix]["contract.minimum_term"]), "default"
    term, bar = arm.split("_")
    return float(term[1:]), "off" if bar == "off" else bar[1:]


def run_frame(results: Results) -> pl.DataFrame:
    """One row per run: design, outcomes, last-year trained share, hazards."""
    sc = flat_scenario(results.scenario(NAME))
    weeks, reps = sc["weeks"], sc["reps"]
    weekly = results.weekly(NAME, ["hires", "trained_hires", "contract_holder"])
    last = (weekly.filter(pl.col("week") >= weeks - LAST_WEEKS)
            .group_by(*RUN).agg(pl.col("trained_hires").sum().alias("_trained"),
                                pl.col("hires").sum()))
    whole = (weekly.sort("week").group_by(*RUN)
             .agg(pl.col("contract_holder"), pl.col("hires").sum().alias("hires_total")))
    f = outcome_frame(results.summaries(NAME)).join(last, on=RUN).join(whole, on=RUN)
    f = f.with_columns(
        (pl.col("_trained") / pl.col("hires")).alias("trained_share_last"),
        (pl.col("rep_quits") / (reps * weeks / WEEKS_PER_MONTH)).alias("quit_rate"),
    )
    # In design order: group_by and join order follow how the runs were read, and means summed
    # in that order differ in their last bits between two stores of the same runs (cells whose
    # NPVs tie would swap ranks, and the text would list the mixes in another order).
    return f.drop("_trained").sort("point", "seed")


def increments(f: pl.DataFrame, sc: dict[str, object]) -> dict[str, np.ndarray]:
    """Per mix, the measured monthly training increment of each seed (see the module doc)."""
    weeks, reps = float(sc["weeks"]), float(sc["reps"])  # type: ignore[arg-type]
    ramp = float(sc["outsourcer.ramp_weeks"])  # type: ignore[arg-type]
    out = {}
    for mix in f["mix"].unique(maintain_order=True).to_list():
        m = f.filter(pl.col("mix") == mix)
        a = m.filter(pl.col("arm") == "always").sort("seed")
        b = m.filter(pl.col("arm") == "never").sort("seed")
        gain = (a["outsourcer_profit"] - b["outsourcer_profit"] + a["training_spend"]).to_numpy()
        post_ramp = reps * weeks - np.minimum(a["hires_total"].to_numpy() * ramp, reps * weeks)
        out[mix] = gain / (post_ramp / WEEKS_PER_MONTH)
    return out


def frame(results: Results) -> pl.DataFrame:
    """The learned runs with their closed-form increment NPV at their measured hazards."""
    sc = flat_scenario(results.scenario(NAME))
    cost = float(sc["outsourcer.training_cost"])
    ramp = round(sc["outsourcer.ramp_weeks"] / WEEKS_PER_MONTH)
    f = run_frame(results)
    m = {mix: float(np.mean(v)) for mix, v in increments(f, sc).items()}
    learned = f.filter(~pl.col("arm").is_in(POLICIES))
    levels = [arm_levels(a, mix) for a, mix in learned.select("arm", "mix").iter_rows()]
    learned = learned.with_columns(
        pl.Series("term", [t for t, _ in levels]),
        pl.Series("termination", [b for _, b in levels]),
        pl.col("mix").replace_strict(m, return_dtype=pl.Float64).alias("increment"),
    )
    review = sc["client.review_weeks"]
    churn = [monthly_hazard(*churn_hazard(h, t * WEEKS_PER_MONTH, review,
                                          _notice_weeks(mix, sc)), review)
             for h, t, mix in learned.select("contract_holder", "term", "mix").iter_rows()]
    learned = learned.with_columns(pl.Series("churn_hazard", churn))
    npv = [training_npv(cost, inc, ramp, DELTA, min(q, 0.99), min(h, 0.99),
                        guaranteed_months=int(t)).npv
           for inc, q, h, t in learned.select("increment", "quit_rate", "churn_hazard",
                                              "term").iter_rows()]
    return learned.with_columns(pl.Series("npv", npv)).drop("contract_holder")


def _notice_weeks(mix: str, sc: dict[str, object]) -> int:
    """The notice period (weeks) of a pay mix: its preset's, when the mix is a preset."""
    months = PRESETS.get(mix, {}).get("contract.notice_period", sc["contract.notice_period"])
    return round(float(months) * WEEKS_PER_MONTH)  # type: ignore[arg-type]


def compute(results: Results) -> Numbers:
    """Increments, cell means, term and termination contrasts, and the theory's agreement."""
    n = Numbers(NAME)
    put_run_info(n, results, NAME)
    sc = flat_scenario(results.scenario(NAME))
    for mix, values in increments(run_frame(results), sc).items():
        n.set(f"increment.{mix}", stats.mean_ci(values).as_dict())
    f = frame(results)
    _cells(n, f)
    _contrasts(n, f)
    _agreement(n, f)
    return n


def _cell_means(f: pl.DataFrame) -> pl.DataFrame:
    return (f.group_by("mix", "arm", maintain_order=True)
            .agg(pl.col("term").first(), pl.col("termination").first(),
                 *(pl.col(c).mean() for c in (*OUTS, "churn_hazard", "quit_rate"))))


def _cells(n: Numbers, f: pl.DataFrame) -> None:
    for mix, arm in f.select("mix", "arm").unique(maintain_order=True).iter_rows():
        rows = f.filter((pl.col("mix") == mix) & (pl.col("arm") == arm))
        for out in (*OUTS, "churn_hazard", "quit_rate"):
            n.set(f"cells.{mix}.{keyify(arm)}.{out}", stats.mean_ci(rows[out]).as_dict())


def _arm(term: float, bar: str) -> str:
    return f"t{term:g}_{'off' if bar == 'off' else 'b' + bar}"


def _contrasts(n: Numbers, f: pl.DataFrame) -> None:
    """Longer term where termination binds (strictest bar) and where it cannot (off)."""
    f = f.filter(pl.col("arm") != "default")
    terms = sorted(set(f["term"].to_list()))
    bars = sorted((b for b in set(f["termination"].to_list()) if b != "off"), key=float)
    short, long_, strict = terms[0], terms[-1], bars[-1]
    n.set("levels.short_term", short)
    n.set("levels.long_term", long_)
    n.set("levels.strict_bar", float(strict))
    for mix in f["mix"].unique(maintain_order=True).to_list():
        m = f.filter(pl.col("mix") == mix)
        for out in ("trained_share_last", "skill_last", "replacements"):
            for label, bar in (("binding", strict), ("off", "off")):
                n.set(f"term_effect.{label}.{mix}.{out}",
                      stats.paired(m, "arm", out, _arm(long_, bar), _arm(short, bar)).as_dict())
            n.set(f"termination_effect.{mix}.{out}",
                  stats.paired(m, "arm", out, _arm(short, strict), _arm(short, "off")).as_dict())


def distinct(f: pl.DataFrame) -> pl.DataFrame:
    """The runs of the cells that are not exact copies of an earlier cell of the same mix.

    A cell whose every seed gives the same outsourcer profit as another cell's is the same
    experiment twice (e.g. a termination bar that never binds, or a term that changes nothing
    the outsourcer does), and counting it twice would pseudo-replicate the agreement statistics.
    """
    keep, seen = [], set()
    for (mix, arm), rows in f.group_by("mix", "arm", maintain_order=True):
        signature = (mix, tuple(rows.sort("seed")["outsourcer_profit"].to_list()))
        if signature not in seen:
            seen.add(signature)
            keep.append((mix, arm))
    cells = pl.DataFrame(keep, schema=["mix", "arm"], orient="row")
    return f.join(cells, on=["mix", "arm"], how="semi")


def _agreement(n: Numbers, f: pl.DataFrame) -> None:
    """Does the increment NPV sort the distinct cells as the learned trained share does?"""
    all_cells = f.select("mix", "arm").unique().height
    cells = _cell_means(distinct(f))
    n.set("theory.delta", DELTA)
    n.set("theory.cells", cells.height)
    n.set("theory.duplicate_cells", all_cells - cells.height)
    n.set("theory.spearman_npv_trained",
          stats.spearman(cells["npv"], cells["trained_share_last"]))
    for label, rows in (("positive", cells.filter(pl.col("npv") > 0)),
                        ("negative", cells.filter(pl.col("npv") < 0))):
        n.set(f"theory.{label}.cells", rows.height)
    _by_sign(n, distinct(f), cells)
    _defaults(n, _cell_means(f))


def _by_sign(n: Numbers, runs: pl.DataFrame, cells: pl.DataFrame) -> None:
    """Trained share of the cells whose NPV is positive and of those where it is negative, per
    seed (the mean over the group's cells in that seed), then over seeds; and their difference,
    paired by seed (every cell runs on the same seeds).

    The seeds are the replicates: an interval over a handful of cell means would treat cells as
    the sample, and with two or three of them runs far outside [0, 1].
    """
    sign = cells.select("mix", "arm", pl.when(pl.col("npv") > 0).then(pl.lit("positive"))
                        .when(pl.col("npv") < 0).then(pl.lit("negative"))
                        .otherwise(None).alias("sign")).drop_nulls("sign")
    per_seed = (runs.join(sign, on=["mix", "arm"]).group_by("seed", "sign")
                .agg(pl.col("trained_share_last").mean()))
    for label in ("positive", "negative"):
        values = per_seed.filter(pl.col("sign") == label)["trained_share_last"]
        n.set(f"theory.{label}.trained_share", stats.mean_ci(values).as_dict())
    if per_seed["sign"].n_unique() == 2:
        gap = stats.paired(per_seed, "sign", "trained_share_last", "positive", "negative")
        n.set("theory.sign_gap", gap.as_dict())
    else:
        n.set("theory.sign_gap", None)


def _defaults(n: Numbers, cells: pl.DataFrame) -> None:
    """Are the presets' defaults in the hold-up region?

    Hold-up region: the increment NPV is negative at the cell's own churn and term but positive
    under the longest guarantee without termination (the guarantee would flip the decision).
    ``threat_flips`` says whether the strictest bar at the shortest term is in that region.
    """
    learned = cells.filter(pl.col("arm") != "default")
    terms = sorted(set(learned["term"].to_list()))
    bars = sorted((b for b in set(learned["termination"].to_list()) if b != "off"), key=float)
    for mix in cells["mix"].unique(maintain_order=True).to_list():
        c = cells.filter(pl.col("mix") == mix)

        def npv(arm: str, rows: pl.DataFrame = c) -> float:
            hit = rows.filter(pl.col("arm") == arm)["npv"]
            return float(hit[0]) if hit.len() else math.nan

        guaranteed = npv(_arm(terms[-1], "off"))
        threatened = npv(_arm(terms[0], bars[-1]))
        default = npv("default")
        n.set(f"defaults.{mix}.npv", default)
        n.set(f"defaults.{mix}.churn_hazard",
              float(c.filter(pl.col("arm") == "default")["churn_hazard"].mean() or 0.0))
        n.set(f"defaults.{mix}.npv_threatened", threatened)
        n.set(f"defaults.{mix}.npv_guaranteed", guaranteed)
        n.set(f"defaults.{mix}.in_hold_up_region", bool(default < 0 < guaranteed))
        n.set(f"defaults.{mix}.threat_flips", bool(threatened < 0 < guaranteed))


# -- fragment ----------------------------------------------------------------------------------


def fragment(n: Numbers) -> Fragment:
    """The results text of experiment 3."""
    f = Fragment(NAME, "Training hold-up")
    te = "termination_effect.per_appointment"
    tb = "term_effect.binding.per_appointment.trained_share_last"
    to = "term_effect.off.per_appointment.trained_share_last"
    increments = "; ".join(f"{mix.replace('_', '-')}: {ci(n, 'increment.' + mix)}"
                           for mix in n.get("increment"))
    f.para(
        f"Measured from the all-trained and none-trained arms, a trained rep adds, per month "
        f"after the ramp and net of the calls the ramp costs (USD): {increments}.",
        f"Over {num(n, 'points')} design points ({num(n, 'seeds')} seeds each), a strict renewal "
        f"bar (client ROI below {num(n, 'levels.strict_bar')} ends the contract) at the "
        f"shortest guaranteed term, against no termination, "
        f"{verb(n, te + '.trained_share_last', 'raises', 'lowers', 'does not change')} the "
        f"trained share of the last year's hires under per-appointment pay "
        f"({ci(n, te + '.trained_share_last')}), with {ci(n, te + '.replacements')} more "
        f"replacements of the outsourcer.",
        f"Lengthening the guaranteed term from {num(n, 'levels.short_term')} to "
        f"{num(n, 'levels.long_term')} months changes that share by {ci(n, tb)} where "
        f"termination binds and by {ci(n, to)} where it cannot (the falsification arm).",
    )
    f.para(
        f"The hold-up condition, evaluated on the training increment at each run's measured "
        f"quit and churn hazards, ranks the {num(n, 'theory.cells')} distinct learned cells "
        f"({num(n, 'theory.duplicate_cells')} exact copies left out) against the "
        f"learned trained share with Spearman's $rho$ = {num(n, 'theory.spearman_npv_trained')}; "
        f"cells where it is positive train {ci(n, 'theory.positive.trained_share')} of their "
        f"hires ({num(n, 'theory.positive.cells')} cells), cells where it is negative "
        f"{ci(n, 'theory.negative.trained_share')} ({num(n, 'theory.negative.cells')} cells; "
        f"per seed, then over seeds)" + (
            f", a difference of {ci(n, 'theory.sign_gap')} paired by seed."
            if n.has("theory.sign_gap") else "."),
        holdup_verdict(n))
    f.figure("training_holdup",
             "Trained share of the last year's hires and mean rep skill in the last quarter "
             "against the guaranteed contract term, per pay mix and termination risk (means "
             "over seeds with 95% intervals).")
    f.figure("training_theory",
             "The hold-up condition beside the learned policy: the closed-form NPV of the "
             "training increment per hire at each cell's measured hazards, against the trained "
             "share of the last year's hires.")
    return f


def _move(n: Numbers, path: str) -> str:
    """"up", "down" or "flat": where the 95% interval at ``path`` lies against zero."""
    return direction(n.get(path + ".ci_low"), n.get(path + ".ci_high"), "up", "down", "flat")


def theory_sorts(n: Numbers) -> bool:
    """Whether cells with a positive increment NPV train a larger share than cells with a
    negative one: their difference, paired by seed, has an interval above zero (a correlation
    alone is not enough: its sign flipped between scales before)."""
    low = n.get("theory.sign_gap.ci_low") if n.has("theory.sign_gap") else None
    return low is not None and low > 0


def holdup_verdict(n: Numbers, mix: str = "per_appointment") -> str:
    """The hold-up verdict from the intervals (scale-gated).

    Hold-up predicts: the threat of termination lowers training; a longer guaranteed term raises
    it where termination binds; and not where termination is off (the falsification arm); and the
    closed-form NPV of the measured increment sorts the cells as the learned policy does.
    """
    threat = _move(n, f"termination_effect.{mix}.trained_share_last")
    guarantee = _move(n, f"term_effect.binding.{mix}.trained_share_last")
    control = _move(n, f"term_effect.off.{mix}.trained_share_last")
    if guarantee == "up" and control != "up" and threat == "down":
        text = ("Hold-up holds: the threat of termination lowers training, a longer guarantee "
                "restores it where termination binds, and not where termination is off.")
    elif guarantee == "up" and control != "up":
        text = ("A longer guarantee raises training where termination binds and not where it is "
                "off, but the threat itself does not lower training with an interval below "
                "zero: hold-up holds only in part.")
    elif control == "up":
        text = ("A longer guarantee raises training even with termination off: the term acts "
                "through something other than hold-up, so the falsification arm refutes the "
                "hold-up reading.")
    else:
        text = ("A longer guarantee does not raise training where termination binds: hold-up "
                "does not hold in these runs.")
    text += (" The closed-form condition sorts the cells as the learned policy does."
             if theory_sorts(n) else
             " The closed-form condition does not separate the cells' trained shares (their "
             "paired difference has an interval reaching zero).")
    return verdict(text, n)


SECTION = Section(NAME, "Training hold-up", (NAME,), compute, "analysis.figures.training",
                  fragment)
