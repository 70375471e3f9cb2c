"""Hardening (issue 16): misplaced files, unwritable or damaged places, unreachable schedulers,
a full disk, and the manifest's bookkeeping."""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sales_abm.runner import ExperimentError, executors, manifest, run_experiment, status
from sales_abm.runner import store as store_module
from sales_abm.runner.store import Layout
from sales_abm.runner.worker import Outcome

from .helpers import SPEC_FILE, TINY, tiny, write_spec

needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason="dask.distributed missing")


def _manifest(results: Path) -> dict:
    return json.loads((results / "tiny" / "quick" / "manifest.json").read_text())


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


# --- item 2: files land where the store expects them -------------------------------------------

@needs_dask
def test_a_dask_worker_in_another_directory_writes_under_the_given_results(tmp_path,
                                                                            monkeypatch) -> None:
    from distributed import Client, LocalCluster

    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(here)
    with (LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                       dashboard_address=None) as cluster, Client(cluster) as client):
        client.run(os.chdir, str(elsewhere))
        report = run_experiment(tiny(), results="r", executor=f"dask:{cluster.scheduler_address}",
                                progress=False)
    assert (report.done, report.failed) == (4, 0)
    assert status(tiny(), results="r").counts["done"] == 4
    assert not (elsewhere / "r").exists()


def _claims_done_but_writes_nothing(task):
    return Outcome(task.key, "done", 0.0)


def test_a_run_is_done_only_when_its_file_is_where_the_store_expects_it(tmp_path) -> None:
    report = run_experiment(tiny(), results=tmp_path, executor="serial", progress=False,
                            function=_claims_done_but_writes_nothing)
    assert (report.done, report.failed) == (0, 4)
    assert "not at" in report.failures[0][1]
    assert _manifest(tmp_path)["sweeps"][-1]["done"] == 0


# --- item 4: one line and exit 2, before any run ------------------------------------------------

def test_results_that_is_a_file_is_one_line(main, experiments_dir, tmp_path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(["experiment", "run", "tiny", "--executor", "serial", "--experiments",
                 str(experiments_dir), "--results", str(blocker)])
    assert code == 2
    assert "cannot write to" in _one_line_error(capsys)


@pytest.fixture
def read_only_dir(tmp_path) -> Iterator[Path]:
    """A directory this process cannot write: a read-only tmpfs as root, else chmod 555."""
    target = tmp_path / "ro"
    target.mkdir()
    if os.geteuid() != 0:
        target.chmod(0o555)
        yield target
        target.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(target)],
                             capture_output=True, timeout=10)
    if mounted.returncode != 0:
        pytest.skip("cannot make a read-only directory as root here (no mount)")
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], capture_output=True, timeout=10)


def test_read_only_results_is_one_line(main, experiments_dir, read_only_dir, capsys) -> None:
    code = main(["experiment", "run", "tiny", "--executor", "serial", "--experiments",
                 str(experiments_dir), "--results", str(read_only_dir)])
    assert code == 2
    err = _one_line_error(capsys)
    assert "cannot write to" in err and ("Read-only" in err or "Permission denied" in err)


@needs_dask
def test_an_unreachable_scheduler_fails_fast_in_one_line(main, experiments_dir, tmp_path,
                                                         capsys, monkeypatch) -> None:
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 1.0)
    start = time.perf_counter()
    code = main(["experiment", "run", "tiny", "--executor", "dask:tcp://127.0.0.1:1",
                 "--experiments", str(experiments_dir), "--results", str(tmp_path)])
    assert time.perf_counter() - start < 15
    assert code == 2
    assert "cannot reach a dask scheduler" in _one_line_error(capsys)
    assert not (tmp_path / "tiny" / "quick" / "manifest.json").exists(), \
        "a sweep that never started was recorded"


@pytest.mark.parametrize("content", [b"\xff\xfe{not utf-8", b'{"sweeps": 5}', b"[1, 2]"])
def test_a_damaged_manifest_is_one_line(main, experiments_dir, tmp_path, capsys,
                                        content) -> None:
    root = tmp_path / "tiny" / "quick"
    root.mkdir(parents=True)
    (root / "manifest.json").write_bytes(content)
    code = main(["experiment", "run", "tiny", "--executor", "serial", "--experiments",
                 str(experiments_dir), "--results", str(tmp_path)])
    assert code == 2
    assert "damaged manifest" in _one_line_error(capsys)
    assert not list((root / "runs").glob("*.parquet")), "runs started on a damaged manifest"
    assert (root / "manifest.json").read_bytes() == content


