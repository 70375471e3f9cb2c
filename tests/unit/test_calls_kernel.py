"""The week's calls as one compiled pass (``kernels.place_calls``) draw, book, learn and count
exactly as a plain-Python reference of model version 8's calls: the targets drawn as the
vectorised numpy code drew them, then call by call only the numbers the call uses (a connect
uniform; a perception normal if it connects; an agreement uniform if its rep proposes; nothing
for a rep's calls after its budget ran out). The same market columns, the same outcome and the
stream left in the same place, bit for bit. That the law is the one of drawing every number for
every call (model version 7) is checked in distribution below."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sales_abm import kernels
from sales_abm.kernels import RepColumns
from sales_abm.market import Market, Status
from sales_abm.scenario import Scenario

LEVELS = np.array([0.0, 0.1, 0.1, 0.25, 0.4])  # ascending, with a tie

#: The market columns a week's calls may write.
WRITTEN = ("receptivity", "answer", "accept", "status", "until", "booked_by", "booked_hire",
           "booked_week", "booked_pressure", "booked_band")


def reference_targets(m: Market, reps: RepColumns,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The calls that reach someone (callers ascending) and their rows, as numpy drew them."""
    caller = np.repeat(np.arange(m.n_reps), reps.planned)
    total = caller.size
    available = np.flatnonzero(m.status == Status.AVAILABLE)
    reach = min(total, available.size)
    if reach < total:
        caller = rng.permutation(caller)[:reach]
        caller.sort(kind="stable")
    return caller, available[rng.choice(available.size, reach, replace=False)]


def reference_book(m: Market, week: int, caller: np.ndarray, target: np.ndarray,
                   reps: RepColumns, booking_time: float, rng: np.random.Generator,
                   lazy: bool = True) -> list[np.ndarray]:
    """The calls booked one by one in plain Python. ``lazy``: model version 8, a call draws
    only what it uses, as it goes; else version 7, every call's three numbers drawn beforehand
    as three sized draws (kept for the comparison in distribution)."""
    f, reach = m.funnel, caller.size
    if not lazy:
        connect_draw, noise, agree_draw = (rng.random(reach), rng.standard_normal(reach),
                                           rng.random(reach))
    connect, proposed, booked, junk = (np.zeros(reach, dtype=bool) for _ in range(4))
    signal = np.full(reach, -np.inf)
    counts = np.zeros((4, m.n_reps), dtype=np.int64)
    used: dict[int, float] = {}
    stopped: set[int] = set()
    for i, (rep, row) in enumerate(zip(caller.tolist(), target.tolist(), strict=True)):
        if rep in stopped:  # its time used only grows: no later call of it fits
            continue
        s = -np.inf
        proposes = books = False
        rec, fit = float(m.receptivity[row]), float(m.fit[row])
        u = rng.random() if lazy else connect_draw[i]
        connects = u < f.connect_scale * rec * (float(m.answer[row]) * f.propensity_scale)
        if connects:
            s = fit + float(reps.noise_sd[rep]) * (rng.standard_normal() if lazy else noise[i])
            if s >= reps.threshold[rep]:
                proposes = True
                p = (f.agree_scale * (rec / f.receptivity_scale)
                     * (1 + f.pressure_agree_gain * float(reps.pressure[rep]))
                     * float(reps.craft[rep]))
                p = min(max(p * (float(m.accept[row]) * f.propensity_scale), 0.0), 1.0)
                books = (rng.random() if lazy else agree_draw[i]) < p
        used[rep] = used.get(rep, 0.0) + 1.0 + booking_time * books
        if not used[rep] <= reps.planned[rep]:
            stopped.add(rep)
            continue
        counts[0, rep] += 1
        if not connects:
            continue
        signal[i], connect[i], proposed[i] = s, True, proposes
        counts[1, rep] += 1
        if f.burn:
            m.receptivity[row] = rec * (1 - f.pressure_annoyance * float(reps.pressure[rep]))
        if books:
            booked[i] = True
            counts[2, rep] += 1
            m.status[row] = Status.BOOKED
            m.booked_by[row], m.booked_hire[row] = rep, reps.hire_id[rep]
            m.booked_week[row], m.booked_pressure[row] = week, reps.pressure[rep]
            if fit < f.qualification_bar:
                junk[i] = True
                counts[3, rep] += 1
        else:
            m.status[row] = Status.COOLING
            m.until[row] = week + f.cooldown_weeks
    return [connect, proposed, booked, junk, signal, counts]


