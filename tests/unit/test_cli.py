"""Every CLI path, and each kind of bad input: one line on stderr, exit 2, no traceback."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from sales_abm import model, run_cost
from sales_abm.cli import main
from sales_abm.scenario import MAX_SCENARIO_BYTES, Scenario

SMALL = ["--set", "reps=3", "--set", "prospects=800", "--weeks", "30"]
REQUIRED = ("contract", "seed", "weeks", "appointments_set_first_13",
            "appointments_set_last_13", "cohort_close_rate_first_13",
            "cohort_close_rate_last_13", "gaming_index_first_13", "gaming_index_last_13",
            "mean_threshold_first_13", "mean_threshold_last_13", "revenue", "client_payments",
            "client_cumulative_roi_final", "outsourcer_profit", "training_spend", "rep_quits",
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
    (["theory", "--weeks", "3"], "unrecognized arguments: --weeks"),
    (["theory", "--seed", "3"], "unrecognized arguments: --seed"),
    (["run", "--set", "market.reps=3"], "did you mean 'reps'?"),
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


# --------------------------------------------------------------------------------------------------
# issue 16: --contract over a file, bad files and destinations, output as a set, seed, cost


TINY = ["--set", "reps=2", "--set", "prospects=200", "--weeks", "2"]
FILES = {"weekly.parquet", "cohorts.parquet", "summary.json", "scenario.toml"}


def test_contract_over_a_scenario_file_gives_the_presets_terms(tmp_path, capsys):
    first = tmp_path / "o1"
    assert main(["run", *TINY, "--contract", "per_appointment", "--out", str(first)]) == 0
    second = tmp_path / "o2"
    assert main(["run", "--scenario", str(first / "scenario.toml"), "--contract", "retainer",
                 "--out", str(second)]) == 0
    expected = Scenario.from_toml(first / "scenario.toml").with_overrides(
        {"contract.preset": "retainer"})
    got = Scenario.from_toml(second / "scenario.toml")
    assert got == expected
    assert got.contract.price_per_appointment == 0.0 and got.contract.fixed_fee == 8000.0
    assert Scenario.from_toml(first / "scenario.toml", {"contract.preset": "retainer"}) == expected


def _refuses(args, capsys, *needles):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


def test_unreadable_scenario_files_are_one_line_and_exit_2(tmp_path, capsys):
    binary = tmp_path / "binary.toml"
    binary.write_bytes(bytes(range(256)))
    _refuses(["run", "--scenario", str(binary)], capsys, "not UTF-8")
    latin = tmp_path / "latin.toml"
    latin.write_bytes('reps = 3 # caf\xe9\n'.encode("latin-1"))
    _refuses(["run", "--scenario", str(latin)], capsys, "not UTF-8")
    _refuses(["run", "--scenario", str(tmp_path)], capsys, "is a directory")
    huge = tmp_path / "huge.toml"
    huge.write_text("# " + "x" * MAX_SCENARIO_BYTES + "\n")
    _refuses(["run", "--scenario", str(huge)], capsys, "larger than 1024 KiB")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_scenario_file_is_refused_after_reading_the_limit(capsys):
    _refuses(["run", "--scenario", "/dev/zero"], capsys, "larger than")


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if the model runs (destinations must be checked before)."""

    def run(*args, **kwargs):
        raise AssertionError("the simulation ran before --out was checked")

    monkeypatch.setattr(model, "run", run)


def test_a_file_as_out_is_refused_before_the_run(tmp_path, capsys, no_simulation):
    existing = tmp_path / "file"
    existing.write_text("keep")
    _refuses(["run", *TINY, "--out", str(existing)], capsys, "--out", "not a directory")
    _refuses(["run", *TINY, "--out", str(existing / "below")], capsys, "--out",
             "not a directory")
    assert existing.read_text() == "keep"


def test_a_read_only_place_as_out_is_refused_before_the_run(tmp_path, capsys, no_simulation):
    if os.geteuid() != 0:
        place = tmp_path / "ro"
        place.mkdir()
        place.chmod(0o555)
        out = place / "out"
    else:  # root writes anywhere chmod allows; /sys refuses new entries even to root
        out = Path("/sys/sales_abm_out")
        if out.parent.is_dir() and os.access(out.parent, os.W_OK):
            try:
                out.mkdir()
            except OSError:
                pass
            else:
                out.rmdir()
                pytest.skip("no read-only place on this machine")
    _refuses(["run", *TINY, "--out", str(out)], capsys, "cannot write --out")


