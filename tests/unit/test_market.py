"""The market: network, calls within the time budget, meetings, cycles, recovery."""

from __future__ import annotations

import functools
import operator

import networkx as nx
import numpy as np
import pytest

from sales_abm.kernels import Csr, RepColumns, learn_from_neighbours, neighbour_hits, triage
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
    def owners_of_closes(epoch_start):
        _, m = make_market(200)
        rows = np.arange(3)
        m.status[rows] = Status.CYCLE
        m.until[rows] = 5
        m.won[rows] = True
        m.booked_by[rows] = [0, 1, 2]
        m.booked_hire[rows] = [10, 5, 11]
        closes = m.resolve_cycles(5, np.array([10, 12, 11, 13]), epoch_start)
        assert (m.status[rows] == Status.CUSTOMER).all()
        assert closes.closes.tolist() == np.bincount(closes.owners, minlength=6).tolist()
        return closes.owners.tolist()

    assert owners_of_closes(epoch_start=8) == [0, 5, 2]
    assert owners_of_closes(epoch_start=11) == [5, 5, 2]


def test_turnover_renews_only_rows_outside_the_funnel_and_keeps_the_partition():
    sc, m = make_market(20000, **{"market.turnover_rate": 0.2, "market.entry_rate": 0.0})
    call(m, sc)  # some rows booked, many resting
    m.status[:50] = Status.CYCLE
    m.status[50:100] = Status.CUSTOMER
    m.status[100:150] = Status.BURNED
    m.until[100:150] = 99  # burned past the week
    before_fit = m.fit.copy()
    before = m.status.copy()
    m.advance(0, np.random.default_rng(2), np.random.default_rng(3))
    rows = np.flatnonzero(m.fit != before_fit)  # a new prospect's fit is a fresh draw
    assert rows.size > 0.1 * 20000
    assert np.isin(before[rows], [Status.AVAILABLE, Status.COOLING, Status.BURNED]).all()
    assert (m.status[rows] == Status.AVAILABLE).all()
    assert (m.receptivity[rows] == m.base_receptivity[rows]).all()
    assert (m.answer[rows] == sc.market.propensity_initial).all()
    np.testing.assert_array_equal(m.counts, m.status_counts())  # counts kept in step
    assert not np.isin(rows, np.arange(100)).any()  # cycles and customers stay
    assert (m.status[100:150] == Status.BURNED).sum() > 0.6 * 50  # burns not renewed go on


def test_market_entry_switch_stops_turnover():
    sc, on = make_market(5000)
    _, off = make_market(5000, **{"switches.market_entry": False})
    for m in (on, off):
        call(m, sc)
        m.advance(0, np.random.default_rng(1), np.random.default_rng(2))
    assert not np.array_equal(on.fit, off.fit)
    _, ref = make_market(5000, **{"switches.market_entry": False})
    call(ref, sc)
    ref.advance(0, np.random.default_rng(1))
    np.testing.assert_array_equal(off.fit, ref.fit)


def _lane_sum(values: np.ndarray) -> float:
    """The sum in :func:`kernels.market_measures`' order: four lanes (row i into lane i % 4, in
    row order), added pairwise, then the last n % 4 rows in order (plain Python additions)."""
    whole = values.size - values.size % 4
    lanes = [functools.reduce(operator.add, values[j:whole:4].tolist(), 0.0) for j in range(4)]
    return functools.reduce(operator.add, values[whole:].tolist(),
                            (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))


