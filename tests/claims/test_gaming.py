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


@pytest.mark.parametrize("arm", ["pa_qualified", "pa_audited", "per_close"])
def test_falsification_arms_do_not_lower_the_close_rate(n, arm):
    mean, _, high = est(n, f"diff.close_rate_last.{arm}_vs_retainer")
    assert high >= 0, "the arm lowers the close rate significantly"
    assert mean >= -0.015


@pytest.mark.parametrize("arm", ["pa_qualified", "pa_audited"])
def test_falsification_arms_do_not_raise_gaming(n, arm):
    mean, low, _ = est(n, f"diff.gaming_last.{arm}_vs_retainer")
    assert low <= 0, "the arm raises the gaming index significantly"
    assert mean <= 0.04
