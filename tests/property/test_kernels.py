"""The compiled kernels reproduce numpy's arithmetic bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sales_abm import kernels

FLOATS = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)


@given(arrays(np.float64, st.integers(0, 700), elements=FLOATS))
def test_pairwise_sum_is_numpys_sum(x):
    assert kernels.pairwise_sum(x, 0, x.size) == np.add.reduce(x)


@given(arrays(np.float64, st.integers(1, 300), elements=FLOATS), st.data())
def test_masked_mean_and_sd_are_numpys(x, data):
    mask = data.draw(arrays(np.bool_, x.size))
    mean, sd = kernels.masked_mean_sd(x, mask)
    if not mask.any():
        assert np.isnan(mean) and np.isnan(sd)
        return
    assert mean == x[mask].mean()
    assert sd == x[mask].std()


@given(st.lists(arrays(np.float64, st.integers(0, 200), elements=FLOATS), min_size=1, max_size=6))
def test_sums_are_numpys_sums(parts):
    got = kernels.sums(tuple(parts))
    assert got.tolist() == [np.add.reduce(p) for p in parts]


@given(arrays(np.int64, st.integers(0, 300), elements=st.integers(0, 155)), st.data())
def test_add_in_order_is_add_at(index, data):
    amounts = data.draw(arrays(np.float64, index.size, elements=FLOATS))
    got, want = np.zeros(156), np.zeros(156)
    kernels.add_in_order(got, index, amounts)
    np.add.at(want, index, amounts)
    np.testing.assert_array_equal(got, want)


PROBS = arrays(np.float64, st.tuples(st.integers(1, 30), st.integers(1, 9)),
               elements=st.floats(0.0, 10.0, allow_nan=False)).filter(
    lambda p: bool((p.sum(axis=1) > 0).all()))


@given(st.lists(PROBS, min_size=1, max_size=3), st.integers(0, 2**32), st.data())
def test_sample_actions_is_sample_rows(probs, seed, data):
    """The strategies drawn in one pass are the learners' ``sample_rows`` draws, dimension by
    dimension, for the chosen slots; the other slots keep their actions."""
    from sales_abm.learning.base import sample_rows

    n = probs[0].shape[0]
    probs = [p[np.arange(n) % p.shape[0]] for p in probs]  # one row per slot in each dimension
    rows = np.flatnonzero(data.draw(arrays(np.bool_, n)))
    rng = np.random.default_rng(seed)
    want = [np.full(n, -1, dtype=np.int64) for _ in probs]
    for p, actions in zip(probs, want, strict=True):
        actions[rows] = sample_rows(p, rng)[rows]
    got = tuple(np.full(n, -1, dtype=np.int64) for _ in probs)
    uniforms = np.random.default_rng(seed).random(len(probs) * n)
    kernels.sample_actions(tuple(probs), uniforms, rows, got)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


PROPENSITIES = arrays(np.float64, st.tuples(st.integers(1, 30), st.integers(1, 20)),
                     elements=st.floats(1e-6, 1e3, allow_nan=False))


@given(st.lists(PROPENSITIES, min_size=1, max_size=3), st.integers(0, 2**32), st.data())
def test_sample_proportional_samples_roth_erevs_probabilities(propensities, seed, data):
    """Sampling from propensities directly draws what sampling from Roth–Erev's probabilities
    (``q / q.sum(axis=1, keepdims=True)``, numpy's pairwise row sums: rows of more than eight
    levels take its unrolled path) draws, slot by slot."""
    n = propensities[0].shape[0]
    propensities = [q[np.arange(n) % q.shape[0]] for q in propensities]
    rows = np.flatnonzero(data.draw(arrays(np.bool_, n)))
    uniforms = np.random.default_rng(seed).random(len(propensities) * n)
    want = tuple(np.full(n, -1, dtype=np.int64) for _ in propensities)
    kernels.sample_actions(tuple(q / q.sum(axis=1, keepdims=True) for q in propensities),
                           uniforms, rows, want)
    got = tuple(np.full(n, -1, dtype=np.int64) for _ in propensities)
    kernels.sample_proportional(tuple(propensities), uniforms, rows, got)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


SKILL = arrays(np.float64, st.integers(0, 40), elements=st.floats(0.0, 1.0))


@given(SKILL, st.data())
def test_call_columns_are_the_numpy_expressions(skill, data):
    """Calls planned, strategy levels, perception noise and craft, as ``SalesForce`` computed
    them with numpy."""
    n = skill.size
    levels = np.linspace(20, 400, 9).round()
    thresholds, pressures = np.linspace(0.0, 0.5, 6), np.linspace(0.0, 1.0, 5)
    effort = data.draw(arrays(np.int64, n, elements=st.integers(0, 8)))
    threshold = data.draw(arrays(np.int64, n, elements=st.integers(0, 5)))
    pressure = data.draw(arrays(np.int64, n, elements=st.integers(0, 4)))
    ramp_left = data.draw(arrays(np.int64, n, elements=st.integers(0, 3)))
    employed = data.draw(arrays(np.bool_, n))
    loss, speed, gain = (data.draw(st.floats(0.0, 1.0)) for _ in range(3))
    noise_max, noise_min = data.draw(st.floats(0.1, 1.0)), data.draw(st.floats(0.0, 0.1))
    books = kernels.RepBooks(employed, levels, effort, thresholds, threshold, pressures, pressure,
                             skill, np.zeros(n, dtype=np.int64), ramp_left, np.zeros(n),
                             np.zeros(n), np.zeros(n, dtype=np.int64))
    got = kernels.call_columns(tuple(books), loss, speed, noise_max, noise_min, gain)
    working = np.where(employed, levels[effort] * np.where(ramp_left > 0, 1 - loss, 1.0), 0.0)
    want = ((working * (1 + speed * (skill - 0.5))).round().astype(np.int64),
            thresholds[threshold], pressures[pressure],
            noise_max - (noise_max - noise_min) * skill, 1 + gain * (skill - 0.5))
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


@given(arrays(np.int8, st.integers(0, 300), elements=st.integers(0, 5)), st.integers(0, 5),
       st.data())
def test_rows_due_is_the_numpy_selection(status, code, data):
    # the statuses are scanned eight at a time: every length and position of a hit must count
    until = data.draw(arrays(np.int32, status.size, elements=st.integers(0, 9)))
    want = np.flatnonzero((status == code) & (until <= 4))
    np.testing.assert_array_equal(kernels.rows_due(status, code, until, 4), want)
