"""Replicator dynamics: Nash equilibria are rest points; dominated strategies vanish."""

from __future__ import annotations

import warnings

import nashpy
import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sales_abm.learning import (
    ReplicatorDynamics,
    ReplicatorLearner,
    replicator_step,
    replicator_velocity,
)

matrices = st.integers(2, 4).flatmap(
    lambda m: hnp.arrays(np.float64, (m, m), elements=st.integers(-5, 5).map(float))
)


@st.composite
def interior_points(draw: st.DrawFn, m: int) -> np.ndarray:
    weights = draw(hnp.arrays(np.float64, m, elements=st.floats(0.05, 1.0)))
    return weights / weights.sum()


def symmetric_equilibria(A: np.ndarray) -> list[np.ndarray]:
    """Symmetric Nash equilibria of the symmetric game (A, A') found by support enumeration."""
    with warnings.catch_warnings():
        # nashpy warns on degenerate games; the equilibria it does return are still equilibria.
        warnings.simplefilter("ignore")
        found = list(nashpy.Game(A, A.T).support_enumeration())
    return [x for x, y in found if np.allclose(x, y)]


@given(matrices)
def test_nash_equilibria_are_rest_points(A: np.ndarray) -> None:
    equilibria = symmetric_equilibria(A)
    assume(equilibria)
    for x in equilibria:
        np.testing.assert_allclose(replicator_velocity(x, A), 0.0, atol=1e-9)
        np.testing.assert_allclose(replicator_step(x, A, 0.1), x, atol=1e-9)


@given(matrices, st.data())
def test_strictly_dominated_strategy_vanishes(A: np.ndarray, data: st.DataObject) -> None:
    m = A.shape[0]
    bad, good = data.draw(st.permutations(range(m)))[:2]
    gaps = data.draw(hnp.arrays(np.float64, m, elements=st.floats(0.5, 3.0)))
    A = A.copy()
    A[bad] = A[good] - gaps
    x0 = data.draw(interior_points(m))
    # With dt * payoff range <= 1/2 every Euler factor 1 + dt (f_i - mean f) lies in [1/2, 3/2],
    # so log(x_bad / x_good) falls by at least dt * min(gaps) / 1.5 per step. x0 has shares in
    # [0.05, 1] before normalising, so x_bad / x_good starts below 20: ``steps`` guarantees 1e-4.
    dt = 0.5 / np.ptp(A)
    steps = int(np.ceil(1.5 * np.log(20 / 1e-4) / (dt * gaps.min())))
    path = ReplicatorDynamics(A, dt=dt).trajectory(x0, steps)
    np.testing.assert_allclose(path.sum(axis=1), 1.0, atol=1e-9)
    assert np.all(path >= 0.0)
    assert path[-1, bad] < 1e-4
    assert np.all(np.diff(np.log(path[:, bad] / path[:, good])) < 0.0)


def test_batch_step_matches_single_steps() -> None:
    A = np.array([[0.0, 2.0], [1.0, 0.0]])
    xs = np.array([[0.2, 0.8], [0.7, 0.3]])
    np.testing.assert_allclose(
        replicator_step(xs, A, 0.1), [replicator_step(x, A, 0.1) for x in xs]
    )


def test_hawk_dove_converges_to_mixed_equilibrium() -> None:
    # Hawk-dove with V = 2, C = 4: the interior ESS plays hawk with probability V / C.
    A = np.array([[-1.0, 2.0], [0.0, 1.0]])
    x = ReplicatorDynamics(A, dt=0.1).trajectory(np.array([0.9, 0.1]), 500)[-1]
    np.testing.assert_allclose(x, [0.5, 0.5], atol=1e-6)


def test_learner_form_follows_the_payoff_vector() -> None:
    learner = ReplicatorLearner(1, 2, {"dt": 0.5})
    learner.update(np.array([0]), np.array([1.0]), foregone=np.array([[0.0, 0.0]]))
    # Mean payoff 0.5; x0 = 0.5 + 0.5 * 0.5 * (1 - 0.5).
    np.testing.assert_allclose(learner.probabilities(), [[0.625, 0.375]])
