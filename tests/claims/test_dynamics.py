"""Claims of the client and prospect dynamics, quick scale, fixed seeds (horizon and robustness
runs)."""

import pytest

from .helpers import est

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def n(numbers):
    return numbers("dynamics")


def test_the_client_ends_per_appointment_contracts_more_often_than_retainers(n):
    _mean, low, _ = est(n, "termination.diff")
    assert low > 0
    assert n.get("termination.per_appointment.runs_ended") > n.get(
        "termination.retainer.runs_ended")


def test_no_contract_ends_with_termination_off(n):
    assert n.get("termination_off.no_termination.ended")["mean"] == 0.0
    assert n.get("termination_off.baseline.ended")["mean"] > 0.0


def test_prospects_learn_to_refuse_per_appointment_callers_and_not_with_learning_off(n):
    _mean, _, high = est(n, "prospects.accept.gap.on")
    assert high < 0
    assert n.get("prospects.accept.gap.off")["mean"] == 0.0
