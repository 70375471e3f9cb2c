"""Contracts as data: one form for the client contract and the reps' pay plan, and what it pays.

A contract is a fixed amount per week, a price per appointment that counts (set, held or
qualified), a commission on closed revenue, and an audit of a share of the counted appointments
whose unqualified ones are not paid and are clawed back. Presets (see :mod:`sales_abm.scenario`)
are values of this one form; nothing here knows their names.

:func:`payment` is the one formula for what a contract pays for a week's events
(:func:`payment_parts` on the terms' numbers). The model settles with it compiled
(:mod:`sales_abm.kernels.money` compiles :func:`payment_parts`; audits drawn by
:func:`draw_audits`), the reference model with :func:`settle`, and the foregone-payoff estimator
(:mod:`sales_abm.foregone`) and the theory (:mod:`sales_abm.theory.best_response`) take its
expectation (:func:`expected_payment`, audits at their rate). It is plain arithmetic, so it works
on numpy arrays, on floats and in compiled code alike, with the same operations in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import NamedTuple, TypeAlias

import numpy as np

from sales_abm.scenario import PAY_ON, WEEKS_PER_MONTH, ContractTerms, PayPlan

#: An array of counts or amounts (one entry per payee, band, ...) or a single number.
Amount: TypeAlias = np.ndarray | float


@dataclass(frozen=True)
class Terms:
    """Payment terms in weekly units.

    Attributes:
        fixed_per_week: fixed payment per payee per week (USD).
        per_appointment: price of one counted appointment (USD).
        pay_on: the appointments that count, one of :data:`PAY_ON` (``set``, ``held`` or
            ``qualified``), the scenario's own encoding.
        commission: share of closed revenue paid.
        audit_rate: chance each counted appointment is audited for fit.
        clawback: multiple of the price refunded for each audited unqualified appointment.
    """

    fixed_per_week: float
    per_appointment: float
    pay_on: str
    commission: float
    audit_rate: float
    clawback: float

    def __post_init__(self) -> None:
        if self.pay_on not in PAY_ON:
            raise ValueError(f"pay_on must be one of {', '.join(PAY_ON)}, got {self.pay_on!r}")

    @classmethod
    def from_contract(cls, c: ContractTerms, headcount: int) -> Terms:
        """The client contract: the fixed fee is per rep-equivalent per month."""
        return cls(
            c.fixed_fee * headcount / WEEKS_PER_MONTH,
            c.price_per_appointment,
            c.pay_on,
            c.commission,
            c.audit_rate,
            c.clawback,
        )

    @classmethod
    def from_pay_plan(cls, p: PayPlan) -> Terms:
        """A rep's pay plan: the base salary is per month."""
        return cls(
            p.base_salary / WEEKS_PER_MONTH,
            p.bonus_per_appointment,
            p.pay_on,
            p.commission,
            p.audit_rate,
            p.clawback,
        )


class Payment(NamedTuple):
    """What a contract pays for a week's events, apart from its fixed part (non-negative parts).

    Attributes:
        appointments: the price of the counted appointments the audit did not find unqualified.
        clawbacks: refunds for the audited unqualified ones (a multiple of their price).
        commission: the share of closed revenue.
    """

    appointments: Amount
    clawbacks: Amount
    commission: Amount

    def net(self, fixed: Amount | None = None) -> Amount:
        """Net payment: ``fixed + appointments - clawbacks + commission`` (no fixed part: 0)."""
        paid = self.appointments if fixed is None else fixed + self.appointments
        return paid - self.clawbacks + self.commission


def counted(
    pay_on: str, set_: Amount, set_junk: Amount, held: Amount, held_junk: Amount
) -> tuple[Amount, Amount]:
    """The appointments a contract counts, and how many of them are unqualified.

    Qualified means held with a fit at or above the client's bar, so none of those is junk.
    """
    if pay_on == "set":
        return set_, set_junk
    if pay_on == "held":
        return held, held_junk
    return held - held_junk, np.zeros_like(held)


def payment(terms: Terms, count: Amount, audited: Amount, revenue: Amount) -> Payment:
    """What ``terms`` pays for a week's events: the one payment formula.

    Args:
        terms: the contract.
        count: appointments that count (see :func:`counted`).
        audited: counted appointments the audit finds unqualified: drawn when settling
            (:func:`draw_audits`), or the expected number ``audit_rate x unqualified``.
        revenue: closed revenue credited (USD).
    """
    return Payment(*payment_parts(count, audited, revenue, terms.per_appointment,
                                  terms.clawback, terms.commission))


