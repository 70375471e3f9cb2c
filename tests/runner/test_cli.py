"""``sales-abm experiment``: list, describe, run, status, compact; bad input exits 2."""

from __future__ import annotations

import json

import pytest

from .helpers import write_spec


def test_list_and_describe(main, experiments_dir, capsys) -> None:
    write_spec(experiments_dir, "broken", text="EXPERIMENT = 3\n")
    assert main(["experiment", "list", "--experiments", str(experiments_dir)]) == 0
    out = capsys.readouterr().out
    assert "tiny" in out and "quick 2x2, paper 2x3" in out and "broken" in out
    assert "INVALID" in out
    assert main(["experiment", "describe", "tiny", "--experiments", str(experiments_dir)]) == 0
    out = capsys.readouterr().out
    assert "scale quick: 2 design points x 2 replicates = 4 runs" in out
    assert "common random numbers yes" in out


def test_run_status_compact(main, experiments_dir, tmp_path, capsys) -> None:
    base = ["--experiments", str(experiments_dir), "--results", str(tmp_path)]
    assert main(["experiment", "status", "tiny", "--json", *base]) == 1  # not done: exit 1
    assert json.loads(capsys.readouterr().out)["missing"] == 4
    assert main(["experiment", "run", "tiny", "--executor", "serial", *base]) == 0
    captured = capsys.readouterr()
    assert "tiny/quick: 4 runs: 4 done, 0 skipped, 0 failed" in captured.out
    assert "4/4" in captured.err
    assert main(["experiment", "run", str(experiments_dir / "tiny.py"), "--executor", "serial",
                 *base]) == 0
    assert "0 done, 4 skipped" in capsys.readouterr().out
    assert main(["experiment", "status", "tiny", *base]) == 0
    out = capsys.readouterr().out
    assert "4 done, 0 missing, 0 stale, 0 failed, 0 corrupt" in out
    assert "last sweep: finished" in out
    assert main(["experiment", "compact", "tiny", *base]) == 0
    assert (tmp_path / "tiny" / "quick" / "weekly.parquet").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["run", "nosuch"], "no experiment 'nosuch'"),
    (["run", "tiny", "--scale", "huge"], "has no scale 'huge'"),
    (["run", "tiny", "--executor", "threads"], "executor must be"),
    (["run", "bad"], "did you mean 'contract.audit_rate'"),
    (["status", "missing.py"], "experiment file not found"),
])
def test_bad_input_exits_2_with_one_line(main, experiments_dir, tmp_path, capsys, args,
                                         message) -> None:
    write_spec(experiments_dir, "bad", text=(
        "from sales_abm.runner import Experiment, Grid\n"
        "EXPERIMENT = Experiment(name='bad', design=Grid({'contract.audit_rat': [0.1]}))\n"))
    code = main(["experiment", *args, "--experiments", str(experiments_dir),
                 "--results", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "bad").exists()


def test_too_many_workers_is_one_line_before_any_worker_starts(main, experiments_dir, tmp_path,
                                                               capsys, monkeypatch) -> None:
    from sales_abm.runner import executors

    monkeypatch.setattr(executors, "memory_bytes", lambda: 2 * executors.WORKER_MEMORY)
    monkeypatch.setattr(executors, "_process_pool", None)  # starting a pool would fail loudly
    code = main(["experiment", "run", "tiny", "--executor", "local:3", "--experiments",
                 str(experiments_dir), "--results", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "worker count must be 1 to 2" in err
    assert not (tmp_path / "tiny").exists()


def test_list_names_a_missing_directory(main, tmp_path, capsys) -> None:
    assert main(["experiment", "list", "--experiments", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert f"no experiments directory {tmp_path / 'none'} (given by --experiments)" in err


def test_a_missing_name_is_a_usage_error(main, capsys) -> None:
    assert main(["experiment", "describe"]) == 2
    assert "arguments are required" in capsys.readouterr().err
