"""Issue 14: reps who actually learn, at the default scale and default learning settings.

Design: seeds 1–8, the default scenario (20 reps, 20,000 prospects, 156 weeks) under the retainer
and per_appointment presets, paired by seed. Quarter means of the weekly mean pressure and mean
threshold (first and last 13 weeks). Criteria (issue 14, "How it will be judged"):

1. Under per_appointment the last quarter's mean pressure exceeds the first quarter's by at least
   0.1 on average (measured +0.156, 95% interval [+0.111, +0.202]).
2. per_appointment's last-quarter pressure exceeds the retainer's, paired by seed, with a 95%
   interval above zero (+0.192 [+0.135, +0.249]).
3. The retainer's last-quarter threshold exceeds per_appointment's by at least 0.12 on average,
   the gap before issue 14 (+0.139 [+0.121, +0.158]).

Before issue 14 (credit when paid, payoffs shifted by rep.effort_cost, experimentation 0.2) the
same design gave +0.029 [−0.027, +0.084] for criterion 1 and +0.115 for criterion 3. Marked slow:
16 default runs, about half a minute on two cores.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sales_abm.model import run
from sales_abm.scenario import Scenario

SEEDS = range(1, 9)
QUARTER = 13


def quarters(preset: str, seed: int) -> dict[str, float]:
    """First- and last-quarter means of the weekly mean pressure and mean threshold."""
    weekly = run(Scenario.default(preset), seed).weekly
    out = {}
    for dim in ("pressure", "threshold"):
        path = weekly[f"mean_{dim}"].to_numpy().astype(float)
        out[f"{dim}_first"] = float(np.nanmean(path[:QUARTER]))
        out[f"{dim}_last"] = float(np.nanmean(path[-QUARTER:]))
    return out


def mean_ci(values: list[float]) -> tuple[float, float, float]:
    """Mean and 95% t interval."""
    x = np.asarray(values)
    half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean()), float(x.mean() - half), float(x.mean() + half)


@pytest.fixture(scope="module")
def runs() -> dict[str, list[dict[str, float]]]:
    return {preset: [quarters(preset, s) for s in SEEDS]
            for preset in ("retainer", "per_appointment")}


@pytest.mark.slow
def test_per_appointment_reps_learn_pressure(runs):
    mean, low, high = mean_ci([r["pressure_last"] - r["pressure_first"]
                               for r in runs["per_appointment"]])
    assert mean >= 0.1, (mean, low, high)


@pytest.mark.slow
def test_per_appointment_reps_press_harder_than_retainer_reps(runs):
    gaps = [a["pressure_last"] - b["pressure_last"]
            for a, b in zip(runs["per_appointment"], runs["retainer"], strict=True)]
    mean, low, high = mean_ci(gaps)
    assert low > 0, (mean, low, high)


@pytest.mark.slow
def test_thresholds_part_at_least_as_much_as_before(runs):
    gaps = [b["threshold_last"] - a["threshold_last"]
            for a, b in zip(runs["per_appointment"], runs["retainer"], strict=True)]
    mean, low, high = mean_ci(gaps)
    assert mean >= 0.12, (mean, low, high)
