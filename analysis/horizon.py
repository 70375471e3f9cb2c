"""Experiment 4 — horizon: the client's cumulative ROI over time and when per-appointment stops
paying off relative to the retainer.

Per seed, d(t) = ROI_arm(t) − ROI_retainer(t) of the weekly cumulative client ROI (same seed:
common random numbers). The arm *stops paying off* at the first week t ≥ the first quarter from
which d stays below zero to the end of the run; a run whose d is still ≥ 0 at the end has not
stopped (censored at the horizon). The first quarter is skipped because both contracts start
from a loss and their ROI is noise until money and closes accumulate.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from analysis import stats
from analysis.common import Section, outcome_frame, put_estimates, put_paired, put_run_info
from analysis.data import Results
from analysis.numbers import Numbers
from analysis.theory_arms import put_theory_arms, theory_arm_text
from analysis.typst import Fragment, ci, num, verb

NAME = "horizon"
CONTROL = "retainer"
#: The arm meant as the falsification arm, in words (the theory checks it: the client's static
#: profit at the rep's best response must be no lower than under the retainer).
FALSIFICATION = ("pa_qualified", "per-appointment pay on qualified held meetings")
BURN_IN = 13
WEEKLY = ["client_cumulative_roi", "client_profit"]


def roi_paths(results: Results) -> pl.DataFrame:
    """Weekly cumulative ROI per arm and seed: columns ``arm, seed, week, roi``."""
    w = results.weekly(NAME, WEEKLY)
    return w.select("arm", "seed", "week", pl.col("client_cumulative_roi").alias("roi"))


def stop_weeks(paths: pl.DataFrame, arm: str) -> dict[int, float]:
    """Per seed, the week ``arm`` stops paying off against the retainer (NaN: not stopped)."""
    pivot = (paths.filter(pl.col("arm").is_in([arm, CONTROL]))
             .pivot(on="arm", index=["seed", "week"], values="roi").sort("seed", "week"))
    out = {}
    for (seed,), rows in pivot.group_by("seed", maintain_order=True):
        d = (rows[arm] - rows[CONTROL]).to_numpy().astype(float)
        out[int(seed)] = stop_week(d)
    return out


def stop_week(d: np.ndarray, burn_in: int = BURN_IN) -> float:
    """First week ≥ ``burn_in`` from which ``d`` stays negative to the end (NaN if it ends ≥ 0)."""
    d = np.where(np.isfinite(d), d, 0.0)
    if d.size == 0 or d[-1] >= 0:
        return math.nan
    ahead = np.flatnonzero(d[burn_in:] >= 0)
    return float(burn_in if ahead.size == 0 else burn_in + ahead[-1] + 1)


def compute(results: Results) -> Numbers:
    """ROI at yearly checkpoints, paired final differences and stop-week distributions."""
    n = Numbers(NAME)
    put_run_info(n, results, NAME)
    frame = outcome_frame(results.summaries(NAME))
    put_estimates(n, frame, "arm", ("client_roi", "close_rate_last", "gaming_last",
                                    "outsourcer_profit"))
    put_paired(n, frame, "arm", ("client_roi", "client_profit"), CONTROL)
    paths = roi_paths(results)
    _checkpoints(n, paths)
    horizon = int(paths["week"].max()) + 1
    n.set("burn_in", BURN_IN)
    for arm in frame["arm"].unique(maintain_order=True).to_list():
        if arm != CONTROL:
            _stops(n, arm, stop_weeks(paths, arm), horizon)
    arm = FALSIFICATION[0]
    put_theory_arms(n, results, NAME, {arm: {"arm": arm}}, {"arm": CONTROL},
                    criterion="client_profit")
    return n


def _checkpoints(n: Numbers, paths: pl.DataFrame) -> None:
    last = int(paths["week"].max())
    weeks = sorted({w for w in range(51, last + 1, 52)} | {last})
    n.set("checkpoints", [w + 1 for w in weeks])
    for w in weeks:
        at = paths.filter(pl.col("week") == w)
        for arm in at["arm"].unique(maintain_order=True).to_list():
            n.set(f"roi_at.w{w + 1}.{arm}", stats.mean_ci(at.filter(pl.col("arm") == arm)["roi"])
                  .as_dict())


def _stops(n: Numbers, arm: str, weeks: dict[int, float], horizon: int) -> None:
    t = np.array(list(weeks.values()), dtype=float)
    stopped = t[np.isfinite(t)]
    base = f"stop.{arm}"
    n.set(f"{base}.runs", int(t.size))
    n.set(f"{base}.stopped", int(stopped.size))
    n.set(f"{base}.share_stopped", stopped.size / t.size if t.size else None)
    n.set(f"{base}.behind_from_start", int((stopped == BURN_IN).sum()))
    n.set(f"{base}.median_week", float(np.median(stopped)) if stopped.size else None)
    n.set(f"{base}.restricted_mean", stats.restricted_mean(t, horizon).as_dict())
    n.set(f"{base}.horizon", horizon)


# -- fragment ----------------------------------------------------------------------------------


def fragment(n: Numbers) -> Fragment:
    """The results text of experiment 4."""
    f = Fragment(NAME, "Horizon")
    d = f"diff.client_roi.per_appointment_vs_{CONTROL}"
    last = n.get("checkpoints")[-1]
    f.para(
        f"After {num(n, 'weeks')} weeks ({num(n, 'seeds')} seeds per contract) the client's "
        f"cumulative ROI is {ci(n, f'roi_at.w{last}.per_appointment')} under per-appointment "
        f"pay and {ci(n, f'roi_at.w{last}.retainer')} under the retainer: per-appointment "
        f"pay {verb(n, d, 'still pays off better', 'pays off worse', 'pays off no differently')}"
        f" (paired difference {ci(n, d)}).",
        f"Counting from week {num(n, 'burn_in')}, per-appointment pay falls behind the "
        f"retainer for good in {num(n, 'stop.per_appointment.stopped')} of "
        f"{num(n, 'stop.per_appointment.runs')} seeds"
        + (f", at a median week of {num(n, 'stop.per_appointment.median_week')}"
           if n.get("stop.per_appointment.median_week") is not None else "")
        + f" (restricted mean, censored at the horizon: "
        f"{ci(n, 'stop.per_appointment.restricted_mean')}).",
        theory_arm_text(n, FALSIFICATION[0], FALSIFICATION[1], "the retainer"),
        f"In the runs it falls behind in "
        f"{num(n, 'stop.pa_qualified.stopped')} of {num(n, 'stop.pa_qualified.runs')} seeds "
        f"(final ROI difference {ci(n, f'diff.client_roi.pa_qualified_vs_{CONTROL}')}). "
        f"Its outsourcer's profit over the {num(n, 'weeks')} weeks is "
        f"{ci(n, 'outsourcer_profit.pa_qualified')} USD, against "
        f"{ci(n, 'outsourcer_profit.retainer')} USD under the retainer: the model gives the "
        f"outsourcer no participation constraint (it cannot refuse or leave a contract), so "
        f"this arm shows what reps do under these terms, not a contract an outsourcer would "
        f"sign.",
    )
    f.figure("horizon_roi",
             "Client cumulative ROI per contract over time (mean over seeds, 95% band); its "
             "paired difference from the retainer; and the distribution over seeds of the week "
             "each contract stops paying off relative to the retainer (seeds that never stop "
             "are censored at the horizon).")
    return f


SECTION = Section(NAME, "The horizon of the client's return", (NAME,), compute,
                  "analysis.figures.horizon", fragment)
