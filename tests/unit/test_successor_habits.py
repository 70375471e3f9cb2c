"""``learning.successor_habits``: when the client replaces the outsourcer, the successor's first
hires keep the learner state the dismissed reps left in their slots; later hires, and every hire
with the switch off, start from the rule's prior (docs/model.md 7.9)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_abm.agents import SalesForce
from sales_abm.learning import RULES, make_learner
from sales_abm.model import SalesModel, run
from sales_abm.scenario import Scenario
from sales_abm.strategy import STRATEGY_DIMENSIONS

SMALL = {"reps": 6, "prospects": 2000, "weeks": 40}
#: A client that is never satisfied and may end the contract at every review.
FIRING = {"contract.preset": "per_appointment", "client.min_roi": 100.0,
          "contract.minimum_term": 0.0}

State = dict[str, dict[str, np.ndarray]]


def states(force: SalesForce) -> State:
    """Copies of every dimension's learner state."""
    return {dim: force.learners[dim].state() for dim in STRATEGY_DIMENSIONS}


def prior(force: SalesForce) -> dict[str, dict[str, np.ndarray]]:
    """One row of each dimension's learner state at the rule's prior."""
    sc = force.config
    out = {}
    for dim in STRATEGY_DIMENSIONS:
        fresh = make_learner(sc.learning.rule, sc.reps, force.levels[dim].size,
                             sc.learning.rule_params(), force.office)
        out[dim] = {name: value[0] for name, value in fresh.state().items()}
    return out


def rows_equal(state: State, rows: np.ndarray, want: State, want_rows: np.ndarray | None) -> bool:
    """Whether ``state``'s rows equal ``want``'s (its same rows, or the single prior row)."""
    for dim, arrays in state.items():
        for name, value in arrays.items():
            expected = want[dim][name] if want_rows is None else want[dim][name][want_rows]
            if not np.array_equal(value[rows], np.broadcast_to(expected, value[rows].shape)):
                return False
    return True


def learned_force(rule: str, successor_habits: bool = True) -> SalesForce:
    """A full sales force whose learners have moved off their prior (random payoffs)."""
    sc = Scenario.from_dict({**SMALL, "learning.rule": rule,
                             "learning.successor_habits": successor_habits})
    force = SalesForce(sc)
    n = sc.reps
    force.hire(np.arange(n), 0, np.zeros(n, dtype=bool))
    rng = np.random.default_rng(5)
    for _ in range(6):
        force.choose(np.arange(n), rng)
        payoff = rng.uniform(0.0, 2.0, n)
        foregone = {dim: rng.uniform(0.0, 2.0, (n, force.levels[dim].size))
                    for dim in STRATEGY_DIMENSIONS}
        force._update_learners(force.action, payoff, foregone, np.ones(n, dtype=bool))
    return force


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_successors_first_hires_keep_the_dismissed_reps_learners(rule):
    force = learned_force(rule)
    n = force.hire_id.size
    before = states(force)
    assert not rows_equal(before, np.arange(n), prior(force), None)  # there is something to keep
    slots = np.arange(n)
    force.vacate(slots)
    force.hand_over(slots)
    force.hire(slots, n, np.zeros(n, dtype=bool))
    assert rows_equal(states(force), slots, before, slots)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_ordinary_hires_and_hires_with_the_switch_off_start_from_the_prior(rule):
    for habits in (True, False):
        force = learned_force(rule, successor_habits=habits)
        n = force.hire_id.size
        before = states(force)
        quit_, stay = np.array([1, 4]), np.array([0, 2, 3, 5])
        force.vacate(quit_)  # a quit: nothing handed over
        force.hire(quit_, n, np.zeros(2, dtype=bool))
        assert rows_equal(states(force), quit_, prior(force), None)
        assert rows_equal(states(force), stay, before, stay)
        if not habits:  # a replacement with the switch off
            force.vacate(np.arange(n))
            force.hand_over(np.arange(n))
            force.hire(np.arange(n), 2 * n, np.zeros(n, dtype=bool))
            assert rows_equal(states(force), np.arange(n), prior(force), None)


@settings(max_examples=40, deadline=None)
@given(rule=st.sampled_from(sorted(RULES)),
       fate=st.lists(st.sampled_from(["stays", "quits", "handed over"]), min_size=6, max_size=6))
