"""The paper's sentence and figure generators, on made-up numbers (no runs).

Each test pins a fault of issue 19 at its generator: verdicts only at the paper's scale, run
lengths from the runs, signed wording, intervals that respect their quantity, figures that clip
nothing and hide no point, and Table 1's targets.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from analysis import calibration, stats, summary  # noqa: E402
from analysis.numbers import Numbers  # noqa: E402
from analysis.typst import (  # noqa: E402
    NO_VERDICT,
    VERDICT_PHRASES,
    by,
    span,
    verdict,
    years_words,
)


def _est(mean: float, low: float, high: float) -> dict:
    return {"mean": mean, "ci_low": low, "ci_high": high, "sd": 0.1, "n": 10, "d": -1.0}


def has_verdict(text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in VERDICT_PHRASES)


# ---------------------------------------------------------------------------------- verdicts


def test_a_verdict_is_written_only_from_paper_scale_numbers() -> None:
    claim = "The practitioners' second claim holds in the model."
    assert verdict(claim, Numbers("g", "paper")) == claim
    for scale in ("quick", None):
        said = verdict(claim, Numbers("g", scale))
        assert NO_VERDICT in said and not has_verdict(said)
    # one quick-scale input is enough to withhold a verdict drawn from several sections
    assert NO_VERDICT in verdict(claim, Numbers("g", "paper"), Numbers("d", "quick"))


def _horizon(scale: str, low: float, high: float) -> Numbers:
    n = Numbers("horizon", scale)
    n.set("weeks", 260)
    n.set("stop.per_appointment", {"stopped": 2, "runs": 6})
    n.set("diff.client_roi.per_appointment_vs_retainer", _est((low + high) / 2, low, high))
    return n


@pytest.mark.parametrize(("low", "high", "says"), [
    (-0.185, -0.031, "supports"), (0.02, 0.1, "does not support"),
    (-0.1, 0.1, "neither supports nor contradicts")])
def test_the_horizon_verdict_follows_the_final_interval_not_a_share_of_seeds(
        low: float, high: float, says: str) -> None:
    text = summary._horizon({"horizon": _horizon("paper", low, high)})
    assert f"{says} the practitioners' claim" in text
    quick = summary._horizon({"horizon": _horizon("quick", low, high)})
    assert NO_VERDICT in quick and not has_verdict(quick)


# ------------------------------------------------------------------------------ run lengths


def test_run_lengths_come_from_the_runs() -> None:
    assert years_words(104) == "two years"
    assert years_words(260) == "five years"
    assert years_words(52) == "one year"
    assert years_words(100) == ""
    n = Numbers("gaming")
    n.set("weeks", 104)
    assert span(n) == '#num("gaming.weeks") weeks (two years)'


# -------------------------------------------------------------------------- signed wording


def test_signed_wording_never_pairs_a_verb_with_a_negative_number() -> None:
    n = Numbers("theory")
    n.set("down", -0.667)
    n.set("up", 1.333)
    n.set("zero", 0.0)
    assert by(n, "down", "quality effort") == 'lowers quality effort by #mag("theory.down")'
    assert by(n, "up", "volume effort") == 'raises volume effort by #mag("theory.up")'
    assert by(n, "zero", "x") == "does not change x"


# ------------------------------------------------------------------ weeks to halve (Fig. 10)


def test_km_median_handles_runs_that_never_halve() -> None:
    nan = math.nan
    assert stats.km_median([5, 7, 9, nan]) == 7  # 2 of 4 by week 7
    assert stats.km_median([5, nan, nan, nan]) == math.inf  # not reached
    assert stats.km_median([3, 4, 5]) == 4


def test_the_halving_interval_respects_the_quantity() -> None:
    rng = np.random.default_rng(3)
    times = np.r_[rng.exponential(8, 12), [math.nan] * 3]  # skewed, three never halve
    m = stats.km_median_ci(times)
    observed = times[np.isfinite(times)]
    assert observed.min() <= m.ci_low <= m.median <= m.ci_high
    assert m.ci_low >= 0  # a percentile interval stays within the observed times
    d = m.as_dict()
    assert d["median_reached"] and d["events"] == 12 and d["n"] == 15


def test_a_median_not_reached_is_an_open_end() -> None:
    d = stats.km_median_ci([4, math.nan, math.nan, math.nan, math.nan]).as_dict()
    assert d["median"] is None and not d["median_reached"]
    assert d["ci_high"] is None and not d["ci_high_reached"]


# ------------------------------------------------------------------------- figures (7, 10, 13)


def test_sobol_indices_are_plotted_unclipped_with_their_intervals() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.figures.robustness import sobol_axes

    def entry(name, s1, s1_ci, st, st_ci):
        return {"name": name, "S1": s1, "S1_low": s1_ci[0], "S1_high": s1_ci[1],
                "ST": st, "ST_low": st_ci[0], "ST_high": st_ci[1]}

    # b's first-order interval lies below its estimate, as a bias-corrected interval can
    index = {"a": entry("a", 0.3, (0.1, 0.5), 0.6, (0.4, 1.4)),
             "b": entry("b", 0.004, (-0.3, 0.001), 0.01, (-0.2, 0.05)),
             "c": entry("c", 0.2, (0.15, 0.25), 0.7, (0.6, 0.8))}
    fig, ax = plt.subplots()
    order = sobol_axes(ax, index, 0.05)
    assert order == ["c", "a", "b"]  # by total index
    low, high = ax.get_ylim()
    assert low <= -0.3 and high >= 1.4  # every interval end inside the axes, as computed
    ends = {round(float(y), 6) for line in ax.lines if line.get_marker() == "_"
            for y in line.get_ydata()}
    assert {1.4, -0.3, 0.001, 0.05} <= ends  # caps at the unclipped ends
    points = {round(float(y), 6) for line in ax.lines if line.get_marker() in ("o", "s")
              for y in line.get_ydata()}
    assert points == {0.3, 0.004, 0.2, 0.6, 0.01, 0.7}  # the estimates as computed
    assert any(tuple(line.get_ydata()) == (0.05, 0.05) for line in ax.lines)  # the floor
    plt.close(fig)


def test_the_training_theory_figure_shows_the_whole_share_axis_and_no_hidden_point() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.figures.training import share_against_npv

    rows = []
    for point, (mix, shift) in enumerate([("retainer", 0.0), ("retainer", 0.0),
                                          ("retainer", 5.0), ("per_appointment", 1.0)]):
        for seed in range(6):
            same = point < 2  # points 0 and 1 have identical runs
            rows.append({"point": point, "mix": mix, "seed": seed,
                         "npv": 1000.0 * (shift + (seed if same else seed * 1.1)),
                         "trained_share": 0.52 + 0.01 * seed})
    fig, ax = plt.subplots()
    cells = share_against_npv(ax, pl.DataFrame(rows), "trained_share")
    assert ax.get_ylim() == (0, 1)
    assert cells.height == 3 and sorted(cells["points"].to_list()) == [1, 1, 2]
    assert any(t.get_text() == "×2" for t in ax.texts)
    assert (cells["high"] > cells["mean"]).all()  # error bars across seeds
    plt.close(fig)


# ---------------------------------------------------------------------------------- Table 1


def test_calibration_targets_flag_and_imply_each_other() -> None:
    t = calibration.targets()
    keys = [r["key"] for r in t["rows"]]
    assert len(keys) == len(set(keys)) and "attrition" in keys and "tenure_months" in keys
    i = t["implied"]
    assert i["tenure_hazard"] * i["tenure_months"] == pytest.approx(12)
    assert i["tenure_cohort_share"] == pytest.approx(1 - math.exp(-12 / 14))
    # the two targets disagree: the tenure one implies far more attrition than 30-34%
    assert i["tenure_cohort_share"] > i["attrition_high"]
    assert i["attrition_tenure_low"] > 2 * i["tenure_months"]
    about = next(r for r in t["rows"] if r["key"] == "ramp_months")
    assert about["flag_low"] < about["low"] == about["high"] < about["flag_high"]
    assert calibration.flag(0.55, 0.30, 0.34) == "above"
    assert calibration.flag(0.2, 0.30, 0.34) == "below"
    assert calibration.flag(0.32, 0.30, 0.34) == "in range"
    assert calibration.flag(None, 0, 1) == "no value"
