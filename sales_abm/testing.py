"""Hypothesis strategies for scenarios and contracts, public so extensions can property-test too.

Example:
    >>> from hypothesis import given
    >>> from sales_abm.testing import scenarios
    >>> @given(scenarios())
    ... def test_my_extension(scenario): ...

The learning rules' strategies are in :mod:`sales_abm.learning` tests' style and re-exported here
when available.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from sales_abm.scenario import PAY_ON, PRESETS, Scenario, Switches

SWITCHES = tuple(Switches.__dataclass_fields__)


def contract_terms(prefix: str = "contract") -> st.SearchStrategy[dict[str, Any]]:
    """Dotted overrides for a client contract (``prefix='contract'``) or a pay plan ('pay')."""
    money = "fixed_fee" if prefix == "contract" else "base_salary"
    price = "price_per_appointment" if prefix == "contract" else "bonus_per_appointment"
    return st.fixed_dictionaries({
        f"{prefix}.{money}": st.floats(0, 12000),
        f"{prefix}.{price}": st.floats(0, 1500),
        f"{prefix}.pay_on": st.sampled_from(PAY_ON),
        f"{prefix}.commission": st.floats(0, 0.5),
        f"{prefix}.audit_rate": st.floats(0, 1),
        f"{prefix}.clawback": st.floats(0, 3),
    })


def switches() -> st.SearchStrategy[dict[str, bool]]:
    """Any combination of mechanism switches."""
    return st.fixed_dictionaries({f"switches.{name}": st.booleans() for name in SWITCHES})


@st.composite
def scenarios(draw: st.DrawFn, max_reps: int = 6, max_prospects: int = 3000,
              max_weeks: int = 40) -> Scenario:
    """Small, valid scenarios: any preset, contract, pay plan, switches and market stress.

    Sizes stay small so that a property test can run the model many times.
    """
    overrides: dict[str, Any] = {
        "contract.preset": draw(st.sampled_from(sorted(PRESETS))),
        "reps": draw(st.integers(1, max_reps)),
        "prospects": draw(st.integers(50, max_prospects)),
        "weeks": draw(st.integers(1, max_weeks)),
        "seed": draw(st.integers(0, 2**32)),
    }
    if draw(st.booleans()):
        overrides.update(draw(contract_terms("contract")))
    if draw(st.booleans()):
        overrides.update(draw(contract_terms("pay")))
    overrides.update(draw(switches()))
    overrides.update({
        "market.agree_base": draw(st.floats(0, 1)),
        "market.connect_scale": draw(st.floats(0, 1)),
        "market.burn_probability": draw(st.floats(0, 1)),
        "market.cycle_min_weeks": draw(st.integers(1, 4)),
        "market.cycle_max_weeks": draw(st.integers(4, 12)),
        "client.ae_capacity": draw(st.integers(0, 50)),
        "client.min_roi": draw(st.floats(-1, 3)),
        "contract.minimum_term": draw(st.floats(0, 6)),
        "contract.notice_period": draw(st.floats(0, 2)),
        "learning.rep_cadence_weeks": draw(st.integers(1, 6)),
    })
    return Scenario.from_dict(overrides)
