"""The market's week in one compiled call: calls, meetings, sales cycles and the end of the week.

Between the four phases of the market's week nothing else happens (the agents decide before the
calls and after the end of the week), so :meth:`sales_abm.market.Market.week` runs them as one
call instead of four: each phase's arguments are unboxed once, not once per phase (the market's
thirteen columns alone cost about 2 us a call). The phases are the same kernels, called with the
same arguments in the same order, so the results are theirs bit for bit.
"""

from __future__ import annotations

from numba import njit

from sales_abm.kernels.calls import place_calls, place_calls_by_level
from sales_abm.kernels.meetings import hold_meetings, resolve_cycles
from sales_abm.kernels.recovery import advance_market


@njit(cache=True, nogil=True)
def market_week(calls, meetings, cycles, end_of_week):  # pragma: no cover - compiled
    """:func:`~.calls.place_calls`, :func:`~.meetings.hold_meetings`,
    :func:`~.meetings.resolve_cycles` and :func:`~.recovery.advance_market`, each given its
    arguments as a tuple, in that order.

    Returns:
        Each phase's result: the calls' counts (in a 1-tuple, as
        :func:`market_week_by_level` returns a tuple), the meetings', the cycles' and the end of
        the week's.
    """
    called = (place_calls(*calls),)
    return (called, *_rest_of_week(meetings, cycles, end_of_week))


@njit(cache=True, nogil=True)
def market_week_by_level(calls, levels, booked_band, meetings, cycles,
                         end_of_week):  # pragma: no cover - compiled
    """:func:`market_week` with the calls counted by threshold level
    (:func:`~.calls.place_calls_by_level`)."""
    called = place_calls_by_level(*calls, levels, booked_band)
    return (called, *_rest_of_week(meetings, cycles, end_of_week))


@njit(cache=True, nogil=True)
def _rest_of_week(meetings, cycles, end_of_week):  # pragma: no cover - compiled
    met = hold_meetings(*meetings)
    closed = resolve_cycles(*cycles)
    return met, closed, advance_market(*end_of_week)