def reference_place_calls(m: Market, week: int, reps: RepColumns, booking_time: float,
                          rng: np.random.Generator, levels: np.ndarray | None) -> list:
    """The v8 calls in plain Python and numpy, the compiled pass's reference."""
    r = m.n_reps
    caller, target = reference_targets(m, reps, rng)
    connect, proposed, booked, junk, signal, counts = reference_book(
        m, week, caller, target, reps, booking_time, rng)
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
        want = reference_place_calls(theirs, week, reps_week, 3.0, stream_b, levels)
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
def test_compiled_calls_are_the_reference_calls(n, reps, max_calls, unavailable, learning,
                                                 banded):
    assert_same_weeks(n, reps, max_calls, learning, banded, seed=n + reps, unavailable=unavailable)


@settings(deadline=None, max_examples=25)
@given(n=st.integers(10, 12000), reps=st.integers(1, 6), max_calls=st.integers(0, 800),
       unavailable=st.floats(0, 1), learning=st.booleans(), banded=st.booleans(),
       seed=st.integers(0, 2**31))
def test_compiled_calls_are_the_reference_calls_anywhere(n, reps, max_calls, unavailable,
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


def test_the_calls_law_is_version_7s():
    """Drawing only what a call uses changes the draw, not its law: on one market and one set
    of strategies, the compiled v8 calls (seeds 0..299) and the v7 draws (every call's three
    numbers as sized draws; seeds 1000..1299) give the same means of the calls made, connects,
    proposals, bookings, junk bookings, and connects whose signal reached each threshold level
    (the perception's law), per rep (Welch, p > 0.001 each;
    a law that differed by a few percent would fail: these are ~60-500 events a week each).
    Connects and bookings are made common (connect_scale 1, agreement 0.5) and a booking costs
    5 call-times, so the budget binds."""
    sc = Scenario.from_dict({"prospects": 3000, "reps": 4, "market.network_degree": 0,
                             "market.connect_scale": 1.0, "market.agree_base": 0.5})
    base = Market(sc.market, sc.switches, 3000, 4, np.random.default_rng(3))
    reps = RepColumns(planned=np.array([120, 200, 60, 150]),
                      threshold=np.array([0.0, 0.1, 0.25, 0.4]),
                      pressure=np.array([0.0, 0.5, 1.0, 0.3]), noise_sd=np.full(4, 0.15),
                      craft=np.ones(4), hire_id=np.arange(4))
    columns = {name: getattr(base, name).copy() for name in WRITTEN}
    samples: dict[str, list[list[float]]] = {"v8": [], "v7": []}
    for version, first in (("v8", 0), ("v7", 1000)):
        for seed in range(first, first + 300):
            for name, value in columns.items():
                getattr(base, name)[:] = value
            rng = np.random.default_rng(seed)
            if version == "v8":
                out = base.place_calls(0, reps, 5.0, rng, threshold_levels=LEVELS)
                counts, proposals, above = out.counts, out.proposed, out.connects_above
            else:
                caller, target = reference_targets(base, reps, rng)
                connect, proposed, _, _, signal, counts = reference_book(
                    base, 0, caller, target, reps, 5.0, rng, lazy=False)
                proposals = np.bincount(caller[proposed], minlength=4)
                above = np.array([[(signal[connect & (caller == r)] >= level).sum()
                                   for level in LEVELS] for r in range(4)])
            samples[version].append([*counts.ravel(), *proposals, *above.ravel()])
    v8, v7 = np.array(samples["v8"], dtype=float), np.array(samples["v7"], dtype=float)
    for column in range(v8.shape[1]):
        if v8[:, column].std() == 0 and v7[:, column].std() == 0:
            assert v8[0, column] == v7[0, column]
            continue
        p = stats.ttest_ind(v8[:, column], v7[:, column], equal_var=False).pvalue
        assert p > 0.001, (column, v8[:, column].mean(), v7[:, column].mean(), p)
