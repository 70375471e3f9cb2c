"""Hypothesis strategies for scenarios, contracts and learning rules, public so extensions can
property-test too.

Example:
    >>> from hypothesis import given
    >>> from sales_abm.testing import scenarios, learner_specs
    >>> @given(scenarios())
    ... def test_my_extension(scenario): ...
    >>> @given(learner_specs())
    ... def test_my_rule_property(spec): ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sales_abm.learning import RULE_PARAMETERS, RULES, Learner, make_learner
from sales_abm.scenario import (
    OFFICE_NETWORKS,
    OUTSOURCER_RULES,
    PAY_ON,
    PRESETS,
    Scenario,
    Switches,
)

__all__ = [
    "GRAPH_RULES",
    "SWITCHES",
    "LearnerSpec",
    "Outlook",
    "RidgeSystem",
    "Round",
    "contract_terms",
    "feed",
    "graphs",
    "learner_specs",
    "learning_overrides",
    "outlooks",
    "payoff_values",
    "ridge_systems",
    "rounds",
    "rule_params",
    "scenarios",
    "switches",
]

SWITCHES = tuple(Switches.__dataclass_fields__)

#: Rules that read the peer network.
GRAPH_RULES = tuple(sorted(name for name, cls in RULES.items() if cls.uses_graph))

payoff_values = st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False)


# -- scenarios ------------------------------------------------------------------------------------


def contract_terms(prefix: str = "contract") -> st.SearchStrategy[dict[str, Any]]:
    """Dotted overrides for a client contract (``prefix='contract'``) or a pay plan ('pay')."""
    money = "fixed_fee" if prefix == "contract" else "base_salary"
    price = "price_per_appointment" if prefix == "contract" else "bonus_per_appointment"
    return st.fixed_dictionaries({
        f"{prefix}.{money}": st.floats(0, 12000),
        f"{prefix}.{price}": st.floats(0, 1500),
        f"{prefix}.pay_on": st.sampled_from(PAY_ON),
        f"{prefix}.commission": st.floats(0, 0.5),
        f"{prefix}.audit_rate": st.floats(0, 1),
        f"{prefix}.clawback": st.floats(0, 3),
    })


def switches() -> st.SearchStrategy[dict[str, bool]]:
    """Any combination of mechanism switches."""
    return st.fixed_dictionaries({f"switches.{name}": st.booleans() for name in SWITCHES})


@st.composite
def learning_overrides(draw: st.DrawFn) -> dict[str, Any]:
    """Dotted overrides for the learning section: any rule, office network and parameters.

    The rule's parameters are drawn from their whole admissible ranges, half of the time.
    """
    rule = draw(st.sampled_from(sorted(RULES)))
    overrides: dict[str, Any] = {
        "learning.rule": rule,
        "learning.outsourcer_rule": draw(st.sampled_from(OUTSOURCER_RULES)),
        "learning.rep_cadence_weeks": draw(st.integers(1, 6)),
        "learning.successor_habits": draw(st.booleans()),
        "rep.office_network": draw(st.sampled_from(OFFICE_NETWORKS)),
        "rep.office_degree": draw(st.integers(0, 8)),
    }
    if draw(st.booleans()):
        params = draw(rule_params(rule))
        overrides.update({f"learning.{name}": value for name, value in params.items()})
    return overrides


@st.composite
def scenarios(draw: st.DrawFn, max_reps: int = 6, max_prospects: int = 3000,
              max_weeks: int = 40) -> Scenario:
    """Small, valid scenarios: any preset, contract, pay plan, switches, market stress and
    learning rule.

    Sizes stay small so that a property test can run the model many times.
    """
    overrides: dict[str, Any] = {
        "contract.preset": draw(st.sampled_from(sorted(PRESETS))),
        "reps": draw(st.integers(1, max_reps)),
        "prospects": draw(st.integers(50, max_prospects)),
        "weeks": draw(st.integers(1, max_weeks)),
        "seed": draw(st.integers(0, 2**32)),
    }
    if draw(st.booleans()):
        overrides.update(draw(contract_terms("contract")))
    if draw(st.booleans()):
        overrides.update(draw(contract_terms("pay")))
    overrides.update(draw(switches()))
    overrides.update({
        "market.agree_base": draw(st.floats(0, 1)),
        "market.connect_scale": draw(st.floats(0, 1)),
        "market.burn_probability": draw(st.floats(0, 1)),
        "market.cycle_min_weeks": draw(st.integers(1, 4)),
        "market.cycle_max_weeks": draw(st.integers(4, 12)),
        "client.ae_capacity": draw(st.floats(0, 8)),
        "client.triage_noise": draw(st.floats(0, 1)),
        "market.turnover_rate": draw(st.floats(0, 0.2)),
        "market.propensity_initial": draw(st.floats(0.01, 1)),
        "market.experience_rate": draw(st.floats(0, 1)),
        "market.pressure_learning": draw(st.floats(0, 1)),
        "market.social_learning": draw(st.floats(0, 1)),
        "market.forgetting": draw(st.floats(0, 1)),
        "client.min_roi": draw(st.floats(-1, 3)),
        "contract.minimum_term": draw(st.floats(0, 6)),
        "contract.notice_period": draw(st.floats(0, 2)),
    })
    overrides.update(draw(learning_overrides()))
    return Scenario.from_dict(overrides)


# -- learning rules -------------------------------------------------------------------------------


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


# -- training valuation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outlook:
    """What a training appraisal depends on: the scenario's skill and training keys, the value of
    skill ``b`` and of a call ``a`` (per hundred calls), and the learned hazards."""

    scenario: Scenario
    skill_value: float
    call_value: float
    renewal: float
    weekly_quit: float
    calls: float
    guaranteed_weeks: float
    first_review: int


@st.composite
def outlooks(draw: st.DrawFn, skill_value: st.SearchStrategy[float] | None = None) -> Outlook:
    """Any training appraisal's inputs (``skill_value`` >= 0 unless a strategy is given)."""
    scenario = Scenario.from_dict({
        "rep.skill_initial": draw(st.floats(0, 1)),
        "rep.training_gain": draw(st.floats(0, 1)),
        "rep.tenure_learning": draw(st.floats(0, 0.2)),
        "outsourcer.ramp_weeks": draw(st.integers(1, 26)),
        "outsourcer.horizon_weeks": draw(st.integers(1, 260)),
        "outsourcer.discount_rate": draw(st.floats(0, 1)),
        "outsourcer.training_capacity_loss": draw(st.floats(0, 1)),
        "outsourcer.training_cost": draw(st.floats(0, 50000)),
        "client.review_weeks": draw(st.integers(1, 26)),
    })
    return Outlook(
        scenario,
        draw(skill_value if skill_value is not None else st.floats(0, 5000)),
        draw(st.floats(-2000, 2000)),
        draw(st.floats(0, 1)),
        draw(st.floats(0, 0.2)),
        draw(st.floats(0, 600)),
        draw(st.floats(0, 300)),
        draw(st.integers(0, 25)),
    )


