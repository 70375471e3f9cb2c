"""Fictitious play in classic games (Brown 1951; Robinson 1951; Shapley 1964)."""

from __future__ import annotations

import numpy as np
import pytest

from sales_abm.learning import FictitiousPlay, Learner, make_learner, play
from sales_abm.learning.games import MATCHING_PENNIES, SHAPLEY


def random_prior(learner: Learner, rng: np.random.Generator) -> None:
    """One fictitious observation per row so the rows start from different beliefs."""
    n, m = learner.n_learners, learner.n_actions
    foregone = rng.random((n, m))
    actions = np.zeros(n, dtype=np.int64)
    learner.update(actions, foregone[:, 0], foregone=foregone)


def test_ties_are_uniform_and_best_response_is_pure() -> None:
    fp = FictitiousPlay(2, 3)
    np.testing.assert_allclose(fp.probabilities(), np.full((2, 3), 1 / 3))
    fp.update(
        np.array([0, 1]),
        np.array([1.0, 0.0]),
        foregone=np.array([[1.0, 1.0, 0.0], [2.0, 0.0, 1.0]]),
    )
    # Row 1 played action 1 and got 0, its foregone estimate there is replaced by the realised 0.
    np.testing.assert_allclose(fp.probabilities(), [[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]])


@pytest.mark.parametrize("rule", ["fictitious_play", "smooth_fictitious_play"])
@pytest.mark.parametrize("seed", [0, 1])
def test_matching_pennies_time_average_is_half(rule: str, seed: int) -> None:
    """Robinson (1951): in zero-sum games the empirical frequencies converge to equilibrium."""
    rng = np.random.default_rng(seed)
    row, col = make_learner(rule, 16, 2), make_learner(rule, 16, 2)
    random_prior(row, rng)
    random_prior(col, rng)
    record = play(row, col, *MATCHING_PENNIES, rounds=3000, rng=rng)
    for side in (0, 1):
        final = record.frequencies(side, 2)[-1]
        np.testing.assert_allclose(final, 0.5, atol=0.03)


def test_shapley_game_cycles() -> None:
    """Shapley (1964): play cycles through the actions with geometrically growing run lengths,
    so the empirical frequencies keep oscillating instead of converging to (1/3, 1/3, 1/3)."""
    rng = np.random.default_rng(3)
    row, col = make_learner("fictitious_play", 8, 3), make_learner("fictitious_play", 8, 3)
    random_prior(row, rng)
    random_prior(col, rng)
    record = play(row, col, *SHAPLEY, rounds=6000, rng=rng)
    for i in range(8):
        played = record.actions[:, 0, i]
        switches = np.flatnonzero(np.diff(played))
        runs = np.diff(switches)[-4:]
        assert len(runs) == 4 and np.all(runs[1:] > 1.5 * runs[:-1]), runs
        # Cyclic order (after a transient): each switch moves on along the best-response cycle.
        steps = (played[switches + 1] - played[switches]) % 3
        assert np.all(steps[-6:] == steps[-1])
        late = record.frequencies(0, 3)[3000:, i, 0]
        assert late.max() - late.min() > 0.1
