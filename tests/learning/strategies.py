"""Hypothesis strategies for learning rules: re-exported from the public ``sales_abm.testing``."""

from sales_abm.testing import (
    GRAPH_RULES,
    LearnerSpec,
    Round,
    feed,
    graphs,
    learner_specs,
    payoff_values,
    rounds,
    rule_params,
)

__all__ = [
    "GRAPH_RULES",
    "LearnerSpec",
    "Round",
    "feed",
    "graphs",
    "learner_specs",
    "payoff_values",
    "rounds",
    "rule_params",
]
