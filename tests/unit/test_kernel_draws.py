"""The compiled sampling without replacement draws numpy's numbers (bit for bit) from numpy's
stream, so kernels can draw where Python drew without changing a run."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_abm.kernels.draws import choice_without_replacement, sample_rows

#: Both of numpy's branches (Floyd's algorithm; the tail shuffle past 10,000 rows and 1/50th of
#: them) on and around their boundary, the empty draw, a full permutation and 64-bit bounds.
CASES = [(1, 0), (1, 1), (5, 5), (10, 3), (100, 100), (10_000, 9_000), (10_001, 200),
         (10_001, 201), (20_000, 399), (20_000, 401), (20_000, 5_000), (50_000, 2_000),
         (2**33, 5)]


@pytest.mark.parametrize(("n", "k"), CASES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_choice_matches_numpy(n, k, seed):
    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    got = choice_without_replacement(ours, n, k)
    want = theirs.choice(n, k, replace=False)
    assert np.array_equal(got, want)
    assert ours.random() == theirs.random()  # the stream is left where numpy leaves it


@settings(deadline=None)
@given(n=st.integers(1, 30_000), share=st.floats(0, 1), seed=st.integers(0, 2**32))
def test_choice_matches_numpy_anywhere(n, share, seed):
    k = int(share * n)
    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    assert np.array_equal(choice_without_replacement(ours, n, k),
                          theirs.choice(n, k, replace=False))
    assert ours.random() == theirs.random()


@pytest.mark.parametrize(("n", "k"), [(n, k) for n, k in CASES if n < 2**20] + [(0, 0)])
def test_sampled_rows_are_numpys_choice_of_them(n, k):
    rows = np.random.default_rng(n).permutation(3 * n)[:n]  # distinct rows, in no order
    ours, theirs = np.random.default_rng(k), np.random.default_rng(k)
    got = sample_rows(ours, rows.copy(), k)
    assert np.array_equal(got, rows[theirs.choice(n, k, replace=False)])
    assert ours.random() == theirs.random()
