"""Imitation rules on small hand-checked networks (Nowak & May 1992; Szabó & Tőke 1998)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sales_abm.learning import Fermi, ImitateBest, make_learner


def star_plus_isolated() -> nx.Graph:
    """Node 0 linked to 1, 2, 3; node 4 alone."""
    graph = nx.star_graph(3)
    graph.add_node(4)
    return graph


def test_imitate_best_by_hand() -> None:
    learner = ImitateBest(5, 3, {"mutation": 0.0}, graph=star_plus_isolated())
    actions = np.array([0, 1, 2, 1, 0])
    payoffs = np.array([1.0, 5.0, 2.0, 5.0, -9.0])
    learner.update(actions, payoffs)
    expected = np.array(
        [
            [0.0, 1.0, 0.0],  # best neighbours 1 and 3 both play action 1
            [0.0, 1.0, 0.0],  # neighbour 0 is worse: keep
            [0.0, 0.0, 1.0],  # neighbour 0 is worse: keep
            [0.0, 1.0, 0.0],  # neighbour 0 is worse: keep
            [1.0, 0.0, 0.0],  # isolated: keep
        ]
    )
    np.testing.assert_array_equal(learner.probabilities(), expected)


def test_imitate_best_splits_ties_between_actions() -> None:
    learner = ImitateBest(3, 3, {"mutation": 0.0}, graph=nx.star_graph(2))
    learner.update(np.array([0, 1, 2]), np.array([0.0, 3.0, 3.0]))
    np.testing.assert_array_equal(learner.probabilities()[0], [0.0, 0.5, 0.5])


def test_fermi_by_hand() -> None:
    k = 0.5
    learner = Fermi(5, 3, {"K": k, "mutation": 0.0}, graph=star_plus_isolated())
    actions = np.array([0, 1, 2, 1, 0])
    payoffs = np.array([1.0, 2.0, 0.0, 1.0, 7.0])
    learner.update(actions, payoffs)

    def fermi(gain: float) -> float:
        return 1.0 / (1.0 + np.exp(-gain / k))

    to_1 = (fermi(1.0) + fermi(0.0)) / 3  # neighbours 1 and 3 play action 1
    to_2 = fermi(-1.0) / 3
    np.testing.assert_allclose(learner.probabilities()[0], [1 - to_1 - to_2, to_1, to_2])
    np.testing.assert_allclose(learner.probabilities()[1], [fermi(-1.0), 1 - fermi(-1.0), 0.0])
    np.testing.assert_allclose(learner.probabilities()[4], [1.0, 0.0, 0.0])


def test_fermi_is_finite_for_huge_payoff_gaps() -> None:
    learner = Fermi(2, 2, {"K": 1e-9, "mutation": 0.0}, graph=nx.path_graph(2))
    learner.update(np.array([0, 1]), np.array([0.0, 1e6]))
    np.testing.assert_array_equal(learner.probabilities(), [[0.0, 1.0], [0.0, 1.0]])


@pytest.mark.parametrize("rule", ["imitate_best", "fermi"])
def test_mutation_blends_in_uniform(rule: str) -> None:
    learner = make_learner(rule, 2, 4, {"mutation": 0.2}, graph=nx.empty_graph(2))
    learner.update(np.array([3, 0]), np.array([1.0, 1.0]))
    np.testing.assert_allclose(
        learner.probabilities(), [[0.05, 0.05, 0.05, 0.85], [0.85, 0.05, 0.05, 0.05]]
    )


def test_directed_graph_observes_successors() -> None:
    graph = nx.DiGraph([(0, 1)])
    learner = ImitateBest(2, 2, {"mutation": 0.0}, graph=graph)
    learner.update(np.array([0, 1]), np.array([0.0, 1.0]))
    np.testing.assert_array_equal(learner.probabilities(), [[0.0, 1.0], [0.0, 1.0]])
    learner.update(np.array([1, 0]), np.array([2.0, 1.0]))
    # Node 1 has no successor, so it keeps its action even when node 0 earns more.
    np.testing.assert_array_equal(learner.probabilities(), [[0.0, 1.0], [1.0, 0.0]])


@pytest.mark.parametrize(
    "graph", [None, nx.path_graph(3), nx.relabel_nodes(nx.path_graph(2), {0: 1, 1: 2})]
)
def test_graph_must_have_nodes_zero_to_n_minus_one(graph: nx.Graph | None) -> None:
    with pytest.raises(ValueError, match="needs a graph"):
        make_learner("fermi", 2, 2, graph=graph)
