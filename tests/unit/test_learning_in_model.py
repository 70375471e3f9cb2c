"""Every learning rule inside the model: foregone-payoff estimates, office network, outsourcer."""

from __future__ import annotations

import networkx as nx
import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sales_abm.agents import SalesForce, office_network, uses_foregone
from sales_abm.contracts import Terms
from sales_abm.foregone import (
    band_pay,
    fill_unexplored,
    level_values,
    threshold_bookings,
)
from sales_abm.learning import RULE_PARAMETERS, RULES
from sales_abm.model import SalesModel, run
from sales_abm.scenario import OUTSOURCER_RULES, PRESETS, Scenario, ScenarioError
from sales_abm.strategy import STRATEGY_DIMENSIONS
from sales_abm.testing import scenarios

SMALL = {"reps": 6, "prospects": 2000, "weeks": 30}
FOREGONE_RULES = sorted(rule for rule in RULES if uses_foregone(rule))


def small(rule: str, preset: str = "per_appointment", **overrides) -> Scenario:
    return Scenario.from_dict({"contract.preset": preset, "learning.rule": rule, **SMALL,
                               **overrides})


def has_nan(frame: pl.DataFrame) -> bool:
    """Whether any float cell is NaN (nulls, which mark undefined ratios, are fine)."""
    floats = [name for name, dtype in frame.schema.items() if dtype.is_float()]
    return bool(frame.select(pl.any_horizontal(pl.col(floats).is_nan().any())).item())


def switched_rule(scenario: Scenario, rule: str) -> Scenario:
    """The scenario with another learning rule (and that rule's default parameters)."""
    own = {f"learning.{name}" for name in scenario.learning.params}
    flat = {k: v for k, v in scenario.to_flat().items() if k not in own}
    return Scenario.from_dict({**flat, "learning.rule": rule})


# -- every rule runs ------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_rule_runs_in_the_model_without_nan_and_deterministically(rule, preset):
    scenario = small(rule, preset)
    first, second = run(scenario, seed=3), run(scenario, seed=3)
    assert first.weekly.equals(second.weekly)
    assert first.cohorts.equals(second.cohorts)
    assert first.summary == second.summary
    assert not has_nan(first.weekly) and not has_nan(first.cohorts)
    assert first.weekly["calls"].sum() > 0


def test_roth_erev_pays_nothing_for_foregone_estimates():
    model = SalesModel(small("roth_erev"))
    assert model.sales_force.estimator is None
    calls, _, _ = model._market_week(0)
    assert calls.connects_above is None


def test_the_office_network_does_not_touch_a_rule_that_does_not_imitate():
    base = run(small("roth_erev"), seed=1).weekly
    other = run(small("roth_erev", **{"rep.office_network": "complete"}), seed=1).weekly
    assert base.equals(other)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_office_network_is_built_only_for_rules_that_imitate(rule):
    model = SalesModel(small(rule, **{"rep.office_network": "small_world"}))
    model.step()
    assert (model.sales_force._office is not None) == RULES[rule].uses_graph


# -- foregone payoffs: pure pieces ----------------------------------------------------------------


@st.composite
def period_counts(draw):
    """Random but consistent period counts for n reps and K levels."""
    n = draw(st.integers(1, 5))
    k = draw(st.integers(1, 5))
    calls = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 400)))
    per_band = draw(hnp.arrays(np.int64, (n, k + 1), elements=st.integers(0, 30)))
    above = np.cumsum(per_band[:, ::-1], axis=1)[:, ::-1][:, 1:].astype(float)
    agree = draw(hnp.arrays(np.float64, n, elements=st.floats(0, 1)))
    booked = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 30)))
    return calls, booked, above, agree, draw(st.floats(0, 50))


@given(period_counts())
def test_threshold_bookings_are_finite_non_negative_and_fall_with_the_threshold(counts):
    calls, booked, above, agree, booking_time = counts
    est = threshold_bookings(calls, booked, above, agree, booking_time)
    assert np.isfinite(est).all() and (est >= 0).all()
    assert (np.diff(est, axis=1) <= 1e-9).all()
    assert (est[calls == 0] == 0).all()


