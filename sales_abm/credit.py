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

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sales_abm import kernels
from sales_abm.kernels import LedgerArrays
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

    The ring and the queue live in one bundle of arrays
    (:class:`~sales_abm.kernels.bundles.LedgerArrays`) that the compiled kernels of
    :mod:`sales_abm.kernels.learning` read and write.

    Args:
        n: rep slots.
        dimensions: strategy dimensions.
        depth: weeks kept (at least the longest pay lag plus the learning cadence plus one).
    """

    def __init__(self, n: int, dimensions: tuple[str, ...], depth: int) -> None:
        self.depth = depth
        self.dimensions = dimensions
        self.arrays = LedgerArrays(
            week=np.full(depth, -1, dtype=np.int64), open=np.zeros(depth, dtype=bool),
            payoff=np.zeros((depth, n)), present=np.zeros((depth, n), dtype=bool),
            actions=np.zeros((len(dimensions), depth, n), dtype=np.int64),
            pending=np.zeros((depth, 3), dtype=np.int64), n_pending=np.zeros(1, dtype=np.int64))
        #: The levels played, per dimension: (depth, n) views of the bundle's actions.
        self.actions = dict(zip(dimensions, self.arrays.actions, strict=True))
        self._deltas: dict[int, Mapping[str, np.ndarray]] = {}  # by the period's last week
        self._no_credit = np.zeros(n)

    def open_week(self, week: int, actions: Mapping[str, np.ndarray], present: np.ndarray,
                  payoff: np.ndarray, late: tuple[int, np.ndarray] | None = None) -> None:
        """Start a week: the strategies played, who played them, and the pay credited now;
        and ``late``, a (week, amount) paid now for an earlier week (see :meth:`credit`)."""
        played = tuple(actions[dim] for dim in self.dimensions)
        late_week, amount = late if late is not None else (-1, self._no_credit)
        kernels.open_ledger_week(tuple(self.arrays), week, played, present, payoff, amount,
                                 late_week, late is not None)

    def credit(self, week: int, amount: np.ndarray) -> None:
        """Credit a payment per slot to the strategy played in ``week`` (if still open)."""
        kernels.credit_week(tuple(self.arrays), week, amount)

    def credit_events(self, weeks: np.ndarray, slots: np.ndarray, amounts: np.ndarray) -> None:
        """Credit payments event by event (e.g. commissions on deals booked in ``weeks``)."""
        kernels.credit_events(tuple(self.arrays), weeks, slots, amounts)

    def forget(self, slots: np.ndarray) -> None:
        """A new hire in these slots: the previous hire's weeks are credited to nobody."""
        self.arrays.present[:, slots] = False

    def close_period(self, start: int, end: int, lag: int,
                     deltas: Mapping[str, np.ndarray] | None) -> None:
        """The period ``start..end`` ended; learn from it ``lag`` weeks later."""
        kernels.add_pending(tuple(self.arrays), start, end, end + lag)
        if deltas is not None:
            self._deltas[end] = deltas

    def due(self, week: int) -> list[DuePeriod]:
        """The periods whose pay is all in by the end of ``week``, oldest first."""
        ends, payoffs, active, played = kernels.close_due(tuple(self.arrays), week)
        return [DuePeriod(end, dict(zip(self.dimensions, actions, strict=True)), payoff, on,
                          self._deltas.pop(end, None))
                for end, payoff, on, actions in zip(ends.tolist(), payoffs, active, played,
                                                    strict=True)]
