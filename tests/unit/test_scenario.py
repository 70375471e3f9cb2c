"""The scenario: defaults, ranges, presets, TOML and overrides."""

from __future__ import annotations

import pytest

from sales_abm.scenario import (
    PARAMETERS,
    PRESETS,
    Scenario,
    ScenarioError,
    parameter_table,
    parse_override,
)


def test_every_default_is_inside_its_range():
    for p in parameter_table():
        if p.type in (int, float) and p.low is not None:
            assert p.low <= p.default <= p.high, p.key
        if p.choices:
            assert p.default in p.choices, p.key


def test_every_parameter_is_documented_with_a_unit():
    for p in parameter_table():
        assert p.doc and p.unit, p.key


def test_presets_only_set_known_contract_and_pay_keys():
    for values in PRESETS.values():
        for key in values:
            assert key in PARAMETERS
            assert key.split(".")[0] in ("contract", "pay")


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_preset_values_are_applied_and_can_be_overridden(preset):
    sc = Scenario.default(preset)
    assert sc.contract.preset == preset
    for key, value in PRESETS[preset].items():
        assert sc.to_flat()[key] == value
    changed = Scenario.from_dict({"contract.preset": preset, "pay.bonus_per_appointment": 42})
    assert changed.pay.bonus_per_appointment == 42.0


def test_unknown_key_suggests_the_nearest():
    with pytest.raises(ScenarioError, match="did you mean 'contract.audit_rate'"):
        Scenario.from_dict({"contract.audit_rat": 0.5})
    with pytest.raises(ScenarioError, match="unknown scenario key 'market.nonsense_xyz'"):
        Scenario.from_dict({"market": {"nonsense_xyz": 1}})


@pytest.mark.parametrize(("key", "value", "message"), [
    ("contract.audit_rate", 1.5, r"contract.audit_rate must be in 0 to 1, got 1.5"),
    ("reps", 0, r"reps must be in 1 to 100000"),
    ("reps", 2.5, r"reps must be a whole number"),
    ("switches.burn", 1, r"switches.burn must be true or false"),
    ("contract.pay_on", "sometimes", r"contract.pay_on must be one of set, held, qualified"),
    ("contract.fixed_fee", "lots", r"contract.fixed_fee must be a number"),
    ("contract.preset", "free_lunch", r"contract.preset must be one of"),
    ("market.deal_value_mean", float("nan"), r"market.deal_value_mean must be in"),
])
def test_bad_values_name_the_key_and_the_range(key, value, message):
    with pytest.raises(ScenarioError, match=message):
        Scenario.from_dict({key: value})


def test_inconsistent_ranges_are_rejected():
    with pytest.raises(ScenarioError, match="calls_min"):
        Scenario.from_dict({"rep.calls_min": 500, "rep.calls_max": 400})


def test_learning_parameters_are_validated_against_the_rule():
    sc = Scenario.from_dict({"learning.forgetting": 0.3})
    assert sc.learning.rule_params()["forgetting"] == 0.3
    with pytest.raises(ScenarioError, match="learning.forgetting must be in"):
        Scenario.from_dict({"learning.forgetting": 3.0})


def test_toml_round_trip(tmp_path):
    sc = Scenario.from_dict({"contract.preset": "hybrid", "reps": 7, "switches.burn": False,
                             "learning.experimentation": 0.1})
    path = tmp_path / "s.toml"
    path.write_text(sc.to_toml())
    assert Scenario.from_toml(path) == sc
    assert Scenario.from_toml(path).canonical_json() == sc.canonical_json()


def test_toml_errors_are_scenario_errors(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        Scenario.from_toml(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("reps = = 3")
    with pytest.raises(ScenarioError, match="malformed TOML"):
        Scenario.from_toml(bad)


def test_overrides_and_nested_tables_agree(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('reps = 4\n[contract]\npreset = "per_close"\ncommission = 0.3\n')
    sc = Scenario.from_toml(path, {"contract.commission": 0.25})
    assert sc.reps == 4 and sc.contract.commission == 0.25
    assert sc.with_overrides({"contract.preset": "retainer"}).contract.fixed_fee == \
        PRESETS["retainer"]["contract.fixed_fee"]


def test_parse_override():
    assert parse_override("reps=5") == ("reps", 5)
    assert parse_override("switches.burn=false") == ("switches.burn", False)
    assert parse_override("contract.pay_on=held") == ("contract.pay_on", "held")
    assert parse_override("contract.audit_rate = 0.5") == ("contract.audit_rate", 0.5)
    with pytest.raises(ScenarioError, match="KEY=VALUE"):
        parse_override("reps")


def test_scenario_is_frozen():
    sc = Scenario.default()
    with pytest.raises(AttributeError):
        sc.reps = 3  # type: ignore[misc]
