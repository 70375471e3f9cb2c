"""Contract schedules: ``[[schedule]]`` tables and ``--switch`` change the terms mid-run, and
nothing else: a switched run equals the unswitched one, week for week, until the switch."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import polars as pl
import pytest

from sales_abm.cli import main
from sales_abm.model import run
from sales_abm.scenario import PRESETS, Scenario, ScenarioError

try:
    from benchmarks.reference import run as reference_run
except ModuleNotFoundError:  # bare `pytest`: the repository root is not on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.reference import run as reference_run

SMALL = {"reps": 5, "prospects": 2000, "weeks": 70}
SWITCH = [{"week": 52, "contract.preset": "per_appointment"}]


def _scenario(schedule=None, **extra) -> Scenario:
    raw = {"contract.preset": "retainer", **SMALL, **extra}
    if schedule is not None:
        raw["schedule"] = schedule
    return Scenario.from_dict(raw)


def test_a_switch_resolves_to_the_presets_terms_and_explicit_keys_override_them():
    sc = _scenario([
        {"week": 10, "contract.preset": "per_appointment", "pay.bonus_per_appointment": 99},
        {"week": 20, "pay": {"commission": 0.05}},
    ])
    first, second = sc.schedule
    want = Scenario.default("per_appointment")
    assert first.contract == want.contract
    assert first.pay.bonus_per_appointment == 99.0 and first.pay.pay_on == want.pay.pay_on
    assert second.contract == first.contract and second.pay.commission == 0.05
    assert second.pay.bonus_per_appointment == 99.0  # later switches start from the terms in force
    assert sc.terms_at(9) == (sc.contract, sc.pay)
    assert sc.terms_at(10) == (first.contract, first.pay)
    assert sc.terms_at(69) == (second.contract, second.pay)


def test_a_schedule_survives_toml_overrides_and_json():
    sc = _scenario(SWITCH)
    assert Scenario.from_dict(tomllib.loads(sc.to_toml())) == sc
    assert sc.with_overrides({"seed": 5}).schedule == sc.schedule
    assert '"schedule"' in sc.canonical_json()
    assert '"schedule"' not in _scenario().canonical_json()  # old hashes unchanged


IN_RANGE = r"schedule\[0\].week must be a whole number in 1 to 69"


@pytest.mark.parametrize(("schedule", "message"), [
    ([{"week": 0, "contract.preset": "hybrid"}], IN_RANGE),
    ([{"week": 70, "contract.preset": "hybrid"}], IN_RANGE),
    ([{"week": 2.5, "contract.preset": "hybrid"}], r"schedule\[0\].week must be a whole number"),
    ([{"week": 30, "contract.preset": "hybrid"}, {"week": 20, "contract.preset": "retainer"}],
     r"schedule\[1\].week must be a whole number in 31 to 69 \(switches in week order"),
    ([{"week": 30, "contract.preset": "hybrid"}, {"week": 30, "contract.preset": "retainer"}],
     r"schedule\[1\].week must be a whole number in 31 to 69"),
    ([{"week": 5, "rep.calls_min": 100}], r"unknown schedule key 'rep.calls_min'"),
    ([{"week": 5, "contract.audit_rat": 0.5}], r"did you mean 'contract.audit_rate'"),
    ([{"week": 5, "contract.audit_rate": 2.0}], r"contract.audit_rate must be in 0 to 1"),
    ([{"week": 5, "contract.preset": "bogus"}], r"contract.preset must be one of"),
    ([{"contract.preset": "hybrid"}], r"schedule\[0\].week is missing"),
    ([{"week": 5}], r"schedule\[0\] changes nothing"),
    ("per_appointment", r"schedule must be a list of tables"),
])
def test_bad_schedules_are_refused_naming_the_key_and_range(schedule, message):
    with pytest.raises(ScenarioError, match=message):
        _scenario(schedule)


def test_a_switched_run_equals_the_unswitched_run_until_the_switch():
    plain, switched = run(_scenario(), 3), run(_scenario(SWITCH), 3)
    before = pl.col("week") < 52
    assert plain.weekly.filter(before).equals(switched.weekly.filter(before))
    assert plain.cohorts.filter(pl.col("cohort_week") < 51).equals(
        switched.cohorts.filter(pl.col("cohort_week") < 51))
    # where it must act: from week 52 the client pays per appointment and no fixed fee
    after = switched.weekly.filter(~before)
    assert after["client_fees"].sum() == 0 and after["client_appointment_payments"].sum() > 0
    assert plain.weekly.filter(~before)["client_appointment_payments"].sum() == 0
    assert switched.weekly["contract_in_force"].to_list() == ["retainer"] * 52 + [
        "per_appointment"] * 18
    assert set(plain.weekly["contract_in_force"]) == {"retainer"}


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_a_run_switched_to_its_own_terms_is_identical(preset):
    """Where a switch must not act: switching to the terms already in force changes nothing."""
    base = Scenario.from_dict({"contract.preset": preset, **SMALL, "weeks": 30})
    same = base.with_overrides({"schedule": [{"week": 12, "contract.preset": preset}]})
    assert run(base, 1).weekly.equals(run(same, 1).weekly)


def test_the_reference_model_switches_the_same_way():
    plain, switched = reference_run(_scenario(), 3), reference_run(_scenario(SWITCH), 3)
    before = pl.col("week") < 52
    assert plain.weekly.filter(before).equals(switched.weekly.filter(before))
    after = switched.weekly.filter(~before)
    assert after["client_fees"].sum() == 0 and after["client_appointment_payments"].sum() > 0
    assert switched.weekly["contract_in_force"][-1] == "per_appointment"


def test_cli_switch_runs_and_bad_switches_exit_2(tmp_path, capsys):
    args = ["run", "--set", "reps=3", "--set", "prospects=800", "--weeks", "30"]
    assert main([*args, "--switch", "20=per_appointment", "--switch", "10=hybrid",
                 "--out", str(tmp_path / "o")]) == 0
    weekly = pl.read_parquet(tmp_path / "o" / "weekly.parquet")
    assert weekly["contract_in_force"].to_list() == (
        ["retainer"] * 10 + ["hybrid"] * 10 + ["per_appointment"] * 10)
    saved = Scenario.from_toml(tmp_path / "o" / "scenario.toml")
    assert [s.week for s in saved.schedule] == [10, 20]
    capsys.readouterr()
    for bad in ("40=per_appointment", "x=hybrid", "10=bogus", "10"):
        assert main([*args, "--switch", bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_switch_adds_to_the_files_schedule(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('weeks = 30\nreps = 3\nprospects = 800\n\n[[schedule]]\nweek = 20\n'
                    '"contract.preset" = "per_appointment"\n')
    assert main(["run", "--scenario", str(path), "--switch", "10=hybrid", "--json"]) == 0
    sc = Scenario.from_toml(path, {"schedule": [{"week": 10, "contract.preset": "hybrid"}]})
    assert [(s.week, s.contract.preset) for s in sc.schedule] == [
        (10, "hybrid"), (20, "per_appointment")]
