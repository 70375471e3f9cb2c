"""The week's calls as one compiled pass (``kernels.place_calls``) draw, book, learn and count
exactly as the vectorised numpy code they replaced: the same market columns, the same outcome and
the stream left in the same place, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_abm import kernels
from sales_abm.kernels import CallDraws, RepColumns
from sales_abm.market import Market, Status
from sales_abm.scenario import Scenario

LEVELS = np.array([0.0, 0.1, 0.1, 0.25, 0.4])  # ascending, with a tie

#: The market columns a week's calls may write.
WRITTEN = ("receptivity", "answer", "accept", "status", "until", "booked_by", "booked_hire",
           "booked_week", "booked_pressure", "booked_band")


def vectorised_place_calls(m: Market, week: int, reps: RepColumns, booking_time: float,
                           rng: np.random.Generator, levels: np.ndarray | None) -> list:
    """The numpy code the compiled pass replaced, kept as its reference."""
    r = m.n_reps
    caller = np.repeat(np.arange(r), reps.planned)
    total = caller.size
    available = np.flatnonzero(m.status == Status.AVAILABLE)
    reach = min(total, available.size)
    if reach < total:
        caller = rng.permutation(caller)[:reach]
        caller.sort(kind="stable")
    target = available[rng.choice(available.size, reach, replace=False)]
    draws = CallDraws(caller, target, rng.random(reach), rng.standard_normal(reach),
                      rng.random(reach))
    connect, proposed, booked, junk, signal, counts = kernels.book_calls(
        week, draws, reps, m.columns, m.funnel, booking_time)
    if m.switches.prospect_learning:
        rows, step = target[connect], m.p.pressure_learning * reps.pressure[caller[connect]]
        for q in (m.answer, m.accept):
            q[rows] -= step * q[rows]
    if levels is None:
        return [counts]
    k = levels.size
    cleared = np.searchsorted(levels, signal, side="right")
    hist = np.bincount(caller[connect] * (k + 1) + cleared[connect],
                       minlength=r * (k + 1)).reshape(r, k + 1)
    band = cleared - 1
    m.booked_band[target[booked]] = band[booked]

    def by_band(calls: np.ndarray) -> np.ndarray:
        return np.bincount(caller[calls] * k + band[calls], minlength=r * k).reshape(r, k)

    return [counts, np.bincount(caller[proposed], minlength=r),
            np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:], by_band(booked), by_band(junk)]


def compiled_place_calls(m: Market, week: int, reps: RepColumns, booking_time: float,
                         rng: np.random.Generator, levels: np.ndarray | None) -> list:
    out = m.place_calls(week, reps, booking_time, rng, threshold_levels=levels)
    if levels is None:
        assert out.proposed is None and out.connects_above is None
        return [out.counts]
    return [out.counts, out.proposed, out.connects_above, out.booked_by_band,
            out.booked_junk_by_band]


def market(n: int, reps: int, learning: bool, seed: int) -> Market:
    sc = Scenario.from_dict({"prospects": n, "reps": reps, "market.network_degree": 0,
                             "switches.prospect_learning": learning,
                             "market.pressure_learning": 0.3})
    return Market(sc.market, sc.switches, n, reps, np.random.default_rng(seed))


def strategies(rng: np.random.Generator, reps: int, max_calls: int) -> RepColumns:
    return RepColumns(planned=rng.integers(0, max_calls + 1, reps),
                      threshold=rng.choice(LEVELS, reps), pressure=rng.random(reps),
                      noise_sd=0.05 + 0.2 * rng.random(reps), craft=0.8 + 0.4 * rng.random(reps),
                      hire_id=rng.permutation(reps) + 7)


def assert_same_weeks(n: int, reps: int, max_calls: int, learning: bool, banded: bool,
                      seed: int, weeks: int = 3, unavailable: float = 0.0) -> None:
    """Both implementations over a few weeks on twin markets (a share made unavailable)."""
    ours, theirs = market(n, reps, learning, seed), market(n, reps, learning, seed)
    resting = np.random.default_rng(seed).random(n) < unavailable
    for m in (ours, theirs):
        m.status[resting] = Status.CUSTOMER
    setup = np.random.default_rng(seed + 1)
    levels = LEVELS if banded else None
    stream_a, stream_b = np.random.default_rng(seed + 2), np.random.default_rng(seed + 2)
    for week in range(weeks):
        reps_week = strategies(setup, reps, max_calls)
        got = compiled_place_calls(ours, week, reps_week, 3.0, stream_a, levels)
        want = vectorised_place_calls(theirs, week, reps_week, 3.0, stream_b, levels)
        for a, b in zip(got, want, strict=True):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)
        for name in WRITTEN:
            a, b = getattr(ours, name), getattr(theirs, name)
            assert a.tobytes() == b.tobytes(), name
        assert stream_a.random() == stream_b.random()  # the stream is left where it was


@pytest.mark.parametrize("banded", [False, True])
@pytest.mark.parametrize("learning", [False, True])
@pytest.mark.parametrize(
    ("n", "reps", "max_calls", "unavailable"),
    [
        (3000, 4, 200, 0.0),  # Floyd's branch of choice
        (20000, 6, 600, 0.0),  # the tail shuffle (more than 10,000 rows, 1/50th of them)
        (12000, 5, 120, 0.2),  # some rows unavailable
        (900, 5, 400, 0.3),  # a thin market: a random subset of the calls reaches someone
        (300, 3, 50, 1.0),  # nobody available
    ],
)
def test_compiled_calls_are_the_vectorised_calls(n, reps, max_calls, unavailable, learning,
                                                 banded):
    assert_same_weeks(n, reps, max_calls, learning, banded, seed=n + reps, unavailable=unavailable)


@settings(deadline=None, max_examples=25)
@given(n=st.integers(10, 12000), reps=st.integers(1, 6), max_calls=st.integers(0, 800),
       unavailable=st.floats(0, 1), learning=st.booleans(), banded=st.booleans(),
       seed=st.integers(0, 2**31))
def test_compiled_calls_are_the_vectorised_calls_anywhere(n, reps, max_calls, unavailable,
                                                          learning, banded, seed):
    assert_same_weeks(n, reps, max_calls, learning, banded, seed, weeks=2,
                      unavailable=unavailable)


def test_calls_with_no_rep_planning_any_draw_nothing():
    m = market(500, 3, True, 1)
    before = m.status.copy()
    rng = np.random.default_rng(4)
    reps = RepColumns(planned=np.zeros(3, dtype=np.int64), threshold=np.zeros(3),
                      pressure=np.ones(3), noise_sd=np.full(3, 0.1), craft=np.ones(3),
                      hire_id=np.arange(3))
    out = m.place_calls(0, reps, 3.0, rng, threshold_levels=LEVELS)
    assert out.counts.sum() == 0 and out.connects_above.shape == (3, LEVELS.size)
    np.testing.assert_array_equal(m.status, before)
    assert rng.random() == np.random.default_rng(4).random()


def test_count_by_level_counts_signals_at_or_above_each_level_and_bands_bookings():
    caller = np.array([0, 0, 0, 1, 1, 1])
    target = np.array([5, 3, 1, 0, 2, 4])
    signal = np.array([-0.1, 0.1, 0.7, 0.0, 0.3, -np.inf])
    connect = np.array([True, True, True, True, True, False])
    proposed = signal >= 0.1
    booked = np.array([False, True, True, False, True, False])
    junk = np.array([False, False, True, False, False, False])
    band_column = np.full(6, -1, dtype=np.int8)
    proposals, above, by_band, junk_by_band = kernels.calls.count_by_level(
        LEVELS, 3, caller, target, signal, connect, proposed, booked, junk, band_column)
    np.testing.assert_array_equal(proposals, [2, 1, 0])
    want = [[(signal[connect & (caller == r)] >= lv).sum() for lv in LEVELS] for r in range(3)]
    np.testing.assert_array_equal(above, want)
    # a booking's band is the highest level its signal reached
    np.testing.assert_array_equal(band_column, [-1, 4, 3, 2, -1, -1])
    np.testing.assert_array_equal(by_band, [[0, 0, 1, 0, 1], [0, 0, 0, 1, 0], [0] * 5])
    np.testing.assert_array_equal(junk_by_band, [[0, 0, 0, 0, 1], [0] * 5, [0] * 5])
