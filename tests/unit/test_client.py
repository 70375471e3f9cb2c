"""The client as a player: its contract menu, its termination rule and its renegotiations."""

from __future__ import annotations

import numpy as np
import pytest

from sales_abm.agents import contract_menu
from sales_abm.model import SalesModel, run
from sales_abm.scenario import Scenario

#: An outsourcer that books everyone it reaches: threshold 0 and no learning of it, untrained
#: reps with no skill (half or more of its appointments are junk).
BAD_OUTSOURCER = {"switches.threshold_learning": False, "rep.initial_threshold": 0.0,
                  "rep.skill_initial": 0.0, "rep.training_gain": 0.0}


def test_menu_starts_with_the_scenarios_contract_and_spans_price_audit_and_billing():
    sc = Scenario.default("per_appointment")
    menu = contract_menu(sc)
    assert menu[0] == sc.contract
    assert len(menu) == 3 * 2 * 3  # prices x (audit or not) x (set, held, qualified)
    prices = sorted({m.price_per_appointment for m in menu})
    assert prices == [450.0, 600.0, 750.0]
    assert {m.pay_on for m in menu} == {"set", "held", "qualified"}
    audited = [m for m in menu if m.audit_rate > 0]
    assert audited and all(m.audit_rate == 0.5 and m.clawback >= 1.0 for m in audited)
    only = Scenario.from_dict({"client.price_levels": 1, "client.audit_max": 0.0,
                               "client.menu_pay_on": False})
    assert contract_menu(only) == [only.contract]


@pytest.mark.parametrize("seed", range(4))
def test_termination_binds_for_a_bad_outsourcer_and_not_for_a_good_one(seed):
    good = SalesModel(Scenario.default("retainer"), seed)
    good.run_model()
    bad = SalesModel(Scenario.from_dict({"contract.preset": "per_appointment", **BAD_OUTSOURCER}),
                     seed)
    bad.run_model()
    assert good.client.replacements == 0
    assert all(r.decision == "renew" for r in good.client.reviews)
    assert bad.client.replacements >= 3
    first = next(r for r in bad.client.reviews if r.decision == "notice")
    assert first.close_rate < bad.config.client.min_close_rate


def test_termination_switch_off_keeps_even_a_bad_outsourcer():
    sc = Scenario.from_dict({"contract.preset": "per_appointment", "switches.termination": False,
                             **BAD_OUTSOURCER})
    model = SalesModel(sc, 0)
    model.run_model()
    assert model.client.replacements == 0
    assert {r.decision for r in model.client.reviews} == {"renew"}


def test_a_choosing_client_renegotiates_and_pays_by_the_terms_in_force():
    sc = Scenario.from_dict({"contract.preset": "per_appointment", "switches.client_choice": True,
                             "reps": 6, "prospects": 3000, "weeks": 80})
    model = SalesModel(sc, 3)
    in_force = []
    for _ in range(sc.weeks):
        in_force.append(model.client.menu[model.client.arm])
        model.step()
    assert model.client.renegotiations > 0
    assert len({t.price_per_appointment for t in in_force}) > 1
    result = run(sc, 3)
    w = result.weekly
    assert w["client_renegotiations"].sum() == model.client.renegotiations
    assert result.summary["client_renegotiations"] == model.client.renegotiations
    set_, paid = w["appointments_set"].to_numpy(), w["client_appointment_payments"].to_numpy()
    billed_on_set = [t.pay_on == "set" and t.audit_rate == 0 for t in in_force]
    assert any(billed_on_set)
    price = np.array([t.price_per_appointment for t in in_force])
    np.testing.assert_allclose(paid[billed_on_set], (price * set_)[billed_on_set])


def test_a_client_that_does_not_choose_never_renegotiates():
    result = run(Scenario.from_dict({"reps": 4, "prospects": 2000, "weeks": 60}), 1)
    assert result.summary["client_renegotiations"] == 0
