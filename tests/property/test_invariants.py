"""Invariants of the model under random scenarios, contracts and switches (hypothesis)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_abm.metrics import WEEKLY_METRICS
from sales_abm.model import SalesModel, run
from sales_abm.testing import scenarios

RATES = ("gaming_index", "burned_share", "train_probability", "mean_receptivity",
         "mean_pressure", "mean_skill", "good_fit_share_available", "mean_prospect_answer",
         "mean_prospect_accept")
MAY_BE_NULL = {"good_fit_share_available", "gaming_index", "client_cumulative_roi", "mean_skill",
               "mean_effort", "sd_effort", "mean_threshold", "sd_threshold", "mean_pressure",
               "sd_pressure"}
# Clawbacks are a multiple of the price and refund pay already earned, so a week's net pay can be
# negative (e.g. no base salary and a junk appointment clawed back at 1x): rep pay and the
# outsourcer's spending that includes it are signed too.
SIGNED = {"outsourcer_profit", "client_profit", "client_cumulative_roi", "client_payments",
          "outsourcer_income", "rep_pay", "outsourcer_spending"}


def col(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy().astype(float)


@given(scenarios())
def test_money_is_conserved_along_the_chain(scenario):
    assert_money_conserved(run(scenario).weekly)


@given(scenarios(max_weeks=40), st.integers(1, 8))
@settings(max_examples=25)
def test_money_is_conserved_through_renegotiations(scenario, review_weeks):
    """A client choosing from its menu at short reviews renegotiates often; every week's
    payments still add up along the chain, whatever the terms in force."""
    sc = scenario.with_overrides({"switches.client_choice": True,
                                  "client.review_weeks": review_weeks})
    assert_money_conserved(run(sc).weekly)


def assert_money_conserved(w: pl.DataFrame) -> None:
    """Every payment's parts add up, and what one party pays the next receives."""
    client = (col(w, "client_fees") + col(w, "client_appointment_payments")
              - col(w, "client_clawbacks") + col(w, "client_commission"))
    np.testing.assert_allclose(col(w, "client_payments"), client, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(col(w, "client_payments"), col(w, "outsourcer_income"))
    reps = (col(w, "rep_base_pay") + col(w, "rep_bonus") - col(w, "rep_clawbacks")
            + col(w, "rep_commission"))
    np.testing.assert_allclose(col(w, "rep_pay"), reps, rtol=1e-12, atol=1e-6)
    spending = col(w, "rep_pay") + col(w, "training_spend") + col(w, "overhead")
    np.testing.assert_allclose(col(w, "outsourcer_spending"), spending, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(col(w, "outsourcer_profit"),
                               col(w, "outsourcer_income") - spending, rtol=1e-12, atol=1e-6)
    client_profit = col(w, "client_margin") - col(w, "client_payments") - col(w, "ae_cost")
    np.testing.assert_allclose(col(w, "client_profit"), client_profit, rtol=1e-12, atol=1e-6)


@given(scenarios())
def test_funnel_is_consistent_and_statuses_partition(scenario):
    result = run(scenario)
    w, c = result.weekly, result.cohorts
    statuses = sum(col(w, f"n_{s}") for s in
                   ("available", "cooling", "booked", "cycle", "customer", "burned"))
    assert np.all(statuses == scenario.prospects)
    assert np.all(col(w, "connects") <= col(w, "calls"))
    assert np.all(col(w, "appointments_set") <= col(w, "connects"))
    assert np.all(col(w, "appointments_junk") <= col(w, "appointments_set"))
    # a meeting is held the week after it is set
    held, booked = col(w, "meetings_held"), col(w, "appointments_set")
    assert held[0] == 0
    assert np.all(held[1:] + col(w, "no_shows")[1:] + col(w, "meetings_cancelled")[1:]
                  == booked[:-1])
    assert np.all(col(w, "opportunities") <= held)
    assert np.all(np.cumsum(col(w, "closes")) <= np.cumsum(col(w, "opportunities")))
    assert np.all(col(c, "meetings_held") <= col(c, "appointments_set"))
    assert np.all(col(c, "closes") <= col(c, "meetings_held"))
    fastest = scenario.rep.calls_max * (1 + scenario.rep.call_speed_gain / 2)  # at skill 1
    assert np.all(col(w, "calls") <= scenario.reps * np.round(fastest))


@given(scenarios(max_weeks=30))
@settings(max_examples=15)
def test_status_counts_kept_by_the_market_match_its_rows(scenario):
    """The counts the recovery pass keeps (and the recorder reports) are the rows' statuses,
    week after week, including the weeks new prospects replace customers."""
    model = SalesModel(scenario, seed=scenario.seed)
    for _ in range(scenario.weeks):
        model.step()
        fresh = np.bincount(model.market.status, minlength=6)
        np.testing.assert_array_equal(model.market.counts, fresh)


@given(scenarios(max_weeks=30))
@settings(max_examples=15)
def test_every_prospects_propensities_stay_in_0_1(scenario):
    """Learned propensities to answer and accept are probabilities, row by row, every week
    (through calls, meetings, word of mouth, forgetting and entry)."""
    model = SalesModel(scenario, seed=scenario.seed)
    for _ in range(scenario.weeks):
        model.step()
        for q in (model.market.answer, model.market.accept):
            assert ((q >= 0) & (q <= 1)).all()


@given(scenarios())
def test_nothing_negative_nan_or_out_of_range(scenario):
    result = run(scenario)
    w, c = result.weekly, result.cohorts
    for name in WEEKLY_METRICS:
        values = w[name]
        if name not in MAY_BE_NULL:
            assert values.null_count() == 0, name
        x = values.drop_nulls().to_numpy().astype(float)
        assert not np.isnan(x).any(), name
        if name not in SIGNED:
            assert (x >= 0).all(), name
    for name in RATES:
        x = w[name].drop_nulls().to_numpy()
        assert ((x >= 0) & (x <= 1)).all(), name
    rate = c["close_rate"].drop_nulls().to_numpy()
    assert ((rate >= 0) & (rate <= 1)).all()
    for name in ("appointments_set", "meetings_held", "closes", "revenue"):
        assert (col(c, name) >= 0).all()


@given(scenarios(max_weeks=20))
@settings(max_examples=10)
def test_runs_are_deterministic_and_seeds_matter(scenario):
    a, b = run(scenario), run(scenario)
    assert a.weekly.equals(b.weekly)
    assert a.cohorts.equals(b.cohorts)
    assert a.summary == b.summary


def test_seeds_matter():
    from sales_abm.scenario import Scenario

    sc = Scenario.from_dict({"reps": 5, "prospects": 2000, "weeks": 20})
    assert not run(sc, 1).weekly.equals(run(sc, 2).weekly)


@pytest.mark.parametrize("preset", ["retainer", "per_appointment"])
def test_no_appointments_gives_null_rates_not_nan(preset):
    from sales_abm.scenario import Scenario

    sc = Scenario.from_dict({"contract.preset": preset, "reps": 3, "prospects": 500,
                             "weeks": 30, "market.agree_base": 0.0})
    result = run(sc)
    assert result.weekly["appointments_set"].sum() == 0
    assert result.weekly["gaming_index"].null_count() == 30
    assert result.cohorts["close_rate"].null_count() == 30
    assert result.summary["gaming_index_last_13"] is None


@given(scenarios(max_weeks=40))
@settings(max_examples=25)
def test_employed_rows_follow_hires_and_departures(scenario):
    """The sales force's employed rows, kept between hires and departures, are the employed
    slots every week (quits, attrition, a contract's end and its successor's hires included)."""
    sc = scenario.with_overrides({"rep.attrition_annual": 0.9})
    model = SalesModel(sc)
    for _ in range(sc.weeks):
        model.step()
        force = model.sales_force
        np.testing.assert_array_equal(force.employed_rows(), np.flatnonzero(force.employed))
        np.testing.assert_array_equal(force.employed, force.hire_id >= 0)
