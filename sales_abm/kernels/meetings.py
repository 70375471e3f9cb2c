"""The week's meetings and the sales cycles that end: draws, AE capacity, new states,
annoyance, prospects' learning, and the counts by owner, one compiled call each.

The meetings' draws come from the ``meetings`` stream inside the kernel (passed as a handle,
:mod:`.streams`), in the order and sizes the vectorised code drew them: show-ups (one per due
meeting), the random subset the AEs hold when they are over capacity and do not triage
(numpy's ``choice``, :mod:`.draws`), then per due meeting the opportunity, win and cycle-length
draws, then one burn draw per held junk meeting (only with the burn switch). The chances
``fit ** s`` and ``fit ** (1 - s)`` are computed here, by the C library's ``pow`` (since model
version 8; before, by numpy's SIMD ``power``, which differs in the last bit for a few
arguments). numpy computes the word-of-mouth factors ``(1 - word_of_mouth) ** hits`` (a table by
hits) once, when the market is built.

The market's columns and the rules come in as plain tuples, made named tuples inside: numba
types a plain tuple in C and a named one in Python, which costs microseconds a call.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sales_abm.kernels.bundles import Csr, MeetingRules, Owners, Prospects
from sales_abm.kernels.draws import choice_without_replacement
from sales_abm.kernels.network import learn_from_neighbours, neighbour_hits
from sales_abm.kernels.status import BOOKED, BURNED, COOLING, CUSTOMER, CYCLE, rows_due
from sales_abm.kernels.streams import generator_from


@njit(cache=True, nogil=True)
def owner(slot, hire, owners):  # pragma: no cover - compiled
    """Who an event belongs to: its rep's ``slot`` if that ``hire`` still holds it, ``n_reps``
    if the rep has left but the contract holder is the same, ``n_reps + 1`` if it was booked
    under an earlier contract holder (``owners`` is an :class:`~.bundles.Owners`)."""
    if hire < owners.epoch_start:
        return owners.n_reps + 1
    return slot if hire == owners.current_hires[slot] else owners.n_reps


@njit(cache=True, nogil=True)
def triage(show, read, capacity):  # pragma: no cover - compiled
    """Which of the prospects who showed up the AEs meet: the ``capacity`` whose pre-meeting
    read of fit looks best (all of them when they fit in), the rest dropped.

    Ties in the read go to the earlier row (a stable sort), so the choice is deterministic.
    """
    shown = np.flatnonzero(show)
    if shown.size <= capacity:
        return show.copy()
    held = np.zeros(show.size, dtype=np.bool_)
    best = np.argsort(-read[shown], kind="mergesort")[:capacity]
    held[shown[best]] = True
    return held


@njit(cache=True, nogil=True)
def _show_up(rows, rng, triage_rng, fit, pressure, rules, triage_noise, capacity):
    # pragma: no cover - compiled
    """Who shows up (one draw per due meeting) and which of them the AEs hold.

    Over capacity, the AEs keep the best reads of fit when they triage (``triage_noise >= 0``;
    the reads' noise from ``triage_rng``, one normal per due meeting whatever the capacity, so
    the stream does not depend on outcomes), else a random subset (drawn from ``rng``).
    ``capacity < 0``: unlimited.
    """
    k = rows.size
    show_draw = rng.random(k)
    read_noise = triage_rng.standard_normal(k) if triage_noise >= 0 else show_draw
    show = np.empty(k, dtype=np.bool_)
    for i in range(k):
        p_show = (rules.show_max * (1 - rules.pressure_show_loss * pressure[rows[i]])
                  * (rules.show_fit_floor + (1 - rules.show_fit_floor) * fit[rows[i]]))
        show[i] = show_draw[i] < p_show
    if capacity < 0:
        return show, show.copy()
    if triage_noise >= 0:
        read = np.empty(k)
        for i in range(k):
            read[i] = fit[rows[i]] + triage_noise * read_noise[i]
        return show, triage(show, read, capacity)
    shown = np.flatnonzero(show)
    if shown.size <= capacity:
        return show, show.copy()
    held = np.zeros(k, dtype=np.bool_)
    held[shown[choice_without_replacement(rng, shown.size, capacity)]] = True
    return show, held


@njit(cache=True, nogil=True)
def hold_meetings(week, opportunity_share, stream, triage_stream, triage_noise, capacity,
                  columns, booked_band, owners, rules, n_bands, graph, scratch):
    # pragma: no cover - compiled
    """One week's meetings, from the draws to the prospects' new states and the counts by owner.

    The meetings due are the ones booked last week (rows ascending). A held meeting opens an
    opportunity when its draw is below ``fit ** opportunity_share``, which starts its sales
    cycle, and the opportunity is won when its draw is below ``fit ** (1 - opportunity_share)``
    (so a held meeting closes with chance ``fit``); every other meeting rests. A held junk
    meeting (fit below the qualification bar) annoys its prospect and, if it opened no
    opportunity, may burn it (burn switch); its neighbours lose receptivity by word of mouth
    unless prospects learn. With prospect learning, a meeting worth its time (a good fit that
    opened an opportunity) moves both propensities toward 1 and one that wasted it (a junk one
    held, or one the AEs cancelled) toward 0, and the prospect's neighbours learn from it (word
    of mouth); wasted meetings are learnt from first, each group's prospects before their
    neighbours.

    Args:
        week: the current week.
        opportunity_share: the exponent of fit in the chance of an opportunity.
        stream: the ``meetings`` stream's handle (:func:`~.streams.stream_handle`).
        triage_stream: the ``triage`` stream's handle (drawn from only when
            ``triage_noise >= 0``).
        triage_noise: SD of the AEs' read of fit; negative when they do not triage.
        capacity: meetings the AEs can hold; negative when unlimited.
        columns: the market's columns (a plain :class:`~.bundles.Prospects`); status, until,
            won, receptivity, answer and accept are written.
        booked_band: each row's booking band (read when ``n_bands > 0``).
        owners: the current hires (a plain :class:`~.bundles.Owners`).
        rules: the meetings' parameters (a plain :class:`~.bundles.MeetingRules`).
        n_bands: threshold levels when held meetings are counted by band, else 0.
        graph: the industry network (a plain :class:`~.bundles.Csr`).
        scratch: one zero int per row (word of mouth's work space; left zero).

    Returns:
        ``counts`` ``(5, n_reps + 2)`` — held, held junk, no-shows, cancelled, opportunities —,
        by owner the expected value (fit × deal value) and expected closes (fit) of the held
        meetings (``(2, n_reps + 2)``, summed in row order), the prospects burned, and by owner
        and band the held and held junk meetings (``(2, n_reps + 2, n_bands)``).
    """
    prospects, rules, owners = Prospects(*columns), MeetingRules(*rules), Owners(*owners)
    graph = Csr(*graph)
    rng = generator_from(stream)
    rows = rows_due(prospects.status, BOOKED, prospects.booked_week, week - 1)
    show, held = _show_up(rows, rng, generator_from(triage_stream), prospects.fit,
                          prospects.booked_pressure, rules, triage_noise, capacity)
    k = rows.size
    opportunity_draw = rng.random(k)
    won_draw = rng.random(k)
    cycle = rng.integers(rules.cycle_min_weeks, rules.cycle_max_weeks + 1, k)
    fit, deal_value = prospects.fit, prospects.deal_value
    status, until, won = prospects.status, prospects.until, prospects.won
    r = owners.n_reps + 2
    counts = np.zeros((5, r), dtype=np.int64)
    expected = np.zeros((2, r))  # value, closes (few arrays to return: each costs a boxing)
    expected_value, expected_closes = expected[0], expected[1]
    by_band = np.zeros((2, r, n_bands), dtype=np.int64)  # held, held junk
    held_by_band, held_junk_by_band = by_band[0], by_band[1]
    junk = np.empty(k, dtype=np.int64)
    may_burn = np.empty(k, dtype=np.bool_)
    worth = np.empty(k, dtype=np.int64)
    cancelled = np.empty(k, dtype=np.int64)
    n_junk = n_worth = n_cancelled = 0
    for i in range(k):
        row = rows[i]
        f = fit[row]
        by = owner(prospects.booked_by[row], prospects.booked_hire[row], owners)
        opened = held[i] and opportunity_draw[i] < f**opportunity_share
        if held[i]:
            counts[0, by] += 1
            expected_value[by] += f * deal_value[row]
            expected_closes[by] += f
            if n_bands:
                held_by_band[by, booked_band[row]] += 1
            if f < rules.qualification_bar:
                counts[1, by] += 1
                if n_bands:
                    held_junk_by_band[by, booked_band[row]] += 1
                junk[n_junk] = row
                may_burn[n_junk] = not opened
                n_junk += 1
            elif opened:
                worth[n_worth] = row
                n_worth += 1
        elif show[i]:
            counts[3, by] += 1
            cancelled[n_cancelled] = row
            n_cancelled += 1
        else:
            counts[2, by] += 1
        if opened:
            counts[4, by] += 1
            status[row] = CYCLE
            until[row] = week + cycle[i]
            won[row] = won_draw[i] < f ** (1 - opportunity_share)
        else:
            status[row] = COOLING
            until[row] = week + rules.cooldown_weeks
    # after the meetings' new states: a burned prospect leaves its rest for the burn
    burned = _annoy(week, junk[:n_junk], may_burn[:n_junk], rng, prospects, rules, graph, scratch)
    if rules.prospect_learning:
        junk[n_junk:n_junk + n_cancelled] = cancelled[:n_cancelled]  # cheaper than concatenate
        _learn(junk[:n_junk + n_cancelled], False, prospects, rules, graph, scratch)
        _learn(worth[:n_worth], True, prospects, rules, graph, scratch)
    return counts, expected, burned, by_band


@njit(cache=True, nogil=True)
def _annoy(week, junk, may_burn, rng, prospects, rules, graph, scratch):
    # pragma: no cover - compiled
    """A junk meeting annoys its prospect and spreads by word of mouth; one that opened no
    opportunity may also burn the prospect (one in a sales cycle stays in it). Returns the
    prospects burned."""
    if not rules.burn or junk.size == 0:
        return 0
    receptivity, status, until = prospects.receptivity, prospects.status, prospects.until
    burn_draw = rng.random(junk.size)
    burned = 0
    for i in range(junk.size):
        row = junk[i]
        receptivity[row] *= 1 - rules.annoyance
        if may_burn[i] and burn_draw[i] < rules.burn_probability:
            status[row] = BURNED
            until[row] = week + rules.burn_weeks
            burned += 1
    if rules.neighbours_annoyed:
        touched, hits = neighbour_hits(graph, junk, scratch)
        for i in range(touched.size):
            receptivity[touched[i]] *= rules.word_of_mouth_factor[hits[i]]
    return burned


@njit(cache=True, nogil=True)
def _learn(rows, good, prospects, rules, graph, scratch):  # pragma: no cover - compiled
    """Meetings teach their prospects: both propensities a step ``experience_rate`` toward 1
    (``good``) or toward 0, then each neighbour a step ``social_learning`` per meeting it hears
    of (word of mouth)."""
    if rows.size == 0:
        return
    keep = 1 - rules.experience_rate
    for q in (prospects.answer, prospects.accept):
        for row in rows:
            q[row] = 1 - (1 - q[row]) * keep if good else q[row] * keep
    if rules.social_learning_on:
        touched, hits = neighbour_hits(graph, rows, scratch)
        for q in (prospects.answer, prospects.accept):
            learn_from_neighbours(q, touched, hits, rules.social_learning, good)


@njit(cache=True, nogil=True)
def resolve_cycles(week, columns, booked_band, owners, cooldown_weeks, n_bands):
    # pragma: no cover - compiled
    """Close the opportunities whose cycle ends this week: won ones become customers, lost ones
    rest ``cooldown_weeks``.

    Returns by owner the closes and revenue (summed in row order), per won deal (rows ascending)
    its cohort (the week its appointment was set), deal value and owner (int32), and by owner and
    band the revenue (``(n_reps + 2, n_bands)``; band read when ``n_bands > 0``). ``columns``
    and ``owners`` are plain :class:`~.bundles.Prospects` and :class:`~.bundles.Owners`.
    """
    prospects, owners = Prospects(*columns), Owners(*owners)
    status, until, won = prospects.status, prospects.until, prospects.won
    deal_value, booked_week = prospects.deal_value, prospects.booked_week
    rows = rows_due(status, CYCLE, until, week)
    r = owners.n_reps + 2
    closes = np.zeros(r, dtype=np.int64)
    revenue = np.zeros(r)
    revenue_by_band = np.zeros((r, n_bands))
    cohort_weeks = np.empty(rows.size, dtype=booked_week.dtype)
    deal_values = np.empty(rows.size)
    by_deal = np.empty(rows.size, dtype=np.int32)
    n_won = 0
    for row in rows:
        if not won[row]:
            status[row] = COOLING
            until[row] = week + cooldown_weeks
            continue
        status[row] = CUSTOMER
        by = owner(prospects.booked_by[row], prospects.booked_hire[row], owners)
        closes[by] += 1
        revenue[by] += deal_value[row]
        if n_bands:
            revenue_by_band[by, booked_band[row]] += deal_value[row]
        cohort_weeks[n_won] = booked_week[row]
        deal_values[n_won] = deal_value[row]
        by_deal[n_won] = by
        n_won += 1
    return (closes, revenue, cohort_weeks[:n_won], deal_values[:n_won], by_deal[:n_won],
            revenue_by_band)