@given(st.integers(1, 400), st.integers(0, 30), st.integers(0, 30), st.floats(0, 50))
def test_threshold_bookings_reproduce_what_happened_at_the_played_level(calls, proposed,
                                                                         booked, booking_time):
    booked = min(booked, proposed)
    agree = np.array([booked / proposed if proposed else 0.0])
    est = threshold_bookings(np.array([calls]), np.array([booked]),
                             np.array([[float(proposed)]]), agree, booking_time)
    assert est[0, 0] == pytest.approx(booked)


def test_unexplored_bands_take_the_nearest_explored_band_above_then_below():
    value = np.array([[0.0, 0.0, 5.0, 0.0], [0.0, 2.0, 0.0, 7.0], [0.0] * 4])
    explored = np.array([[False, False, True, False], [False, True, False, True], [False] * 4])
    np.testing.assert_array_equal(
        fill_unexplored(value, explored),
        [[5.0, 5.0, 5.0, 5.0], [2.0, 2.0, 7.0, 7.0], [0.0] * 4],
    )


def test_level_values_with_equal_band_values_are_bookings_times_value():
    above = np.array([[10.0, 6.0, 0.0]])
    bookings = np.array([[4.0, 2.5, 0.0]])
    np.testing.assert_allclose(level_values(bookings, above, np.full((1, 3), 150.0)),
                               [[600.0, 375.0, 0.0]])


def test_band_pay_follows_the_pay_plan_with_expected_audits():
    sc = Scenario.default("retainer")  # 250 per held meeting, all audited, half clawed back
    terms = Terms.from_pay_plan(sc.pay)
    held, held_junk = np.array([[4.0, 2.0]]), np.array([[4.0, 0.0]])
    zero = np.zeros((1, 2))
    pay = band_pay(terms, zero, zero, held, held_junk, zero)
    np.testing.assert_allclose(pay, [[-4 * 125.0, 2 * 250.0]])


# -- foregone payoffs in the model ----------------------------------------------------------------


def capture_foregone(model: SalesModel) -> list[tuple[dict, np.ndarray, np.ndarray, dict]]:
    """Run the model and keep (foregone, payoff, active, actions) of every learning update.

    The estimates are made at the end of each period under either credit; the spy watches the
    ``paid`` path, where they are used at once (``earned`` adds them, later, to the payoff the
    period earned: ``test_earned_credit_keeps_the_estimated_differences``).
    """
    if model.sales_force.ledger is not None:
        model = SalesModel(model.config.with_overrides({"learning.credit": "paid"}),
                           model.seed_value)
    force, seen = model.sales_force, []
    learn = force.learn

    def spy(rows):
        payoff = force.payoff_sum / np.maximum(force.payoff_weeks, 1)
        active = force.employed & (force.payoff_weeks > 0)
        bookings = force.estimator.threshold_bookings()
        foregone = force.estimator.foregone(force.action, payoff, force.payoff_weeks)
        actions = {dim: a.copy() for dim, a in force.action.items()}
        seen.append((foregone, payoff, active, actions, bookings))
        learn(rows)

    force.learn = spy
    model.run_model()
    return seen


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_foregone_estimates_are_finite_and_exact_at_the_played_level(preset):
    seen = capture_foregone(SalesModel(small("fictitious_play", preset)))
    assert seen
    for foregone, payoff, _, actions, bookings in seen:
        rows = np.arange(payoff.size)
        for dim in STRATEGY_DIMENSIONS:
            f = foregone[dim]
            assert np.isfinite(f).all()
            np.testing.assert_array_equal(f[rows, actions[dim]], payoff)
        np.testing.assert_array_equal(foregone["pressure"], np.repeat(payoff[:, None], 3, 1))
        assert (np.diff(bookings, axis=1) <= 1e-9).all()


def test_a_rep_who_books_nothing_gets_finite_foregone_payoffs():
    # Nobody agrees to a meeting: no bookings, no agree rate, no value per booking.
    seen = capture_foregone(SalesModel(small("ewa", **{"market.agree_base": 0.0})))
    for foregone, payoff, _, _, bookings in seen:
        assert (bookings == 0).all()
        assert np.isfinite(foregone["threshold"]).all()
        np.testing.assert_allclose(foregone["threshold"], np.repeat(payoff[:, None], 4, 1))
        assert np.isfinite(foregone["effort"]).all()


