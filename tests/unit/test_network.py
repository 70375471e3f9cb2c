"""The industry network: the fast Watts–Strogatz builder gives networkx's graph, edge for edge."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sales_abm.market import Market, edges_to_csr, industry_network, watts_strogatz_edges
from sales_abm.scenario import Scenario


def edge_set(u, v):
    return {(min(a, b), max(a, b)) for a, b in zip(u.tolist(), v.tolist(), strict=True)}


@pytest.mark.parametrize(
    ("n", "k", "p", "seed"),
    [(10, 4, 0.1, 1), (50, 4, 0.5, 3), (7, 6, 0.9, 2), (9, 4, 1.0, 5), (5, 4, 1.0, 1),
     (6, 4, 1.0, 9), (1025, 5, 0.7, 3), (300, 8, 0.3, 2), (100, 4, 0.0, 1), (3000, 10, 1.0, 4),
     (20000, 4, 0.1, 11)],
)
def test_same_edges_as_networkx(n, k, p, seed):
    want = {tuple(sorted(e)) for e in nx.watts_strogatz_graph(n, k, p, seed=seed).edges()}
    u, v = watts_strogatz_edges(n, k, p, seed)
    assert u.size == len(want)  # no duplicate edges
    assert edge_set(u, v) == want


def test_degenerate_networks_are_empty():
    for n, k in [(4, 4), (10, 1), (10, 0)]:
        u, _ = watts_strogatz_edges(n, k, 0.3, 1)
        assert u.size == 0
        assert industry_network(n, k, 0.3, 1).number_of_edges() == 0


def test_market_graph_is_built_lazily_from_the_csr_arrays():
    sc = Scenario.from_dict({"prospects": 500, "reps": 2})
    m = Market(sc.market, sc.switches, 500, 2, np.random.default_rng(1))
    assert m._graph is None
    g = m.graph
    assert g.number_of_nodes() == 500
    assert g.number_of_edges() == m.indices.size // 2
    for node in (0, 17, 499):
        assert sorted(g[node]) == sorted(m.indices[m.indptr[node]:m.indptr[node + 1]].tolist())
    assert m.graph is g


def test_csr_of_edges_lists_each_edge_both_ways():
    indptr, indices = edges_to_csr(4, np.array([0, 1]), np.array([1, 3]))
    assert indptr.tolist() == [0, 1, 3, 3, 4]
    assert sorted(indices[indptr[1]:indptr[2]].tolist()) == [0, 3]
