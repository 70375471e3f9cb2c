"""The week's meetings: the prospects' new states and the counts by owner."""

from __future__ import annotations

import numpy as np
from numba import njit

from sales_abm.kernels.status import COOLING, CYCLE


@njit(cache=True, nogil=True)
def settle_meetings(week, meetings, prospects, owners, funnel):  # pragma: no cover - compiled
    """The prospects' new states after this week's meetings, and the counts by owner.

    A meeting that opened an opportunity starts its sales cycle; every other one rests. The
    owner of a meeting is its rep's slot if that hire still holds it, ``n_reps`` if the rep has
    left but the contract holder is the same, ``n_reps + 1`` if it was booked under an earlier
    holder (as :meth:`Market.owner`). Returns ``counts`` ``(5, n_reps + 2)`` — held, held junk,
    no-shows, cancelled, opportunities —, the expected value of the held meetings by owner
    (fit × deal value, summed in row order), each row's owner, and the held junk meetings' rows
    with whether each may burn (it opened no opportunity).

    Args:
        week: the current week.
        meetings: the due meetings and their draws (:class:`~.bundles.MeetingDraws`).
        prospects: the market's columns (:class:`~.bundles.Prospects`); status, until and won
            are written.
        owners: the current hires (:class:`~.bundles.Owners`).
        funnel: the market's parameters (:class:`~.bundles.Funnel`).
    """
    rows, fit, show, held = meetings.rows, meetings.fit, meetings.show, meetings.held
    opportunity, won, cycle = meetings.opportunity, meetings.won, meetings.cycle
    deal_value, booked_by, booked_hire = (prospects.deal_value, prospects.booked_by,
                                          prospects.booked_hire)
    status, until, won_column = prospects.status, prospects.until, prospects.won
    current_hires, epoch_start, n_reps = owners.current_hires, owners.epoch_start, owners.n_reps
    qualification_bar, cooldown_weeks = funnel.qualification_bar, funnel.cooldown_weeks
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
