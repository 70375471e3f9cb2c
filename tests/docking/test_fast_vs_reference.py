"""Docking (issue 7): the fast model and the plain reference model agree in distribution.

The fast model (:func:`sales_abm.model.run`: prospects as numpy columns, a vectorised week) and
the reference model (:func:`benchmarks.reference.run`: one ``mesa.Agent`` per prospect, Python
loops over calls and meetings) implement the same mechanics but draw their random numbers in
different orders, so they are compared as distributions over seeds, never run by run.

Design:
    * Scenarios: ``reps=5, prospects=2000, weeks=60`` under the ``retainer`` and
      ``per_appointment`` presets (every other value at its default).
    * Samples: ``N_SEEDS`` (200; override with the environment variable ``DOCKING_SEEDS``) runs
      per model and preset. The fast model uses seeds ``0..N-1`` and the reference model seeds
      ``10**6 + 0..N-1``, so the two samples are independent.
    * Outcomes (summary keys): total appointments set, meetings held and closes; the gaming index
      of the last 13 weeks; the cohort close rate of the first 13 cohorts; the mean threshold of
      the last 13 weeks; total client payments; the prospects' mean learned propensity to
      accept a meeting over the last 13 weeks.

Criteria, for every outcome under every preset (all must hold):
    1. Kolmogorov–Smirnov two-sample test (``scipy.stats.ks_2samp``): p > 0.001.
    2. Welch's t-test on the means (``scipy.stats.ttest_ind(equal_var=False)``): p > 0.001.
    3. Standardised mean difference ``|mean_fast - mean_ref| / sqrt((var_fast + var_ref) / 2)``
       below ``SMD_MAX = max(0.5, 3 * sqrt(2 / N))`` (0.5 at N = 200).

    Bonferroni: 8 outcomes x 2 presets x 2 tests = 32 p-values, so if the models agree the chance
    that any p-value falls below 0.001 is at most 32 x 0.001 = 3.2%. Under the same null the SMD
    has a standard error of about ``sqrt(2 / N)`` (0.2 at N = 50); a fixed bound of 0.5 would
    then be only 2.5 standard errors and trip by chance in about 16% of seed sets over the 16
    outcome-preset pairs, so the bound is 0.5 or three standard errors, whichever is larger
    (family false-alarm rate about 4%). The seeds are fixed, so the test is deterministic; these
    rates say how likely a correct change to either model is to fail it by bad luck.

    A degenerate outcome (constant up to rounding in both samples, e.g. the retainer's client
    payments, which are fixed fees) must have equal means and is reported with p = 1, SMD = 0.

Run the table by hand with ``python -m tests.docking.test_fast_vs_reference`` from the repository
root. Marked ``slow``: about five minutes on one core.

Why 200 seeds: with 50 the retainer's last-quarter gaming index failed (Welch p = 0.0009, SMD 0.69)
after the MODEL_VERSION 2 changes. Reading both implementations side by side and comparing
intermediate quantities (pay by tenure and ramp, quit hazards, skill paths, fixed-strategy
funnels) found no mechanism that differs, and 500 fresh seeds per model agreed (0.4465 ± 0.0036
vs 0.4404 ± 0.0035): fast seeds 0–49 sit about 3 standard errors above the fast model's mean. The
sample was enlarged, not re-drawn, so the test keeps its power to catch a real difference.
"""

from __future__ import annotations

import functools
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sales_abm.model import SalesModel
from sales_abm.model import run as fast_run
from sales_abm.scenario import Scenario

try:
    from benchmarks.reference import ReferenceModel
    from benchmarks.reference import run as reference_run
except ModuleNotFoundError:  # bare `pytest`: the repository root is not on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.reference import ReferenceModel
    from benchmarks.reference import run as reference_run

