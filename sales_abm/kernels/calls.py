"""The week's calls: who calls whom, connect, perceived fit, proposal, agreement, each rep's
time budget, what prospects learn from the calls and the counts by threshold level."""

from __future__ import annotations

import numpy as np
from numba import njit

from sales_abm.kernels.bundles import Funnel, Prospects, RepColumns
from sales_abm.kernels.draws import sample_rows
from sales_abm.kernels.status import AVAILABLE, BOOKED, COOLING, rows_with_status
from sales_abm.kernels.streams import generator_from


@njit(cache=True, nogil=True)
def place_calls(week, rng, reps, prospects, funnel, booking_time, learn,
                learning_rate):  # pragma: no cover - compiled
    """One week's calls, drawn and booked in one pass (see ``Market.place_calls``).

    The draws, from ``rng``, in order: the calls that reach someone (a permutation of the
    planned calls when prospects are short), the rows they reach (``choice`` without
    replacement among the available rows), then call by call, in call order (see
    :func:`book_calls`), only the numbers the call uses.

    The bundles come as plain tuples, made named tuples inside: numba types a plain tuple in C
    and a named one in Python, which costs microseconds a call.

    Args:
        week: the current week.
        rng: the calls' random stream: its handle (:func:`~.streams.stream_handle`) or the
            ``numpy.random.Generator`` itself; its state advances.
        reps: the reps' strategies (the fields of :class:`~.bundles.RepColumns`).
        prospects: the market's columns (the fields of :class:`~.bundles.Prospects`), written as
            in :func:`book_calls`.
        funnel: the market's parameters (the fields of :class:`~.bundles.Funnel`).
        booking_time: call-times a booking takes.
        learn: whether prospects learn from the calls (``switches.prospect_learning``).
        learning_rate: a pressured connect's Bush–Mosteller step toward 0 per unit of pressure.

    Returns:
        ``counts`` ``(4, n_reps)``: per rep the calls made, connects, bookings and junk bookings.
    """
    return _week_of_calls(week, rng, reps, prospects, funnel, booking_time, learn,
                          learning_rate)[-1]


@njit(cache=True, nogil=True)
def place_calls_by_level(week, rng, reps, prospects, funnel, booking_time, learn, learning_rate,
                         levels, booked_band):  # pragma: no cover - compiled
    """:func:`place_calls`, also counting the week's events by threshold level (for the rules
    that weigh foregone payoffs; see :func:`count_by_level`). The same draws and bookings.

    Args:
        levels: the reps' threshold levels, ascending.
        booked_band: the market's booking band column, written for this week's bookings.

    Returns:
        ``counts`` as :func:`place_calls`, then by rep the proposals, ``(n_reps, len(levels))``
        connects whose signal reached each level, bookings and junk bookings by band.
    """
    caller, target, signal, connect, proposed, booked, junk, counts = _week_of_calls(
        week, rng, reps, prospects, funnel, booking_time, learn, learning_rate)
    return (counts, *count_by_level(levels, counts.shape[1], caller, target, signal, connect,
                                    proposed, booked, junk, booked_band))


@njit(cache=True, nogil=True)
def _week_of_calls(week, stream, reps, prospects, funnel, booking_time, learn,
                   learning_rate):  # pragma: no cover - compiled
    """The week's calls (see :func:`place_calls`), returned call by call: ``caller``,
    ``target``, ``signal``, ``connect``, ``proposed``, ``booked``, ``junk``, and the counts."""
    reps, prospects, funnel = RepColumns(*reps), Prospects(*prospects), Funnel(*funnel)
    rng = generator_from(stream)
    caller, target = _calls_and_targets(rng, reps.planned, prospects.status)
    connect, proposed, booked, junk, signal, counts = book_calls(
        week, rng, caller, target, reps, prospects, funnel, booking_time,
        learning_rate if learn else 0.0)
    return caller, target, signal, connect, proposed, booked, junk, counts