def test_exactly_the_handed_over_slots_keep_their_rows(rule, fate):
    """Whatever mix of slots stays, quits or is handed over, a hire keeps its slot's learner
    rows exactly when the slot was handed over; the others start from the prior."""
    force = learned_force(rule)
    before = states(force)
    fate = np.array(fate)
    handed, quit_ = np.flatnonzero(fate == "handed over"), np.flatnonzero(fate == "quits")
    stay, vacated = np.flatnonzero(fate == "stays"), np.flatnonzero(fate != "stays")
    force.vacate(vacated)
    force.hand_over(handed)
    force.hire(vacated, force.hire_id.size, np.zeros(vacated.size, dtype=bool))
    assert rows_equal(states(force), handed, before, handed)
    assert rows_equal(states(force), stay, before, stay)
    assert rows_equal(states(force), quit_, prior(force), None)


def test_a_handed_over_slot_passes_its_habits_on_once():
    force = learned_force("roth_erev")
    n = force.hire_id.size
    before = states(force)
    force.vacate(np.arange(n))
    force.hand_over(np.arange(n))
    force.hire(np.arange(n), n, np.zeros(n, dtype=bool))
    force.vacate(np.array([0]))  # that hire quits: its replacement starts afresh
    force.hire(np.array([0]), 2 * n, np.zeros(1, dtype=bool))
    assert rows_equal(states(force), np.array([0]), prior(force), None)
    assert rows_equal(states(force), np.arange(1, n), before, np.arange(1, n))


def hires_after_replacements(habits: bool, rule: str = "roth_erev") -> list[tuple[bool, bool]]:
    """Run a firing client's model; for each week with hires, (whether the contract changed
    hands last week, whether each hire's learner rows are right: the dismissed rep's rows for a
    slot the replacement emptied when ``habits``, else the prior's)."""
    sc = Scenario.from_dict({**SMALL, **FIRING, "learning.rule": rule,
                             "learning.successor_habits": habits})
    model = SalesModel(sc, 1)
    force = model.sales_force
    dismissed: list[np.ndarray] = []
    checks: list[tuple[bool, bool]] = []
    replace, hire = model._replace_outsourcer, force.hire

    def replace_spy() -> None:
        dismissed.append(np.flatnonzero(force.employed))
        replace()

    def hire_spy(rows: np.ndarray, first_id: int, train: np.ndarray) -> None:
        left = states(force)
        handed = dismissed.pop() if dismissed else np.empty(0, dtype=np.int64)
        hire(rows, first_id, train)
        kept = np.intersect1d(rows, handed) if habits else np.empty(0, dtype=np.int64)
        fresh = np.setdiff1d(rows, kept)
        ok = rows_equal(states(force), kept, left, kept) and rows_equal(
            states(force), fresh, prior(force), None)
        checks.append((handed.size > 0, ok))

    model._replace_outsourcer = replace_spy  # type: ignore[method-assign]
    force.hire = hire_spy  # type: ignore[method-assign]
    model.run_model()
    return checks


@pytest.mark.parametrize("habits", [True, False])
def test_in_the_model_only_a_replacements_hires_inherit(habits):
    checks = hires_after_replacements(habits)
    replaced = [ok for was_replaced, ok in checks if was_replaced]
    ordinary = [ok for was_replaced, ok in checks[1:] if not was_replaced]
    assert len(replaced) >= 2 and ordinary  # the run has both kinds of hire
    assert all(ok for _, ok in checks)


def test_without_a_successor_the_switch_changes_nothing():
    base = {**SMALL, "contract.preset": "per_appointment", "switches.termination": False}
    on = run(Scenario.from_dict({**base, "learning.successor_habits": True}), 2)
    off = run(Scenario.from_dict({**base, "learning.successor_habits": False}), 2)
    assert on.weekly.equals(off.weekly) and on.cohorts.equals(off.cohorts)


def test_with_successors_the_switch_acts():
    on = run(Scenario.from_dict({**SMALL, **FIRING, "learning.successor_habits": True}), 1)
    off = run(Scenario.from_dict({**SMALL, **FIRING, "learning.successor_habits": False}), 1)
    assert on.summary["contract_replacements"] >= 2
    assert not on.weekly.equals(off.weekly)
