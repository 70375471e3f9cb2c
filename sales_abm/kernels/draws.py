"""numpy's sampling without replacement, compiled: the same numbers from the same stream.

Numba compiles ``numpy.random.Generator`` methods (``random``, ``standard_normal``, ``beta``,
``lognormal``, scalar ``integers``, ``shuffle``, ``permutation``...) with numpy's algorithms, and a
generator passed into a kernel shares its state with the Python object, so a kernel can draw
where the Python code drew and the run's numbers do not change. ``Generator.choice`` is not
among them: :func:`choice_without_replacement` ports numpy's (2.x) algorithm for
``rng.choice(n, k, replace=False)`` — a tail shuffle of ``arange(n)`` for large draws, Floyd's
algorithm with a hash set otherwise, then a shuffle — on numba's bounded-integer helpers.
``tests/unit/test_kernel_draws.py`` pins it against numpy, so a numpy or numba release that
changes either side fails there rather than silently shifting results.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.np.random.random_methods import bounded_lemire_uint64, buffered_bounded_lemire_uint32

_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, nogil=True)
def _bounded(bitgen, high):  # pragma: no cover - compiled
    """numpy's ``random_bounded_uint64(bitgen, 0, high, 0, 0)``: uniform on ``0..high``."""
    if high == 0:
        return np.int64(0)
    if high < 0xFFFFFFFF:
        return np.int64(buffered_bounded_lemire_uint32(bitgen, np.uint32(high)))
    return np.int64(bounded_lemire_uint64(bitgen, np.uint64(high)))


@njit(cache=True, nogil=True)
def _shuffle_tail(bitgen, data, first):  # pragma: no cover - compiled
    """numpy's ``_shuffle_int``: Fisher–Yates over ``data[first:]`` from the end."""
    for i in range(data.size - 1, first - 1, -1):
        j = _bounded(bitgen, i)
        data[i], data[j] = data[j], data[i]


@njit(cache=True, nogil=True)
def _gen_mask(value):  # pragma: no cover - compiled
    mask = np.uint64(value)
    for shift in (1, 2, 4, 8, 16, 32):
        mask |= mask >> np.uint64(shift)
    return mask


@njit(cache=True, nogil=True)
def choice_without_replacement(rng, n, k):  # pragma: no cover - compiled
    """``rng.choice(n, k, replace=False)``, bit for bit: ``k`` distinct ints of ``0..n-1``."""
    bitgen = rng.bit_generator
    if n > 10000 and k > n // 50:
        pool = np.arange(n)
        _shuffle_tail(bitgen, pool, max(n - k, 1))
        return pool[n - k:].copy()
    out = np.empty(k, dtype=np.int64)
    mask = _gen_mask(np.uint64(1.2 * k))
    seen = np.full(np.int64(mask) + 1, _EMPTY, dtype=np.uint64)
    for j in range(n - k, n):
        value = np.uint64(_bounded(bitgen, j))
        loc = value & mask
        while seen[loc] != _EMPTY and seen[loc] != value:
            loc = (loc + np.uint64(1)) & mask
        if seen[loc] == _EMPTY:
            seen[loc] = value
            out[j - n + k] = np.int64(value)
        else:
            loc = np.uint64(j) & mask
            while seen[loc] != _EMPTY:
                loc = (loc + np.uint64(1)) & mask
            seen[loc] = np.uint64(j)
            out[j - n + k] = j
    _shuffle_tail(bitgen, out, 1)
    return out


@njit(cache=True, nogil=True)
def sample_rows(rng, rows, k):  # pragma: no cover - compiled
    """``rows[rng.choice(rows.size, k, replace=False)]``, bit for bit, shuffling ``rows`` in place.

    ``rows`` is a work array (its order is lost). In the tail-shuffle branch the swaps are made
    on the rows themselves rather than on ``arange(n)`` followed by an indexing pass: the same
    swaps of the same positions, so the same rows in the same order, without the index array.
    """
    n = rows.size
    if n > 10000 and k > n // 50:
        _shuffle_tail(rng.bit_generator, rows, max(n - k, 1))
        return rows[n - k:]
    return rows[choice_without_replacement(rng, n, k)]