@pytest.mark.parametrize("n", [3000, 3001, 3003, 11])
def test_measures_are_the_markets_means_and_available_good_fit_share(n):
    sc, m = make_market(n)
    rng = np.random.default_rng(n)
    m.status[:] = rng.integers(0, len(Status), n)
    m.receptivity[:], m.answer[:], m.accept[:] = rng.random((3, n))
    receptivity, share, answer, accept = m.measures()
    available = m.status == Status.AVAILABLE
    want = (m.fit[available] >= sc.market.qualification_bar).mean() if available.any() else None
    assert share == want or (want is None and np.isnan(share))
    for got, column in ((receptivity, m.receptivity), (answer, m.answer), (accept, m.accept)):
        assert got == _lane_sum(column) / n  # the kernel's order, bit for bit
        assert got == pytest.approx(column.mean(), rel=1e-13)  # numpy's mean, but for rounding
    m.status[:] = Status.CUSTOMER
    assert np.isnan(m.measures()[1])  # no prospect available


def test_triage_keeps_the_best_reads_within_capacity():
    show = np.array([True, True, False, True, True])
    read = np.array([0.1, 0.5, 0.9, 0.3, 0.5])
    np.testing.assert_array_equal(triage(show, read, 2), [False, True, False, False, True])
    np.testing.assert_array_equal(triage(show, read, 4), show)


def test_triage_holds_better_meetings_than_a_random_cut():
    junk = []
    for noise in (0.05, None):
        sc, m = make_market(20000)
        call(m, sc)
        out = m.hold_meetings(1, 20, np.arange(4), 0, np.random.default_rng(3),
                              triage_noise=noise, triage_rng=np.random.default_rng(4))
        assert out.held.sum() == 20 and out.cancelled.sum() > 0
        junk.append(out.held_junk.sum())
    assert junk[0] < junk[1]


def meet(learning: bool, bar: float, wom: bool = True):
    sc, m = make_market(20000, **{"switches.prospect_learning": learning,
                                  "market.qualification_bar": bar,
                                  "switches.word_of_mouth": wom})
    call(m, sc)
    booked = np.flatnonzero(m.status == Status.BOOKED)
    m.hold_meetings(1, None, np.arange(4), 0, np.random.default_rng(3))
    return m, booked


def test_junk_meetings_teach_prospects_and_their_neighbours_to_refuse():
    m, booked = meet(True, bar=1.0)  # every meeting is junk
    prior = m.p.propensity_initial
    assert (m.accept[booked] < prior).mean() > 0.7  # those who showed up
    neighbours = np.setdiff1d(m.indices[np.concatenate(
        [np.arange(m.indptr[r], m.indptr[r + 1]) for r in booked])], booked)
    assert (m.accept[neighbours] < prior).mean() > 0.7
    quiet, _ = meet(True, bar=1.0, wom=False)
    np.testing.assert_array_equal(quiet.accept[neighbours], prior)


def test_meetings_worth_their_time_raise_propensities_and_learning_can_be_off():
    m, _ = meet(True, bar=0.0)  # no junk: meetings that opened an opportunity are good
    prior = m.p.propensity_initial
    assert (m.accept > prior).sum() > 0
    off, _ = meet(False, bar=0.0)
    assert (off.accept == prior).all() and (off.answer == prior).all()


