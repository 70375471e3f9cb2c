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


FULL_WORLD_RESTARTS = pytest.mark.xfail(strict=True, reason=(
    "model vs claim, issue 15: the client fires per-appointment outsourcers 7.15 times in 260 "
    "weeks (5-9 over 20 seeds; retainer 0.05) and each replacement's reps restart learning, so "
    "the last quarter's learned threshold gap (per_appointment - retainer) is -0.0004 "
    "[-0.031, 0.030] against the best response's -0.167; with termination off (else the full "
    "world, same 20 seeds) it is -0.131 [-0.144, -0.118]. The static benchmark assumes "
    "termination away."))


@pytest.mark.parametrize("world", ["stationary", pytest.param("full", marks=FULL_WORLD_RESTARTS)])
def test_learning_moves_thresholds_the_way_the_best_response_does(n, world):
    """Per-appointment reps learn a lower threshold than the retainer's, as the best response."""
    _mean, _, high = est(n, f"{world}.order.learned_threshold_gap")
    assert n.get(f"{world}.order.br_threshold_gap") < 0
    assert high < 0