@njit(cache=True, nogil=True)
def _calls_and_targets(rng, planned, status):  # pragma: no cover - compiled
    """The calls that reach someone (rep of each, ascending) and the rows they reach.

    Every rep's planned calls, in rep order; when fewer rows are available than calls planned,
    a random subset of them (the first ``reach`` of numpy's ``permutation``, in rep order
    again). Then one available row per call, drawn as ``choice(available, reach,
    replace=False)``.
    """
    total = 0
    for rep in range(planned.size):
        total += planned[rep]
    caller = np.empty(total, dtype=np.int64)
    _repeat_reps(planned, caller)
    available = rows_with_status(status, AVAILABLE)
    reach = min(total, available.size)
    if reach < total:
        rng.shuffle(caller)  # what permutation draws; caller is ours to shuffle
        per_rep = np.zeros(planned.size, dtype=np.int64)
        for i in range(reach):
            per_rep[caller[i]] += 1
        caller = caller[:reach]
        _repeat_reps(per_rep, caller)  # the subset sorted: the values of a stable sort
    return caller, sample_rows(rng, available, reach)


@njit(cache=True, nogil=True)
def _repeat_reps(calls, out):  # pragma: no cover - compiled
    """``np.repeat(np.arange(calls.size), calls)`` written into ``out``."""
    i = 0
    for rep in range(calls.size):
        for _ in range(calls[rep]):
            out[i] = rep
            i += 1


@njit(cache=True, nogil=True)
def count_by_level(levels, n_reps, caller, target, signal, connect, proposed, booked, junk,
                   booked_band):  # pragma: no cover - compiled
    """Per rep, the week's proposals, the connects whose signal reached each threshold level,
    and the bookings and junk bookings by band; each booking's band is written to
    ``booked_band``.

    A signal's *levels cleared* is ``searchsorted(levels, signal, side="right")`` (``levels``
    ascending, ties allowed): ``signal >= levels[k]`` is exactly the test a rep at level ``k``
    applies, so a connect counts toward every level below its levels cleared, and the column at
    a rep's own level equals its proposals. A booking's band is its levels cleared less one (its
    signal reached its rep's level, so it cleared at least one).

    Args:
        levels: the threshold levels, ascending.
        n_reps: the number of reps.
        caller, target: the rep and the market row of each call.
        signal: each call's perceived fit (read where it connected).
        connect, proposed, booked, junk: per call, whether it connected, proposed, booked and
            booked junk.
        booked_band: the market's band column (int8), written at the booked rows.

    Returns:
        ``proposals`` ``(n_reps,)``, ``above``, ``booked_by_band`` and ``booked_junk_by_band``
        ``(n_reps, len(levels))``, all int64.
    """
    k = levels.size
    proposals = np.zeros(n_reps, dtype=np.int64)
    cleared = np.zeros((n_reps, k + 1), dtype=np.int64)
    by_band = np.zeros((n_reps, k), dtype=np.int64)
    junk_by_band = np.zeros((n_reps, k), dtype=np.int64)
    for i in range(caller.size):
        if not connect[i]:
            continue
        rep = caller[i]
        proposals[rep] += proposed[i]
        reached = np.searchsorted(levels, signal[i], side="right")
        cleared[rep, reached] += 1
        if booked[i]:
            band = reached - 1
            booked_band[target[i]] = band
            by_band[rep, band] += 1
            if junk[i]:
                junk_by_band[rep, band] += 1
    above = np.zeros((n_reps, k), dtype=np.int64)
    for rep in range(n_reps):
        running = 0
        for level in range(k, 0, -1):  # the connects that cleared more than level - 1 levels
            running += cleared[rep, level]
            above[rep, level - 1] = running
    return proposals, above, by_band, junk_by_band


