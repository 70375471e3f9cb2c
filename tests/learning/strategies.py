"""Hypothesis strategies for learning rules (to move into the public ``sales_abm.testing``)."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sales_abm.learning import RULE_PARAMETERS, RULES, Learner, make_learner

#: Rules that read the peer network.
GRAPH_RULES = tuple(sorted(name for name, cls in RULES.items() if cls.uses_graph))

payoff_values = st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False)


@dataclass(frozen=True)
class LearnerSpec:
    """Everything needed to build a learner (again): rule, sizes, parameters, network."""

    rule: str
    n_learners: int
    n_actions: int
    params: dict[str, float]
    graph: nx.Graph | None

    def build(self) -> Learner:
        """A fresh learner from this spec."""
        return make_learner(self.rule, self.n_learners, self.n_actions, self.params, self.graph)


@dataclass(frozen=True)
class Round:
    """One round of learner input."""

    actions: np.ndarray
    payoffs: np.ndarray
    foregone: np.ndarray
    active: np.ndarray


@st.composite
def rule_params(draw: st.DrawFn, rule: str) -> dict[str, float]:
    """A subset of the rule's parameters, each anywhere in its admissible range."""
    spec = RULE_PARAMETERS[rule]
    names = draw(st.sets(st.sampled_from(sorted(spec))))
    return {
        name: draw(st.floats(spec[name].low, spec[name].high, allow_nan=False))
        for name in sorted(names)
    }


@st.composite
def graphs(draw: st.DrawFn, n: int) -> nx.Graph:
    """Undirected graph on nodes ``0..n-1``; may be disconnected and have isolated nodes."""
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    if n > 1:
        pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
        graph.add_edges_from((u, v) for u, v in draw(st.lists(pairs, max_size=3 * n)) if u != v)
    return graph


@st.composite
def learner_specs(
    draw: st.DrawFn,
    rules: st.SearchStrategy[str] | None = None,
    max_learners: int = 6,
    max_actions: int = 4,
) -> LearnerSpec:
    """A learner spec: any registered rule (or from ``rules``), random sizes and parameters."""
    rule = draw(rules if rules is not None else st.sampled_from(sorted(RULES)))
    n = draw(st.integers(1, max_learners))
    m = draw(st.integers(1, max_actions))
    graph = draw(graphs(n)) if rule in GRAPH_RULES else None
    return LearnerSpec(rule, n, m, draw(rule_params(rule)), graph)


@st.composite
def rounds(draw: st.DrawFn, n: int, m: int, max_rounds: int = 6) -> list[Round]:
    """A short history of inputs for ``n`` learners with ``m`` actions."""
    count = draw(st.integers(1, max_rounds))
    return [
        Round(
            draw(hnp.arrays(np.int64, n, elements=st.integers(0, m - 1))),
            draw(hnp.arrays(np.float64, n, elements=payoff_values)),
            draw(hnp.arrays(np.float64, (n, m), elements=payoff_values)),
            draw(hnp.arrays(bool, n)),
        )
        for _ in range(count)
    ]


def feed(learner: Learner, history: list[Round]) -> None:
    """Apply every round of ``history`` to ``learner``."""
    for r in history:
        learner.update(r.actions, r.payoffs, r.foregone, r.active)
