"""Every CLI path, and each kind of bad input: one line on stderr, exit 2, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

from sales_abm.cli import main
from sales_abm.scenario import Scenario

SMALL = ["--set", "reps=3", "--set", "prospects=800", "--weeks", "30"]
REQUIRED = ("contract", "seed", "weeks", "appointments_per_week_first_13",
            "appointments_per_week_last_13", "cohort_close_rate_first_13",
            "cohort_close_rate_last_13", "gaming_index_first_13", "gaming_index_last_13",
            "mean_threshold_first_13", "mean_threshold_last_13", "client_revenue",
            "client_payments", "client_roi", "outsourcer_profit", "training_spend", "rep_quits",
            "burned_share_final")


def test_run_prints_a_readable_summary(capsys):
    assert main(["run", *SMALL]) == 0
    out = capsys.readouterr().out
    assert "contract retainer, seed 0, 30 weeks" in out and "gaming index" in out


def test_run_json_prints_one_object_with_the_required_fields(capsys):
    assert main(["run", *SMALL, "--json", "--contract", "per_appointment", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert out.count("\n") == 1
    assert set(REQUIRED) <= set(data)
    assert data["contract"] == "per_appointment" and data["seed"] == 4 and data["weeks"] == 30


def test_run_out_writes_files_that_rerun_exactly(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["run", *SMALL, "--out", str(out), "--json"]) == 0
    assert {p.name for p in out.iterdir()} == {"weekly.parquet", "cohorts.parquet",
                                                "summary.json", "scenario.toml"}
    assert len(pl.read_parquet(out / "weekly.parquet")) == 30
    again = tmp_path / "again"
    assert main(["run", "--scenario", str(out / "scenario.toml"), "--out", str(again),
                 "--json"]) == 0
    for name in ("weekly.parquet", "cohorts.parquet", "summary.json"):
        assert (out / name).read_bytes() == (again / name).read_bytes()
    assert Scenario.from_toml(out / "scenario.toml").reps == 3


def test_same_scenario_and_seed_give_identical_bytes_in_another_process(tmp_path):
    out = tmp_path / "a"
    assert main(["run", *SMALL, "--out", str(out)]) == 0
    other = tmp_path / "b"
    subprocess.run([sys.executable, "-m", "sales_abm.cli", "run", *SMALL, "--out", str(other)],
                   check=True, capture_output=True)
    for name in ("weekly.parquet", "cohorts.parquet", "summary.json", "scenario.toml"):
        assert (out / name).read_bytes() == (other / name).read_bytes(), name


def test_params_prints_every_key(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    assert "`contract.price_per_appointment`" in out and "`switches.burn`" in out


@pytest.mark.parametrize(("args", "message"), [
    (["run", "--set", "contract.audit_rat=0.5"], "did you mean 'contract.audit_rate'"),
    (["run", "--set", "contract.audit_rate=2"], "contract.audit_rate must be in 0 to 1"),
    (["run", "--set", "reps"], "KEY=VALUE"),
    (["run", "--weeks", "x"], "invalid int value"),
    (["run", "--weeks", "0"], "weeks must be in 1 to 5200"),
    (["run", "--contract", "free"], "invalid choice"),
    (["run", "--scenario", "/nonexistent.toml"], "scenario file not found"),
    (["frobnicate"], "invalid choice"),
    ([], "required"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_malformed_toml_is_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[contract\n")
    assert main(["run", "--scenario", str(bad)]) == 2
    assert "malformed TOML" in capsys.readouterr().err


def test_console_script_exit_status():
    proc = subprocess.run([sys.executable, "-m", "sales_abm.cli", "run", "--set", "nope=1"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "unknown scenario key 'nope'" in proc.stderr
