"""Claims of experiment 3 (training hold-up), quick scale, fixed seeds."""

import pytest

from .helpers import est

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def n(numbers):
    return numbers("training_holdup")


@pytest.mark.parametrize("mix", ["retainer", "per_appointment"])
def test_a_strict_renewal_bar_replaces_outsourcers(n, mix):
    mean, low, _ = est(n, f"termination_effect.{mix}.replacements")
    assert low > 0
    assert mean >= 0.5


@pytest.mark.parametrize("mix", ["retainer", "per_appointment"])
def test_termination_risk_lowers_rep_skill(n, mix):
    mean, _, _ = est(n, f"termination_effect.{mix}.skill_last")
    assert mean <= -0.05


def test_without_termination_pay_mix_leaves_skill_alone(n):
    """Falsification: with no churn hazard there is nothing to hold training up."""
    mean, low, high = est(n, "mix_effect.off.skill_last")
    assert low <= 0 <= high or abs(mean) <= 0.05


def test_hold_up_condition_orders_design_points_like_learned_skill(n):
    assert n.get("theory.spearman_npv_skill") >= 0.3
