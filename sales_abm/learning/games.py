"""Two-player harness: two learners play a bimatrix game for a number of rounds.

Row ``i`` of the first learner plays row ``i`` of the second, so a learner with ``n`` rows runs
``n`` independent matches at once (imitation rules instead let the rows of one side copy each
other). Each side receives its realised payoff and the foregone payoff of every own action
against the opponent's actual action.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sales_abm.learning.base import Learner

#: Matching pennies (zero-sum); unique equilibrium (1/2, 1/2) for both players.
MATCHING_PENNIES = (
    np.array([[1.0, -1.0], [-1.0, 1.0]]),
    np.array([[-1.0, 1.0], [1.0, -1.0]]),
)

#: Shapley's (1964) 3x3 game, in the form of Fudenberg & Levine (1998, sec. 2.5). Unique
#: equilibrium is uniform for both players, but fictitious play cycles with growing run lengths.
SHAPLEY = (
    np.eye(3),
    np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]),
)

#: Prisoner's dilemma (action 0 cooperate, 1 defect); defection strictly dominates.
PRISONERS_DILEMMA = (
    np.array([[3.0, 0.0], [5.0, 1.0]]),
    np.array([[3.0, 5.0], [0.0, 1.0]]),
)


@dataclass(frozen=True)
class PlayRecord:
    """History of a repeated game.

    Attributes:
        actions: int64, shape ``(rounds, 2, n)``: actions of both sides each round.
        payoffs: float, shape ``(rounds, 2, n)``: realised payoffs of both sides.
    """

    actions: np.ndarray
    payoffs: np.ndarray

    def frequencies(self, side: int, n_actions: int) -> np.ndarray:
        """Running empirical action frequencies of ``side``, shape ``(rounds, n, n_actions)``."""
        onehot = np.eye(n_actions)[self.actions[:, side]]
        counts = np.cumsum(onehot, axis=0)
        return counts / np.arange(1, counts.shape[0] + 1)[:, None, None]


def shift_nonnegative(payoff: np.ndarray) -> np.ndarray:
    """Subtract the minimum so every entry is >= 0, as reinforcement rules require."""
    payoff = np.asarray(payoff, dtype=np.float64)
    return payoff - payoff.min()


def play(
    row: Learner,
    col: Learner,
    payoff_row: np.ndarray,
    payoff_col: np.ndarray,
    rounds: int,
    rng: np.random.Generator,
) -> PlayRecord:
    """Play ``rounds`` of a bimatrix game and let both sides learn after every round.

    Args:
        row: Row player's learner, ``payoff_row.shape[0]`` actions.
        col: Column player's learner, ``payoff_row.shape[1]`` actions, same ``n_learners``.
        payoff_row: ``(M_row, M_col)`` payoffs of the row player.
        payoff_col: ``(M_row, M_col)`` payoffs of the column player.
        rounds: Number of rounds.
        rng: Only source of randomness (row chooses first, then column, each round).

    Returns:
        The history of actions and payoffs.
    """
    a_mat = np.asarray(payoff_row, dtype=np.float64)
    b_mat = np.asarray(payoff_col, dtype=np.float64)
    if a_mat.shape != b_mat.shape or a_mat.shape != (row.n_actions, col.n_actions):
        raise ValueError("payoff matrices must both have shape (row.n_actions, col.n_actions)")
    if row.n_learners != col.n_learners:
        raise ValueError("both sides need the same number of rows")
    actions = np.empty((rounds, 2, row.n_learners), dtype=np.int64)
    payoffs = np.empty((rounds, 2, row.n_learners))
    for t in range(rounds):
        a, b = row.choose(rng), col.choose(rng)
        actions[t] = a, b
        payoffs[t] = a_mat[a, b], b_mat[a, b]
        row.update(a, payoffs[t, 0], foregone=a_mat[:, b].T)
        col.update(b, payoffs[t, 1], foregone=b_mat[a, :])
    return PlayRecord(actions, payoffs)