N_SEEDS = int(os.environ.get("DOCKING_SEEDS", "200"))
REFERENCE_SEED_OFFSET = 10**6
P_MIN = 0.001
SMD_MAX = max(0.5, 3 * math.sqrt(2 / N_SEEDS))
SMALL = {"reps": 5, "prospects": 2000, "weeks": 60}
PRESETS = ("retainer", "per_appointment")
OUTCOMES = (
    "appointments_set",
    "meetings_held",
    "closes",
    "gaming_index_last_13",
    "cohort_close_rate_first_13",
    "mean_threshold_last_13",
    "client_payments",
    "mean_prospect_accept_last_13",
)


@dataclass(frozen=True)
class Comparison:
    """Two-sample statistics of one outcome."""

    mean_fast: float
    mean_ref: float
    ks_p: float
    welch_p: float
    smd: float

    @property
    def agrees(self) -> bool:
        """All three criteria of the module docstring hold."""
        return self.ks_p > P_MIN and self.welch_p > P_MIN and abs(self.smd) < SMD_MAX

    def __str__(self) -> str:
        return (f"fast {self.mean_fast:.6g}, ref {self.mean_ref:.6g}, KS p={self.ks_p:.3g}, "
                f"Welch p={self.welch_p:.3g}, SMD={self.smd:+.3f}")


def scenario(preset: str) -> Scenario:
    """The small docking scenario under a preset."""
    return Scenario.from_dict({"contract": {"preset": preset}, **SMALL})


@functools.cache
def samples(preset: str) -> dict[str, dict[str, np.ndarray]]:
    """Each model's summary outcomes over its seeds (computed once per preset)."""
    sc = scenario(preset)
    runs = {
        "fast": [fast_run(sc, seed).summary for seed in range(N_SEEDS)],
        "ref": [reference_run(sc, REFERENCE_SEED_OFFSET + seed).summary
                for seed in range(N_SEEDS)],
    }
    return {model: {k: np.array([np.nan if s[k] is None else s[k] for s in summaries], float)
                    for k in OUTCOMES}
            for model, summaries in runs.items()}


def compare(fast: np.ndarray, ref: np.ndarray) -> Comparison:
    """KS and Welch p-values and the standardised mean difference of two samples."""
    fast, ref = fast[~np.isnan(fast)], ref[~np.isnan(ref)]
    var_f, var_r = fast.var(ddof=1), ref.var(ddof=1)
    mean_f, mean_r = float(fast.mean()), float(ref.mean())
    scale = max(abs(mean_f), abs(mean_r), 1.0)
    if max(var_f, var_r) <= (1e-9 * scale) ** 2:  # constant up to rounding in both samples
        same = math.isclose(mean_f, mean_r, rel_tol=1e-9, abs_tol=1e-12)
        return Comparison(mean_f, mean_r, 1.0 if same else 0.0, 1.0 if same else 0.0,
                          0.0 if same else math.inf)
    return Comparison(
        mean_f, mean_r,
        ks_p=float(stats.ks_2samp(fast, ref).pvalue),
        welch_p=float(stats.ttest_ind(fast, ref, equal_var=False).pvalue),
        smd=(mean_f - mean_r) / math.sqrt((var_f + var_r) / 2),
    )


def test_reference_has_the_fast_models_schema() -> None:
    """Same weekly and cohort columns and summary keys, on a tiny scenario."""
    sc = Scenario.from_dict({"reps": 3, "prospects": 300, "weeks": 8})
    fast, ref = fast_run(sc, 1), reference_run(sc, 1)
    assert ref.weekly.schema == fast.weekly.schema
    assert ref.cohorts.schema == fast.cohorts.schema
    assert list(ref.summary) == list(fast.summary)
    assert ref.weekly.height == fast.weekly.height == 8


def test_reference_is_a_pure_function_of_the_seed() -> None:
    """Two reference runs with one seed are identical."""
    sc = Scenario.from_dict({"reps": 3, "prospects": 300, "weeks": 8})
    assert reference_run(sc, 5).weekly.equals(reference_run(sc, 5).weekly)


