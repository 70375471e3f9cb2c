"""Factory, parameter table, argument checking and the two-player harness."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_abm.learning import RULE_PARAMETERS, RULES, Learner, make_learner, play
from sales_abm.learning.base import sample_rows
from sales_abm.learning.games import PRISONERS_DILEMMA, shift_nonnegative

from .strategies import LearnerSpec, learner_specs

EXPECTED_RULES = {
    "roth_erev",
    "modified_roth_erev",
    "ewa",
    "fictitious_play",
    "smooth_fictitious_play",
    "imitate_best",
    "fermi",
    "replicator",
}


def test_registry_lists_every_rule() -> None:
    assert set(RULES) == EXPECTED_RULES == set(RULE_PARAMETERS)


@pytest.mark.parametrize("rule", sorted(EXPECTED_RULES))
def test_parameter_table_is_consistent(rule: str) -> None:
    for name, spec in RULE_PARAMETERS[rule].items():
        assert spec.low <= spec.default <= spec.high, name
        assert spec.doc, name
    learner = make_learner(rule, 3, 2, graph=nx.complete_graph(3))
    assert isinstance(learner, Learner)
    assert learner.params == {name: spec.default for name, spec in RULE_PARAMETERS[rule].items()}


def test_unknown_rule_names_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"allowed: .*roth_erev"):
        make_learner("q_learning", 2, 2)


def test_unknown_parameter_names_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"\['recency'\].*allowed: .*forgetting"):
        make_learner("roth_erev", 2, 2, {"recency": 0.1})


@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan")])
def test_out_of_range_parameter_names_param_and_range(value: float) -> None:
    with pytest.raises(ValueError, match=r"'forgetting'.*\[0.0, 1.0\]"):
        make_learner("roth_erev", 2, 2, {"forgetting": value})


def test_non_graph_rules_ignore_a_graph() -> None:
    learner = make_learner("ewa", 2, 2, graph=nx.path_graph(2))
    assert learner.n_learners == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"actions": np.array([0, 2])}, "actions must lie"),
        ({"actions": np.array([0.0, 1.0])}, "integer array"),
        ({"payoffs": np.array([1.0, np.nan])}, "payoffs"),
        ({"foregone": np.zeros((2, 3))}, "foregone"),
        ({"active": np.array([True])}, "active"),
        ({"active": np.array([0, 1])}, "active"),
    ],
)
def test_update_rejects_bad_arguments(kwargs: dict, match: str) -> None:
    args = {"actions": np.array([0, 1]), "payoffs": np.zeros(2), "foregone": None, "active": None}
    with pytest.raises(ValueError, match=match):
        make_learner("roth_erev", 2, 2).update(**(args | kwargs))


@pytest.mark.parametrize("rule", ["fictitious_play", "smooth_fictitious_play", "replicator"])
def test_belief_rules_need_foregone(rule: str) -> None:
    assert make_learner(rule, 1, 2).needs_foregone
    with pytest.raises(ValueError, match="needs foregone"):
        make_learner(rule, 1, 2).update(np.array([0]), np.array([1.0]))


def test_reset_accepts_a_boolean_mask() -> None:
    learner = make_learner("roth_erev", 3, 2)
    learner.update(np.array([0, 0, 0]), np.ones(3))
    learner.reset(np.array([False, True, False]))
    np.testing.assert_allclose(learner.probabilities()[1], [0.5, 0.5])
    assert learner.probabilities()[0, 0] > 0.5


@given(st.integers(0, 2**32 - 1))
def test_sampling_never_picks_zero_probability_actions(seed: int) -> None:
    probs = np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    draws = sample_rows(np.repeat(probs, 50, axis=0), np.random.default_rng(seed))
    chosen = np.repeat(probs, 50, axis=0)[np.arange(200), draws]
    assert np.all(chosen > 0.0)


def test_sampling_frequencies_match_probabilities() -> None:
    probs = np.tile([0.1, 0.6, 0.3], (200_000, 1))
    counts = np.bincount(sample_rows(probs, np.random.default_rng(1)), minlength=3)
    np.testing.assert_allclose(counts / 200_000, [0.1, 0.6, 0.3], atol=0.005)


@given(learner_specs(max_actions=2), st.integers(0, 2**32 - 1))
def test_play_is_deterministic_per_seed(spec: LearnerSpec, seed: int) -> None:
    payoff_row, payoff_col = (shift_nonnegative(x) for x in PRISONERS_DILEMMA)
    spec = LearnerSpec(spec.rule, spec.n_learners, 2, spec.params, spec.graph)
    runs = []
    for _ in range(2):
        row, col = spec.build(), spec.build()
        record = play(row, col, payoff_row, payoff_col, 5, np.random.default_rng(seed))
        runs.append((record, row.state(), col.state()))
    (rec_a, row_a, col_a), (rec_b, row_b, col_b) = runs
    np.testing.assert_array_equal(rec_a.actions, rec_b.actions)
    np.testing.assert_array_equal(rec_a.payoffs, rec_b.payoffs)
    np.testing.assert_equal(row_a, row_b)
    np.testing.assert_equal(col_a, col_b)


def test_play_passes_foregone_payoffs() -> None:
    row, col = make_learner("fictitious_play", 1, 2), make_learner("fictitious_play", 1, 2)
    record = play(row, col, *PRISONERS_DILEMMA, rounds=3, rng=np.random.default_rng(0))
    # Defection is a best response to anything, so both defect once they have seen one round.
    np.testing.assert_array_equal(record.actions[1:], 1)
    assert record.frequencies(0, 2).shape == (3, 1, 2)
    with pytest.raises(ValueError, match="shape"):
        play(row, make_learner("ewa", 1, 3), *PRISONERS_DILEMMA, 1, np.random.default_rng(0))
