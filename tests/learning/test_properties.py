"""Properties every rule must have, checked on random rules, parameters and histories."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sales_abm.learning import Learner, RothErev

from .strategies import LearnerSpec, Round, feed, learner_specs, rounds


def assert_on_simplex(probs: np.ndarray, n: int, m: int) -> None:
    assert probs.shape == (n, m)
    assert np.all(np.isfinite(probs))
    assert np.all(probs >= 0.0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=0, atol=1e-9)


@st.composite
def spec_and_history(draw: st.DrawFn, **kwargs) -> tuple[LearnerSpec, list[Round]]:
    spec = draw(learner_specs(**kwargs))
    return spec, draw(rounds(spec.n_learners, spec.n_actions))


@given(spec_and_history())
def test_probabilities_stay_on_simplex(case: tuple[LearnerSpec, list[Round]]) -> None:
    spec, history = case
    learner = spec.build()
    assert isinstance(learner, Learner)
    assert_on_simplex(learner.probabilities(), spec.n_learners, spec.n_actions)
    for r in history:
        learner.update(r.actions, r.payoffs, r.foregone, r.active)
        assert_on_simplex(learner.probabilities(), spec.n_learners, spec.n_actions)


@given(spec_and_history(rules=st.sampled_from(["roth_erev", "modified_roth_erev"])))
def test_propensities_stay_positive(case: tuple[LearnerSpec, list[Round]]) -> None:
    spec, history = case
    learner = spec.build()
    assert isinstance(learner, RothErev)
    for r in history:
        learner.update(r.actions, r.payoffs, r.foregone, r.active)
        q = learner.state()["propensities"]
        assert np.all(q > 0.0) and np.all(np.isfinite(q))


@given(spec_and_history())
def test_inactive_rows_untouched(case: tuple[LearnerSpec, list[Round]]) -> None:
    spec, history = case
    learner = spec.build()
    feed(learner, history[:-1])
    before = learner.state()
    last = history[-1]
    learner.update(last.actions, last.payoffs, last.foregone, last.active)
    after = learner.state()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key][~last.active], value[~last.active])


@given(spec_and_history(), st.data())
def test_relabelling_actions_permutes_outputs(
    case: tuple[LearnerSpec, list[Round]], data: st.DataObject
) -> None:
    spec, history = case
    perm = np.array(data.draw(st.permutations(range(spec.n_actions))), dtype=np.int64)
    relabelled = []
    for r in history:
        foregone = np.empty_like(r.foregone)
        foregone[:, perm] = r.foregone
        relabelled.append(Round(perm[r.actions], r.payoffs, foregone, r.active))
    original, permuted = spec.build(), spec.build()
    feed(original, history)
    feed(permuted, relabelled)
    np.testing.assert_allclose(
        permuted.probabilities()[:, perm], original.probabilities(), rtol=1e-9, atol=1e-12
    )


@given(spec_and_history(), st.data())
def test_storage_order_of_learners_is_irrelevant(
    case: tuple[LearnerSpec, list[Round]], data: st.DataObject
) -> None:
    spec, history = case
    n = spec.n_learners
    perm = np.array(data.draw(st.permutations(range(n))), dtype=np.int64)

    def move(x: np.ndarray) -> np.ndarray:
        # Old row i becomes new row perm[i].
        out = np.empty_like(x)
        out[perm] = x
        return out

    graph = None if spec.graph is None else nx.relabel_nodes(spec.graph, dict(enumerate(perm)))
    moved = LearnerSpec(spec.rule, n, spec.n_actions, spec.params, graph)
    relabelled = [
        Round(*(move(x) for x in (r.actions, r.payoffs, r.foregone, r.active))) for r in history
    ]
    original, permuted = spec.build(), moved.build()
    feed(original, history)
    feed(permuted, relabelled)
    np.testing.assert_allclose(
        permuted.probabilities()[perm], original.probabilities(), rtol=1e-9, atol=1e-12
    )


@given(spec_and_history(), st.integers(0, 2**32 - 1))
def test_choose_is_one_draw_per_row_and_deterministic(
    case: tuple[LearnerSpec, list[Round]], seed: int
) -> None:
    spec, history = case
    learner = spec.build()
    feed(learner, history)
    rng = np.random.default_rng(seed)
    first = learner.choose(rng)
    reference = np.random.default_rng(seed)
    reference.random(spec.n_learners)
    # The generator advanced by exactly one uniform per row.
    assert rng.random() == reference.random()
    again = learner.choose(np.random.default_rng(seed))
    np.testing.assert_array_equal(first, again)
    assert first.dtype == np.int64 and first.shape == (spec.n_learners,)
    probs = learner.probabilities()
    assert np.all(probs[np.arange(spec.n_learners), first] > 0.0)


@given(spec_and_history(), st.data())
def test_reset_restores_initial_rows(
    case: tuple[LearnerSpec, list[Round]], data: st.DataObject
) -> None:
    spec, history = case
    rows = np.array(data.draw(st.lists(st.integers(0, spec.n_learners - 1))), dtype=np.int64)
    learner, fresh = spec.build(), spec.build()
    feed(learner, history)
    trained = learner.state()
    learner.reset(rows)
    kept = np.ones(spec.n_learners, dtype=bool)
    kept[rows] = False
    for key, value in learner.state().items():
        np.testing.assert_array_equal(value[rows], fresh.state()[key][rows])
        np.testing.assert_array_equal(value[kept], trained[key][kept])


@given(learner_specs())
def test_state_is_a_copy(spec: LearnerSpec) -> None:
    learner = spec.build()
    snapshot = learner.state()
    for value in snapshot.values():
        value[...] = -1
    np.testing.assert_equal(learner.state(), spec.build().state())
