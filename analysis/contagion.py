"""Experiment 5 — contagion: how fast gaming spreads over the office network.

Speed: per run, the *halving time* — the first week the reps' mean qualification threshold,
averaged over the trailing ``SMOOTH`` weeks (so that a one-week dip does not count), is at most
half its week-0 value (reps then book meetings with prospects of half the perceived fit they
started with). A run that never halves is censored at the horizon. Each network is summarised by
the Kaplan–Meier median halving time with a bootstrap percentile interval (which respects that
a time is positive, and is open above when the median is not reached in the run), the share of
runs that halved, and the restricted mean (censored times set to the horizon) for the paired
contrasts.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from analysis import stats
from analysis.common import Section, first_below, outcome_frame, put_run_info
from analysis.data import Results
from analysis.numbers import Numbers
from analysis.typst import Fragment, ci, num, verb

NAME = "contagion"
VERBS = ("raises", "lowers", "does not change")
NETWORK, RULE, CONTRACT = "rep.office_network", "learning.rule", "contract.preset"
FACTORS = [NETWORK, RULE, CONTRACT]
SMOOTH = 4


def halving(results: Results) -> pl.DataFrame:
    """One row per run: factors, seed, halving week (NaN: never) and the outcomes."""
    w = results.weekly(NAME, ["mean_threshold"]).sort("point", "replicate", "week")
    rows = []
    for keys, run in w.group_by([*FACTORS, "seed"], maintain_order=True):
        th = run["mean_threshold"].to_numpy().astype(float)
        rows.append((*keys, _halving(th)))
    times = pl.DataFrame(rows, schema=[*FACTORS, "seed", "t_half"], orient="row")
    out = outcome_frame(results.summaries(NAME))
    return out.join(times, on=[*FACTORS, "seed"], how="left")


def _halving(th: np.ndarray) -> float:
    """First week whose trailing ``SMOOTH``-week mean threshold is ≤ half of week 0's."""
    if th.size == 0 or not np.isfinite(th[0]):
        return float("nan")
    kernel = np.ones(SMOOTH) / SMOOTH
    trailing = np.convolve(np.nan_to_num(th, nan=th[0]), kernel)[: th.size]
    trailing[: SMOOTH - 1] = np.inf  # not enough weeks yet
    return first_below(trailing, 0.5 * th[0])


def compute(results: Results) -> Numbers:
    """Halving times and long-run gaming per network, rule and contract; network contrasts."""
    n = Numbers(NAME)
    put_run_info(n, results, NAME)
    f = halving(results)
    horizon = float(n.get("weeks"))
    for (net, rule, contract), rows in f.group_by(FACTORS, maintain_order=True):
        base = f"{rule}.{contract}.{net}"
        t = rows["t_half"].to_numpy().astype(float)
        n.set(f"{base}.t_half", stats.restricted_mean(t, horizon).as_dict())
        n.set(f"{base}.t_half_median", stats.km_median_ci(t).as_dict())
        n.set(f"{base}.share_halved", float(np.isfinite(t).mean()))
        for out in ("gaming_last", "threshold_last", "close_rate_last"):
            n.set(f"{base}.{out}", stats.mean_ci(rows[out]).as_dict())
    _contrasts(n, f, horizon)
    return n


def _contrasts(n: Numbers, f: pl.DataFrame, horizon: float) -> None:
    """Paired by seed, per rule and contract: each network against the isolated office."""
    censored = f.with_columns(pl.col("t_half").fill_nan(horizon).fill_null(horizon))
    for (rule, contract), rows in censored.group_by([RULE, CONTRACT], maintain_order=True):
        for net in ("ring", "small_world", "complete"):
            for out in ("t_half", "gaming_last", "close_rate_last"):
                d = stats.paired(rows, NETWORK, out, net, "isolated")
                n.set(f"vs_isolated.{rule}.{contract}.{net}.{out}", d.as_dict())


# -- fragment ----------------------------------------------------------------------------------


def median(n: Numbers, path: str) -> str:
    """A Kaplan–Meier median in words, its percentile interval, open ends said as such."""
    if not n.get(path + ".median_reached"):
        return (f"more than {num(n, 'weeks')} weeks (fewer than half of the "
                f"{num(n, path + '.n')} runs halve it)")
    low = num(n, path + ".ci_low")
    high = (num(n, path + ".ci_high") if n.get(path + ".ci_high_reached")
            else f"more than {num(n, 'weeks')}")
    return f"{num(n, path + '.median')} weeks (bootstrap 95% CI {low} to {high})"



def fragment(n: Numbers) -> Fragment:
    """The results text of experiment 5."""
    f = Fragment(NAME, "Contagion")
    vs = "vs_isolated.{rule}.{c}.complete.gaming_last"
    sentences = []
    for rule, name in (("fermi", "the Fermi rule"), ("imitate_best", "imitate-the-best")):
        pa = f"{rule}.per_appointment"
        sentences.append(
            f"Under {name}, per-appointment pay halves the mean threshold at a median of "
            f"{median(n, f'{pa}.complete.t_half_median')} in a complete office, "
            f"{median(n, f'{pa}.small_world.t_half_median')} in a small world and "
            f"{median(n, f'{pa}.ring.t_half_median')} on a ring, while the share of runs in which "
            f"isolated reps, who see nobody to imitate, halve it is "
            f"{num(n, f'{pa}.isolated.share_halved')}. "
            f"Against the isolated office, imitation in a complete office "
            f"{verb(n, vs.format(rule=rule, c='per_appointment'), *VERBS)} the long-run gaming "
            f"index (paired difference {ci(n, vs.format(rule=rule, c='per_appointment'))}).")
    f.para(
        f"Reps imitate better-paid peers ({num(n, 'seeds')} seeds, {num(n, 'reps')} reps).",
        *sentences,
        f"Falsification arm: under the retainer, whose pay plan rewards qualified meetings, "
        f"imitation in a complete office "
        f"{verb(n, vs.format(rule='fermi', c='retainer'), *VERBS)} the long-run gaming index "
        f"against isolated reps ({ci(n, vs.format(rule='fermi', c='retainer'))}, Fermi; "
        f"{ci(n, vs.format(rule='imitate_best', c='retainer'))}, imitate-the-best).")
    f.figure("contagion_spread",
             "The reps' mean qualification threshold over time under imitation, per office "
             "network (rows: imitation rule; columns: per-appointment pay, retainer), mean over "
             "seeds with 95% bands.")
    f.figure("contagion_speed",
             "Weeks until the mean threshold halves, per office network: Kaplan–Meier median "
             "(runs that never halve censored at the horizon) with bootstrap 95% percentile "
             "intervals. A median not reached within the run is drawn as an open marker at the "
             "horizon (dotted line); an arrow marks an interval open above.")
    return f


SECTION = Section(NAME, "Contagion over the office network", (NAME,), compute,
                  "analysis.figures.contagion", fragment)
