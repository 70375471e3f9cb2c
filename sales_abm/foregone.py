"""Foregone payoffs: what a rep estimates the levels it did not play would have paid it.

Belief-based rules (EWA, fictitious play, the replicator learner) update every action from its
payoff, but a rep lives through only the levels it played. It estimates the others from what it
saw: its calls, the signal it perceived on each connect, who agreed to a meeting, and what each of
its bookings later paid it (bonus, clawback, commission). One strategy dimension is estimated at a
time, the other two held at their played levels. Every estimate equals the realised payoff at the
played level and differs from it only by the change in pay and effort cost the rep can infer.

Notation, per rep and learning period of ``W`` weeks: ``pi`` the realised learning payoff (mean
weekly variable pay - effort cost + ``learning.payoff_shift``, divided by ``s =
learning.payoff_scale``), ``N`` calls made, ``B`` meetings booked, ``b = rep.booking_time``. A
booking's *band* is the highest threshold level its signal reached.

**What a booking is worth**, by band: ``v_j = EW(pay earned by band-j bookings) / EW(band-j
bookings)``, exponentially weighted over the rep's earnings window (``rep.earnings_window``). The
pay of a band is its bookings' bonus by the pay plan, less the expected clawback (audit rate x the
band's unqualified counted meetings), plus commission on the revenue they closed. Pay arrives
with lags (a week for a held meeting, a sales cycle for a commission); the trailing ratio matches
it to the bookings that earned it in a steady state. A band the rep has not booked in the window
is taken to be worth what the nearest booked band above it is worth (a booking's worth rises with
its signal, so this optimistic bound makes a belief learner try lower thresholds and so learn
their worth); bands above its highest booked one take that band's worth; with no booking at all,
every band is worth 0.

**Threshold level k.** Of its connects, ``C_k`` had a signal at or above level ``k``, and a share
``a`` of the meetings it proposed were accepted (this period's rate; if it proposed none, its
trailing rate; if it never proposed, 0). At level ``k`` it would have booked ``r_k = a C_k / N``
meetings per call; a booking takes ``b`` call-times out of the time it used, ``U = N + b B``, so it
would have booked ``B_k = U r_k / (1 + b r_k)`` meetings (exactly ``B`` at its own level, never
more at a higher level than at a lower one), worth ``V_k = B_k x`` the mean of ``v_j`` over its
connects at or above level ``k``. Foregone payoff: ``pi + (V_k - V_k0) / (W s)``.

**Effort level e** (calls planned; ``e0`` played). Bookings scale with the call budget, and effort
costs ``c(e) = rep.effort_cost (e / rep.calls_max)^2`` a week. Foregone payoff:
``pi + [V_k0 (e / e0 - 1) - W (c(e) - c(e0))] / (W s)``.

**Pressure.** Its effects (more yeses, fewer shows, annoyed prospects) are never observed at an
unplayed level, so every pressure level's foregone payoff is the realised one, ``pi``. Rules whose
update then treats all levels alike (fictitious play, smooth fictitious play, replicator) leave
pressure where it started (uniform over levels); EWA still moves it through the extra weight
``1 - delta`` on the played level.

Assumptions to state in the ODD: the agree rate does not depend on the threshold (true in the
model: receptivity and fit are drawn independently); within a band, an extra booking is worth the
band's average; audits are taken at their expected rate; dimensions are estimated one at a time,
not jointly; a new hire starts with no experience.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sales_abm.contracts import Terms, expected_payment
from sales_abm.market import CallOutcome, CloseOutcome, MeetingOutcome
from sales_abm.scenario import Scenario


def _ratio(num: np.ndarray, den: np.ndarray, fallback: np.ndarray | float = 0.0) -> np.ndarray:
    """``num / den`` where ``den > 0``, else ``fallback`` (no division by zero, no NaN)."""
    out = np.broadcast_to(np.asarray(fallback, dtype=np.float64), num.shape).copy()
    np.divide(num, den, out=out, where=den > 0)
    return out


def threshold_bookings(
    calls: np.ndarray,
    booked: np.ndarray,
    above: np.ndarray,
    agree: np.ndarray,
    booking_time: float,
) -> np.ndarray:
    """Meetings each threshold level would have booked in the period.

    Args:
        calls: Calls made per rep, ``(n,)``.
        booked: Meetings booked per rep, ``(n,)``.
        above: Connects with a signal at or above each level, ``(n, K)``, non-increasing.
        agree: Share of proposals accepted per rep, ``(n,)`` in [0, 1].
        booking_time: Call-times one booking takes.

    Returns:
        ``(n, K)`` estimated bookings ``B_k = U r_k / (1 + b r_k)``, with ``r_k = a C_k / N`` and
        ``U = N + b B`` (module docstring); finite, non-negative and non-increasing in ``k``; 0
        for a rep that made no calls.
    """
    calls = np.asarray(calls, dtype=np.float64)
    per_call = _ratio(agree[:, None] * above, calls[:, None])
    used = calls + booking_time * booked
    return used[:, None] * per_call / (1.0 + booking_time * per_call)


def band_pay(
    terms: Terms,
    booked: np.ndarray,
    booked_junk: np.ndarray,
    held: np.ndarray,
    held_junk: np.ndarray,
    revenue: np.ndarray,
) -> np.ndarray:
    """Variable pay a week's events earn, by band, under a pay plan, audits at their expected rate.

    Arguments are arrays of one shape (e.g. reps x bands) of counts (revenue in USD); the pay is
    :func:`sales_abm.contracts.expected_payment`'s, without the fixed part.
    """
    return expected_payment(terms, booked, booked_junk, held, held_junk, revenue).net()


def fill_unexplored(value: np.ndarray, explored: np.ndarray) -> np.ndarray:
    """Give each unexplored band the value of the nearest explored band above it.

    Bands above a row's highest explored band take that band's value; a row with no explored
    band is all 0. Loops over bands (a handful), vectorised over rows.
    """
    filled = np.where(explored, value, np.nan)
    k = filled.shape[1]
    for j in range(k - 2, -1, -1):
        filled[:, j] = np.where(np.isnan(filled[:, j]), filled[:, j + 1], filled[:, j])
    for j in range(1, k):
        filled[:, j] = np.where(np.isnan(filled[:, j]), filled[:, j - 1], filled[:, j])
    return np.nan_to_num(filled, nan=0.0)


def level_values(bookings: np.ndarray, above: np.ndarray, band_value: np.ndarray) -> np.ndarray:
    """``V_k``: bookings at each level times the mean worth of a connect at or above it.

    Args:
        bookings: ``B_k``, ``(n, K)``.
        above: ``C_k``, connects at or above each level, ``(n, K)``.
        band_value: ``v_j`` per band, ``(n, K)``.
    """
    per_band = above - np.concatenate([above[:, 1:], np.zeros_like(above[:, :1])], axis=1)
    worth = np.cumsum((per_band * band_value)[:, ::-1], axis=1)[:, ::-1]
    return bookings * _ratio(worth, above)


class ForegoneEstimator:
    """Per rep slot, the counts behind the foregone-payoff estimates (module docstring).

    Period sums cover the weeks since the slot's last learning update; trailing sums are
    exponentially weighted over ``rep.earnings_window``. Both start at 0 for a new hire.

    Args:
        scenario: The run's scenario.
        levels: The action grid of each strategy dimension.
    """

    def __init__(self, scenario: Scenario, levels: Mapping[str, np.ndarray]) -> None:
        n, rep, k = scenario.reps, scenario.rep, levels["threshold"].size
        self.levels = levels
        self.bands = k
        self.terms = Terms.from_pay_plan(scenario.pay)
        self.booking_time = rep.booking_time
        self.decay = 1.0 - 2.0 / (rep.earnings_window + 1)
        self.scale = scenario.learning.payoff_scale
        self.cost = rep.effort_cost * (levels["effort"] / rep.calls_max) ** 2
        self.calls = np.zeros(n)
        self.proposed = np.zeros(n)
        self.booked = np.zeros(n)
        self.above = np.zeros((n, k))
        self.trail_proposed = np.zeros(n)
        self.trail_booked = np.zeros(n)
        self.trail_band_booked = np.zeros((n, k))
        self.trail_band_pay = np.zeros((n, k))

    def reset(self, rows: np.ndarray) -> None:
        """Forget everything about these slots (a new hire starts without experience)."""
        self.end_period(rows)
        for trail in (self.trail_proposed, self.trail_booked, self.trail_band_booked,
                      self.trail_band_pay):
            trail[rows] = 0.0

    def end_period(self, rows: np.ndarray) -> None:
        """Start a new learning period for these slots (indices or boolean mask)."""
        for total in (self.calls, self.proposed, self.booked, self.above):
            total[rows] = 0.0

    def observe(
        self,
        on: np.ndarray,
        calls: CallOutcome,
        meetings: MeetingOutcome,
        closes: CloseOutcome,
    ) -> None:
        """Add a week's observations of the slots in ``on`` (boolean mask).

        Args:
            on: Slots with a rep in them this week.
            calls: The week's calls, counted by level (``place_calls(threshold_levels=...)``).
            meetings: The week's meetings, counted by band (``hold_meetings(bands=K)``).
            closes: The week's closes, by band (``resolve_cycles(bands=K)``).
        """
        if calls.connects_above is None or meetings.held_by_band is None or (
                closes.revenue_by_band is None):
            raise ValueError("foregone payoffs need the market's counts by threshold level")
        n = on.size
        self.calls[on] += calls.calls[on]
        self.proposed[on] += calls.proposed[on]
        self.booked[on] += calls.booked[on]
        self.above[on] += calls.connects_above[on]
        pay = band_pay(self.terms, calls.booked_by_band, calls.booked_junk_by_band,
                       meetings.held_by_band[:n], meetings.held_junk_by_band[:n],
                       closes.revenue_by_band[:n])
        for trail, week in ((self.trail_proposed, calls.proposed),
                            (self.trail_booked, calls.booked),
                            (self.trail_band_booked, calls.booked_by_band),
                            (self.trail_band_pay, pay)):
            trail[on] = self.decay * trail[on] + week[on]

    def band_values(self) -> np.ndarray:
        """``v_j``: trailing pay per booking of each band, unexplored bands filled, ``(n, K)``."""
        explored = self.trail_band_booked > 0
        return fill_unexplored(_ratio(self.trail_band_pay, self.trail_band_booked), explored)

    def agree_rate(self) -> np.ndarray:
        """``a``: the period's acceptance rate, else the trailing one, else 0."""
        trailing = _ratio(self.trail_booked, self.trail_proposed)
        return _ratio(self.booked, self.proposed, fallback=trailing)

    def threshold_bookings(self) -> np.ndarray:
        """``B_k`` for every slot and threshold level, ``(n, K)``."""
        return threshold_bookings(
            self.calls, self.booked, self.above, self.agree_rate(), self.booking_time
        )

    def foregone(
        self, action: Mapping[str, np.ndarray], payoff: np.ndarray, weeks: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Estimated learning payoff of every level of every dimension.

        Args:
            action: Played level index per slot, by dimension.
            payoff: Realised mean weekly learning payoff per slot, ``(n,)``.
            weeks: Weeks in each slot's period (0: nothing observed, ``payoff`` returned).

        Returns:
            ``{dim: (n, M_dim)}``, finite, equal to ``payoff`` at each slot's played level.
        """
        rows = np.arange(payoff.size)
        norm = (np.maximum(weeks, 1) * self.scale)[:, None]  # period sums -> mean weekly payoff
        values = level_values(self.threshold_bookings(), self.above, self.band_values())
        played_value = values[rows, action["threshold"]][:, None]
        threshold = payoff[:, None] + (values - played_value) / norm
        effort_levels, e0 = self.levels["effort"], action["effort"]
        extra_value = played_value * (effort_levels / effort_levels[e0][:, None] - 1.0)
        extra_cost = weeks[:, None] * (self.cost - self.cost[e0][:, None])
        effort = payoff[:, None] + (extra_value - extra_cost) / norm
        # Exact at the played level (the formulas agree there up to rounding).
        threshold[rows, action["threshold"]] = payoff
        effort[rows, e0] = payoff
        pressure = np.repeat(payoff[:, None], self.levels["pressure"].size, axis=1)
        return {"effort": effort, "threshold": threshold, "pressure": pressure}