def reference_advance(m, week, rng, entry_rng=None):
    """The end of the week as the vectorised numpy code did it before it was compiled, but for
    the entrants' fits: since model version 8 each is drawn from its own class's Beta only."""
    p = m.p

    def draw_rows(rows, rng):
        k = rows.size
        good = rng.random(k) < p.good_fit_share
        m.fit[rows] = [rng.beta(p.good_fit_alpha, p.good_fit_beta) if g
                       else rng.beta(p.poor_fit_alpha, p.poor_fit_beta) for g in good]
        mu = np.log(p.deal_value_mean) - p.deal_value_sigma**2 / 2
        m.deal_value[rows] = rng.lognormal(mu, p.deal_value_sigma, k)
        m.base_receptivity[rows] = rng.beta(p.receptivity_alpha, p.receptivity_beta, k)
        m.receptivity[rows] = m.base_receptivity[rows]
        m.answer[rows] = m.accept[rows] = p.propensity_initial
        m.status[rows] = Status.AVAILABLE
        m.until[rows] = 0
        m.won[rows] = False

    resting = np.isin(m.status, [Status.COOLING, Status.BURNED])
    m.status[resting & (m.until <= week + 1)] = Status.AVAILABLE
    m.receptivity += (m.base_receptivity - m.receptivity) * p.recovery_rate
    if m.switches.prospect_learning and p.forgetting > 0:
        for q in (m.answer, m.accept):
            q += (p.propensity_initial - q) * p.forgetting
    customers = np.flatnonzero(m.status == Status.CUSTOMER)
    leaving = rng.binomial(customers.size, p.entry_rate)
    if leaving:
        draw_rows(np.sort(rng.choice(customers, leaving, replace=False)), rng)
    if entry_rng is not None and m.switches.market_entry:
        eligible = np.flatnonzero(np.isin(m.status, [Status.AVAILABLE, Status.COOLING,
                                                     Status.BURNED]))
        k = entry_rng.binomial(eligible.size, p.turnover_rate)
        if k:
            draw_rows(np.sort(entry_rng.choice(eligible, k, replace=False)), entry_rng)


COLUMNS = ("fit", "deal_value", "base_receptivity", "receptivity", "answer", "accept", "status",
           "until", "won")


@pytest.mark.parametrize(("n", "overrides", "entry"), [
    (20000, {"market.turnover_rate": 0.05}, True),  # turnover by a tail shuffle (k > n / 50)
    (20000, {"market.turnover_rate": 0.01, "market.entry_rate": 0.5}, True),  # Floyd's
    (3000, {"switches.prospect_learning": False, "market.entry_rate": 1.0}, True),
    (3000, {"switches.market_entry": False}, True),
    (3000, {"market.turnover_rate": 0.0, "market.forgetting": 0.0}, True),
    (3000, {"market.poor_fit_alpha": 0.5, "market.poor_fit_beta": 0.9}, False),  # Johnk's beta
])
def test_advance_draws_and_renews_as_the_reference_does(n, overrides, entry):
    """The compiled end of the week gives the same bits, and leaves both streams in the same
    state, as the numpy reference (:func:`reference_advance`), over weeks of calls, meetings and
    closes."""
    sc, m = make_market(n, **overrides)
    _, ref = make_market(n, **overrides)
    streams = [np.random.default_rng(7), np.random.default_rng(8)]
    ref_streams = [np.random.default_rng(7), np.random.default_rng(8)]
    for week in range(12):
        for market in (m, ref):
            call(market, sc, week=week, seed=week)
            market.hold_meetings(week, None, np.arange(4), 0, np.random.default_rng(week))
            market.resolve_cycles(week, np.arange(4), 0)
            market.won[market.status == Status.CYCLE] = True  # closes sooner: customers leave
        m.advance(week, streams[0], streams[1] if entry else None)
        reference_advance(ref, week, ref_streams[0], ref_streams[1] if entry else None)
        for name in COLUMNS:
            np.testing.assert_array_equal(getattr(m, name), getattr(ref, name), err_msg=name)
        np.testing.assert_array_equal(m.counts, ref.status_counts())
    for mine, theirs in zip(streams, ref_streams, strict=True):
        assert mine.random() == theirs.random()


def test_the_kernels_bundle_of_columns_is_the_markets_own_arrays_after_a_run():
    from sales_abm.model import SalesModel

    model = SalesModel(Scenario.from_dict({"prospects": 2000, "reps": 4, "weeks": 30}), 1)
    model.run_model()
    m = model.market
    assert all(bundled is column for bundled, column in zip(m._columns, m.columns, strict=True))


