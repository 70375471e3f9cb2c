"""Roth–Erev updates against hand computation (Erev & Roth 1998; Nicolaisen et al. 2001)."""

from __future__ import annotations

import numpy as np
import pytest

from sales_abm.learning import PROPENSITY_FLOOR, ModifiedRothErev, RothErev


def test_initial_propensities_split_total_strength() -> None:
    learner = RothErev(2, 3, {"initial_propensity": 9.0})
    np.testing.assert_array_equal(learner.state()["propensities"], np.full((2, 3), 3.0))
    np.testing.assert_allclose(learner.probabilities(), np.full((2, 3), 1 / 3))


def test_basic_update_by_hand() -> None:
    learner = RothErev(1, 3, {"forgetting": 0.1, "experimentation": 0.2, "initial_propensity": 9})
    learner.update(np.array([1]), np.array([2.0]))
    # q = 0.9 * 3 + E, E = (0.2 * 2 / 2, 0.8 * 2, 0.2 * 2 / 2).
    np.testing.assert_allclose(learner.state()["propensities"], [[2.9, 4.3, 2.9]])
    np.testing.assert_allclose(learner.probabilities(), [[2.9, 4.3, 2.9]] / np.float64(10.1))


def test_modified_update_by_hand() -> None:
    learner = ModifiedRothErev(
        1, 3, {"forgetting": 0.1, "experimentation": 0.2, "initial_propensity": 9}
    )
    learner.update(np.array([1]), np.array([0.0]))
    # Unchosen: 0.9 * 3 + 3 * 0.2 / 2 = 3.0; chosen: 0.9 * 3 + 0 = 2.7. Zero payoff still moves p.
    np.testing.assert_allclose(learner.state()["propensities"], [[3.0, 2.7, 3.0]])


def test_negative_payoffs_are_clipped() -> None:
    clipped, zero = RothErev(1, 2), RothErev(1, 2)
    clipped.update(np.array([0]), np.array([-5.0]))
    zero.update(np.array([0]), np.array([0.0]))
    np.testing.assert_array_equal(clipped.state()["propensities"], zero.state()["propensities"])


def test_total_forgetting_with_zero_payoff_keeps_propensities_positive() -> None:
    learner = RothErev(1, 2, {"forgetting": 1.0})
    learner.update(np.array([0]), np.array([0.0]))
    np.testing.assert_array_equal(learner.state()["propensities"], [[PROPENSITY_FLOOR] * 2])
    np.testing.assert_allclose(learner.probabilities(), [[0.5, 0.5]])


@pytest.mark.parametrize("cls", [RothErev, ModifiedRothErev])
def test_single_action_gets_whole_payoff(cls: type[RothErev]) -> None:
    learner = cls(1, 1, {"forgetting": 0.0, "initial_propensity": 1.0})
    learner.update(np.array([0]), np.array([2.0]))
    np.testing.assert_allclose(learner.state()["propensities"], [[3.0]])


def test_modified_unchosen_growth_factor() -> None:
    # Documented caveat: unchosen propensities scale by 1 - phi + eps / (M - 1) per round.
    learner = ModifiedRothErev(1, 2, {"forgetting": 0.1, "experimentation": 0.2})
    q0 = learner.state()["propensities"][0, 1]
    for _ in range(5):
        learner.update(np.array([0]), np.array([1.0]))
    assert learner.state()["propensities"][0, 1] == pytest.approx(q0 * 1.1**5)
