"""Rule registry: :data:`RULES`, :data:`RULE_PARAMETERS` and the :func:`make_learner` factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sales_abm.learning.base import BaseLearner, Learner, ParamSpec
from sales_abm.learning.ewa import EWA
from sales_abm.learning.fictitious_play import FictitiousPlay, SmoothFictitiousPlay
from sales_abm.learning.imitation import Fermi, ImitateBest
from sales_abm.learning.replicator import ReplicatorLearner
from sales_abm.learning.roth_erev import ModifiedRothErev, RothErev

if TYPE_CHECKING:
    import networkx

#: Learner class per rule name.
RULES: dict[str, type[BaseLearner]] = {
    cls.rule: cls
    for cls in (
        RothErev,
        ModifiedRothErev,
        EWA,
        FictitiousPlay,
        SmoothFictitiousPlay,
        ImitateBest,
        Fermi,
        ReplicatorLearner,
    )
}

#: Per rule, every tunable parameter as ``ParamSpec(default, low, high, doc)`` (closed range).
RULE_PARAMETERS: dict[str, dict[str, ParamSpec]] = {
    name: dict(cls.PARAMETERS) for name, cls in RULES.items()
}


def make_learner(
    rule: str,
    n_learners: int,
    n_actions: int,
    params: Mapping[str, float] | None = None,
    graph: networkx.Graph | None = None,
) -> Learner:
    """Build a learner by rule name.

    Args:
        rule: One of :data:`RULES`.
        n_learners: Number of independent rows.
        n_actions: Number of actions per row.
        params: Rule parameters (see :data:`RULE_PARAMETERS`); missing ones take defaults.
        graph: Peer network with nodes ``0..n_learners-1``; required by imitation rules and
            ignored by the others, so callers can pass it unconditionally.

    Returns:
        A fresh learner with every row at its initial state.

    Raises:
        ValueError: On an unknown rule, an unknown parameter or an out-of-range value.
    """
    try:
        cls = RULES[rule]
    except KeyError:
        raise ValueError(f"unknown learning rule {rule!r}; allowed: {sorted(RULES)}") from None
    if cls.uses_graph:
        return cls(n_learners, n_actions, params, graph=graph)
    return cls(n_learners, n_actions, params)
