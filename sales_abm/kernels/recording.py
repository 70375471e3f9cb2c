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
    return _mean_sd(picked, k)


@njit(cache=True, nogil=True)
def sums(arrays):  # pragma: no cover - compiled
    """``[np.add.reduce(a) for a in arrays]`` for a tuple of float64 arrays, bit for bit."""
    out = np.empty(len(arrays))
    for j, a in enumerate(arrays):
        out[j] = pairwise_sum(a, 0, a.size)
    return out


#: What :func:`record_week` measures, in the order it writes them (weekly metric names).
WEEK_MEASURES = (
    "calls", "connects", "appointments_set", "appointments_junk",
    "meetings_held", "meetings_held_junk", "no_shows", "meetings_cancelled", "opportunities",
    "closes", "ae_cost", "client_margin",
    "mean_skill", "reps_employed", "trained_hires",
    "mean_effort", "sd_effort", "mean_threshold", "sd_threshold", "mean_pressure", "sd_pressure",
)
#: The cohort columns :func:`record_week` adds to, in the order of its ``cohort_rows``.
WEEK_COHORTS = ("appointments_set", "appointments_junk", "meetings_held", "closes", "revenue")


@njit(cache=True, nogil=True)
def record_week(row, cols, week, calls, meetings, closes, revenue, client, skill, hire_id,
                levels, actions, trained, given, cohorts, cohort_rows, cohort_weeks,
                deal_values):  # pragma: no cover - compiled
    """One week's measures (:data:`WEEK_MEASURES`, then the ``given`` values) into
    ``row[cols]``, and the week's events into the cohorts (:data:`WEEK_COHORTS`, rows
    ``cohort_rows`` of ``cohorts``).

    Args:
        row: the recorder's row of the week (float64, written).
        cols: the row position of each measure of :data:`WEEK_MEASURES`, then of each value
            of ``given``.
        week: the week.
        calls: (4, n_reps) int: calls, connects, bookings, junk bookings per rep.
        meetings: (5, owners) int: held, held junk, no-shows, cancelled, opportunities.
        closes: deals won per owner (int); ``revenue`` (float64): their revenue per owner.
        client: (AE cost per held meeting, gross margin).
        skill: skill per rep slot; ``hire_id``: its hire (-1: vacant).
        levels: each strategy dimension's levels; ``actions``: each slot's level index.
        trained: whether each of the week's hires was trained (bool).
        given: arrays of values measured elsewhere, copied in order.
        cohorts: the recorder's cohort columns (written).
        cohort_rows: the cohort column of each of :data:`WEEK_COHORTS`.
        cohort_weeks: the cohort of each deal won; ``deal_values``: its value.

    Integer counts are exact; the revenue's sum, means and SDs are numpy's (pairwise), as
    ``np.add.reduce`` and :func:`masked_mean_sd` compute them.
    """
    k = 0
    totals = np.zeros(calls.shape[0] + meetings.shape[0], dtype=np.int64)
    for j in range(calls.shape[0]):
        for i in range(calls.shape[1]):
            totals[j] += calls[j, i]
    for j in range(meetings.shape[0]):
        for i in range(meetings.shape[1]):
            totals[calls.shape[0] + j] += meetings[j, i]
    for j in range(totals.size):
        row[cols[k]] = totals[j]
        k += 1
    won = 0
    for i in range(closes.size):
        won += closes[i]
    row[cols[k]] = won
    held = totals[calls.shape[0]]
    row[cols[k + 1]] = client[0] * held
    row[cols[k + 2]] = client[1] * pairwise_sum(revenue, 0, revenue.size)
    k += 3
    picked = np.empty(hire_id.size)
    n = 0
    for i in range(hire_id.size):
        if hire_id[i] >= 0:
            picked[n] = skill[i]
            n += 1
    row[cols[k]] = _mean_sd(picked, n)[0]
    row[cols[k + 1]] = n
    n_trained = 0
    for i in range(trained.size):
        n_trained += trained[i]
    row[cols[k + 2]] = n_trained
    k += 3
    for d in range(len(levels)):
        n = 0
        for i in range(hire_id.size):
            if hire_id[i] >= 0:
                picked[n] = levels[d][actions[d][i]]
                n += 1
        mean, sd = _mean_sd(picked, n)
        row[cols[k]] = mean
        row[cols[k + 1]] = sd
        k += 2
    for values in given:
        for i in range(values.size):
            row[cols[k]] = values[i]
            k += 1
    cohorts[cohort_rows[0], week] += totals[2]
    cohorts[cohort_rows[1], week] += totals[3]
    if week > 0:
        cohorts[cohort_rows[2], week - 1] += held
    for e in range(cohort_weeks.size):
        cohorts[cohort_rows[3], cohort_weeks[e]] += 1.0
    for e in range(cohort_weeks.size):
        cohorts[cohort_rows[4], cohort_weeks[e]] += deal_values[e]


@njit(cache=True, nogil=True)
def _mean_sd(picked, k):  # pragma: no cover - compiled
    """Mean and SD of ``picked[:k]`` as numpy's ``mean`` and ``std`` (NaN when empty);
    overwrites ``picked``."""
    if k == 0:
        return np.nan, np.nan
    mean = pairwise_sum(picked, 0, k) / k
    for i in range(k):
        dev = picked[i] - mean
        picked[i] = dev * dev
    return mean, np.sqrt(pairwise_sum(picked, 0, k) / k)
