"""Streams passed to kernels by handle draw what the Python generator would, and share its state."""

from __future__ import annotations

import copy
import pickle

import numpy as np
from numba import njit

from sales_abm.kernels import StreamHandles, generator_from, stream_handle


@njit  # not cached: a cache would outlive a change to the kernels it calls
def _draws(handle, k):
    rng = generator_from(handle)
    out = np.empty(3 * k)
    for i in range(k):
        out[i] = rng.random()
        out[k + i] = rng.beta(0.5, 50.0)
        out[2 * k + i] = rng.lognormal(10.0, 0.5)
    return out


def test_a_handle_draws_the_generators_numbers_and_advances_its_state():
    for bits in (np.random.PCG64, np.random.MT19937, np.random.Philox):
        mine, theirs = np.random.Generator(bits(3)), np.random.Generator(bits(3))
        got = _draws(stream_handle(mine), 50)
        want = np.array([(theirs.random(), theirs.beta(0.5, 50.0), theirs.lognormal(10.0, 0.5))
                         for _ in range(50)]).T.ravel()  # the kernel's order, draw by draw
        np.testing.assert_array_equal(got, want)
        assert mine.random() == theirs.random()  # the Python object saw the kernel's draws


@njit  # not cached: a cache would outlive a change to the kernels it calls
def _every_kind(handle, k):
    rng = generator_from(handle)
    out = np.empty((6, k))
    pool = np.arange(40)
    for i in range(k):  # 32-bit draws (small integers) between 64-bit ones use numpy's buffer
        out[0, i] = rng.standard_normal()
        out[1, i] = rng.integers(0, 7 + i)
        out[2, i] = rng.random()
        out[3, i] = rng.integers(0, 2**40)
        out[4, i] = rng.binomial(50 + i, 0.3)
        rng.shuffle(pool)
        out[5, i] = pool[0]
    return out


def test_every_kind_of_kernel_draw_is_numpys_and_leaves_numpys_state():
    """Every kind of draw the kernels make, interleaved (so numpy's 32-bit buffer is both used
    and left full), equals numpy's; afterwards the bit generators' whole states are equal."""
    for seed in range(4):
        mine, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        got = _every_kind(stream_handle(mine), 60)
        pool, want = np.arange(40), np.empty((6, 60))
        for i in range(60):
            want[:, i] = (theirs.standard_normal(), theirs.integers(0, 7 + i), theirs.random(),
                          theirs.integers(0, 2**40), theirs.binomial(50 + i, 0.3),
                          (theirs.shuffle(pool), pool[0])[1])
        np.testing.assert_array_equal(got, want)
        assert mine.bit_generator.state == theirs.bit_generator.state


def test_stream_handles_reads_each_generator_once_and_keeps_it():
    handles = StreamHandles(capacity=2)
    a, b = np.random.default_rng(1), np.random.default_rng(2)
    assert handles(a) is handles(a)
    assert not np.array_equal(handles(a), handles(b))
    c = np.random.default_rng(3)
    np.testing.assert_array_equal(handles(c), stream_handle(c))  # past capacity: starts over
    np.testing.assert_array_equal(handles(a), stream_handle(a))


def test_a_copied_or_pickled_cache_forgets_its_handles():
    handles = StreamHandles()
    rng = np.random.default_rng(4)
    handles(rng)
    for twin in (copy.deepcopy(handles), pickle.loads(pickle.dumps(handles))):
        assert twin._known == {}
        np.testing.assert_array_equal(twin(rng), stream_handle(rng))
