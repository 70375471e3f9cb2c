"""Compiled loops of the market's hot paths (numba).

Each kernel replaces a chain of whole-column numpy calls by one pass, so a week touches each row
or call once instead of once per operation. They draw no random numbers — the callers draw them,
in the same order and sizes as always — and every floating-point expression is written in the
order numpy evaluated it, so results are bit-identical to the vectorised code they replace (the
golden-output tests pin this). ``NUMBA_DISABLE_JIT=1`` runs them as plain Python for debugging.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Status codes (see sales_abm.market.Status; numba needs plain ints).
AVAILABLE, COOLING, BOOKED, CYCLE, CUSTOMER, BURNED = range(6)
N_STATUSES = 6


@njit(cache=True)
def book_calls(
    week, caller, target, connect_draw, noise, agree_draw, n_reps, planned, threshold, pressure,
    noise_sd, craft, hire_id, booking_time, connect_scale, agree_scale, receptivity_scale,
    pressure_agree_gain, qualification_bar, cooldown_weeks, burn, pressure_annoyance,
    fit, receptivity, status, until, booked_by, booked_hire, booked_week, booked_pressure,
    answer, accept, propensity_scale,
):  # pragma: no cover - compiled
    """One week's calls, in call order (callers sorted): connect, signal, proposal, agreement,
    the time budget, and the prospects' new states.

    A prospect's learned propensities to answer and to accept scale its chances of connecting
    and agreeing by ``propensity * propensity_scale`` (1 at the prior propensity).

    A call is *made* while its rep's time used, counting it, is within ``planned``; the time is a
    running sum over all calls minus the sum before the rep's first call, exactly as numpy's
    cumulative sum gave it. Returns per call (made calls only) ``connect``, ``proposed``,
    ``booked``, ``junk`` and the perceived ``signal`` (``-inf`` where there was no connect), and
    per rep the counts ``(calls, connects, booked, booked_junk)`` as an ``(4, n_reps)`` array.
    """
    reach = caller.size
    connect = np.zeros(reach, dtype=np.bool_)
    proposed = np.zeros(reach, dtype=np.bool_)
    booked = np.zeros(reach, dtype=np.bool_)
    junk = np.zeros(reach, dtype=np.bool_)
    signal = np.full(reach, -np.inf)
    counts = np.zeros((4, n_reps), dtype=np.int64)
    used = 0.0
    before = 0.0
    previous = -1
    for i in range(reach):
        rep = caller[i]
        row = target[i]
        rec = receptivity[row]
        connects = connect_draw[i] < connect_scale * rec * (answer[row] * propensity_scale)
        books = False
        proposes = False
        if connects:
            s = fit[row] + noise_sd[rep] * noise[i]
            signal[i] = s
            if s >= threshold[rep]:
                proposes = True
                rel = rec / receptivity_scale
                p = agree_scale * rel * (1 + pressure_agree_gain * pressure[rep]) * craft[rep]
                p = min(max(p * (accept[row] * propensity_scale), 0.0), 1.0)
                books = agree_draw[i] < p
        if rep != previous:
            before = used
            previous = rep
        used += 1.0 + booking_time * books
        if not used - before <= planned[rep]:
            signal[i] = -np.inf
            continue
        counts[0, rep] += 1
        if not connects:
            continue
        connect[i] = True
        proposed[i] = proposes
        counts[1, rep] += 1
        if burn:
            receptivity[row] = rec * (1 - pressure_annoyance * pressure[rep])
        if books:
            booked[i] = True
            counts[2, rep] += 1
            status[row] = BOOKED
            booked_by[row] = rep
            booked_hire[row] = hire_id[rep]
            booked_week[row] = week
            booked_pressure[row] = pressure[rep]
            if fit[row] < qualification_bar:
                junk[i] = True
                counts[3, rep] += 1
        else:
            status[row] = COOLING
            until[row] = week + cooldown_weeks
    return connect, proposed, booked, junk, signal, counts


@njit(cache=True)
def learn_from_neighbours(propensity, touched, hits, step, good):  # pragma: no cover - compiled
    """Word of mouth as social learning: each neighbour takes one Bush–Mosteller step of size
    ``step`` per experience it heard of, toward 1 (``good``) or toward 0."""
    for i in range(touched.size):
        node = touched[i]
        keep = (1.0 - step) ** hits[i]
        if good:
            propensity[node] = 1.0 - (1.0 - propensity[node]) * keep
        else:
            propensity[node] = propensity[node] * keep


@njit(cache=True)
def rows_with_status(status, code):  # pragma: no cover - compiled
    """The rows whose status is ``code``, ascending (``np.flatnonzero(status == code)``)."""
    out = np.empty(status.size, dtype=np.int64)
    k = 0
    for row in range(status.size):
        if status[row] == code:
            out[k] = row
            k += 1
    return out[:k]


@njit(cache=True)
def rows_due(status, code, column, last):  # pragma: no cover - compiled
    """Rows whose status is ``code`` and whose ``column`` is at most ``last``, ascending: the
    meetings booked before a week, or the sales cycles ending by it."""
    out = np.empty(status.size, dtype=np.int64)
    k = 0
    for row in range(status.size):
        if status[row] == code and column[row] <= last:
            out[k] = row
            k += 1
    return out[:k]


@njit(cache=True)
def recover(status, until, receptivity, base_receptivity, week,
            recovery_rate):  # pragma: no cover - compiled
    """End the rests and burns due by next week and let receptivity drift back to its base.

    One pass over the market; returns the customers' rows (ascending) and how many rows are
    in each status afterwards.
    """
    customers = np.empty(status.size, dtype=np.int64)
    counts = np.zeros(N_STATUSES, dtype=np.int64)
    k = 0
    for row in range(status.size):
        st = status[row]
        if st in (COOLING, BURNED) and until[row] <= week + 1:
            st = AVAILABLE
            status[row] = st
        elif st == CUSTOMER:
            customers[k] = row
            k += 1
        counts[st] += 1
        rec = receptivity[row]
        receptivity[row] = rec + (base_receptivity[row] - rec) * recovery_rate
    return customers[:k], counts


@njit(cache=True)
def rows_outside_funnel(status):  # pragma: no cover - compiled
    """Rows available, resting or burned (neither booked, in a sales cycle nor a customer),
    ascending: the prospects exogenous entry may replace."""
    out = np.empty(status.size, dtype=np.int64)
    k = 0
    for row in range(status.size):
        st = status[row]
        if st in (AVAILABLE, COOLING, BURNED):
            out[k] = row
            k += 1
    return out[:k]


@njit(cache=True)
def count_qualified_available(status, fit, bar):  # pragma: no cover - compiled
    """How many rows are available, and how many of those have a fit of at least ``bar``."""
    available = 0
    good = 0
    for row in range(status.size):
        if status[row] == AVAILABLE:
            available += 1
            if fit[row] >= bar:
                good += 1
    return available, good


@njit(cache=True)
def status_counts(status):  # pragma: no cover - compiled
    """How many rows are in each status."""
    counts = np.zeros(N_STATUSES, dtype=np.int64)
    for row in range(status.size):
        counts[status[row]] += 1
    return counts


@njit(cache=True)
def settle_meetings(
    week, rows, fit, show, held, opportunity, won, cycle, qualification_bar, cooldown_weeks,
    deal_value, booked_by, booked_hire, current_hires, epoch_start, n_reps,
    status, until, won_column,
):  # pragma: no cover - compiled
    """The prospects' new states after this week's meetings, and the counts by owner.

    A meeting that opened an opportunity starts its sales cycle; every other one rests. The
    owner of a meeting is its rep's slot if that hire still holds it, ``n_reps`` if the rep has
    left but the contract holder is the same, ``n_reps + 1`` if it was booked under an earlier
    holder (as :meth:`Market.owner`). Returns ``counts`` ``(5, n_reps + 2)`` — held, held junk,
    no-shows, cancelled, opportunities —, the expected value of the held meetings by owner
    (fit × deal value, summed in row order), each row's owner, and the held junk meetings' rows
    with whether each may burn (it opened no opportunity).
    """
    k = rows.size
    counts = np.zeros((5, n_reps + 2), dtype=np.int64)
    expected = np.zeros(n_reps + 2)
    owner = np.empty(k, dtype=np.int64)
    junk_rows = np.empty(k, dtype=np.int64)
    may_burn = np.empty(k, dtype=np.bool_)
    n_junk = 0
    for i in range(k):
        row = rows[i]
        slot = booked_by[row]
        hire = booked_hire[row]
        by = slot if hire == current_hires[slot] else n_reps
        if hire < epoch_start:
            by = n_reps + 1
        owner[i] = by
        if held[i]:
            counts[0, by] += 1
            expected[by] += fit[i] * deal_value[row]
            if fit[i] < qualification_bar:
                counts[1, by] += 1
                junk_rows[n_junk] = row
                may_burn[n_junk] = not opportunity[i]
                n_junk += 1
        if not show[i]:
            counts[2, by] += 1
        elif not held[i]:
            counts[3, by] += 1
        if opportunity[i]:
            counts[4, by] += 1
            status[row] = CYCLE
            until[row] = week + cycle[i]
            won_column[row] = won[i]
        else:
            status[row] = COOLING
            until[row] = week + cooldown_weeks
    return counts, expected, owner, junk_rows[:n_junk], may_burn[:n_junk]


@njit(cache=True)
def neighbour_hits(indptr, indices, rows, scratch):  # pragma: no cover - compiled
    """The distinct neighbours of ``rows`` and how many of the rows each neighbours.

    ``scratch`` is an int array of one zero per node; it is left all zero again.
    """
    reach = 0
    for row in rows:
        reach += indptr[row + 1] - indptr[row]
    touched = np.empty(reach, dtype=np.int64)
    k = 0
    for row in rows:
        for j in range(indptr[row], indptr[row + 1]):
            node = indices[j]
            if scratch[node] == 0:
                touched[k] = node
                k += 1
            scratch[node] += 1
    hits = np.empty(k, dtype=np.int64)
    for i in range(k):
        hits[i] = scratch[touched[i]]
        scratch[touched[i]] = 0
    return touched[:k], hits


@njit(cache=True)
def rewire_ring(words, below, n, half, shift):  # pragma: no cover - compiled
    """networkx's Watts–Strogatz rewiring of the ring lattice, replayed on Python's random stream.

    ``words`` are the stream's 32-bit words and ``below[k]`` whether the uniform starting at word
    ``k`` (two words) is below the rewiring probability. The ring's ``half * n`` edges are walked
    in networkx's order; each draws one uniform, and an edge whose uniform is below the
    probability moves its far end to ``random.choice`` of the nodes (words until one is below
    ``n``), redrawn while that would make a self-loop or a double edge. Returns the keys
    ``a * n + b`` (``a < b``) of the ring edges removed and of the edges added, sorted, and
    whether ``words`` sufficed (if not, call again with more).
    """
    size = words.size
    removed = {np.int64(0)}
    added = {np.int64(0)}
    removed.clear()
    added.clear()
    empty = np.empty(0, dtype=np.int64)
    total = half * n
    e = 0
    pos = 0
    while True:
        h = pos
        while h + 1 < size and not below[h]:
            h += 2
        if h + 1 >= size:  # no rewired edge left in the buffer
            if pos + 2 * (total - e) <= size:
                break  # the remaining edges' uniforms are all here, and none is below
            return empty, empty, False
        e += (h - pos) // 2  # each edge not rewired uses two words
        if e >= total:
            break
        pos = h + 2
        u = e % n
        v = (u + e // n + 1) % n
        e += 1
        w, pos = _choice(words, pos, n, shift)
        if w < 0:
            return empty, empty, False
        moved = True
        while w == u or _has_edge(u, w, n, half, removed, added):
            w, pos = _choice(words, pos, n, shift)
            if w < 0:
                return empty, empty, False
            if _degree(u, n, half, removed, added) >= n - 1:
                moved = False  # u is linked to everyone: networkx skips this rewiring
                break
        if moved:
            removed.add(min(u, v) * n + max(u, v))  # a ring edge still in place
            key = min(u, w) * n + max(u, w)
            if key in removed:
                removed.discard(key)  # a ring edge moved earlier comes back
            else:
                added.add(key)
    return np.sort(_array(removed)), np.sort(_array(added)), True


@njit(cache=True)
def _choice(words, pos, n, shift):  # pragma: no cover - compiled
    """``random.choice(range(n))``: words shifted to ``bits`` until one is below ``n``.

    Returns the node and the next position (node -1 if the words ran out).
    """
    while pos < words.size:
        r = np.int64(words[pos] >> np.uint64(shift))
        pos += 1
        if r < n:
            return r, pos
    return np.int64(-1), pos


@njit(cache=True)
def _has_edge(a, b, n, half, removed, added):  # pragma: no cover - compiled
    if a > b:
        a, b = b, a
    key = a * n + b
    if (b - a <= half or n - (b - a) <= half) and key not in removed:
        return True
    return key in added


@njit(cache=True)
def _degree(a, n, half, removed, added):  # pragma: no cover - compiled
    """A node's degree (needed only on a redraw, which is rare: counted, not tracked)."""
    ring = 0
    for d in range(1, half + 1):
        ring += _has_edge(a, (a + d) % n, n, half, removed, added)
        ring += _has_edge(a, (a - d) % n, n, half, removed, added)
    for key in added:  # added edges are never ring ones
        ring += (key // n == a) + (key % n == a)
    return ring


@njit(cache=True)
def _array(keys):  # pragma: no cover - compiled
    out = np.empty(len(keys), dtype=np.int64)
    for i, key in enumerate(keys):
        out[i] = key
    return out


@njit(cache=True)
def add_in_order(row, index, amounts):  # pragma: no cover - compiled
    """``np.add.at(row, index, amounts)``: each amount added to its cell, in event order."""
    for i in range(index.size):
        row[index[i]] += amounts[i]


@njit(cache=True)
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


@njit(cache=True)
def _leading_zeros(n):  # pragma: no cover - compiled
    bits = 0
    while n:
        n >>= 1
        bits += 1
    return 64 - bits


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
def sums(arrays):  # pragma: no cover - compiled
    """``[np.add.reduce(a) for a in arrays]`` for a tuple of float64 arrays, bit for bit."""
    out = np.empty(len(arrays))
    for j, a in enumerate(arrays):
        out[j] = pairwise_sum(a, 0, a.size)
    return out