@dataclass(frozen=True)
class RidgeSystem:
    """A skill-value fit's week (:class:`sales_abm.training.SkillValueEstimate`): its moments
    (``xtx`` positive semi-definite), its ridge, and a week of design rows ``x`` with their
    contributions ``y`` to fold in with ``memory``."""

    xtx: np.ndarray
    xty: np.ndarray
    ridge: float
    memory: float
    x: np.ndarray
    y: np.ndarray


def _design_rows(draw: st.DrawFn, rows: int, near_collinear: bool) -> np.ndarray:
    """Rows ``[1, n, n·threshold, n·pressure, n·u, n·gap]``-like: an intercept and five terms
    (nearly collinear: the last is the one before it times a factor, plus a trace of another)."""
    x = draw(hnp.arrays(np.float64, (rows, 6), elements=st.floats(-10, 10)))
    x[:, 0] = 1.0
    if near_collinear:
        x[:, 5] = x[:, 4] * draw(st.floats(-2, 2)) + x[:, 3] * draw(st.floats(0, 1e-6))
    return x


@st.composite
def ridge_systems(draw: st.DrawFn) -> RidgeSystem:
    """Any fit's moments and week: exponentially weighted cross products of design-like rows,
    well conditioned or nearly collinear (then only the ridge, down to 1e-6, keeps the system
    away from singular; with no rows at all it is the ridge alone, the intercept's 1e-9
    included), scaled up to the weight of an industry's books."""
    near = draw(st.booleans())
    past = _design_rows(draw, draw(st.integers(0, 40)), near)
    weights = draw(hnp.arrays(np.float64, past.shape[0], elements=st.floats(0, 1)))
    scale = draw(st.sampled_from([1.0, 1e3, 1e6]))
    xtx = (past * (weights * scale)[:, None]).T @ past
    # no subnormal amounts (books in USD never are): below 2.2e-308 rounding is absolute, and
    # no solver meets a relative error bound there
    xty = draw(hnp.arrays(np.float64, 6, elements=st.floats(-1e5, 1e5, allow_subnormal=False)))
    ridge = 10.0 ** draw(st.floats(-6, 2))
    week = _design_rows(draw, draw(st.integers(0, 25)), near)
    y = draw(hnp.arrays(np.float64, week.shape[0],
                        elements=st.floats(-1e4, 1e4, allow_subnormal=False)))
    return RidgeSystem(xtx, xty, ridge, draw(st.floats(0.5, 1.0)), week, y)
