"""Contracts: one form, one payment formula (realised and expected), no preset names in
mechanisms."""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_abm.contracts import (
    Terms,
    counted,
    draw_audits,
    expected_payment,
    settle,
)
from sales_abm.scenario import PAY_ON, PRESETS, WEEKS_PER_MONTH, Scenario
from sales_abm.theory import strategy_table

ROOT = Path(__file__).resolve().parents[2] / "sales_abm"


def test_fixed_fee_is_per_rep_per_month_and_paid_weekly():
    sc = Scenario.default("retainer")
    terms = Terms.from_contract(sc.contract, headcount=20)
    assert np.isclose(terms.fixed_per_week * 52, sc.contract.fixed_fee * 20 * 12)
    assert np.isclose(Terms.from_pay_plan(sc.pay).fixed_per_week * WEEKS_PER_MONTH,
                      sc.pay.base_salary)


@pytest.mark.parametrize("pay_on, want", [("set", [[5, 3], [2, 0]]), ("held", [[4, 2], [1, 0]]),
                                           ("qualified", [[3, 2], [0, 0]])])
def test_counted_appointments_by_pay_on(pay_on, want):
    set_, set_junk = np.array([5, 3]), np.array([2, 0])
    held, held_junk = np.array([4, 2]), np.array([1, 0])
    assert [x.tolist() for x in counted(pay_on, set_, set_junk, held, held_junk)] == want


def test_pay_on_is_the_scenarios_string_everywhere():
    """One encoding: the terms carry the scenario's word, and an index is refused."""
    sc = Scenario.default("hybrid")
    assert Terms.from_contract(sc.contract, 1).pay_on == sc.contract.pay_on == "held"
    assert Terms.from_pay_plan(sc.pay).pay_on == sc.pay.pay_on == "set"
    with pytest.raises(ValueError, match="pay_on must be one of set, held, qualified"):
        Terms(0.0, 1.0, 0, 0.0, 0.0, 0.0)  # the old index encoding


def test_settlement_arithmetic():
    terms = Terms(100.0, 50.0, "set", 0.1, 1.0, 2.0)
    s = settle(terms, np.array([4]), np.array([1]), np.array([1000.0]))
    assert s.fixed[0] == 100 and s.appointments[0] == 150 and s.clawbacks[0] == 100
    assert s.commission[0] == 100 and s.total[0] == 100 + 150 - 100 + 100


terms_ = st.builds(
    Terms, st.floats(0, 1e4), st.floats(0, 1e3), st.sampled_from(PAY_ON), st.floats(0, 1),
    st.floats(0, 1), st.floats(0, 3))


@given(terms_, st.integers(0, 30), st.integers(0, 30), st.integers(0, 30), st.floats(0, 1e5))
def test_expected_payment_is_the_mean_of_the_settlement_over_audits(terms, n, junk, held, revenue):
    """The realised and the expected payment are one formula: averaging the settlement over the
    audit's binomial draw (exactly, over every outcome) gives the expected payment."""
    junk, held_junk = min(junk, n), min(junk, held)
    events = [np.array([n]), np.array([junk]), np.array([held]), np.array([held_junk])]
    count, unqualified = counted(terms.pay_on, *events)
    caught = np.arange(unqualified[0] + 1)
    chance = _binomial_pmf(unqualified[0], terms.audit_rate)
    paid = settle(terms, np.full(caught.size, count[0]), caught, np.full(caught.size, revenue))
    expected = expected_payment(terms, *events, np.array([revenue]))
    assert expected.net(terms.fixed_per_week)[0] == pytest.approx(chance @ paid.total, rel=1e-9,
                                                                  abs=1e-6)
    assert expected.clawbacks[0] == pytest.approx(chance @ paid.clawbacks, rel=1e-9, abs=1e-6)


def _binomial_pmf(n: int, p: float) -> np.ndarray:
    """P(k caught of n) for k = 0..n, from its definition (scipy's pmf overflows for an audit
    rate as small as the least normal float, which the deep hypothesis profile draws)."""
    return np.array([math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)])


def test_the_theory_prices_its_rows_with_the_contracts_formula():
    sc = Scenario.default("retainer").with_overrides(
        {"pay.audit_rate": 0.4, "pay.clawback": 0.3, "contract.price_per_appointment": 90.0,
         "contract.audit_rate": 0.2, "contract.clawback": 1.5})
    t = strategy_table(sc)
    cols = [t[c].to_numpy() for c in ("booked", "booked_junk", "held", "held_junk", "revenue")]
    pay = expected_payment(Terms.from_pay_plan(sc.pay), *cols)
    client = expected_payment(Terms.from_contract(sc.contract, headcount=1), *cols)
    assert np.array_equal(t["bonus"].to_numpy(), pay.appointments)
    assert np.array_equal(t["clawback"].to_numpy(), pay.clawbacks)
    assert np.array_equal(t["variable_pay"].to_numpy(), pay.net())
    fee = sc.contract.fixed_fee / WEEKS_PER_MONTH
    assert np.array_equal(t["client_payment"].to_numpy(), client.net(fee))
    assert (t["clawback"] > 0).any()


#: The terms' prices and rates, by the names contracts and scenarios give them.
_TERMS = {"per_appointment", "bonus_per_appointment", "price_per_appointment", "clawback",
          "audit_rate"}


def _priced(side: ast.expr) -> bool:
    """An operand that is a price or rate of the terms (``commission`` only as an attribute:
    as a plain name it is also an amount of money)."""
    if isinstance(side, ast.Attribute):
        return side.attr in _TERMS | {"commission"}
    return isinstance(side, ast.Name) and side.id in _TERMS


def test_only_contracts_computes_with_a_price():
    """``grep`` finds one payment formula: no other module does arithmetic with a price, an audit
    rate, a clawback multiple or a commission rate (reading them to print or copy is fine)."""
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in ROOT.rglob("*.py") if path.name != "contracts.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.BinOp) and (_priced(node.left) or _priced(node.right))
    ]
    assert not offenders


@given(st.integers(0, 50), st.floats(0, 1), st.integers(0, 2**32))
def test_audits_never_catch_more_junk_than_there_is(junk, rate, seed):
    terms = Terms(0, 1, "set", 0, rate, 1)
    caught = draw_audits(terms, np.array([junk]), np.random.default_rng(seed))
    assert 0 <= caught[0] <= junk


def test_full_audit_catches_all_junk_and_no_audit_none():
    rng = np.random.default_rng(0)
    assert draw_audits(Terms(0, 1, "set", 0, 1.0, 0), np.array([7]), rng)[0] == 7
    assert draw_audits(Terms(0, 1, "set", 0, 0.0, 0), np.array([7]), rng)[0] == 0


def test_no_mechanism_branches_on_a_preset_name():
    names = "|".join(PRESETS)
    for path in ROOT.rglob("*.py"):
        # scenario.py defines the presets; cli.py, paper.py and the runner only name them
        if path.name in ("scenario.py", "cli.py", "paper.py") or "runner" in path.parts:
            continue
        assert not re.search(rf"[\"']({names})[\"']", path.read_text()), path
