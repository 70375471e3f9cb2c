"""Experiment 7 — docking: learned strategies against the static best response.

For each design point the benchmark is computed from the point's scenario (a closed form over the
same primitives, :mod:`sales_abm.theory.best_response`; no simulation) at the mean skill the
point's reps reached in the last quarter: the myopic best response and the Roth–Erev mean-field
rest point. The learned strategy is the reps' mean effort, threshold and pressure over the last
quarter, per seed.

A third benchmark allows for the noise of learning: the model's Roth–Erev rule run on the same
payoff table with the funnel's weekly count noise, for as many reps and weeks as the run, seeded
from the run's seed (:mod:`analysis.docking_noise`). A gap to the rest point that this benchmark
reproduces is the finite, noisy experience of the learners; one it does not is left unexplained.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from analysis import stats
from analysis.common import Section, put_run_info
from analysis.data import Results
from analysis.docking_noise import simulate_learners
from analysis.numbers import Numbers
from analysis.typst import Fragment, ci, num, verdict

NAME = "docking"
DIMS = ("effort", "threshold", "pressure")
LAST = 13
SKILL_GRID = 0.05  # benchmarks are computed at skill rounded to this step (cached)
#: The simulated learners account for a gap to the rest point when the learned level lies within
#: this share of the gap from theirs, on the same side of the rest point.
EXPLAINED_SHARE = 0.5


def learned(results: Results) -> pl.DataFrame:
    """Per run: world, arm, seed, and the last quarter's mean effort, threshold, pressure, skill."""
    cols = [f"mean_{d}" for d in DIMS] + ["mean_skill"]
    w = results.weekly(NAME, cols)
    last = int(w["week"].max())
    return (w.filter(pl.col("week") > last - LAST)
            .group_by("point", "world", "arm", "seed", maintain_order=True)
            .agg([pl.col(c).mean().alias(c.removeprefix("mean_")) for c in cols])
            .sort("point", "seed"))


@cache
def _benchmark(overrides: tuple[tuple[str, object], ...], skill: float) -> dict[str, float]:
    from sales_abm.scenario import Scenario
    from sales_abm.theory.best_response import best_response, roth_erev_mean_field

    scenario = Scenario.from_dict(dict(overrides))
    br = best_response(scenario, skill=skill)
    out = {f"br_{d}": float(getattr(br, d)) for d in DIMS}
    if scenario.learning.rule == "roth_erev":
        mf = roth_erev_mean_field(scenario, skill=skill)
        out.update({f"mf_{d}": float(mf.mean[d]) for d in DIMS})
    return out


def _simulated(overrides: tuple[tuple[str, object], ...], skill: float,
               seed: int) -> dict[str, float]:
    """The simulated learners' last-quarter levels (``sim_<dim>``) for one run."""
    from sales_abm.scenario import Scenario

    scenario = Scenario.from_dict(dict(overrides))
    if scenario.learning.rule != "roth_erev":
        return {}
    levels = simulate_learners(scenario, skill, seed, scenario.reps, scenario.weeks, LAST)
    return {f"sim_{d}": v for d, v in levels.items()}


def benchmarks(results: Results, runs: pl.DataFrame) -> pl.DataFrame:
    """``runs`` with the best response, mean-field and simulated-learner levels at each run's
    (rounded) skill."""
    plan = results.spec(NAME).resolve(results.scale)
    rows = []
    for point, skill, seed in runs.select("point", "skill", "seed").iter_rows():
        s = round(round(skill / SKILL_GRID) * SKILL_GRID, 4)
        key = tuple(sorted(plan.points[point].overrides.items()))
        rows.append(_benchmark(key, s) | _simulated(key, s, int(seed)))
    return pl.concat([runs, pl.DataFrame(rows)], how="horizontal")