@pytest.mark.parametrize("existing", [False, True])
def test_a_full_disk_leaves_no_partial_set_and_says_so(tmp_path, capsys, monkeypatch, existing):
    out = tmp_path / "out"
    if existing:
        out.mkdir()
        (out / "weekly.parquet").write_text("old")
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # the first file is complete, the second finds the disk full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    _refuses(["run", *TINY, "--out", str(out)], capsys, "disk is full")
    assert len(calls) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == (["out"] if existing else [])
    if existing:
        assert [p.name for p in out.iterdir()] == ["weekly.parquet"]
        assert (out / "weekly.parquet").read_text() == "old"


def test_out_into_an_existing_directory_keeps_its_other_files(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["run", *TINY, "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == FILES | {"notes.txt"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging directory left


def test_run_records_the_seed_it_was_given():
    scenario = Scenario.from_dict({"reps": 2, "prospects": 200, "weeks": 3})
    result = model.run(scenario, seed=1)
    assert result.scenario.seed == 1 == result.seed == result.summary["seed"]
    again = model.run(result.scenario)
    assert again.weekly.equals(result.weekly) and again.summary == result.summary
    assert not model.run(scenario).weekly.equals(result.weekly)


def test_a_run_too_large_for_the_memory_is_refused(monkeypatch, capsys, no_simulation):
    monkeypatch.setattr(run_cost, "available_memory", lambda: 2**30)
    err = _refuses(["run", "--set", "prospects=10000000", "--set", "reps=100000"], capsys,
                   "more than the 1.0 GB this machine has available")
    assert "prospects 10000000" in err


def test_a_long_run_is_announced_with_its_estimate(monkeypatch, capsys):
    monkeypatch.setattr(run_cost, "ANNOUNCE_SECONDS", 0.0)
    assert main(["run", *TINY]) == 0
    err = capsys.readouterr().err
    assert err.startswith("estimate: this run takes about ") and "of memory" in err


def test_the_cost_model_grows_with_the_market_and_the_sales_force():
    small = run_cost.estimate(Scenario.default())
    assert small.seconds < 60 and small.bytes < 2**30  # the default run is not announced
    assert run_cost.check_run_cost(Scenario.default(), available=2**40) is None
    big = Scenario.from_dict({"prospects": 10**7, "reps": 100_000})
    cost = run_cost.estimate(big)
    assert cost.bytes > 2 * 2**30 and cost.seconds > 60
    assert "estimate" in run_cost.check_run_cost(big, available=2**40)


# --------------------------------------------------------------------------------------------------
# issue 16.13 and 17: usage, help, summaries of short runs, start-up


def test_bare_command_prints_usage_and_exits_2(capsys):
    assert main([]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("usage: sales-abm") and "run one scenario" in captured.err


def test_help_is_for_users_not_developers(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "Thin:" not in out and "map errors" not in out
    assert "contracts" in out and "sales-abm COMMAND --help" in out


def test_a_one_week_run_does_not_speak_of_13_week_windows(capsys):
    assert main(["run", "--set", "reps=2", "--set", "prospects=200", "--weeks", "1"]) == 0
    out = capsys.readouterr().out
    assert "13 wk" not in out and "all 1 wk" in out and "1 week\n" in out


def test_help_imports_no_numba_mesa_or_polars():
    code = ("import sys\nfrom sales_abm.cli import main\ntry:\n    main(['--help'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('numba', 'mesa', 'polars', 'numpy') if m in sys.modules),"
            " file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert proc.stderr.strip() == "[]"
    assert "run one scenario" in proc.stdout


def test_the_console_script_exits_with_the_status_and_flushes_its_output(tmp_path):
    script = Path(sys.executable).parent / "sales-abm"
    if not script.exists():
        pytest.skip("sales-abm is not installed beside this interpreter")
    proc = subprocess.run([str(script), "run", *TINY, "--json"], capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)["weeks"] == 2
    proc = subprocess.run([str(script)], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("usage:")


def test_run_loads_mesas_model_without_the_rest_of_mesa_and_nothing_goes_missing():
    code = ("import sys\nfrom sales_abm.cli import main\n"
            "assert main(['run', '--weeks', '2']) == 0\n"
            "print('pandas' in sys.modules, 'mesa.space' in sys.modules, file=sys.stderr)\n"
            "from mesa import DataCollector, space\nimport mesa\n"
            "print(mesa.__version__ > '3', DataCollector.__name__, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    pandas_loaded, space_loaded, *rest = proc.stderr.split()
    assert rest == ["True", "DataCollector"]  # nothing goes missing, on any Mesa
    import mesa

    if mesa.__version__.startswith("3.3"):  # the trimmed load pays off on Mesa 3.3 (tested in CI);
        # Mesa 3.5's core imports pandas itself, and the CLI then loads Mesa the ordinary way
        assert (pandas_loaded, space_loaded) == ("False", "False")