@njit(cache=True, nogil=True)
def book_calls(week, rng, caller, target, reps, prospects, funnel, booking_time,
               learning_rate):  # pragma: no cover - compiled
    """One week's calls, in call order (callers ascending): connect, signal, proposal,
    agreement, the time budget, the prospects' new states and what they learn.

    Each call draws only what it uses, from ``rng`` as it goes: a connect uniform; if it
    connects, a standard normal, its rep's perception noise; if the rep proposes, an agreement
    uniform. The law of every call is the one of drawing all three for every call (the numbers
    a call does not use change nothing), so results change with v8 only as another draw of the
    same law. A prospect's learned propensities to answer and to accept scale its chances of
    connecting and agreeing by ``propensity * funnel.propensity_scale`` (1 at the prior).

    A call is *made* while its rep's time used, counting it (1, and ``booking_time`` more if it
    books), is within ``planned``: the rep's own running sum (before model version 8, a running
    sum over all calls less the sum before the rep's first call, as numpy's cumulative sum gave
    it: the same for whole booking times, else the last bits). The time used only grows, so once
    a call of a rep is not made, neither is any later one: the rep stops there and its later
    calls draw nothing (the first call not made has drawn, as whether it fits depends on whether
    it books). Returns per call (made calls only) ``connect``, ``proposed``, ``booked``,
    ``junk`` and the perceived ``signal`` (``-inf`` where there was no connect), and per rep the
    counts ``(calls, connects, booked, booked_junk)`` as an ``(4, n_reps)`` array.

    A pressured connect teaches its prospect that cold callers push: both propensities take a
    Bush–Mosteller step toward 0 of size ``learning_rate`` x the pressure used, as
    ``q[rows] -= step * q[rows]`` computed it (0: prospects do not learn). Each row is called at
    most once a week, so learning as the calls go reads what learning after them read.

    Args:
        week: the current week.
        rng: the calls' ``numpy.random.Generator`` (in a kernel); its state advances.
        caller, target: the rep (ascending) and the market row of each call.
        reps: the reps' strategies (:class:`~.bundles.RepColumns`).
        prospects: the market's columns (:class:`~.bundles.Prospects`); status, until,
            receptivity and the booking columns are written.
        funnel: the market's parameters (:class:`~.bundles.Funnel`).
        booking_time: call-times a booking takes.
        learning_rate: a pressured connect's step toward 0 per unit of pressure (0: none).
    """
    planned, threshold, pressure = reps.planned, reps.threshold, reps.pressure
    noise_sd, craft, hire_id = reps.noise_sd, reps.craft, reps.hire_id
    fit, receptivity, status, until = (prospects.fit, prospects.receptivity, prospects.status,
                                       prospects.until)
    booked_by, booked_hire = prospects.booked_by, prospects.booked_hire
    booked_week, booked_pressure = prospects.booked_week, prospects.booked_pressure
    connect_scale, agree_scale = funnel.connect_scale, funnel.agree_scale
    receptivity_scale, pressure_agree_gain = funnel.receptivity_scale, funnel.pressure_agree_gain
    qualification_bar, cooldown_weeks = funnel.qualification_bar, funnel.cooldown_weeks
    burn, pressure_annoyance = funnel.burn, funnel.pressure_annoyance
    answer, accept, propensity_scale = prospects.answer, prospects.accept, funnel.propensity_scale
    n_reps = planned.size
    reach = caller.size
    connect = np.zeros(reach, dtype=np.bool_)
    proposed = np.zeros(reach, dtype=np.bool_)
    booked = np.zeros(reach, dtype=np.bool_)
    junk = np.zeros(reach, dtype=np.bool_)
    signal = np.full(reach, -np.inf)
    counts = np.zeros((4, n_reps), dtype=np.int64)
    used = 0.0
    previous = -1
    stopped = False
    for i in range(reach):
        rep = caller[i]
        if rep != previous:
            used = 0.0
            previous = rep
            stopped = False
        if stopped:
            continue
        row = target[i]
        rec = receptivity[row]
        connects = rng.random() < connect_scale * rec * (answer[row] * propensity_scale)
        books = False
        proposes = False
        s = -np.inf
        if connects:
            s = fit[row] + noise_sd[rep] * rng.standard_normal()
            if s >= threshold[rep]:
                proposes = True
                rel = rec / receptivity_scale
                p = agree_scale * rel * (1 + pressure_agree_gain * pressure[rep]) * craft[rep]
                p = min(max(p * (accept[row] * propensity_scale), 0.0), 1.0)
                books = rng.random() < p
        used += 1.0 + booking_time * books
        if not used <= planned[rep]:
            stopped = True
            continue
        counts[0, rep] += 1
        if not connects:
            continue
        signal[i] = s
        connect[i] = True
        proposed[i] = proposes
        counts[1, rep] += 1
        if burn:
            receptivity[row] = rec * (1 - pressure_annoyance * pressure[rep])
        if learning_rate:
            step = learning_rate * pressure[rep]
            answer[row] = answer[row] - step * answer[row]
            accept[row] = accept[row] - step * accept[row]
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
