"""Claims of experiment 6 (robustness), quick scale, fixed seeds (the largest claims run)."""

import pytest

from .helpers import est

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def n(numbers):
    return numbers("robustness")


def test_baseline_gap_in_gaming(n):
    mean, low, _ = est(n, "gap.baseline.pa.gaming_last")
    assert low > 0
    assert mean >= 0.05


def test_per_appointment_raises_gaming_under_most_rules_and_ablations(n):
    assert n.get("tally.pa_higher_gaming") >= 0.7 * n.get("tally.variants")


def test_per_appointment_lowers_close_rate_in_most_variants(n):
    """At 5 seeds a gap is significant in a quarter of the variants; its sign is stable."""
    assert n.get("tally.pa_mean_lower_close_rate") >= 0.75 * n.get("tally.variants")
    assert n.get("tally.pa_lower_close_rate") >= 0.25 * n.get("tally.variants")


def test_per_close_follows_its_best_response_less_strongly_than_per_appointment(n):
    """Commission on closes was meant as the arm where pay-for-performance does not hurt. The
    static best response disagrees at this calibration: a commission rewards closes, not the
    close rate, so it too books everyone (threshold 0), with a lead over the runner-up of about
    40 USD a week against per-appointment's 94. The claim is the benchmark's: per close never
    raises the close rate significantly, and lowers it significantly in fewer variants than
    per appointment does."""
    from sales_abm.scenario import Scenario
    from sales_abm.theory.best_response import best_response

    retainer, per_close = (best_response(Scenario.default(p)).row["threshold"]
                           for p in ("retainer", "per_close"))
    assert per_close < retainer
    assert n.get("tally.pc_higher_close_rate") == 0
    assert n.get("tally.pc_lower_close_rate") < n.get("tally.pa_lower_close_rate")