@pytest.mark.parametrize(("evidence", "books"), [("verdicts", (0.0, 4.0)), ("binding", (1.0, 1.0))])
def test_both_book_the_same_review_evidence(evidence: str, books: tuple[float, float]) -> None:
    """The outsourcer learns renewal from the same reviews in both models (docs/model.md 7.9).

    The client is never satisfied (ROI bar 100) and cannot end the contract, with a 12-month
    term: verdicts count all four reviews as "no"; binding counts only the last, as renewed.
    """
    sc = Scenario.from_dict({**SMALL, "contract.preset": "per_appointment",
                             "switches.termination": False, "client.min_roi": 100.0,
                             "contract.minimum_term": 12.0,
                             "outsourcer.renewal_evidence": evidence})
    for model in (SalesModel(sc, 3), ReferenceModel(sc, 3)):
        model.run_model()
        renewals = model.outsourcer.valuation.renewals
        assert (renewals.events, renewals.trials) == books, type(model).__name__


@pytest.mark.parametrize("habits", [True, False])
def test_reference_successors_hire_the_dismissed_reps_habits(habits: bool) -> None:
    """In the reference model too, a replacement's first hires take over the dismissed reps'
    learners under ``learning.successor_habits``, and start afresh without it (model.md 7.7)."""
    sc = Scenario.from_dict({**SMALL, "contract.preset": "per_appointment",
                             "client.min_roi": 100.0, "contract.minimum_term": 0.0,
                             "learning.successor_habits": habits})
    model = ReferenceModel(sc, 3)
    replace = model._replace_outsourcer
    handovers: list[tuple[list[int], list[int]]] = []

    def replace_spy() -> None:
        dismissed = [id(rep.learners) for rep in model.outsourcer.reps]
        replace()
        successor = model.outsourcer
        staff = successor.staff

        def staff_spy(week: int) -> list:  # the successor's first staffing only
            hires = staff(week)
            handovers.append((dismissed, [id(rep.learners) for rep in hires]))
            successor.staff = staff
            return hires

        successor.staff = staff_spy

    model._replace_outsourcer = replace_spy
    model.run_model()
    assert len(handovers) >= 2
    for dismissed, hired in handovers:
        assert (sorted(hired) == sorted(dismissed)) == habits
        assert habits or not set(hired) & set(dismissed)


@pytest.mark.slow
@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("preset", PRESETS)
def test_outcome_distributions_agree(preset: str, outcome: str) -> None:
    """Fast and reference outcome distributions agree (criteria in the module docstring)."""
    data = samples(preset)
    fast, ref = data["fast"][outcome], data["ref"][outcome]
    assert np.isnan(fast).sum() <= N_SEEDS // 10 and np.isnan(ref).sum() <= N_SEEDS // 10
    result = compare(fast, ref)
    assert result.agrees, f"{preset}/{outcome}: {result} (need p > {P_MIN}, |SMD| < {SMD_MAX:.2f})"


def main() -> None:
    """Print the docking table."""
    print(f"N = {N_SEEDS} seeds per model; pass: p > {P_MIN} (KS and Welch), "
          f"|SMD| < {SMD_MAX:.2f}")
    for preset in PRESETS:
        data = samples(preset)
        print(f"\n{preset}")
        print(f"  {'outcome':<28}{'fast':>12}{'ref':>12}{'KS p':>8}{'Welch p':>9}{'SMD':>8}")
        for outcome in OUTCOMES:
            c = compare(data["fast"][outcome], data["ref"][outcome])
            mark = "" if c.agrees else "  FAIL"
            print(f"  {outcome:<28}{c.mean_fast:>12.5g}{c.mean_ref:>12.5g}{c.ks_p:>8.3f}"
                  f"{c.welch_p:>9.3f}{c.smd:>+8.3f}{mark}")


if __name__ == "__main__":
    main()