def reference_meetings(m, week, capacity, hires, epoch_start, rng, bands, triage_noise,
                       triage_rng):
    """Meetings as the vectorised numpy code held them before they were compiled, but for the
    chances: since model version 8, the C library's ``pow`` (Python's float power), not
    numpy's SIMD ``power``."""
    p, n_reps = m.p, m.n_reps
    r = n_reps + 2
    rows = np.flatnonzero((m.status == Status.BOOKED) & (m.booked_week <= week - 1))
    fit = m.fit[rows]
    p_show = (p.show_max * (1 - p.pressure_show_loss * m.booked_pressure[rows])
              * (p.show_fit_floor + (1 - p.show_fit_floor) * fit))
    show = rng.random(rows.size) < p_show
    held = show.copy()
    shown = np.flatnonzero(show)
    if triage_noise is not None:
        read = fit + triage_noise * triage_rng.standard_normal(rows.size)
        if capacity is not None and shown.size > capacity:
            held[:] = False
            held[shown[np.argsort(-read[shown], kind="stable")[:capacity]]] = True
    elif capacity is not None and shown.size > capacity:
        held[:] = False
        held[rng.choice(shown, capacity, replace=False)] = True
    share = p.opportunity_share
    opportunity = held & (rng.random(rows.size) < [f**share for f in fit.tolist()])
    won = rng.random(rows.size) < [f ** (1 - share) for f in fit.tolist()]
    cycle = rng.integers(p.cycle_min_weeks, p.cycle_max_weeks + 1, rows.size)
    slot, hire = m.booked_by[rows], m.booked_hire[rows]
    by = np.where(hire >= epoch_start, np.where(hire == hires[slot], slot, n_reps), n_reps + 1)
    junk = held & (fit < p.qualification_bar)
    out = {"counts": np.array([np.bincount(by[mask], minlength=r) for mask in
                               (held, junk, ~show, show & ~held, opportunity)]),
           "expected_value": np.bincount(by[held], (fit * m.deal_value[rows])[held], r),
           "expected_closes": np.bincount(by[held], fit[held], r)}
    if bands:
        band = m.booked_band[rows].astype(np.int64)
        for name, mask in (("held_by_band", held), ("held_junk_by_band", junk)):
            out[name] = np.bincount(by[mask] * bands + band[mask],
                                    minlength=r * bands).reshape(r, bands)
    m.status[rows] = np.where(opportunity, Status.CYCLE, Status.COOLING)
    m.until[rows] = week + np.where(opportunity, cycle, p.cooldown_weeks)
    m.won[rows[opportunity]] = won[opportunity]
    junk_rows, graph = rows[junk], Csr(m.indptr, m.indices)
    out["burned"] = 0
    if m.switches.burn and junk_rows.size:
        m.receptivity[junk_rows] *= 1 - p.annoyance
        burn = junk_rows[~opportunity[junk] & (rng.random(junk_rows.size) < p.burn_probability)]
        m.status[burn] = Status.BURNED
        m.until[burn] = week + p.burn_weeks
        out["burned"] = burn.size
        if m.switches.word_of_mouth and p.word_of_mouth > 0 and not m.switches.prospect_learning:
            touched, hits = neighbour_hits(graph, junk_rows, np.zeros(m.n, dtype=np.int64))
            m.receptivity[touched] *= (1 - p.word_of_mouth) ** hits
    if m.switches.prospect_learning:
        wasted = np.concatenate([junk_rows, rows[show & ~held]])
        for learnt, good in ((wasted, False), (rows[opportunity & ~junk], True)):
            for q in (m.answer, m.accept):
                q[learnt] = (1 - (1 - q[learnt]) * (1 - p.experience_rate) if good
                             else q[learnt] * (1 - p.experience_rate))
            if m.switches.word_of_mouth and p.social_learning > 0:
                touched, hits = neighbour_hits(graph, learnt, np.zeros(m.n, dtype=np.int64))
                for q in (m.answer, m.accept):
                    learn_from_neighbours(q, touched, hits, p.social_learning, good)
    return out


