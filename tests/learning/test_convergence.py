"""A strictly dominant action takes over in a stationary environment.

Each action ``a`` pays a fixed ``v[a]`` with a unique best. Which rules reach probability 1, and
under which parameters, follows from the rule:

* Roth–Erev (eps = 0) and modified Roth–Erev (eps / (M - 1) < phi) when dominated actions pay 0:
  only the best action is reinforced. With forgetting and positive dominated payoffs they can
  lock in on a dominated action (see :func:`test_roth_erev_with_forgetting_can_lock_in`); with
  eps > 0 basic Roth–Erev leaves probability eps on the others.
* EWA with accumulating attractions (phi = 1, rho = 0) and delta * v[best] above every other
  payoff: otherwise a row that keeps playing a dominated action reinforces it faster than the
  best one and locks in. Logit rules with bounded attractions tend to ``softmax(lambda * v)``
  instead, so smooth fictitious play needs lambda * gap large.
* Classic fictitious play and the replicator learner.
* Imitation without mutation on a connected network, once somebody plays the best action.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sales_abm.learning import Learner, make_learner

N_ROWS = 12
REGIMES: dict[str, dict[str, float]] = {
    "roth_erev": {"forgetting": 0.2, "experimentation": 0.0},
    "modified_roth_erev": {"forgetting": 0.3, "experimentation": 0.1},
    "ewa": {"phi": 1.0, "rho": 0.0, "delta": 0.9, "lambda": 5.0},
    "fictitious_play": {},
    "smooth_fictitious_play": {"lambda": 100.0},
    "replicator": {"dt": 0.9},
    "imitate_best": {"mutation": 0.0},
    "fermi": {"K": 0.01, "mutation": 0.0},
}


@st.composite
def environments(draw: st.DrawFn, dominated_pay_zero: bool) -> tuple[np.ndarray, int]:
    """Stationary payoffs in [0, 1] with a unique best action at least 0.2 ahead."""
    m = draw(st.integers(2, 4))
    best = draw(st.integers(0, m - 1))
    if dominated_pay_zero:
        v = np.zeros(m)
    else:
        v = draw(hnp.arrays(np.float64, m, elements=st.floats(0.0, 0.8)))
    v[best] = 1.0
    return v, best


def run(learner: Learner, v: np.ndarray, rounds: int, rng: np.random.Generator) -> None:
    foregone = np.tile(v, (learner.n_learners, 1))
    for _ in range(rounds):
        actions = learner.choose(rng)
        learner.update(actions, v[actions], foregone=foregone)


@pytest.mark.parametrize("rule", sorted(REGIMES))
@given(st.data(), st.integers(0, 2**32 - 1))
def test_dominant_action_takes_over(rule: str, data: st.DataObject, seed: int) -> None:
    v, best = data.draw(environments(dominated_pay_zero=rule.endswith("roth_erev")))
    params = REGIMES[rule]
    graph = nx.cycle_graph(N_ROWS)
    learner = make_learner(rule, N_ROWS, len(v), params, graph=graph)
    rng = np.random.default_rng(seed)
    # Opening round in which row 0 plays the best action, so imitators have a model.
    opening = rng.integers(0, len(v), N_ROWS)
    opening[0] = best
    learner.update(opening, v[opening], foregone=np.tile(v, (N_ROWS, 1)))
    run(learner, v, 40, rng)
    p_best = learner.probabilities()[:, best]
    assert p_best.min() > 0.99


def test_roth_erev_without_forgetting_converges_slowly() -> None:
    """Urn case (phi = eps = 0): p(best) -> 1 (Beggs 2005), but only at a power rate."""
    rng = np.random.default_rng(0)
    v = np.array([1.0, 0.5, 0.0])
    learner = make_learner("roth_erev", 200, 3, {"forgetting": 0.0, "experimentation": 0.0})
    run(learner, v, 200, rng)
    early = learner.probabilities()[:, 0].mean()
    run(learner, v, 1800, rng)
    late = learner.probabilities()[:, 0].mean()
    assert 0.8 < early < late and late > 0.9


def test_roth_erev_with_forgetting_can_lock_in() -> None:
    """With forgetting, a row that keeps playing a well-paid dominated action can lock in."""
    rng = np.random.default_rng(0)
    v = np.array([1.0, 0.8, 0.8])
    learner = make_learner("roth_erev", 200, 3, {"experimentation": 0.0})
    run(learner, v, 1000, rng)
    assert np.any(learner.probabilities()[:, 0] < 1e-6)


def test_ewa_with_partial_foregone_weight_can_lock_in() -> None:
    """delta * v[best] < v[other]: a row stuck on the other action never leaves it."""
    learner = make_learner("ewa", 1, 2, {"delta": 0.5, "phi": 1.0, "rho": 0.0})
    v = np.array([1.0, 0.75])
    for _ in range(100):
        learner.update(np.array([1]), v[[1]], foregone=v[None, :])
    assert learner.probabilities()[0, 0] < 1e-9


def test_roth_erev_defaults_keep_experimenting() -> None:
    """At Erev–Roth defaults (eps = 0.2) p(best) settles near 1 - eps even if others pay 0."""
    rng = np.random.default_rng(0)
    learner = make_learner("roth_erev", 50, 3)
    run(learner, np.array([1.0, 0.0, 0.0]), 300, rng)
    np.testing.assert_allclose(learner.probabilities()[:, 0], 0.8, atol=1e-6)
