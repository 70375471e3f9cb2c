"""Streams passed to kernels by handle draw what the Python generator would, and share its state."""

from __future__ import annotations

import copy
import pickle

import numpy as np
from numba import njit

from sales_abm.kernels import StreamHandles, generator_from, stream_handle


@njit(cache=True)
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