def compute(results: Results) -> Numbers:
    """Learned vs best response vs mean field, per world, arm and strategy dimension."""
    n = Numbers(NAME)
    put_run_info(n, results, NAME)
    f = benchmarks(results, learned(results))
    n.set("skill_grid", SKILL_GRID)
    _forgetting(n, results)
    for (world, arm), rows in f.group_by("world", "arm", maintain_order=True):
        base = f"{world}.{arm}"
        n.set(f"{base}.skill", stats.mean_ci(rows["skill"]).as_dict())
        for d in DIMS:
            n.set(f"{base}.{d}.learned", stats.mean_ci(rows[d]).as_dict())
            n.set(f"{base}.{d}.br", stats.mean_ci(rows[f"br_{d}"]).as_dict())
            n.set(f"{base}.{d}.learned_minus_br",
                  stats.mean_ci(rows[d] - rows[f"br_{d}"]).as_dict())
            if f"mf_{d}" in rows.columns:
                n.set(f"{base}.{d}.mean_field", stats.mean_ci(rows[f"mf_{d}"]).as_dict())
                n.set(f"{base}.{d}.learned_minus_mean_field",
                      stats.mean_ci(rows[d] - rows[f"mf_{d}"]).as_dict())
            if f"sim_{d}" in rows.columns:
                n.set(f"{base}.{d}.simulated", stats.mean_ci(rows[f"sim_{d}"]).as_dict())
                n.set(f"{base}.{d}.learned_minus_simulated",
                      stats.mean_ci(rows[d] - rows[f"sim_{d}"]).as_dict())
    _orderings(n, f)
    return n


def _forgetting(n: Numbers, results: Results) -> None:
    """Each world's Roth–Erev forgetting (the simulated learners' memory is ~1/forgetting)."""
    from sales_abm.scenario import Scenario

    plan = results.spec(NAME).resolve(results.scale)
    for point in plan.points:
        learning = Scenario.from_dict(dict(point.overrides)).learning
        if learning.rule == "roth_erev":
            n.set(f"{point.factors['world']}.forgetting", learning.rule_params()["forgetting"])


def _orderings(n: Numbers, f: pl.DataFrame) -> None:
    """Does learning order the contracts as the best response does (threshold, per world)?"""
    for world in f["world"].unique(maintain_order=True).to_list():
        cells = (f.filter(pl.col("world") == world).group_by("arm", maintain_order=True)
                 .agg(pl.col("threshold").mean(), pl.col("br_threshold").mean(),
                      pl.col("mf_threshold").mean()).sort("arm"))
        n.set(f"{world}.order.spearman_learned_br",
              stats.spearman(cells["threshold"], cells["br_threshold"]))
        n.set(f"{world}.order.spearman_learned_mean_field",
              stats.spearman(cells["threshold"], cells["mf_threshold"]))
        pa = f.filter((pl.col("world") == world) & (pl.col("arm") == "per_appointment"))
        re = f.filter((pl.col("world") == world) & (pl.col("arm") == "retainer"))
        n.set(f"{world}.order.br_threshold_gap",
              float(pa["br_threshold"].mean()) - float(re["br_threshold"].mean()))
        n.set(f"{world}.order.learned_threshold_gap",
              stats.paired(f.filter(pl.col("world") == world), "arm", "threshold",
                           "per_appointment", "retainer").as_dict())


# -- fragment ----------------------------------------------------------------------------------

#: A strategy dimension in words, with its unit.
DIM_WORDS = {"effort": ("effort", " calls a week"), "pressure": ("pressure", ""),
             "threshold": ("threshold", "")}
ARM_WORDS = {"per_appointment": "per-appointment pay", "retainer": "the retainer",
             "per_close": "pay per close", "hybrid": "the hybrid"}


def _side(n: Numbers, path: str) -> str | None:
    """"above" / "below" zero, or None when the interval covers zero or is missing."""
    if not n.has(path):
        return None
    low, high = n.get(path + ".ci_low"), n.get(path + ".ci_high")
    if low is not None and low > 0:
        return "above"
    if high is not None and high < 0:
        return "below"
    return None


