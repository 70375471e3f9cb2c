"""Status codes of the market rows (see :class:`sales_abm.market.Status`; numba needs plain
ints), the row selections by status, and the market's end-of-week measures."""

from __future__ import annotations

import numpy as np
from numba import njit

# Status codes, in sales_abm.market.Status order.
AVAILABLE, COOLING, BOOKED, CYCLE, CUSTOMER, BURNED = range(6)
N_STATUSES = 6

_ONES = np.uint64(0x0101010101010101)  # a one in every byte of a word
_LOWS = np.uint64(0x7F7F7F7F7F7F7F7F)  # every byte's seven low bits


@njit(cache=True, nogil=True)
def rows_with_status(status, code):  # pragma: no cover - compiled
    """The rows whose status is ``code``, ascending (``np.flatnonzero(status == code)``).

    Branch-free: every row is written at the next free place, which advances only past a match
    (a quarter faster than a branch when most rows match, as available rows usually do).
    """
    out = np.empty(status.size, dtype=np.int64)
    k = 0
    for row in range(status.size):
        out[k] = row
        k += status[row] == code
    return out[:k]


@njit(cache=True, nogil=True)
def rows_due(status, code, column, last):  # pragma: no cover - compiled
    """Rows whose status is ``code`` and whose ``column`` is at most ``last``, ascending: the
    meetings booked before a week, or the sales cycles ending by it.

    The statuses (one byte each, most rows not ``code``) are read eight at a time: a word with
    no byte equal to ``code`` (the word xor ``code`` in every byte has no zero byte) is skipped,
    so the rare rows are looked at alone. The zero-byte test carries no bit out of a byte, so it
    is exact and never overflows (also when the kernels run as plain Python).
    """
    n = status.size
    out = np.empty(n, dtype=np.int64)
    k = 0
    whole = n - n % 8
    words = status[:whole].view(np.uint64)
    pattern = np.uint64(code) * _ONES
    for w in range(words.size):
        x = words[w] ^ pattern
        if ~(((x & _LOWS) + _LOWS) | x | _LOWS):  # the high bit of each zero byte
            for row in range(8 * w, 8 * w + 8):
                if status[row] == code and column[row] <= last:
                    out[k] = row
                    k += 1
    for row in range(whole, n):
        if status[row] == code and column[row] <= last:
            out[k] = row
            k += 1
    return out[:k]


@njit(cache=True, nogil=True)
def status_counts(status):  # pragma: no cover - compiled
    """How many rows are in each status.

    Six running sums in registers, which the compiler vectorises; a histogram in memory would
    chain every row's increment to the previous row's.
    """
    available = cooling = booked = cycle = customer = burned = 0
    for row in range(status.size):
        st = status[row]
        available += st == AVAILABLE
        cooling += st == COOLING
        booked += st == BOOKED
        cycle += st == CYCLE
        customer += st == CUSTOMER
        burned += st == BURNED
    return counts_array(available, cooling, booked, cycle, customer, burned)


@njit(cache=True, nogil=True)
def counts_array(available, cooling, booked, cycle, customer, burned):  # pragma: no cover
    """Six status counts kept in registers, as an array indexed by status code."""
    counts = np.empty(N_STATUSES, dtype=np.int64)
    counts[AVAILABLE], counts[COOLING], counts[BOOKED] = available, cooling, booked
    counts[CYCLE], counts[CUSTOMER], counts[BURNED] = cycle, customer, burned
    return counts


@njit(cache=True, nogil=True)
def market_measures(receptivity, answer, accept, status, fit, bar):  # pragma: no cover
    """The market's end-of-week measures in one pass: the mean receptivity, the share of the
    available rows whose fit is at least ``bar`` (NaN when none is available), and the mean
    propensities to answer and to accept.

    Each sum is taken in four lanes (row ``i`` into lane ``i % 4``, each lane in row order),
    added as ``(lane 0 + lane 1) + (lane 2 + lane 3)``, then the last ``n % 4`` rows in order: a
    fixed order the compiler keeps, four times as many additions in flight as one running sum
    (numpy's pairwise sum, which the means used before model version 8, differs in the last
    bits).
    """
    n = status.size
    r0 = r1 = r2 = r3 = a0 = a1 = a2 = a3 = c0 = c1 = c2 = c3 = 0.0
    whole = n - n % 4
    for i in range(0, whole, 4):
        r0 += receptivity[i]
        r1 += receptivity[i + 1]
        r2 += receptivity[i + 2]
        r3 += receptivity[i + 3]
        a0 += answer[i]
        a1 += answer[i + 1]
        a2 += answer[i + 2]
        a3 += answer[i + 3]
        c0 += accept[i]
        c1 += accept[i + 1]
        c2 += accept[i + 2]
        c3 += accept[i + 3]
    rec, ans, acc = (r0 + r1) + (r2 + r3), (a0 + a1) + (a2 + a3), (c0 + c1) + (c2 + c3)
    for i in range(whole, n):
        rec += receptivity[i]
        ans += answer[i]
        acc += accept[i]
    available = good = 0
    for row in range(n):  # branch-free: a branch per row would be taken at random
        is_available = status[row] == AVAILABLE
        available += is_available
        good += is_available & (fit[row] >= bar)
    return rec / n, good / available if available else np.nan, ans / n, acc / n