def reference_cycles(m, week, hires, epoch_start, bands):
    """Sales cycles as the vectorised numpy code closed them before they were compiled."""
    n_reps = m.n_reps
    r = n_reps + 2
    rows = np.flatnonzero((m.status == Status.CYCLE) & (m.until <= week))
    won, lost = rows[m.won[rows]], rows[~m.won[rows]]
    m.status[won] = Status.CUSTOMER
    m.status[lost] = Status.COOLING
    m.until[lost] = week + m.p.cooldown_weeks
    slot, hire = m.booked_by[won], m.booked_hire[won]
    by = np.where(hire >= epoch_start, np.where(hire == hires[slot], slot, n_reps), n_reps + 1)
    out = {"closes": np.bincount(by, minlength=r),
           "revenue": np.bincount(by, m.deal_value[won], r),
           "cohort_weeks": m.booked_week[won], "deal_values": m.deal_value[won], "owners": by}
    if bands:
        band = m.booked_band[won].astype(np.int64)
        out["revenue_by_band"] = np.bincount(by * bands + band, m.deal_value[won],
                                             r * bands).reshape(r, bands)
    return out


MARKET_COLUMNS = ("receptivity", "answer", "accept", "status", "until", "won")


@pytest.mark.parametrize(("capacity", "triage_noise", "overrides"), [
    (20, 0.1, {}),  # the AEs over capacity triage
    (20, None, {}),  # they hold a random subset
    (None, 0.1, {"market.qualification_bar": 0.5}),  # no limit: the reads are drawn, unused
    (5, None, {"switches.prospect_learning": False, "market.burn_probability": 1.0}),
    (20, 0.0, {"switches.burn": False, "switches.word_of_mouth": False}),
    (None, None, {"switches.prospect_learning": False, "switches.word_of_mouth": False}),
])
def test_meetings_and_cycles_are_the_vectorised_numpy_codes(capacity, triage_noise, overrides):
    """The compiled meetings and cycles give the same bits, outcomes and stream states as the
    numpy reference, over weeks in which reps leave and the contract holder changes."""
    overrides = {"market.cycle_min_weeks": 1, "market.cycle_max_weeks": 4, **overrides}
    sc, m = make_market(3000, **overrides)
    _, ref = make_market(3000, **overrides)
    bands = 3
    for market in (m, ref):
        market.booked_band[:] = np.random.default_rng(5).integers(0, bands, market.n)
    streams = [np.random.default_rng(7), np.random.default_rng(8)]
    ref_streams = [np.random.default_rng(7), np.random.default_rng(8)]
    for week in range(14):
        hires = np.arange(4) + np.array([0, 10, 0, 0]) * (week >= 5)  # rep 1 left at week 5
        epoch_start = 0 if week < 9 else 2  # a new holder: reps 0 and 1 were the earlier one's
        args = (week, capacity, hires, epoch_start)
        for market in (m, ref):
            call(market, sc, week=week, seed=week)
        with_bands = bands if week % 2 else 0
        got = m.hold_meetings(*args, streams[0], with_bands, triage_noise, streams[1])
        want = reference_meetings(ref, *args, ref_streams[0], with_bands, triage_noise,
                                  ref_streams[1])
        for name, value in want.items():
            np.testing.assert_array_equal(getattr(got, name), value, err_msg=name)
        closes = m.resolve_cycles(week, hires, epoch_start, with_bands)
        for name, value in reference_cycles(ref, week, hires, epoch_start, with_bands).items():
            np.testing.assert_array_equal(getattr(closes, name), value, err_msg=name)
            if name in ("closes", "cohort_weeks", "owners"):  # (revenue is float also in a
                assert getattr(closes, name).dtype == value.dtype, name  # week without closes)
        for name in MARKET_COLUMNS:
            np.testing.assert_array_equal(getattr(m, name), getattr(ref, name), err_msg=name)
    for mine, theirs in zip(streams, ref_streams, strict=True):
        assert mine.random() == theirs.random()