def gap_text(n: Numbers, world: str, arm: str, dim: str) -> str:
    """Learned against best response for one dimension, and what accounts for a gap.

    The explanation is stated only as far as the numbers carry it: a gap to the best response
    whose interval excludes zero while the gap to the Roth–Erev mean-field rest point's covers
    it is the gap that reinforcement learning predicts; a gap to the rest point is put down to
    the noise of learning as far as the simulated learners reproduce it (:func:`noise_text`);
    otherwise it is said to be unexplained.
    """
    base = f"{world}.{arm}.{dim}"
    if not n.has(f"{base}.learned.mean"):
        return ""
    name, unit = DIM_WORDS[dim]
    text = (
        f"Under {ARM_WORDS.get(arm, arm)}, learned {name} is {ci(n, base + '.learned')}{unit} "
        f"against a best response of {num(n, base + '.br.mean')} (difference "
        f"{ci(n, base + '.learned_minus_br')})")
    has_mf = n.has(f"{base}.mean_field.mean")
    if has_mf:
        text += (f" and a Roth–Erev mean-field rest point of {num(n, base + '.mean_field.mean')}"
                 f" (difference {ci(n, base + '.learned_minus_mean_field')})")
    text += "."
    off_br = _side(n, f"{base}.learned_minus_br")
    if off_br is None:
        return text + " The interval of the gap to the best response covers zero."
    off_mf = _side(n, f"{base}.learned_minus_mean_field") if has_mf else "unknown"
    if off_mf is None:
        return text + (
            " The gap to the best response is the one the mean-field rest point predicts: "
            "reinforcement keeps choosing every level with a probability that grows with its "
            "payoff, so the learners rest short of the best level rather than at it.")
    if n.has(f"{base}.simulated.mean"):
        return text + " " + noise_text(n, base)
    return text + " Neither benchmark accounts for this gap; it is not explained here."


#: How far the simulated learners go towards the learned level (:func:`noise_share`).
NOISE_WORDS = {
    "whole": "the gap to the rest point is the noise of learning",
    "most": "the noise of learning accounts for most of the gap to the rest point",
    "part": "the noise of learning accounts for part of the gap to the rest point; the rest "
            "is not explained here",
    "more": "the noise of learning gives the direction of the gap to the rest point but a "
            "larger gap than the reps'; what keeps them nearer the rest point is not explained "
            "here",
    "none": "the noise of learning does not account for the gap to the rest point; it is not "
            "explained here",
}


def noise_share(n: Numbers, base: str) -> str:
    """How much of the learned level's gap to the rest point the simulated learners reproduce.

    ``whole``: learned minus simulated has an interval covering zero. Otherwise, with ``share``
    = (simulated - rest point) / (learned - rest point): ``most`` when ``share`` is within
    :data:`EXPLAINED_SHARE` of 1, ``part`` when it is positive but smaller, ``more`` when
    larger, ``none`` when the simulated learners sit at or across the rest point.
    """
    if _side(n, f"{base}.learned_minus_simulated") is None:
        return "whole"
    gap = n.get(f"{base}.learned_minus_mean_field.mean")
    moved = n.get(f"{base}.simulated.mean") - n.get(f"{base}.mean_field.mean")
    share = moved / gap if gap else 0.0
    if abs(share - 1) <= EXPLAINED_SHARE:
        return "most"
    if share <= 0:
        return "none"
    return "part" if share < 1 else "more"