def _full_after(runs: int):
    """A replacement for the store's atomic write that fills the disk after ``runs`` run files."""
    real, written = store_module.atomic_write, []

    def write(path, fn):
        if path.suffix == ".parquet" and path.parent.name == "runs":
            if len(written) >= runs:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            written.append(path)
        return real(path, fn)

    return write


def test_a_full_disk_stops_the_sweep_in_one_line(main, experiments_dir, tmp_path, capsys,
                                                  monkeypatch) -> None:
    monkeypatch.setattr(store_module, "atomic_write", _full_after(1))
    monkeypatch.setattr("sales_abm.io.atomic_write", _full_after(1))  # error records too
    code = main(["experiment", "run", "tiny", "--executor", "serial", "--no-progress",
                 "--experiments", str(experiments_dir), "--results", str(tmp_path)])
    assert code == 2
    assert "the disk is full" in _one_line_error(capsys)
    last = _manifest(tmp_path)["sweeps"][-1]
    assert (last["status"], last["done"]) == ("disk full", 2)  # one block of two runs
    assert not list((tmp_path / "tiny" / "quick" / "runs").glob("*.error.json"))


@pytest.fixture
def small_tmpfs(tmp_path) -> Iterator[Path]:
    """A 64 KB tmpfs (root only): room for the design, the manifest and one block of two tiny
    runs (about 34 KB), not two."""
    target = tmp_path / "small"
    target.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(target)],
                             capture_output=True, timeout=10)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], capture_output=True, timeout=10)


def test_a_really_full_disk_stops_the_sweep_in_one_line(main, experiments_dir, small_tmpfs,
                                                        capsys) -> None:
    code = main(["experiment", "run", "tiny", "--executor", "serial", "--no-progress",
                 "--experiments", str(experiments_dir), "--results", str(small_tmpfs)])
    assert code == 2
    assert "the disk is full" in _one_line_error(capsys)
    last = _manifest(small_tmpfs)["sweeps"][-1]
    files = len(list((small_tmpfs / "tiny" / "quick" / "runs").glob("*.parquet")))
    assert last["status"] == "disk full" and last["done"] == 2 * files < 4


# --- item 11: the manifest's bookkeeping --------------------------------------------------------

def test_a_running_entry_without_its_sweep_becomes_killed(tmp_path) -> None:
    run_experiment(tiny(), results=tmp_path, executor="serial", progress=False)
    layout = Layout(tmp_path / "tiny" / "quick")
    data = _manifest(tmp_path)
    sweep = data["sweeps"][-1]
    assert sweep["owner"]["pid"] == os.getpid() and sweep["owner"]["host"]
    sweep["status"] = "running"  # as a sweep killed with -9 leaves it
    layout.manifest.write_text(json.dumps(data))
    with layout.lock():  # a live sweep holds the lock: its entry stays running
        assert manifest.settle_abandoned(layout) == 0
    assert _manifest(tmp_path)["sweeps"][-1]["status"] == "running"
    status(tiny(), results=tmp_path)
    assert _manifest(tmp_path)["sweeps"][-1]["status"] == "killed"


def test_recorded_environment_has_numba_and_dirty_counts_untracked_files(tmp_path) -> None:
    assert manifest.environment()["dependencies"]["numba"] is not None
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "a.py").write_text("x = 1\n")
    subprocess.run([*git, "add", "a.py"], check=True)
    subprocess.run([*git, "commit", "-qm", "a"], check=True)
    assert manifest.git_commit(tmp_path)["dirty"] is False
    (tmp_path / "new.py").write_text("y = 2\n")
    info = manifest.git_commit(tmp_path)
    assert info["dirty"] is True and info["untracked_files"] == 1


# --- item 6: a run whose data is damaged is corrupt everywhere ----------------------------------

def _damage_data_keep_footer(path: Path) -> None:
    """Overwrite the middle of a run file's data pages; its footer (and summary) still read."""
    data = bytearray(path.read_bytes())
    footer = int.from_bytes(data[-8:-4], "little") + 8
    start, stop = 64, len(data) - footer - 64
    data[start:stop] = bytes((b ^ 0x5A) for b in data[start:stop])
    path.write_bytes(bytes(data))


