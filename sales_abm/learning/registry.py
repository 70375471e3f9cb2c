"""Rule registry: :data:`RULES`, :data:`RULE_PARAMETERS` and the :func:`make_learner` factory.

Adding a rule: write its class (metadata and ``PARAMETERS`` as class attributes, see
:class:`~sales_abm.learning.BaseLearner`) and list it here. Experiments name the rules they run
(``experiments/robustness.py``), so a new rule adds no arm to an existing experiment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sales_abm.learning.base import METADATA, BaseLearner, Learner, ParamSpec
from sales_abm.learning.ewa import EWA
from sales_abm.learning.fictitious_play import FictitiousPlay, SmoothFictitiousPlay
from sales_abm.learning.imitation import Fermi, ImitateBest
from sales_abm.learning.replicator import ReplicatorLearner
from sales_abm.learning.roth_erev import ModifiedRothErev, RothErev

if TYPE_CHECKING:
    import networkx


def _declared(cls: type[BaseLearner]) -> type[BaseLearner]:
    """``cls``, once it is checked to declare every metadata attribute with the right type.

    Raises:
        TypeError: Naming the rule class and the attribute missing or of the wrong type.
    """
    for key, kind in METADATA.items():
        value = getattr(cls, key, None)
        if not isinstance(value, kind):
            raise TypeError(f"learning rule {cls.__name__} must declare {key} ({kind.__name__})")
    if cls.needs_foregone and not cls.uses_foregone:
        raise TypeError(f"learning rule {cls.__name__} needs foregone payoffs, so it uses them")
    return cls


#: Learner class per rule name.
RULES: dict[str, type[BaseLearner]] = {
    cls.name: cls
    for cls in map(
        _declared,
        (
            RothErev,
            ModifiedRothErev,
            EWA,
            FictitiousPlay,
            SmoothFictitiousPlay,
            ImitateBest,
            Fermi,
            ReplicatorLearner,
        ),
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