def noise_text(n: Numbers, base: str) -> str:
    """The simulated learners' level beside the learned one, and what that says of the gap."""
    world = base.split(".")[0]
    measured = (
        f"Roth–Erev learners fed the benchmark's own payoffs with the funnel's weekly noise "
        f"(forgetting {num(n, f'{world}.forgetting')}, from the same start, for the same "
        f"{num(n, 'weeks')} weeks) end at {ci(n, base + '.simulated')} (learned minus theirs "
        f"{ci(n, base + '.learned_minus_simulated')}).")
    cause = NOISE_WORDS[noise_share(n, base)]
    if noise_share(n, base) in ("whole", "most"):
        cause += (": the rest point weighs expected payoffs, while a rep learns from one noisy "
                  "week at a time and remembers about the last 1/forgetting of them, so where "
                  "its levels pay nearly alike its choice stays spread towards uniform")
    return f"{measured} {verdict(cause[0].upper() + cause[1:] + '.', n)}"


#: The falsification world of the noise explanation (experiments/docking.py).
LONG = "stationary_long_memory"
#: The full world without attrition and termination (experiments/docking.py).
NO_TURNOVER = "full_no_turnover"
#: The gaps the explanation is tested on: (arm, dimension).
CHECKED = tuple((arm, dim) for arm in ("per_appointment", "retainer")
                for dim in ("effort", "pressure"))


def _noise_claimed(n: Numbers, base: str) -> bool:
    """The learned level is off the rest point and the simulated learners reproduce the gap."""
    return (n.has(f"{base}.simulated.mean")
            and _side(n, f"{base}.learned_minus_mean_field") is not None
            and noise_share(n, base) in ("whole", "most"))


def memory_check(n: Numbers) -> list[str]:
    """The falsification arm: do the simulated learners move with the reps when memory does?"""
    s = "stationary"
    parts = [
        f"The explanation has a falsification arm: the same stationary world with learners that "
        f"forget at {num(n, f'{LONG}.forgetting')} instead of {num(n, f'{s}.forgetting')} a "
        f"week. The rest point does not depend on forgetting; the noise of learning does."]
    for arm, dim in CHECKED:
        base = f"{LONG}.{arm}.{dim}"
        parts.append(
            f"Under {ARM_WORDS[arm]}, {DIM_WORDS[dim][0]} is {ci(n, base + '.learned')} there "
            f"against {ci(n, f'{s}.{arm}.{dim}.learned')} at the default memory, the simulated "
            f"learners' {num(n, base + '.simulated.mean')} (learned minus theirs "
            f"{ci(n, base + '.learned_minus_simulated')}) and the rest point's "
            f"{num(n, base + '.mean_field.mean')}.")
    parts.append(memory_verdict(n))
    return parts


def memory_verdict(n: Numbers) -> str:
    """Whether the simulated learners still reproduce, with the longer memory, every gap the
    default-memory sentences put down to noise."""
    claimed = [(arm, dim) for arm, dim in CHECKED
               if _noise_claimed(n, f"stationary.{arm}.{dim}")]
    missed = [f"{ARM_WORDS[arm]} {DIM_WORDS[dim][0]}" for arm, dim in claimed
              if noise_share(n, f"{LONG}.{arm}.{dim}") not in ("whole", "most")]
    if not claimed:
        text = "No gap at the default memory is put down to noise, so nothing is tested here."
    elif missed:
        text = ("With the longer memory the simulated learners do not reproduce the reps' gap "
                f"to the rest point for {', '.join(missed)}: there the noise explanation fails "
                "its test.")
    else:
        text = ("With the longer memory the simulated learners again reproduce the reps' gap to "
                "the rest point (all of it, or within half of it) wherever it was put down to "
                "noise at the default memory: the noise explanation passes its test.")
    return verdict(text, n)


