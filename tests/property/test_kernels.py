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
