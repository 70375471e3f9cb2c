"""Claims of experiment 8 (plan change), quick scale, fixed seeds: paired by seed against staying
on the retainer, by quarter since the switch."""

import pytest

from analysis.plan_change import CONTROL, FALSIFICATION, MAIN, OUTCOMES, verdict_text
from analysis.typst import NO_VERDICT

from .helpers import est

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def n(numbers):
    return numbers("plan_change")


def test_the_arms_are_identical_before_the_switch(n):
    for q in (q for q in n.get("quarters") if q < 0):
        for out in OUTCOMES:
            for arm in (MAIN, FALSIFICATION):
                d = n.get(f"diff.{out}.q{q}.{arm}_vs_{CONTROL}")
                assert d["mean"] in (0.0, None), (out, q, arm)


def test_switching_to_pay_per_appointment_raises_appointments_at_once(n):
    _mean, low, _ = est(n, f"diff.appointments.q{n.get('short_quarter')}.{MAIN}_vs_{CONTROL}")
    assert low > 0


def test_the_audited_switch_is_the_theorys_falsification_arm_and_games_no_more(n):
    assert n.get(f"theory.{FALSIFICATION}.supported")
    assert not n.get(f"theory.{MAIN}.supported")
    _mean, low, _ = est(n, f"diff.gaming_index.q{n.get('long_quarter')}.{FALSIFICATION}_vs_"
                           f"{CONTROL}")
    assert low <= 0, "the audited switch raises the gaming index significantly"


def test_the_quick_scale_verdict_is_withheld(n):
    assert NO_VERDICT in verdict_text(n)
