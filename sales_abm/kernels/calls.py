"""The week's calls: connect, perceived fit, proposal, agreement and each rep's time budget."""

from __future__ import annotations

import numpy as np
from numba import njit

from sales_abm.kernels.status import BOOKED, COOLING


@njit(cache=True, nogil=True)
def book_calls(week, draws, reps, prospects, funnel, booking_time):  # pragma: no cover - compiled
    """One week's calls, in call order (callers sorted): connect, signal, proposal, agreement,
    the time budget, and the prospects' new states.

    A prospect's learned propensities to answer and to accept scale its chances of connecting
    and agreeing by ``propensity * funnel.propensity_scale`` (1 at the prior propensity).

    A call is *made* while its rep's time used, counting it, is within ``planned``; the time is a
    running sum over all calls minus the sum before the rep's first call, exactly as numpy's
    cumulative sum gave it. Returns per call (made calls only) ``connect``, ``proposed``,
    ``booked``, ``junk`` and the perceived ``signal`` (``-inf`` where there was no connect), and
    per rep the counts ``(calls, connects, booked, booked_junk)`` as an ``(4, n_reps)`` array.

    Args:
        week: the current week.
        draws: the calls and their random numbers (:class:`~.bundles.CallDraws`).
        reps: the reps' strategies (:class:`~.bundles.RepColumns`).
        prospects: the market's columns (:class:`~.bundles.Prospects`); status, until,
            receptivity and the booking columns are written.
        funnel: the market's parameters (:class:`~.bundles.Funnel`).
        booking_time: call-times a booking takes.
    """
    caller, target = draws.caller, draws.target
    connect_draw, noise, agree_draw = draws.connect_draw, draws.noise, draws.agree_draw
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
