"""Claims of experiment 1 (gaming emerges), quick scale, fixed seeds.

Margins are stated per claim; paired differences are per-appointment (or a falsification arm)
minus the retainer, matched by seed.
"""

import pytest

from .helpers import est

pytestmark = pytest.mark.slow
PA = "per_appointment_vs_retainer"


@pytest.fixture(scope="module")
def n(numbers):
    return numbers("gaming")


def test_per_appointment_raises_appointments_by_a_fifth(n):
    _mean, low, _ = est(n, f"diff.appointments_last.{PA}")
    assert low > 0
    assert n.get("relative.appointments_last.per_appointment") >= 20.0  # percent


def test_per_appointment_lowers_the_long_run_close_rate(n):
    mean, _, high = est(n, f"diff.close_rate_last.{PA}")
    assert high < 0
    assert mean <= -0.015


def test_per_appointment_raises_the_gaming_index(n):
    mean, low, _ = est(n, f"diff.gaming_last.{PA}")
    assert low > 0
    assert mean >= 0.05


def test_reps_learn_lower_thresholds_under_per_appointment(n):
    mean, _, high = est(n, f"diff.threshold_last.{PA}")
    assert high < 0
    assert mean <= -0.05


def test_the_full_audit_arm_does_not_lower_the_close_rate(n):
    """The falsification arm: every appointment audited, junk clawed back in full."""
    mean, _, high = est(n, "diff.close_rate_last.pa_audited_vs_retainer")
    assert high >= 0, "the arm lowers the close rate significantly"
    assert mean >= -0.015


def test_the_full_audit_arm_does_not_raise_gaming(n):
    mean, low, _ = est(n, "diff.gaming_last.pa_audited_vs_retainer")
    assert low <= 0, "the arm raises the gaming index significantly"
    assert mean <= 0.04


def _best_response_junk_share(arm: str) -> float:
    from experiments.gaming import ARMS, QUICK
    from sales_abm.scenario import Scenario
    from sales_abm.theory.best_response import best_response

    scenario = Scenario.default().with_overrides({**QUICK, **ARMS[arm]})
    return best_response(scenario).row["junk_share"]


@pytest.mark.parametrize("arm", ["pa_qualified", "per_close"])
def test_arms_whose_best_response_books_more_junk_raise_gaming(n, arm):
    """Pay per qualified meeting and pay per close were meant as arms where pay-for-performance
    does not hurt. The static best response says otherwise at this calibration: booking is cheap,
    so a qualified meeting's pay (and a commission, which rewards closes, not the close rate) is
    earned best by booking everyone (threshold 0, junk share 0.58 against the retainer's 0.47).
    The claim is then that learning follows the benchmark's direction, not the hope."""
    assert _best_response_junk_share(arm) > _best_response_junk_share("retainer")
    _mean, low, _ = est(n, f"diff.gaming_last.{arm}_vs_retainer")
    assert low > 0
    close, _, _ = est(n, f"diff.close_rate_last.{arm}_vs_retainer")
    assert close < 0