def turnover_text(n: Numbers, arm: str, dim: str) -> str:
    """The full world's gap beyond the simulated learners, with and without turnover."""
    full, off = f"full.{arm}.{dim}", f"{NO_TURNOVER}.{arm}.{dim}"
    if not (n.has(f"{full}.learned_minus_simulated.mean")
            and n.has(f"{off}.learned_minus_simulated.mean")):
        return ""
    name = DIM_WORDS[dim][0]
    text = (f"In the full model, learned {name} under {ARM_WORDS[arm]} is "
            f"{ci(n, full + '.learned')} against a rest point of "
            f"{num(n, full + '.mean_field.mean')} and simulated learners at "
            f"{num(n, full + '.simulated.mean')} (learned minus theirs "
            f"{ci(n, full + '.learned_minus_simulated')}); with reps' attrition and the "
            f"client's termination off, learned minus simulated is "
            f"{ci(n, off + '.learned_minus_simulated')}.")
    if _side(n, f"{full}.learned_minus_simulated") is None:
        return f"{text} {verdict('There the noise of learning accounts for the gap.', n)}"
    beyond = n.get(f"{full}.learned_minus_simulated.mean")
    without = n.get(f"{off}.learned_minus_simulated.mean")
    if abs(without) <= EXPLAINED_SHARE * abs(beyond):
        cause = (f"Beyond the noise of learning, the full model's gap in {name} under "
                 f"{ARM_WORDS[arm]} comes with turnover (reps' quits and the client's "
                 f"replacement of the outsourcer): without it, what the simulated learners "
                 f"leave is at most half as large.")
    else:
        cause = (f"Turnover does not account for the full model's gap in {name} under "
                 f"{ARM_WORDS[arm]} beyond the noise of learning; it is not explained here.")
    return f"{text} {verdict(cause, n)}"


def fragment(n: Numbers) -> Fragment:
    """The results text of experiment 7."""
    f = Fragment(NAME, "Docking")
    s = "stationary"
    f.para(
        f"In the stationary world ({num(n, 'seeds')} seeds; burn, word of mouth, AE capacity, "
        f"attrition and termination off, as the benchmark assumes), reps paid per appointment "
        f"end at a mean threshold of {ci(n, f'{s}.per_appointment.threshold.learned')} against "
        f"a best response of {num(n, f'{s}.per_appointment.threshold.br.mean')} and a Roth–Erev "
        f"mean-field rest point of {num(n, f'{s}.per_appointment.threshold.mean_field.mean')}; "
        f"under the retainer the learned threshold is "
        f"{ci(n, f'{s}.retainer.threshold.learned')}, the best response "
        f"{num(n, f'{s}.retainer.threshold.br.mean')} and the rest point "
        f"{num(n, f'{s}.retainer.threshold.mean_field.mean')}.",
        f"The per-appointment reps' learned threshold differs from the retainer's by "
        f"{ci(n, f'{s}.order.learned_threshold_gap')} (paired), the best response's by "
        f"{num(n, f'{s}.order.br_threshold_gap')}. Across the four contracts, learned "
        f"thresholds rank with the best response's at Spearman's $rho$ = "
        f"{num(n, f'{s}.order.spearman_learned_br')} and with the mean-field rest point's at "
        f"$rho$ = {num(n, f'{s}.order.spearman_learned_mean_field')}; in the full model at "
        f"{num(n, 'full.order.spearman_learned_br')} and "
        f"{num(n, 'full.order.spearman_learned_mean_field')}.")
    f.para(*(gap_text(n, s, arm, dim) for arm in ("per_appointment", "retainer")
             for dim in ("effort", "pressure")))
    if n.has(f"{LONG}.per_appointment.pressure.simulated.mean"):
        f.para(*memory_check(n))
    full = [turnover_text(n, arm, dim) for arm, dim in CHECKED]
    if any(full):
        f.para(*(t for t in full if t))
    f.figure("docking_strategies",
             "Learned strategies (last quarter, mean over seeds with 95% intervals) in the full "
             "and the stationary world against the myopic best response (bar) and the Roth–Erev "
             "mean-field rest point (cross), at the skill the reps reached.")
    return f


SECTION = Section(NAME, "Docking", (NAME,), compute, "analysis.figures.docking", fragment)
