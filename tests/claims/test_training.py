"""Claims of experiment 3 (training hold-up), quick scale, fixed seeds."""

import pytest

from .helpers import est

pytestmark = pytest.mark.slow
MIXES = ["retainer", "per_appointment"]


@pytest.fixture(scope="module")
def n(numbers):
    return numbers("training_holdup")


def test_training_pays_under_results_pay_and_not_under_a_retainer(n):
    """The increment the hold-up condition is about: positive where income rises with skill."""
    assert est(n, "increment.per_appointment")[1] > 0
    assert est(n, "increment.retainer")[2] < 0


@pytest.mark.parametrize("mix", MIXES)
def test_a_strict_renewal_bar_replaces_outsourcers(n, mix):
    mean, low, _ = est(n, f"termination_effect.{mix}.replacements")
    assert low > 0
    assert mean >= 0.5


@pytest.mark.parametrize("mix", MIXES)
def test_termination_risk_lowers_rep_skill(n, mix):
    mean, _, high = est(n, f"termination_effect.{mix}.skill_last")
    assert high < 0
    assert mean <= -0.05


@pytest.mark.parametrize("mix", MIXES)
def test_a_longer_term_raises_skill_where_termination_binds(n, mix):
    _, low, _ = est(n, f"term_effect.binding.{mix}.skill_last")
    assert low > 0


@pytest.mark.parametrize("mix", MIXES)
def test_a_longer_term_changes_nothing_where_termination_cannot_bind(n, mix):
    """Falsification: with no termination a longer guarantee has nothing to protect."""
    mean, low, high = est(n, f"term_effect.off.{mix}.trained_share_last")
    assert low <= 0 <= high or abs(mean) <= 0.05
    assert abs(est(n, f"term_effect.off.{mix}.replacements")[0]) == 0


def test_hold_up_condition_orders_cells_like_the_learned_policy(n):
    assert n.get("theory.spearman_npv_trained") >= 0.5
    positive = est(n, "theory.positive.trained_share")[0]
    negative = est(n, "theory.negative.trained_share")[0]
    assert positive > negative
