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


def test_per_close_rarely_lowers_the_close_rate(n):
    """Falsification: commission on closes should not hurt close rates."""
    assert n.get("tally.pc_lower_close_rate") <= 0.2 * n.get("tally.variants")
