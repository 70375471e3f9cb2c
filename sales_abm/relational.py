"""The client's relational fee: at each review it reprices the contract on measured quality.

A relational contract (Baker, Gibbons & Murphy 2002; Levin 2003) lets the client reward what it
cannot contract on directly: at each quarterly review it sets the fee and the price per
appointment for the next quarter by the qualified share of the meetings held in the review window.
With ``contract.quality_fee_adjustment = k`` the base fee and price are multiplied by
``max(0, 1 + k·(q − q_ref))``, ``q`` the window's qualified share of held meetings and ``q_ref``
``contract.quality_reference``. ``k = 0`` (the default) switches the mechanism off. The client
(:meth:`sales_abm.agents.Client.review`) and the reference model apply the factor with
:func:`sales_abm.contracts.repriced`, the one place that computes with prices.
"""

from __future__ import annotations

from sales_abm.scenario import ContractTerms


def quality_fee_factor(held: int, held_junk: int, terms: ContractTerms) -> float:
    """Multiplier on the base fee and price after a review window with these held meetings.

    A window without held meetings says nothing about quality and leaves the price at base.
    """
    if terms.quality_fee_adjustment == 0 or held == 0:
        return 1.0
    qualified = 1 - held_junk / held
    return max(0.0, 1 + terms.quality_fee_adjustment * (qualified - terms.quality_reference))
