"""Imitation of peers on a network: imitate-the-best and the Fermi rule.

All rows revise at once (synchronous update) from the whole population's last actions and
payoffs. Imitation is random (ties, the Fermi coin), but :meth:`Learner.update` gets no
generator, so ``update`` computes each row's exact distribution over its next action and
:meth:`Learner.choose` samples it. Mutation (probability ``mu``, uniformly random action) is
blended in by :meth:`probabilities`::

    p = (1 - mu) * imitation_distribution + mu / M

A row that has not played yet (start, or after :meth:`reset`) has a uniform distribution.

References:
    Nowak, M. A. & May, R. M. (1992). Evolutionary games and spatial chaos. *Nature* 359,
    826–829 (imitate the best-paid in the neighbourhood).
    Szabó, G. & Tőke, C. (1998). Evolutionary prisoner's dilemma game on a square lattice.
    *Physical Review E* 58, 69–73 (Fermi rule, noise K = 0.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from sales_abm.learning.base import BaseLearner, ParamSpec

if TYPE_CHECKING:
    import networkx

_MUTATION = ParamSpec(
    0.01,
    0.0,
    1.0,
    "mu: probability of playing a uniformly random action instead of the imitated one.",
)


class _Imitation(BaseLearner):
    """Shared graph handling and state for imitation rules.

    Args:
        n_learners: Number of rows; must equal the number of graph nodes.
        n_actions: Number of actions.
        params: Rule parameters.
        graph: networkx graph with nodes ``0..n_learners-1``. Row ``i`` observes its neighbours
            (successors if directed). Self-loops and parallel edges are ignored.

    Raises:
        ValueError: If the graph is missing or its nodes are not ``0..n_learners-1``.
    """

    needs_foregone = False
    uses_foregone = False  # peers' realised payoffs, never an estimate
    uses_graph = True

    def __init__(
        self,
        n_learners: int,
        n_actions: int,
        params: Mapping[str, float] | None = None,
        graph: networkx.Graph | None = None,
    ) -> None:
        super().__init__(n_learners, n_actions, params)
        if graph is None or set(graph.nodes) != set(range(self.n_learners)):
            raise ValueError(
                f"rule {self.name!r} needs a graph with nodes 0..{self.n_learners - 1}"
            )
        edges = np.array([(u, v) for u, v in graph.edges() if u != v], dtype=np.int64)
        edges = edges.reshape(-1, 2)
        if not graph.is_directed():
            edges = np.concatenate([edges, edges[:, ::-1]])
        # Sorted unique (observer, model) pairs: the edge list of a CSR adjacency matrix.
        edges = np.unique(edges, axis=0)
        self.observer, self.model = edges[:, 0], edges[:, 1]
        self.degree = np.bincount(self.observer, minlength=self.n_learners)
        self.imitation = np.empty((self.n_learners, self.n_actions))
        self.reset(np.ones(self.n_learners, dtype=bool))

    def probabilities(self) -> np.ndarray:
        """Imitation distribution blended with uniform mutation."""
        mu = self.params["mutation"]
        return (1.0 - mu) * self.imitation + mu / self.n_actions

    def reset(self, rows: np.ndarray) -> None:
        """Give ``rows`` a uniform next-action distribution (no action to keep yet)."""
        self.imitation[self._row_mask(rows)] = 1.0 / self.n_actions

    def state(self) -> dict[str, np.ndarray]:
        """``{"imitation": (n, M)}``: next-action distribution before mutation."""
        return {"imitation": self.imitation.copy()}

    def _update(
        self,
        actions: np.ndarray,
        payoffs: np.ndarray,
        foregone: np.ndarray | None,
        active: np.ndarray,
    ) -> None:
        self.imitation[active] = self._next_distribution(actions, payoffs)[active]

    def _next_distribution(self, actions: np.ndarray, payoffs: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class ImitateBest(_Imitation):
    """Imitate the best-paid neighbour (Nowak & May 1992).

    A row keeps its action unless some neighbour was paid strictly more; then it adopts the
    action of a best-paid neighbour, chosen uniformly among tied ones. Rows without
    neighbours keep their action.
    """

    name = "imitate_best"
    display_name = "imitate the best"
    PARAMETERS: Mapping[str, ParamSpec] = {"mutation": _MUTATION}

    def _next_distribution(self, actions: np.ndarray, payoffs: np.ndarray) -> np.ndarray:
        n, m = self.n_learners, self.n_actions
        model_pay = payoffs[self.model]
        best = np.full(n, -np.inf)
        np.maximum.at(best, self.observer, model_pay)
        switch = best > payoffs
        dist = np.zeros((n, m))
        dist[np.arange(n), actions] = 1.0
        tied = switch[self.observer] & (model_pay == best[self.observer])
        counts = np.zeros((n, m))
        np.add.at(counts, (self.observer[tied], actions[self.model[tied]]), 1.0)
        dist[switch] = counts[switch] / counts[switch].sum(axis=1, keepdims=True)
        return dist


class Fermi(_Imitation):
    """Fermi pairwise comparison (Szabó & Tőke 1998).

    A row picks a neighbour ``j`` uniformly at random and adopts its action with probability
    ``1 / (1 + exp(-(pi_j - pi_i) / K))``; otherwise it keeps its own. Rows without neighbours
    keep their action.
    """

    name = "fermi"
    display_name = "Fermi"
    PARAMETERS: Mapping[str, ParamSpec] = {
        "K": ParamSpec(
            0.1, 1e-9, 1e9, "Selection noise in payoff units (Szabó & Tőke 1998: K = 0.1)."
        ),
        "mutation": _MUTATION,
    }

    def _next_distribution(self, actions: np.ndarray, payoffs: np.ndarray) -> np.ndarray:
        n, m = self.n_learners, self.n_actions
        gap = (payoffs[self.model] - payoffs[self.observer]) / self.params["K"]
        # Logistic via tanh: no overflow for large payoff gaps.
        adopt = 0.5 * (1.0 + np.tanh(0.5 * gap)) / self.degree[self.observer]
        dist = np.zeros((n, m))
        np.add.at(dist, (self.observer, actions[self.model]), adopt)
        stay = 1.0 - np.bincount(self.observer, weights=adopt, minlength=n)
        dist[np.arange(n), actions] += stay
        return dist