def test_effort_foregone_charges_the_effort_cost_difference():
    # No bookings: more effort only costs, so foregone payoff falls with effort.
    seen = capture_foregone(SalesModel(small("ewa", **{"market.agree_base": 0.0})))
    for foregone, _, active, _, _ in seen:
        assert (np.diff(foregone["effort"][active], axis=1) < 0).all()


@pytest.mark.parametrize("credit", ["earned", "paid"])
def test_belief_learners_under_retainer_learn_that_junk_does_not_pay(credit):
    # Retainer pay claws back unqualified meetings; per-band values must see that low signals
    # are worth less than high ones, so the estimate does not reward booking everyone. Pooled
    # over reps: a rep with one or two bookings in a band can be lucky (seed 2, earned: one rep
    # valued its single low-band booking above its top band).
    model = SalesModel(Scenario.from_dict({"contract.preset": "retainer", "reps": 6,
                                           "prospects": 4000, "weeks": 60,
                                           "learning.rule": "fictitious_play",
                                           "learning.credit": credit}), seed=2)
    model.run_model()
    estimator = model.sales_force.estimator
    booked = estimator.trail_band_booked.sum(axis=0)
    assert booked[0] > 0 and booked[-1] > 0
    pooled = estimator.trail_band_pay.sum(axis=0) / booked
    assert pooled[0] < pooled[-1]


@given(scenarios(max_weeks=25))
def test_foregone_rules_stay_finite_in_random_scenarios(scenario):
    rule = FOREGONE_RULES[scenario.seed % len(FOREGONE_RULES)]
    for foregone, payoff, *_ in capture_foregone(SalesModel(switched_rule(scenario, rule))):
        assert all(np.isfinite(f).all() for f in foregone.values())
        assert np.isfinite(payoff).all()


# -- imitation over the office network ------------------------------------------------------------


def actions_by_week(model: SalesModel) -> list[dict[str, np.ndarray]]:
    history = []
    for _ in range(model.config.weeks):
        model.step()
        history.append({d: a.copy() for d, a in model.sales_force.action.items()})
    return history


@pytest.mark.parametrize("rule", ["imitate_best", "fermi"])
def test_isolated_imitators_keep_their_strategy_without_mutation(rule):
    steady = {"rep.office_network": "isolated", "learning.mutation": 0.0,
              "switches.attrition": False, "switches.termination": False}
    history = actions_by_week(SalesModel(small(rule, **steady)))
    for week in history[1:]:
        for dim in STRATEGY_DIMENSIONS:
            np.testing.assert_array_equal(week[dim], history[0][dim])


@pytest.mark.parametrize("rule", ["imitate_best", "fermi"])
def test_isolated_imitators_change_only_by_mutation(rule):
    mu = 0.2
    model = SalesModel(small(rule, **{"rep.office_network": "isolated", "learning.mutation": mu}))
    model.run_model()
    force = model.sales_force
    for dim in STRATEGY_DIMENSIONS:
        probs = force.learners[dim].probabilities()
        m = probs.shape[1]
        own = probs[np.arange(probs.shape[0]), force.action[dim]]
        # After an update the only weight off the own action is mutation's mu * (M - 1) / M.
        updated = force.employed & (force.tenure >= 1)
        np.testing.assert_allclose(own[updated], 1 - mu + mu / m)


def test_connected_imitators_converge_towards_each_other():
    spread = {}
    for network in ("isolated", "complete"):
        sc = small("imitate_best", **{"rep.office_network": network, "learning.mutation": 0.0,
                                      "switches.attrition": False, "weeks": 20})
        w = run(sc, seed=4).weekly
        spread[network] = w["sd_threshold"][-1] + w["sd_effort"][-1] / 100
    assert spread["complete"] < spread["isolated"]


def test_imitators_never_copy_a_vacant_desk():
    model = SalesModel(small("imitate_best", **{"rep.office_network": "complete",
                                                "learning.mutation": 0.0}))
    force = model.sales_force
    model.step()
    force.vacate(np.array([0]))
    force.action["threshold"][0] = 0
    force.action["threshold"][1:] = 3
    # Every rep was paid less than the vacant desk's stale zero.
    force.payoff_sum[:], force.payoff_weeks[:] = -1.0, 1
    force.payoff_sum[0], force.payoff_weeks[0] = 0.0, 0
    force.learn(np.flatnonzero(force.employed))
    probs = force.learners["threshold"].probabilities()[1:]
    assert (probs[:, 0] == 0).all()


