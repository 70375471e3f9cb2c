"""Credit assignment: which strategy a rep's pay reinforces (``learning.credit``).

Pay for a booking arrives late: a bonus on held or qualified meetings (and its clawback) a week
after the call, a commission a sales cycle after that. Reps re-choose their strategy every
``learning.rep_cadence_weeks`` weeks, so the strategy in force when the money lands is often not
the one that earned it.

* ``paid``: each payment is credited to the strategy of the period it arrives in; a period is
  learned from as soon as it ends.
* ``earned``: each payment is credited to the strategy in force when the meeting behind it was
  booked. A period is learned from once all its pay is in: ``pay_lag`` weeks after it ends (0 when
  the pay plan pays only on appointments set, 1 with a bonus on held or qualified meetings,
  ``1 + market.cycle_max_weeks`` with a commission). The pay plan in force at the period's last
  week sets the lag; pay that arrives for a period already learned from (possible only in the
  weeks after a schedule lengthens the lag) is credited to no strategy.

:class:`CreditLedger` keeps, per rep slot and week, the strategy played and the learning payoff
credited to it, as a ring buffer deep enough for the longest lag.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from sales_abm.scenario import MarketParams, PayPlan

CREDITS = ("earned", "paid")


def pay_lag(pay: PayPlan, market: MarketParams) -> int:
    """Weeks from a booking until the last payment a pay plan can make for it."""
    if pay.commission > 0:
        return 1 + market.cycle_max_weeks
    if pay.bonus_per_appointment > 0 and pay.pay_on != "set":
        return 1
    return 0


@dataclass(frozen=True)
class DuePeriod:
    """A learning period whose pay is all in: what each slot played and was credited.

    Attributes:
        end: the period's last week.
        actions: level index per slot, by strategy dimension (as played in the period).
        payoff: mean weekly learning payoff credited to the period, per slot.
        active: slots with at least one week in the period (same hire throughout).
        deltas: per dimension, the estimated foregone payoff of each level minus the realised
            one, as estimated when the period ended (None for rules that do not use them).
    """

    end: int
    actions: dict[str, np.ndarray]
    payoff: np.ndarray
    active: np.ndarray
    deltas: Mapping[str, np.ndarray] | None


class CreditLedger:
    """Per slot and week: the strategy played and the learning payoff credited to it.

    Args:
        n: rep slots.
        dimensions: strategy dimensions.
        depth: weeks kept (at least the longest pay lag plus the learning cadence plus one).
    """

    def __init__(self, n: int, dimensions: tuple[str, ...], depth: int) -> None:
        self.depth = depth
        self.week = np.full(depth, -1, dtype=np.int64)  # the week each row of the ring holds
        self.open = np.zeros(depth, dtype=bool)  # that week's period not yet learned from
        self.payoff = np.zeros((depth, n))
        self.present = np.zeros((depth, n), dtype=bool)
        self.actions = {dim: np.zeros((depth, n), dtype=np.int64) for dim in dimensions}
        self._pending: list[tuple[int, int, int, Mapping[str, np.ndarray] | None]] = []

    def open_week(self, week: int, actions: Mapping[str, np.ndarray], present: np.ndarray,
                  payoff: np.ndarray) -> None:
        """Start a week: the strategies played, who played them, and the pay credited now."""
        row = week % self.depth
        self.week[row] = week
        self.open[row] = True
        self.present[row] = present
        self.payoff[row] = np.where(present, payoff, 0.0)
        for dim, played in actions.items():
            self.actions[dim][row] = played

    def _row(self, week: int) -> int | None:
        row = week % self.depth
        return row if week >= 0 and self.week[row] == week and self.open[row] else None

    def credit(self, week: int, amount: np.ndarray) -> None:
        """Credit a payment per slot to the strategy played in ``week`` (if still open)."""
        row = self._row(week)
        if row is not None:
            self.payoff[row] += np.where(self.present[row], amount, 0.0)

    def credit_events(self, weeks: np.ndarray, slots: np.ndarray, amounts: np.ndarray) -> None:
        """Credit payments event by event (e.g. commissions on deals booked in ``weeks``)."""
        for week, slot, amount in zip(weeks.tolist(), slots.tolist(), amounts.tolist(),
                                      strict=True):
            row = self._row(week)
            if row is not None and self.present[row, slot]:
                self.payoff[row, slot] += amount

    def forget(self, slots: np.ndarray) -> None:
        """A new hire in these slots: the previous hire's weeks are credited to nobody."""
        self.present[:, slots] = False

    def close_period(self, start: int, end: int, lag: int,
                     deltas: Mapping[str, np.ndarray] | None) -> None:
        """The period ``start..end`` ended; learn from it ``lag`` weeks later."""
        self._pending.append((start, end, end + lag, deltas))

    def due(self, week: int) -> Iterator[DuePeriod]:
        """The periods whose pay is all in by the end of ``week``, oldest first."""
        ready = [p for p in self._pending if p[2] <= week]
        self._pending = [p for p in self._pending if p[2] > week]
        for start, end, _, deltas in sorted(ready, key=lambda p: p[1]):
            rows = [r for w in range(max(start, 0), end + 1) if (r := self._row(w)) is not None]
            present = self.present[rows]
            weeks = present.sum(axis=0)
            total = (self.payoff[rows] * present).sum(axis=0)
            last = end % self.depth
            actions = {dim: a[last].copy() for dim, a in self.actions.items()}
            self.open[rows] = False
            yield DuePeriod(end, actions, total / np.maximum(weeks, 1),
                            self.present[last] & (weeks > 0), deltas)
