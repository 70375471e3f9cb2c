"""Learner metadata: every rule declares it, and what it declares is what its update does."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_abm.learning import METADATA, RULES, BaseLearner, make_learner
from sales_abm.learning.registry import _declared

from .strategies import LearnerSpec, learner_specs, rounds

N, M = 4, 3
ACTIONS = np.array([0, 1, 2, 0])
PAYOFFS = np.array([1.0, 0.5, 2.0, 0.2])


def _learner(rule: str):
    return make_learner(rule, N, M, graph=nx.complete_graph(N))


def _state_after(rule: str, foregone: np.ndarray | None) -> dict[str, np.ndarray]:
    learner = _learner(rule)
    learner.update(ACTIONS, PAYOFFS, foregone)
    return learner.state()


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_declares_its_metadata_in_its_own_classes(rule: str) -> None:
    cls = RULES[rule]
    meta = cls.metadata()
    assert set(meta) == set(METADATA)
    for key, kind in METADATA.items():
        assert isinstance(meta[key], kind), key
        # declared by the rule or a family base of it, not inherited from BaseLearner
        owner = next(c for c in cls.__mro__ if key in vars(c))
        assert owner is not BaseLearner and issubclass(owner, BaseLearner), key
    assert meta["name"] == rule
    assert meta["display_name"].strip()


def test_display_names_are_distinct() -> None:
    names = [cls.display_name for cls in RULES.values()]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_needs_foregone_is_whether_update_refuses_to_go_without(rule: str) -> None:
    if RULES[rule].needs_foregone:
        with pytest.raises(ValueError, match="needs foregone payoffs"):
            _learner(rule).update(ACTIONS, PAYOFFS, None)
    else:
        _learner(rule).update(ACTIONS, PAYOFFS, None)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_uses_foregone_is_whether_foregone_payoffs_change_the_update(rule: str) -> None:
    """At default parameters: two estimates that differ off the played actions move a rule that
    uses them to different states, and leave one that does not where no estimate leaves it."""
    low = np.zeros((N, M))
    high = np.full((N, M), 3.0)
    moved = not _same(_state_after(rule, low), _state_after(rule, high))
    assert moved == RULES[rule].uses_foregone
    if not RULES[rule].needs_foregone:
        ignored = _same(_state_after(rule, None), _state_after(rule, high))
        assert ignored != RULES[rule].uses_foregone


ignoring = sorted(rule for rule, cls in RULES.items() if not cls.uses_foregone)


@given(learner_specs(rules=st.sampled_from(ignoring)), st.data())
def test_rules_that_do_not_use_foregone_payoffs_ignore_any(spec: LearnerSpec, data) -> None:
    history = data.draw(rounds(spec.n_learners, spec.n_actions))
    without, with_ = spec.build(), spec.build()
    for r in history:
        without.update(r.actions, r.payoffs, None, r.active)
        with_.update(r.actions, r.payoffs, r.foregone, r.active)
    assert _same(without.state(), with_.state())


@pytest.mark.parametrize("rule", sorted(RULES))
def test_uses_graph_is_whether_the_constructor_needs_a_peer_graph(rule: str) -> None:
    if RULES[rule].uses_graph:
        with pytest.raises(ValueError, match="needs a graph"):
            make_learner(rule, N, M)
    else:
        make_learner(rule, N, M)


def test_a_rule_missing_metadata_is_refused_at_registration() -> None:
    class Undeclared(BaseLearner):
        name = "undeclared"
        display_name = "undeclared"
        needs_foregone = False
        uses_graph = False

    with pytest.raises(TypeError, match="Undeclared must declare uses_foregone"):
        _declared(Undeclared)

    class Contradictory(Undeclared):
        needs_foregone = True
        uses_foregone = False

    with pytest.raises(TypeError, match="needs foregone payoffs, so it uses them"):
        _declared(Contradictory)
