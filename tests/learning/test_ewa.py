"""EWA (Camerer & Ho 1999): hand computation and its special cases as standalone rules."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sales_abm.learning import EWA, FictitiousPlay, RothErev, SmoothFictitiousPlay

from .strategies import Round, feed, rounds

unit = st.floats(0.0, 1.0)
sizes = st.tuples(st.integers(1, 5), st.integers(1, 4))


@st.composite
def history_for(draw: st.DrawFn) -> tuple[int, int, list[Round]]:
    n, m = draw(sizes)
    return n, m, draw(rounds(n, m))


def test_update_by_hand() -> None:
    ewa = EWA(
        1,
        2,
        {
            "delta": 0.5,
            "phi": 0.9,
            "rho": 0.9,
            "lambda": 2.0,
            "initial_attraction": 1.0,
            "initial_experience": 1.0,
        },
    )
    ewa.update(np.array([0]), np.array([3.0]), foregone=np.array([[99.0, 4.0]]))
    # N = 0.9 + 1; A0 = (0.9 * 1 * 1 + 1 * 3) / 1.9 (realised payoff, not foregone[0]);
    # A1 = (0.9 + 0.5 * 4) / 1.9.
    np.testing.assert_allclose(ewa.state()["experience"], [1.9])
    np.testing.assert_allclose(ewa.state()["attractions"], [[3.9 / 1.9, 2.9 / 1.9]])
    expected = np.exp(2 * np.array([3.9, 2.9]) / 1.9)
    np.testing.assert_allclose(ewa.probabilities(), [expected / expected.sum()])


def test_without_foregone_only_the_chosen_action_is_reinforced() -> None:
    ewa = EWA(1, 2, {"delta": 0.7, "phi": 0.5, "rho": 0.0, "initial_attraction": 2.0})
    ewa.update(np.array([1]), np.array([3.0]))
    np.testing.assert_allclose(ewa.state()["attractions"], [[1.0, 4.0]])


def test_softmax_is_stable_for_huge_attractions() -> None:
    ewa = EWA(1, 2, {"lambda": 1e6, "initial_attraction": 1e9})
    ewa.update(np.array([0]), np.array([1e9]), foregone=np.array([[0.0, -1e9]]))
    np.testing.assert_array_equal(ewa.probabilities(), [[1.0, 0.0]])


@given(history_for(), unit, st.floats(1e-3, 100.0))
def test_delta0_rho0_is_cumulative_reinforcement(
    case: tuple[int, int, list[Round]], phi: float, a0: float
) -> None:
    """EWA attractions equal Roth–Erev propensities with eps = 0 and forgetting 1 - phi."""
    n, m, history = case
    ewa = EWA(
        n,
        m,
        {"delta": 0.0, "rho": 0.0, "phi": phi, "initial_attraction": a0, "initial_experience": 1.0},
    )
    re = RothErev(
        n, m, {"forgetting": 1.0 - phi, "experimentation": 0.0, "initial_propensity": a0 * m}
    )
    # Roth–Erev needs non-negative payoffs and positive propensities; feed both the same.
    history = [Round(r.actions, np.abs(r.payoffs), r.foregone, r.active) for r in history]
    feed(ewa, history)
    feed(re, history)
    np.testing.assert_allclose(
        ewa.state()["attractions"], re.state()["propensities"], rtol=1e-9, atol=1e-9
    )


@given(history_for(), unit, st.floats(0.0, 10.0), st.floats(-10.0, 10.0), st.floats(0.0, 50.0))
def test_delta1_rho_phi_is_weighted_fictitious_play(
    case: tuple[int, int, list[Round]], phi: float, n0: float, a0: float, lam: float
) -> None:
    n, m, history = case
    shared = {"initial_value": a0, "initial_weight": n0, "memory": phi}
    ewa = EWA(
        n,
        m,
        {
            "delta": 1.0,
            "rho": phi,
            "phi": phi,
            "lambda": lam,
            "initial_attraction": a0,
            "initial_experience": n0,
        },
    )
    fp = FictitiousPlay(n, m, shared)
    sfp = SmoothFictitiousPlay(n, m, {**shared, "lambda": lam})
    for learner in (ewa, fp, sfp):
        feed(learner, history)
    np.testing.assert_allclose(
        ewa.state()["attractions"], fp.state()["values"], rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(ewa.state()["experience"], fp.state()["weight"], rtol=1e-12)
    np.testing.assert_allclose(ewa.probabilities(), sfp.probabilities(), rtol=1e-7, atol=1e-9)
