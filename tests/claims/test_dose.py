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


def _best_response_lead(basis: str) -> float:
    """How much the best response at weight 1 beats the runner-up (USD per rep-week)."""
    from experiments.dose_hybrid import BASIS, QUICK, weight_levels
    from sales_abm.scenario import Scenario
    from sales_abm.theory.best_response import best_response

    overrides = {"contract.preset": "per_appointment", **QUICK, **weight_levels([1.0])[1.0],
                 **BASIS[basis]}
    return best_response(Scenario.default().with_overrides(overrides)).gap


def test_qualified_billing_damps_what_the_hybrid_weight_does_to_gaming(n):
    """Billing only qualified held meetings was meant as the arm where a higher weight does not
    hurt. The static best response at weight 1 still books everyone under both bases (booking is
    cheap, so pay per qualified meeting is earned best by volume too), but its lead over the
    runner-up is a few dollars a week under qualified billing against about a hundred when every
    appointment set is paid. So the claim is the benchmark's: a weak push, a smaller and at quick
    scale not significant rise in gaming, well below the rise under set billing."""
    assert _best_response_lead("qualified") < 0.1 * _best_response_lead("set")
    q_mean, q_low, _ = est(n, "hybrid.diff.gaming_last.qualified")
    s_mean, s_low, _ = est(n, "hybrid.diff.gaming_last.set")
    assert s_low > 0
    assert q_low <= 0
    assert q_mean < 0.5 * s_mean
