"""The end-of-week kernel's Beta sampler draws numpy's numbers, branch by branch."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from sales_abm.kernels.recovery import _beta, _beta_constants
from sales_abm.kernels.streams import generator_from, stream_handle


@njit  # not cached: a cache would outlive a change to the kernels it calls
def _betas(handle, a, b, k):
    rng = generator_from(handle)
    constants = _beta_constants(a, b)
    out = np.empty(k)
    for i in range(k):
        out[i] = _beta(rng.bit_generator, constants)
    return out


@pytest.mark.parametrize(("a", "b"), [
    (4.0, 8.0), (0.5, 50.0), (2.0, 5.0),  # the defaults: Marsaglia–Tsang, and a shape below 1
    (0.3, 0.9), (1.0, 1.0), (0.05, 0.05),  # Johnk's algorithm
    (1.0, 3.0), (50.0, 0.05), (1.0 + 1e-12, 7.5),  # a shape of 1 (exponential), extremes
])
def test_beta_draws_numpys_numbers_and_leaves_the_stream_where_numpy_does(a, b):
    for seed in range(3):
        mine, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        np.testing.assert_array_equal(_betas(stream_handle(mine), a, b, 2000),
                                      theirs.beta(a, b, 2000))
        assert mine.random() == theirs.random()
