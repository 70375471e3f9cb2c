"""Claims of experiment 2 (dose–response), quick scale, fixed seeds."""

import pytest

from .helpers import est

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def n(numbers):
    return numbers("dose_response")


def test_without_audit_a_price_switches_reps_to_gaming(n):
    assert n.get("switch.by_audit.a0.price") is not None


def test_full_audit_with_clawback_removes_the_switch(n):
    """Falsification: fully audited, no price in the grid raises gaming by the switch margin."""
    assert n.get("switch.by_audit.a1.price") is None


def test_full_audit_lowers_gaming_at_the_highest_price(n):
    mean, _, high = est(n, "audit_effect.gaming_last")
    assert high < 0
    assert mean <= -0.05


def test_hybrid_weight_raises_gaming_when_billed_on_appointments_set(n):
    mean, low, _ = est(n, "hybrid.diff.gaming_last.set")
    assert low > 0
    assert mean >= 0.04


def test_hybrid_weight_does_not_raise_gaming_when_billed_on_qualified_meetings(n):
    """Falsification: paying only for qualified held meetings."""
    mean, low, _ = est(n, "hybrid.diff.gaming_last.qualified")
    assert low <= 0
    assert mean <= 0.02
