"""Contracts: one form, arithmetic of a week's settlement, no preset names in mechanisms."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sales_abm.contracts import Terms, counted, draw_audits, settle
from sales_abm.scenario import PRESETS, WEEKS_PER_MONTH, Scenario


def test_fixed_fee_is_per_rep_per_month_and_paid_weekly():
    sc = Scenario.default("retainer")
    terms = Terms.from_contract(sc.contract, headcount=20)
    assert np.isclose(terms.fixed_per_week * 52, sc.contract.fixed_fee * 20 * 12)
    assert np.isclose(Terms.from_pay_plan(sc.pay).fixed_per_week * WEEKS_PER_MONTH,
                      sc.pay.base_salary)


def test_counted_appointments_by_pay_on():
    set_, set_junk = np.array([5, 3]), np.array([2, 0])
    held, held_junk = np.array([4, 2]), np.array([1, 0])
    assert [x.tolist() for x in counted(0, set_, set_junk, held, held_junk)] == [[5, 3], [2, 0]]
    assert [x.tolist() for x in counted(1, set_, set_junk, held, held_junk)] == [[4, 2], [1, 0]]
    assert [x.tolist() for x in counted(2, set_, set_junk, held, held_junk)] == [[3, 2], [0, 0]]


def test_settlement_arithmetic():
    terms = Terms(100.0, 50.0, 0, 0.1, 1.0, 2.0)
    s = settle(terms, np.array([4]), np.array([1]), np.array([1000.0]))
    assert s.fixed[0] == 100 and s.appointments[0] == 150 and s.clawbacks[0] == 100
    assert s.commission[0] == 100 and s.total[0] == 100 + 150 - 100 + 100


@given(st.integers(0, 50), st.floats(0, 1), st.integers(0, 2**32))
def test_audits_never_catch_more_junk_than_there_is(junk, rate, seed):
    terms = Terms(0, 1, 0, 0, rate, 1)
    caught = draw_audits(terms, np.array([junk]), np.random.default_rng(seed))
    assert 0 <= caught[0] <= junk


def test_full_audit_catches_all_junk_and_no_audit_none():
    rng = np.random.default_rng(0)
    assert draw_audits(Terms(0, 1, 0, 0, 1.0, 0), np.array([7]), rng)[0] == 7
    assert draw_audits(Terms(0, 1, 0, 0, 0.0, 0), np.array([7]), rng)[0] == 0


def test_no_mechanism_branches_on_a_preset_name():
    root = Path(__file__).resolve().parents[2] / "sales_abm"
    names = "|".join(PRESETS)
    for path in root.rglob("*.py"):
        # scenario.py defines the presets; cli.py, paper.py and the runner only name them
        if path.name in ("scenario.py", "cli.py", "paper.py") or "runner" in path.parts:
            continue
        assert not re.search(rf"[\"']({names})[\"']", path.read_text()), path
