"""Client and prospect dynamics: when the client ends each preset's contract, and what the
prospects learn; from runs the experiments already hold.

*Termination* (the client ends a contract at a review once its return falls below
``client.min_roi`` or its close rate below ``client.min_close_rate``): per preset, from the
horizon experiment (each preset at its own term and notice), the contracts ended per run, the
share of runs with at least one, and the week of the first (restricted mean, censored at the
horizon); pay per appointment against the retainer, paired by seed. Falsification arm, from the
robustness experiment: termination switched off, where no contract can end, and where the
headline close-rate gap must not be the termination's doing (the gap with termination off
against the baseline's, paired by seed across variants).

*Prospect learning* (prospects learn whether to answer and accept from their own and their
neighbours' meetings): from the robustness experiment, the prospects' mean propensity to accept
a meeting in the last quarter (the propensity to answer a call takes the same steps by design,
``sales_abm.market``, so it is not reported twice), per preset, pay per appointment against the
retainer paired by seed, with prospect learning on (baseline) and off (the falsification arm:
propensities must stay where they start, and the gap must vanish).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis import stats
from analysis.common import Section, outcome_frame, put_run_info
from analysis.data import Results
from analysis.numbers import Numbers, keyify
from analysis.typst import Fragment, ci, num, span, verb, verdict

NAME = "dynamics"
HORIZON, ROBUSTNESS = "horizon", "robustness"
CONTROL, TREATED = "retainer", "per_appointment"
CONTRACT = "contract.preset"
NO_TERMINATION, NO_LEARNING = "no_termination", "no_prospect_learning"
PROSPECT = {"accept": "mean_prospect_accept_last_13"}


def first_terminations(results: Results) -> pl.DataFrame:
    """Per horizon run (``arm``, ``seed``): contracts ended and the week of the first (NaN when
    none)."""
    w = results.weekly(HORIZON, ["contract_holder"]).sort("arm", "seed", "week")
    return (w.group_by("arm", "seed", maintain_order=True)
            .agg(pl.col("contract_holder").max().alias("ended"),
                 pl.col("week").filter(pl.col("contract_holder") > 0).min().alias("first")))


def _termination(n: Numbers, results: Results) -> None:
    runs = first_terminations(results)
    horizon = int(results.weekly(HORIZON, ["contract_holder"])["week"].max()) + 1
    n.set("termination.horizon", horizon)
    for arm in runs["arm"].unique(maintain_order=True).to_list():
        r = runs.filter(pl.col("arm") == arm)
        first = r["first"].cast(pl.Float64).fill_null(np.nan).to_numpy()
        base = f"termination.{keyify(arm)}"
        n.set(f"{base}.ended", stats.mean_ci(r["ended"]).as_dict())
        n.set(f"{base}.runs", r.height)
        n.set(f"{base}.runs_ended", int(np.isfinite(first).sum()))
        n.set(f"{base}.first_week", stats.restricted_mean(first, horizon).as_dict())
    n.set("termination.diff", stats.paired(runs, "arm", "ended", TREATED, CONTROL).as_dict())


def variant_gaps(frame: pl.DataFrame, variant: str, out: str) -> pl.DataFrame:
    """Per seed, the per-appointment − retainer gap of ``out`` in one variant (``seed, gap``)."""
    sub = frame.filter(pl.col("variant") == variant).select("seed", CONTRACT,
                                                            pl.col(out).cast(pl.Float64))
    wide = sub.pivot(on=CONTRACT, index="seed", values=out, aggregate_function="first")
    return wide.select("seed", (pl.col(TREATED) - pl.col(CONTROL)).alias("gap")).sort("seed")


def _off_vs_on(n: Numbers, frame: pl.DataFrame, variant: str, out: str, key: str) -> None:
    """The paired gap (per appointment − retainer) of ``out`` with and without a mechanism, and
    their difference, matched by seed across the two variants."""
    on, off = variant_gaps(frame, "baseline", out), variant_gaps(frame, variant, out)
    n.set(f"{key}.on", stats.mean_ci(on["gap"]).as_dict())
    n.set(f"{key}.off", stats.mean_ci(off["gap"]).as_dict())
    both = off.join(on, on="seed", suffix="_on")
    n.set(f"{key}.off_minus_on", stats.mean_ci(both["gap"] - both["gap_on"]).as_dict())


def _robustness_frame(results: Results) -> pl.DataFrame:
    f = outcome_frame(results.summaries(ROBUSTNESS))
    return f.with_columns(*(pl.col(c).cast(pl.Float64).alias(k) for k, c in PROSPECT.items()))


def compute(results: Results) -> Numbers:
    """Termination per preset and its off arm; prospects' learned propensities and their off
    arm."""
    n = Numbers(NAME)
    put_run_info(n, results, HORIZON, prefix="horizon.")
    put_run_info(n, results, ROBUSTNESS, prefix="robustness.")
    _termination(n, results)
    f = _robustness_frame(results)
    for variant in ("baseline", NO_TERMINATION):
        sub = f.filter((pl.col("variant") == variant) & (pl.col(CONTRACT) == TREATED))
        n.set(f"termination_off.{variant}.ended",
              stats.mean_ci(sub["replacements"]).as_dict())
    _off_vs_on(n, f, NO_TERMINATION, "close_rate_last", "termination_off.gap")
    for what in PROSPECT:
        for variant in ("baseline", NO_LEARNING):
            for preset in (CONTROL, TREATED):
                rows = f.filter((pl.col("variant") == variant) & (pl.col(CONTRACT) == preset))
                n.set(f"prospects.{what}.{variant}.{preset}", stats.mean_ci(rows[what]).as_dict())
        _off_vs_on(n, f, NO_LEARNING, what, f"prospects.{what}.gap")
    _off_vs_on(n, f, NO_LEARNING, "close_rate_last", "prospects.close_gap")
    return n


# -- fragment ----------------------------------------------------------------------------------


def _moves(n: Numbers, path: str) -> str:
    return verb(n, path, "up", "down", "flat")


def termination_text(n: Numbers) -> str:
    """How often and when the client ends each preset's contract, and the off arm."""
    t = "termination"
    parts = []
    for arm in ("retainer", "per_appointment", "per_close", "hybrid"):
        if not n.has(f"{t}.{arm}.runs"):
            continue
        parts.append(
            f"{arm.replace('_', '-')}: {ci(n, f'{t}.{arm}.ended')} contracts ended per run, in "
            f"{num(n, f'{t}.{arm}.runs_ended')} of {num(n, f'{t}.{arm}.runs')} runs, first "
            f"ending by week {ci(n, f'{t}.{arm}.first_week')}")
    return (
        f"In the horizon experiment ({num(n, 'horizon.seeds')} seeds of "
        f"{span(n, 'horizon.weeks')}, each preset at its own term and notice), the client ends "
        f"its outsourcer's contract as follows; the week of the first ending is a restricted "
        f"mean, a run without one counting at the horizon, week "
        f"{num(n, 'termination.horizon')} (" + "; ".join(parts) + "). "
        f"Pay per appointment {verb(n, f'{t}.diff', 'raises', 'lowers', 'does not change')} "
        f"the contracts ended per run against the retainer (paired difference "
        f"{ci(n, f'{t}.diff')}). Falsification arm (Experiment 6, termination switched off): "
        f"{ci(n, 'termination_off.no_termination.ended')} per-appointment contracts end per "
        f"run at Experiment 6's equal terms, against "
        f"{ci(n, 'termination_off.baseline.ended')} with it on; the per-appointment − retainer "
        f"close-rate gap is {ci(n, 'termination_off.gap.off')} without termination and "
        f"{ci(n, 'termination_off.gap.on')} with it (difference "
        f"{ci(n, 'termination_off.gap.off_minus_on')}).")


