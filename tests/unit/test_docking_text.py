"""The docking section's explanation of gaps to the rest point follows the simulated learners."""

from __future__ import annotations

import pytest

from analysis import docking
from analysis.docking_noise import simulate_learners
from analysis.numbers import Numbers
from sales_abm.scenario import Scenario
from sales_abm.theory.best_response import roth_erev_mean_field

BASE = "stationary.retainer.pressure"


def _est(mean: float, half: float) -> dict[str, float]:
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "sd": 1.0, "n": 20}


def _numbers(learned: float, simulated: float, *, scale: str = "paper",
             world: str = "stationary", sim_half: float = 0.02) -> Numbers:
    """Retainer pressure with a best response of 0 and a rest point of 0.22."""
    n = Numbers("docking", scale=scale)
    n.set("weeks", 260)
    n.set(f"{world}.forgetting", 0.1)
    base = f"{world}.retainer.pressure"
    n.set(f"{base}.learned", _est(learned, 0.03))
    n.set(f"{base}.br", _est(0.0, 0.0))
    n.set(f"{base}.learned_minus_br", _est(learned, 0.03))
    n.set(f"{base}.mean_field", _est(0.22, 0.0))
    n.set(f"{base}.learned_minus_mean_field", _est(learned - 0.22, 0.03))
    n.set(f"{base}.simulated", _est(simulated, 0.02))
    n.set(f"{base}.learned_minus_simulated", _est(learned - simulated, sim_half))
    return n


def _text(n: Numbers) -> str:
    return docking.gap_text(n, "stationary", "retainer", "pressure")


def test_a_gap_the_simulated_learners_reproduce_is_put_down_to_noise() -> None:
    n = _numbers(learned=0.41, simulated=0.39, sim_half=0.05)
    assert docking.noise_share(n, BASE) == "whole"
    text = _text(n)
    assert "The gap to the rest point is the noise of learning" in text
    assert "not explained" not in text


def test_most_of_a_gap_is_put_down_to_noise_within_the_stated_share() -> None:
    n = _numbers(learned=0.41, simulated=0.35)  # share (0.35-0.22)/(0.41-0.22) = 0.68
    assert docking.noise_share(n, BASE) == "most"
    assert "accounts for most of the gap" in _text(n)


def test_a_gap_the_simulated_learners_do_not_reproduce_stays_unexplained() -> None:
    for simulated, share in ((0.20, "none"), (0.25, "part"), (0.60, "more")):
        n = _numbers(learned=0.41, simulated=simulated)
        assert docking.noise_share(n, BASE) == share
        text = _text(n)
        assert "not explained here" in text
        assert "is the noise of learning" not in text


def test_without_simulated_learners_the_gap_is_unexplained() -> None:
    n = _numbers(learned=0.41, simulated=0.39)
    del n.tree["stationary"]["retainer"]["pressure"]["simulated"]
    assert "Neither benchmark accounts for this gap" in _text(n)


def test_the_cause_is_a_verdict_only_at_paper_scale() -> None:
    text = _text(_numbers(learned=0.41, simulated=0.39, scale="quick", sim_half=0.05))
    assert "pipeline check, no verdicts" in text
    assert "is the noise of learning" not in text


def _memory_numbers(long_simulated: float) -> Numbers:
    n = _numbers(learned=0.41, simulated=0.39, sim_half=0.05)
    long = _numbers(learned=0.44, simulated=long_simulated, world=docking.LONG)
    n.tree[docking.LONG] = long.tree[docking.LONG]
    return n


def test_the_memory_arm_tests_only_the_gaps_put_down_to_noise() -> None:
    passed = docking.memory_verdict(_memory_numbers(long_simulated=0.43))
    assert "passes its test" in passed
    failed = docking.memory_verdict(_memory_numbers(long_simulated=0.21))
    assert "fails its test" in failed and "the retainer pressure" in failed
    unclaimed = _memory_numbers(long_simulated=0.21)
    unclaimed.set(f"{BASE}.learned_minus_mean_field", _est(0.19, 0.5))  # no gap at default memory
    assert "nothing is tested" in docking.memory_verdict(unclaimed)


@pytest.fixture(scope="module")
def per_appointment() -> Scenario:
    return Scenario.from_dict({"contract.preset": "per_appointment", "switches.burn": False})


def test_simulated_learners_are_a_function_of_their_seed(per_appointment: Scenario) -> None:
    first = simulate_learners(per_appointment, 0.9, 5, learners=10, weeks=60, last=13)
    assert first == simulate_learners(per_appointment, 0.9, 5, learners=10, weeks=60, last=13)
    assert first != simulate_learners(per_appointment, 0.9, 6, learners=10, weeks=60, last=13)


def test_simulated_learners_find_a_decisive_rest_point(per_appointment: Scenario) -> None:
    """Threshold under per-appointment pay pays far better at its lowest level: noise or not,
    the learners end within 0.02 of the rest point there (and their levels stay on the grid)."""
    rest = roth_erev_mean_field(per_appointment, skill=0.9).mean["threshold"]
    for noise in (True, False):
        levels = simulate_learners(per_appointment, 0.9, 3, learners=200, weeks=260, last=13,
                                   noise=noise)
        assert abs(levels["threshold"] - rest) < 0.02
        assert 200 <= levels["effort"] <= 400 and 0 <= levels["pressure"] <= 1


def _full_numbers(full_residual: float, without_turnover: float) -> Numbers:
    n = Numbers("docking", scale="paper")
    for world, residual in (("full", full_residual), (docking.NO_TURNOVER, without_turnover)):
        base = f"{world}.per_appointment.effort"
        n.set(f"{base}.learned", _est(307.0, 3.0))
        n.set(f"{base}.mean_field", _est(368.0, 0.0))
        n.set(f"{base}.simulated", _est(307.0 - residual, 3.0))
        n.set(f"{base}.learned_minus_simulated", _est(residual, 7.0))
    return n


def test_turnover_is_named_only_when_switching_it_off_closes_the_rest_of_the_gap() -> None:
    named = docking.turnover_text(_full_numbers(-38.5, 7.4), "per_appointment", "effort")
    assert "comes with turnover" in named
    unnamed = docking.turnover_text(_full_numbers(-38.5, -30.0), "per_appointment", "effort")
    assert "Turnover does not account" in unnamed and "not explained here" in unnamed
    noise = docking.turnover_text(_full_numbers(-2.0, 1.0), "per_appointment", "effort")
    assert "noise of learning accounts for the gap" in noise
    assert "comes with turnover" not in noise and "Turnover does not" not in noise
