"""Claims of experiment 7 (docking), quick scale, fixed seeds."""

import pytest

from .helpers import est

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def n(numbers):
    return numbers("docking")


@pytest.mark.parametrize("arm", ["retainer", "per_appointment", "hybrid"])
def test_learned_threshold_is_near_the_mean_field_rest_point(n, arm):
    """In the stationary world the benchmark assumes, within 0.04 of Roth–Erev's rest point."""
    mean, _, _ = est(n, f"stationary.{arm}.threshold.learned_minus_mean_field")
    assert abs(mean) <= 0.04


@pytest.mark.parametrize("world", ["stationary", "full"])
def test_learning_moves_thresholds_the_way_the_best_response_does(n, world):
    _mean, _, high = est(n, f"{world}.order.learned_threshold_gap")
    assert n.get(f"{world}.order.br_threshold_gap") < 0
    assert high < 0