def prospect_text(n: Numbers) -> str:
    """What the prospects learn, and the off arm."""
    p = "prospects.accept"
    return (
        f"Prospects learn from the meetings they are booked into. In the last quarter of "
        f"Experiment 6's baseline runs ({num(n, 'robustness.seeds')} seeds) their mean "
        f"propensity to accept a meeting is {ci(n, f'{p}.baseline.per_appointment')} under pay "
        f"per appointment and {ci(n, f'{p}.baseline.retainer')} under the retainer (paired "
        f"gap {ci(n, f'{p}.gap.on')}; the propensity to answer a call takes the same steps). "
        f"Falsification arm (prospect learning switched "
        f"off): the accept gap is {ci(n, f'{p}.gap.off')} and the close-rate gap "
        f"{ci(n, 'prospects.close_gap.off')}, against {ci(n, 'prospects.close_gap.on')} with "
        f"learning on (difference {ci(n, 'prospects.close_gap.off_minus_on')}).")


def dynamics_verdict(n: Numbers) -> str:
    """Scale-gated verdicts from the intervals: the client ends per-appointment contracts more
    often, and prospects learn to refuse its callers, where the mechanisms are on only."""
    ended = _moves(n, "termination.diff")
    learned = _moves(n, "prospects.accept.gap.on")
    off = _moves(n, "prospects.accept.gap.off")
    sentences = []
    if ended == "up":
        sentences.append("The client ends pay-per-appointment contracts more often than "
                         "retainers: termination is a channel the practitioners' account holds.")
    else:
        sentences.append("The client does not end pay-per-appointment contracts more often than "
                         "retainers with an interval above zero: the termination channel is not "
                         "resolved.")
    if learned == "down" and off == "flat":
        sentences.append("Prospects learn to refuse per-appointment callers, and do not when "
                         "learning is off: the market's learned response holds.")
    elif learned == "down":
        sentences.append("The accept gap persists with prospect learning off, so it does not "
                         "come from what prospects learn.")
    else:
        sentences.append("Prospects do not accept per-appointment callers less with an interval "
                         "below zero: their learned response is not resolved.")
    for path, channel in (("termination_off.gap.off", "the client's terminations"),
                          ("prospects.close_gap.off", "what the prospects learn")):
        if _moves(n, path) == "down":
            sentences.append(f"The close-rate gap survives with {channel} switched off, so it "
                             f"does not come from {channel}.")
        else:
            sentences.append(f"Without {channel} the close-rate gap is not resolved, so the "
                             f"headline cannot be told apart from {channel}.")
    return verdict(" ".join(sentences), n)


def fragment(n: Numbers) -> Fragment:
    """The results text of the client and prospect dynamics."""
    f = Fragment(NAME, "Client and prospect dynamics")
    f.para(termination_text(n))
    f.para(prospect_text(n), dynamics_verdict(n))
    f.figure("dynamics",
             "The client and the prospects as players: contracts ended so far per preset "
             "(horizon experiment, each preset at its own term; bands cut at zero) and the "
             "prospects' mean "
             "propensity to accept a meeting under the retainer and pay per appointment, with "
             "prospect learning on (lines) and off (dotted; robustness experiment); means over "
             "seeds with 95% bands.")
    return f


SECTION = Section(NAME, "Client and prospect dynamics", (HORIZON, ROBUSTNESS), compute,
                  "analysis.figures.dynamics", fragment)
