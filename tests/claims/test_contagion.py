"""Claims of experiment 5 (contagion), quick scale, fixed seeds."""

import pytest

from .helpers import est

pytestmark = pytest.mark.slow
RULES = ["fermi", "imitate_best"]


@pytest.fixture(scope="module")
def n(numbers):
    return numbers("contagion")


@pytest.mark.parametrize("rule", RULES)
def test_isolated_imitators_do_not_spread_gaming(n, rule):
    assert n.get(f"{rule}.per_appointment.isolated.share_halved") <= 0.2


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("net", ["ring", "small_world", "complete"])
def test_connected_offices_halve_thresholds_within_a_quarter(n, rule, net):
    assert n.get(f"{rule}.per_appointment.{net}.share_halved") >= 0.8
    mean, _, _ = est(n, f"{rule}.per_appointment.{net}.t_half")
    assert mean <= 13


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("net", ["ring", "small_world"])
def test_imitation_raises_gaming_under_per_appointment(n, rule, net):
    mean, low, _ = est(n, f"vs_isolated.{rule}.per_appointment.{net}.gaming_last")
    assert low > 0
    assert mean >= 0.05


@pytest.mark.parametrize("rule", RULES)
def test_a_complete_office_does_not_lower_gaming_under_per_appointment(n, rule):
    mean, _, _ = est(n, f"vs_isolated.{rule}.per_appointment.complete.gaming_last")
    assert mean > 0


@pytest.mark.parametrize("rule", RULES)
def test_imitation_does_not_raise_gaming_under_the_retainer(n, rule):
    """Falsification: peers paid per qualified meeting are not a source of gaming."""
    mean, _, _ = est(n, f"vs_isolated.{rule}.retainer.complete.gaming_last")
    assert mean <= 0.02