@pytest.mark.parametrize("kind", ["isolated", "ring", "small_world", "complete"])
@pytest.mark.parametrize("n", [1, 2, 5, 20])
def test_office_networks_have_the_right_shape(kind, n):
    rep = Scenario.from_dict({"rep.office_network": kind, "rep.office_degree": 4}).rep
    g = office_network(n, rep, seed=5)
    assert set(g.nodes) == set(range(n))
    if kind == "isolated":
        assert g.number_of_edges() == 0
    elif kind == "complete" or n <= 5:  # degree 4 >= n - 1: everyone
        assert g.number_of_edges() == n * (n - 1) // 2
    else:
        assert g.number_of_edges() == 2 * n
        if kind == "ring":
            assert all(d == 4 for _, d in g.degree())
    assert nx.utils.graphs_equal(g, office_network(n, rep, seed=5))


def test_the_office_is_seeded_from_the_run_seed():
    sc = small("fermi", **{"rep.office_network": "small_world", "reps": 30,
                           "rep.office_rewiring": 0.5})
    edges = [sorted(SalesModel(sc, seed=s).sales_force.office.edges()) for s in (1, 1, 2)]
    assert edges[0] == edges[1] != edges[2]


# -- scenario keys and the outsourcer -------------------------------------------------------------


def test_office_keys_are_validated():
    with pytest.raises(ScenarioError, match="rep.office_network must be one of"):
        Scenario.from_dict({"rep.office_network": "open_plan"})
    with pytest.raises(ScenarioError, match="rep.office_degree must be in 0 to 50"):
        Scenario.from_dict({"rep.office_degree": 51})


@pytest.mark.parametrize("rule", ["fictitious_play", "replicator", "fermi"])
def test_the_outsourcer_rule_must_learn_from_realised_rewards(rule):
    with pytest.raises(ScenarioError, match="roth_erev, modified_roth_erev, ewa"):
        Scenario.from_dict({"learning.outsourcer_rule": rule})


def test_the_outsourcer_shares_parameters_only_with_its_own_rule():
    same = Scenario.from_dict({"learning.forgetting": 0.3}).learning
    assert same.outsourcer_params()["forgetting"] == 0.3
    other = Scenario.from_dict({"learning.rule": "ewa", "learning.lambda": 5.0}).learning
    assert other.outsourcer_rule == "roth_erev"
    assert other.outsourcer_params() == {n: s.default for n, s in
                                         RULE_PARAMETERS["roth_erev"].items()}


@pytest.mark.parametrize("rule", OUTSOURCER_RULES)
def test_every_outsourcer_rule_learns_its_training_policy(rule):
    sc = small("fermi", **{"learning.outsourcer_rule": rule, "weeks": 60, "reps": 10,
                           "outsourcer.decision": "window"})
    model = SalesModel(sc, seed=1)
    model.run_model()
    assert type(model.outsourcer.training_learner).name == rule
    train = model.recorder.weekly_frame()["train_probability"].to_numpy()
    assert np.isfinite(train).all() and ((train >= 0) & (train <= 1)).all()
    assert np.ptp(train) > 0  # it learned from realised rewards alone


def test_sales_force_builds_its_own_office_when_none_is_given():
    force = SalesForce(small("imitate_best"))
    assert set(force.office.nodes) == set(range(6))


def test_earned_credit_keeps_the_estimated_differences():
    """Under earned credit a belief rule learns from a period once its pay is in: each level's
    foregone payoff is the earned payoff plus the difference estimated at the period's end, so
    the played level gets exactly what the period earned."""
    model = SalesModel(small("ewa", "retainer", **{"learning.credit": "earned"}))
    force, seen = model.sales_force, []
    update = force._update_learners

    def spy(actions, payoff, foregone, active):
        seen.append((actions, payoff, foregone, active))
        update(actions, payoff, foregone, active)

    force._update_learners = spy
    model.run_model()
    assert len(seen) == SMALL["weeks"] - 1  # retainer: a week's pay is in a week later
    for actions, payoff, foregone, active in seen:
        rows = np.flatnonzero(active)
        for dim in STRATEGY_DIMENSIONS:
            assert np.isfinite(foregone[dim]).all()
            np.testing.assert_allclose(foregone[dim][rows, actions[dim][rows]], payoff[rows])