def test_a_run_with_damaged_data_is_corrupt_for_summaries_and_compact(
        main, experiments_dir, tmp_path, capsys) -> None:
    from sales_abm.runner import compact, load_summaries
    from sales_abm.runner.store import read_summaries

    run_experiment(tiny(), results=tmp_path, executor="serial", progress=False)
    damaged = sorted((tmp_path / "tiny" / "quick" / "runs").glob("*.parquet"))[0]
    _damage_data_keep_footer(damaged)
    lost = read_summaries(damaged)  # the footer alone looks fine
    assert len(lost) == 2 and all(s["closes"] is not None for s in lost.values())
    assert status(tiny(), results=tmp_path).counts["corrupt"] == 2
    with pytest.raises(ExperimentError, match=r"2 of 4 runs are not done \(2 corrupt\)"):
        load_summaries(tiny(), results=tmp_path)
    kept = load_summaries(tiny(), results=tmp_path, allow_missing=True)
    assert kept.height == 2 and not set(lost) & set(kept["run_key"].to_list())
    with pytest.raises(ExperimentError, match="2 corrupt"):
        compact(tiny(), results=tmp_path)
    base = ["--experiments", str(experiments_dir), "--results", str(tmp_path)]
    assert main(["experiment", "compact", "tiny", *base]) == 2
    err = _one_line_error(capsys)
    assert "2 corrupt" in err and "allow_missing" not in err
    assert "sales-abm experiment run tiny" in err
    assert not (tmp_path / "tiny" / "quick" / "weekly.parquet").exists()
    assert main(["experiment", "status", "tiny", *base]) == 1
    assert "2 corrupt" in capsys.readouterr().out


# --- item 13: experiments from any directory; list executes only experiment files ---------------

def test_experiments_are_found_from_any_directory(tmp_path, monkeypatch) -> None:
    from sales_abm.runner import load_experiment
    from sales_abm.runner.discover import CHECKOUT, experiments_dir

    monkeypatch.delenv("SALES_ABM_EXPERIMENTS", raising=False)
    monkeypatch.chdir(tmp_path)
    if not (CHECKOUT / "smoke.py").is_file():
        pytest.skip("not running from a source checkout")
    assert experiments_dir() == CHECKOUT
    assert load_experiment("smoke").name == "smoke"
    mine = tmp_path / "mine"
    write_spec(mine)
    monkeypatch.setenv("SALES_ABM_EXPERIMENTS", str(mine))
    assert load_experiment("tiny").name == "tiny"
    assert load_summaries_from_env(tmp_path).height == 4
    with pytest.raises(ExperimentError, match=f"no experiment 'smoke' in {mine}.*"
                                              "SALES_ABM_EXPERIMENTS"):
        load_experiment("smoke")
    with pytest.raises(ExperimentError, match=f"no experiments directory {tmp_path / 'nope'}"
                                              ".*given by --experiments"):
        load_experiment("tiny", tmp_path / "nope")


def load_summaries_from_env(tmp_path: Path):
    """A sweep and its summaries by experiment name, from a directory without experiments."""
    from sales_abm.runner import load_experiment, load_summaries

    run_experiment(load_experiment("tiny"), results=tmp_path / "r", executor="serial",
                   progress=False)
    return load_summaries("tiny", results=tmp_path / "r")


MARKED = '''
from pathlib import Path
with open(Path(__file__).with_suffix(".log"), "a") as fh:
    fh.write("executed\\n")
{body}
'''


def test_list_executes_only_experiment_files_and_each_once(main, experiments_dir,
                                                           capsys) -> None:
    helper = experiments_dir / "helper.py"
    helper.write_text(MARKED.format(body="VALUE = 1"))
    spec = SPEC_FILE.format(name="marked", replicates=2, tiny=TINY, block=16)
    (experiments_dir / "marked.py").write_text(MARKED.format(body=spec))
    args = ["--experiments", str(experiments_dir)]
    assert main(["experiment", "list", *args]) == 0
    out = capsys.readouterr().out
    assert "marked" in out and "helper" not in out
    assert main(["experiment", "describe", "marked", *args]) == 0
    assert not helper.with_suffix(".log").exists(), "a file without EXPERIMENT was executed"
    assert (experiments_dir / "marked.log").read_text() == "executed\n"


def test_results_default_from_the_environment_and_messages_name_it(tmp_path,
                                                                   monkeypatch) -> None:
    from sales_abm.runner import load_summaries

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALES_ABM_RESULTS", str(tmp_path / "env"))
    with pytest.raises(ExperimentError, match=f"4 of 4 runs are not done .* in {tmp_path}/env/"):
        load_summaries(tiny())
    run_experiment(tiny(), executor="serial", progress=False)
    assert load_summaries(tiny()).height == 4
    assert (tmp_path / "env" / "tiny" / "quick" / "manifest.json").exists()
    assert not (tmp_path / "results").exists()
