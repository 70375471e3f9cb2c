"""The market: network, calls within the time budget, meetings, cycles, recovery."""

from __future__ import annotations

import networkx as nx
import numpy as np

from sales_abm.kernels import RepColumns
from sales_abm.market import Market, Status, to_csr
from sales_abm.scenario import Scenario


def make_market(n=2000, reps=4, **overrides):
    sc = Scenario.from_dict({"prospects": n, "reps": reps, **overrides})
    return sc, Market(sc.market, sc.switches, n, reps, np.random.default_rng(1))


def test_csr_matches_networkx_neighbours():
    g = nx.watts_strogatz_graph(50, 4, 0.3, seed=2)
    indptr, indices = to_csr(g)
    for node in g:
        assert sorted(indices[indptr[node]:indptr[node + 1]]) == sorted(g[node])


def test_fit_and_receptivity_are_probabilities_and_most_prospects_are_poor_fits():
    sc, m = make_market(20000)
    assert ((m.fit >= 0) & (m.fit <= 1)).all()
    assert ((m.receptivity >= 0) & (m.receptivity <= 1)).all()
    assert (m.fit < sc.market.qualification_bar).mean() > 0.5
    assert (m.deal_value > 0).all()


def call(m, sc, week=0, calls=250, threshold=0.0, pressure=0.0, booking_time=10.0, seed=0):
    r = m.n_reps
    reps = RepColumns(planned=np.full(r, calls), threshold=np.full(r, threshold),
                      pressure=np.full(r, pressure), noise_sd=np.full(r, 0.1), craft=np.ones(r),
                      hire_id=np.arange(r))
    return m.place_calls(week, reps, booking_time, np.random.default_rng(seed))


def test_calls_respect_the_time_budget_and_reach_each_prospect_once():
    sc, m = make_market()
    out = call(m, sc, booking_time=20.0)
    assert (out.calls + 20.0 * out.booked <= 250).all()
    assert (out.connects <= out.calls).all() and (out.booked <= out.connects).all()
    booked_rows = np.flatnonzero(m.status == Status.BOOKED)
    assert booked_rows.size == out.booked.sum()
    assert (m.booked_by[booked_rows] >= 0).all()


def test_a_higher_threshold_books_fewer_and_better_meetings():
    sc, low = make_market(20000)
    _, high = make_market(20000)
    a = call(low, sc, threshold=0.0)
    b = call(high, sc, threshold=0.4)
    assert b.booked.sum() < a.booked.sum()
    assert b.booked_junk.sum() / max(b.booked.sum(), 1) < a.booked_junk.sum() / a.booked.sum()


def test_meetings_are_held_next_week_within_capacity():
    sc, m = make_market(20000)
    out = call(m, sc)
    meetings = m.hold_meetings(1, 3, np.arange(4), 0, np.random.default_rng(3))
    assert meetings.held.sum() <= 3
    total = meetings.held.sum() + meetings.no_shows.sum() + meetings.cancelled.sum()
    assert total == out.booked.sum()
    assert (m.status != Status.BOOKED).all()


def test_junk_meetings_burn_and_spread_word_of_mouth_only_when_switched_on():
    for burn in (True, False):
        sc, m = make_market(20000, **{"market.burn_probability": 1.0, "switches.burn": burn,
                                      "market.qualification_bar": 1.0})
        call(m, sc)
        before = m.receptivity.copy()
        m.hold_meetings(1, None, np.arange(4), 0, np.random.default_rng(3))
        burned = (m.status == Status.BURNED).sum()
        assert (burned > 0) == burn
        assert (m.receptivity < before).any() == burn


def test_cycles_resolve_by_their_cap_and_recovery_restores_receptivity():
    sc, m = make_market(20000)
    call(m, sc)
    m.hold_meetings(1, None, np.arange(4), 0, np.random.default_rng(3))
    cap = sc.market.cycle_max_weeks
    won = 0
    for week in range(2, 2 + cap):
        won += m.resolve_cycles(week, np.arange(4), 0).closes.sum()
    assert (m.status != Status.CYCLE).all()
    assert won == (m.status == Status.CUSTOMER).sum()
    m.receptivity[:] = 0.0
    for week in range(200):
        m.advance(week, np.random.default_rng(week))
    assert np.allclose(m.receptivity, m.base_receptivity, atol=0.05)


def test_owner_buckets_separate_current_reps_leavers_and_earlier_holders():
    _, m = make_market(200)
    rows = np.arange(3)
    m.booked_by[rows] = [0, 1, 2]
    m.booked_hire[rows] = [10, 5, 11]
    owner = m.owner(rows, current_hires=np.array([10, 12, 11, 13]), epoch_start=8)
    assert owner.tolist() == [0, 5, 2]
    owner = m.owner(rows, current_hires=np.array([10, 12, 11, 13]), epoch_start=11)
    assert owner.tolist() == [5, 5, 2]
