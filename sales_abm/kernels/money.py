"""The week's money in one pass: the client's settlement per owner bucket and the reps' pay
per slot (:func:`sales_abm.contracts.settle` of both, bit for bit), with the sums the review
window and the weekly metrics read."""

from __future__ import annotations

import numpy as np
from numba import njit

from sales_abm.contracts import payment_parts
from sales_abm.kernels.recording import pairwise_sum

#: The one payment formula (:func:`sales_abm.contracts.payment_parts`), compiled.
_payment_parts = njit(cache=True, nogil=True)(payment_parts)

#: The appointments a contract counts, by ``Terms.pay_on`` (:func:`sales_abm.contracts.counted`).
PAY_ON_CODES = {"set": 0, "held": 1, "qualified": 2}

#: Rows of the parts :func:`settle_week` writes: the client's settlement (owner buckets), the
#: reps' pay (slots), the overhead (slots).
CONTRACT_ROWS, PAY_ROWS, OVERHEAD_ROW = slice(0, 5), slice(5, 10), 10
#: What :func:`settle_week` sums, in the order of its sums (weekly metric names, then the
#: client's review window's measures).
MONEY_MEASURES = (
    "client_fees", "client_appointment_payments", "client_clawbacks", "client_commission",
    "client_payments", "rep_base_pay", "rep_bonus", "rep_clawbacks", "rep_commission", "rep_pay",
    "overhead", "training_spend", "revenue",
)
REVIEW_MEASURES = ("expected_value_own", "held_own", "held_junk_own", "expected_closes_own",
                   "set_own")


def money_arrays(reps: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``parts`` and ``sums`` :func:`settle_week` writes a week's money into, for ``reps``
    rep slots (allocated once a run: every week overwrites every entry)."""
    return (np.zeros((OVERHEAD_ROW + 1, reps + 1)),
            np.zeros(len(MONEY_MEASURES) + len(REVIEW_MEASURES)))


@njit(cache=True, nogil=True)
def settle_week(parts, sums, calls, meetings, revenue, expected_value, expected_closes, hire_id,
                training, contract, contract_on, contract_audited, pay, pay_on, pay_audited,
                overhead):  # pragma: no cover - compiled
    """The week's settlements: the client pays each owner bucket (the ``n_reps`` slots and the
    departed reps' bucket, the fixed fee for the slots only), the outsourcer pays each slot
    (the base pay to employed reps only) and its overhead per employed rep.

    Written into ``parts``, (11, n_reps + 1): rows 0-4 the client's fixed, appointments,
    clawbacks, commission and total per owner bucket; rows 5-9 the same of the reps' pay (first
    ``n_reps`` columns, the last 0); row 10 the overhead per slot (the last column 0). And into
    ``sums``: numpy's sums (pairwise) of :data:`MONEY_MEASURES`, then :data:`REVIEW_MEASURES`.
    Every entry of both is written (:func:`money_arrays` makes them).

    Args:
        calls: (4, n_reps) int: calls, connects, bookings, junk bookings per rep.
        meetings: (5, owners) int: held, held junk, ... per owner (n_reps + 2 buckets).
        revenue: closed revenue per owner.
        expected_value, expected_closes: of the meetings held, per owner.
        hire_id: the hire in each slot (-1: vacant).
        training: the week's training cost per slot.
        contract, pay: (fixed per payee, price per appointment, clawback multiple, commission).
        contract_on, pay_on: :data:`PAY_ON_CODES` of each.
        contract_audited, pay_audited: counted junk appointments the audits found per payee
            (shorter arrays: none beyond their end).
        overhead: the outsourcer's weekly overhead per employed rep.
    """
    r = calls.shape[1]
    for row in range(5, 11):  # no rep in the departed reps' bucket
        parts[row, r] = 0.0
    _settle(parts, 0, r + 1, r, calls, meetings, revenue, contract, contract_on,
            contract_audited, hire_id, False)
    _settle(parts, 5, r, r, calls, meetings, revenue, pay, pay_on, pay_audited, hire_id, True)
    for i in range(r):
        parts[10, i] = overhead if hire_id[i] >= 0 else 0.0
    for j in range(5):
        sums[j] = pairwise_sum(parts[j], 0, r + 1)
        sums[5 + j] = pairwise_sum(parts[5 + j], 0, r)
    sums[10] = pairwise_sum(parts[10], 0, r)
    sums[11] = pairwise_sum(training, 0, training.size)
    sums[12] = pairwise_sum(revenue, 0, revenue.size)
    sums[13] = pairwise_sum(expected_value, 0, r + 1)
    held = held_junk = booked = 0
    for i in range(r + 1):
        held += meetings[0, i]
        held_junk += meetings[1, i]
    for i in range(r):
        booked += calls[2, i]
    sums[14], sums[15] = held, held_junk
    sums[16] = pairwise_sum(expected_closes, 0, r + 1)
    sums[17] = booked


@njit(cache=True, nogil=True)
def _settle(parts, top, n, r, calls, meetings, revenue, terms, pay_on, audited, hire_id,
            employed_only):  # pragma: no cover - compiled
    """One contract's settlement of payees ``0..n-1`` into ``parts[top:top + 5]``: the
    contracts' payment formula and :meth:`~sales_abm.contracts.Payment.net`, in order.
    The fixed part goes to slots (``< r``), only employed ones when ``employed_only``."""
    fixed_per, price, clawback, commission = terms
    for i in range(n):
        if pay_on == 0:
            count = calls[2, i] if i < r else 0
        elif pay_on == 1:
            count = meetings[0, i]
        else:
            count = meetings[0, i] - meetings[1, i]
        found = audited[i] if i < audited.size else 0
        paid_for = fixed_per if i < r and (hire_id[i] >= 0 or not employed_only) else 0.0
        appointments, clawbacks, commissions = _payment_parts(count, found, revenue[i], price,
                                                              clawback, commission)
        parts[top, i] = paid_for
        parts[top + 1, i] = appointments
        parts[top + 2, i] = clawbacks
        parts[top + 3, i] = commissions
        parts[top + 4, i] = paid_for + appointments - clawbacks + commissions
