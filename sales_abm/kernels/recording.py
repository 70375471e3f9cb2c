"""Sums, means and SDs exactly as numpy computes them (pairwise summation), and event-order
additions, for the recorder and the settlements."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def add_in_order(row, index, amounts):  # pragma: no cover - compiled
    """``np.add.at(row, index, amounts)``: each amount added to its cell, in event order."""
    for i in range(index.size):
        row[index[i]] += amounts[i]


@njit(cache=True, nogil=True)
def pairwise_sum(a, lo, n):  # pragma: no cover - compiled
    """``np.add.reduce(a[lo:lo + n])`` for float64, bit for bit: numpy's pairwise summation
    (blocks of at most 128 summed with eight accumulators; longer runs split in two at a multiple
    of eight and the halves' sums added). The split is walked with an explicit stack: numba
    cannot cache a recursive function.
    """
    if n <= 128:
        return _block_sum(a, lo, n)
    depth = 2 * (64 - _leading_zeros(n)) + 2
    task_lo = np.empty(depth, dtype=np.int64)
    task_n = np.empty(depth, dtype=np.int64)
    stage = np.zeros(depth, dtype=np.int8)
    values = np.empty(depth)
    task_lo[0], task_n[0] = lo, n
    tasks, stored = 1, 0
    while tasks:
        top = tasks - 1
        start, size = task_lo[top], task_n[top]
        if size <= 128:
            values[stored] = _block_sum(a, start, size)
            stored += 1
            tasks -= 1
            continue
        half = size // 2
        half -= half % 8
        if stage[top] == 0:  # first the left half
            stage[top] = 1
            task_lo[tasks], task_n[tasks], stage[tasks] = start, half, 0
            tasks += 1
        elif stage[top] == 1:  # then the right half
            stage[top] = 2
            task_lo[tasks], task_n[tasks], stage[tasks] = start + half, size - half, 0
            tasks += 1
        else:  # both done: left + right
            values[stored - 2] = values[stored - 2] + values[stored - 1]
            stored -= 1
            tasks -= 1
    return values[0]


@njit(cache=True, nogil=True)
def _leading_zeros(n):  # pragma: no cover - compiled
    bits = 0
    while n:
        n >>= 1
        bits += 1
    return 64 - bits


@njit(cache=True, nogil=True)
def _block_sum(a, lo, n):  # pragma: no cover - compiled
    """numpy's sum of at most 128 values: in order below 8, else eight interleaved partials."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def masked_mean_sd(x, mask):  # pragma: no cover - compiled
    """``x[mask].mean()`` and ``x[mask].std()`` as numpy computes them (NaN when empty)."""
    k = 0
    picked = np.empty(x.size)
    for i in range(x.size):
        if mask[i]:
            picked[k] = x[i]
            k += 1
    if k == 0:
        return np.nan, np.nan
    mean = pairwise_sum(picked, 0, k) / k
    for i in range(k):
        dev = picked[i] - mean
        picked[i] = dev * dev
    return mean, np.sqrt(pairwise_sum(picked, 0, k) / k)


@njit(cache=True, nogil=True)
def sums(arrays):  # pragma: no cover - compiled
    """``[np.add.reduce(a) for a in arrays]`` for a tuple of float64 arrays, bit for bit."""
    out = np.empty(len(arrays))
    for j, a in enumerate(arrays):
        out[j] = pairwise_sum(a, 0, a.size)
    return out
