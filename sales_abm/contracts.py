"""Contracts as data: one form for the client contract and the reps' pay plan.

A contract is a fixed amount per week, a price per appointment that counts (set, held or
qualified), a commission on closed revenue, and an audit of a share of the counted appointments
whose unqualified ones are not paid and are clawed back. Presets (see :mod:`sales_abm.scenario`)
are values of this one form; nothing here knows their names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sales_abm import kernels
from sales_abm.scenario import PAY_ON, WEEKS_PER_MONTH, ContractTerms, PayPlan


@dataclass(frozen=True)
class Terms:
    """Payment terms in weekly units.

    Attributes:
        fixed_per_week: fixed payment per payee per week (USD).
        per_appointment: price of one counted appointment (USD).
        pay_on: index into :data:`PAY_ON` of the appointments that count.
        commission: share of closed revenue paid.
        audit_rate: chance each counted appointment is audited for fit.
        clawback: multiple of the price refunded for each audited unqualified appointment.
    """

    fixed_per_week: float
    per_appointment: float
    pay_on: int
    commission: float
    audit_rate: float
    clawback: float

    @classmethod
    def from_contract(cls, c: ContractTerms, headcount: int) -> Terms:
        """The client contract: the fixed fee is per rep-equivalent per month."""
        return cls(
            c.fixed_fee * headcount / WEEKS_PER_MONTH,
            c.price_per_appointment,
            PAY_ON.index(c.pay_on),
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
            PAY_ON.index(p.pay_on),
            p.commission,
            p.audit_rate,
            p.clawback,
        )


@dataclass(frozen=True)
class Settlement:
    """One week's payments under a contract, per payee (arrays of equal length).

    ``total = fixed + appointments - clawbacks + commission``; every part is non-negative.
    """

    fixed: np.ndarray
    appointments: np.ndarray
    clawbacks: np.ndarray
    commission: np.ndarray

    @cached_property  # read several times a week (settling, learning, accounts, metrics)
    def total(self) -> np.ndarray:
        """Net payment to each payee."""
        return self.fixed + self.appointments - self.clawbacks + self.commission

    def totals(self) -> list[float]:
        """Sums over payees of fixed, appointments, clawbacks, commission and total.

        Each is numpy's pairwise sum of that array alone (a reduction over the rows of a stack
        may add in another order, and differ in the last bit), computed in one compiled call.
        """
        parts = (self.fixed, self.appointments, self.clawbacks, self.commission, self.total)
        return kernels.sums(parts).tolist()


def counted(
    pay_on: int, set_: np.ndarray, set_junk: np.ndarray, held: np.ndarray, held_junk: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The appointments a contract counts, and how many of them are unqualified.

    Qualified means held with a fit at or above the client's bar, so none of those is junk.
    """
    if pay_on == 0:
        return set_, set_junk
    if pay_on == 1:
        return held, held_junk
    return held - held_junk, np.zeros_like(held)


def settle(
    terms: Terms,
    counted_n: np.ndarray,
    audited_junk: np.ndarray,
    revenue: np.ndarray,
    fixed_mask: np.ndarray | None = None,
) -> Settlement:
    """What each payee is owed this week.

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
    paid = (counted_n - audited_junk) * terms.per_appointment
    clawbacks = audited_junk * terms.per_appointment * terms.clawback
    return Settlement(
        fixed, paid.astype(float), clawbacks.astype(float), revenue * terms.commission
    )


def draw_audits(terms: Terms, junk: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """How many unqualified counted appointments each payee's audit catches."""
    if terms.audit_rate <= 0.0:
        return np.zeros_like(junk)
    return rng.binomial(junk, terms.audit_rate)