def payment_parts(count: Amount, audited: Amount, revenue: Amount, price: float,
                  clawback: float, commission: float) -> tuple[Amount, Amount, Amount]:
    """:func:`payment`'s formula on the terms' numbers: the counted appointments the audit
    passed at the price, the clawbacks, the commission. Plain arithmetic, so the model's
    compiled settlement (:mod:`sales_abm.kernels.money`) compiles this very function."""
    return (count - audited) * price, audited * price * clawback, revenue * commission


def expected_payment(
    terms: Terms, set_: Amount, set_junk: Amount, held: Amount, held_junk: Amount, revenue: Amount
) -> Payment:
    """What ``terms`` pays for a week's events in expectation over its audit.

    Args:
        terms: the contract.
        set_: appointments set; ``set_junk`` of them unqualified.
        set_junk: unqualified appointments among ``set_``.
        held: meetings held; ``held_junk`` of them unqualified.
        held_junk: unqualified meetings among ``held``.
        revenue: closed revenue credited (USD).
    """
    count, junk = counted(terms.pay_on, set_, set_junk, held, held_junk)
    return payment(terms, count, terms.audit_rate * junk, revenue)


@dataclass(frozen=True)
class Settlement:
    """One week's payments under a contract, per payee (arrays of equal length).

    ``total = fixed + appointments - clawbacks + commission`` (:meth:`Payment.net`); every part
    is non-negative.
    """

    fixed: np.ndarray
    appointments: np.ndarray
    clawbacks: np.ndarray
    commission: np.ndarray

    @cached_property  # computed when first read
    def total(self) -> np.ndarray:
        """Net payment to each payee."""
        return Payment(self.appointments, self.clawbacks, self.commission).net(self.fixed)


def settle(
    terms: Terms,
    counted_n: np.ndarray,
    audited_junk: np.ndarray,
    revenue: np.ndarray,
    fixed_mask: np.ndarray | None = None,
) -> Settlement:
    """What each payee is owed this week, with the audit's findings drawn.

    Args:
        terms: the contract.
        counted_n: appointments that count, per payee.
        audited_junk: counted appointments found unqualified by the audit, per payee.
        revenue: closed revenue credited to each payee this week.
        fixed_mask: payees entitled to the fixed part (e.g. reps employed); all if None.
    """
    fixed = np.full(counted_n.shape, terms.fixed_per_week)
    if fixed_mask is not None:
        fixed = np.where(fixed_mask, fixed, 0.0)
    paid, clawbacks, commission = payment(terms, counted_n, audited_junk, revenue)
    return Settlement(fixed, paid.astype(float), clawbacks.astype(float), commission)


def repriced(terms: Terms, factor: float) -> Terms:
    """The terms with the fixed amount and the price per appointment scaled by ``factor`` (a
    renegotiated price, :mod:`sales_abm.relational`); commission and audit terms unchanged."""
    if factor == 1.0:
        return terms
    return replace(terms, fixed_per_week=terms.fixed_per_week * factor,
                   per_appointment=terms.per_appointment * factor)


def draw_audits(terms: Terms, junk: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """How many unqualified counted appointments each payee's audit catches (``binomial`` draws
    from ``rng``)."""
    if terms.audit_rate <= 0.0:
        return np.zeros_like(junk)
    if terms.audit_rate == 1.0:
        # binomial(n, 1) is n, for which numpy draws one uniform per payee with junk (and
        # discards it): drawing as many leaves the stream where binomial would, at a fraction
        # of its cost
        rng.random(np.count_nonzero(junk))
        return np.array(junk, dtype=np.int64)
    return rng.binomial(junk, terms.audit_rate)


def scaled(contract: ContractTerms, factor: float) -> ContractTerms:
    """A contract whose every money term (fixed fee, appointment price, commission, the latter
    capped at 1) is ``factor`` times this one's: the client's price levels on its menu."""
    return replace(
        contract, fixed_fee=contract.fixed_fee * factor,
        price_per_appointment=contract.price_per_appointment * factor,
        commission=min(contract.commission * factor, 1.0),
    )
