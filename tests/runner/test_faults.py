"""Faults: kill -9 mid-sweep, corrupt and partial files, raising runs, dead workers, stale.

Results are stored in blocks (a design point's replicates in one file): these tests check that
each fault costs whole blocks, never part of one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sales_abm.version
from sales_abm.runner import Experiment, ExperimentError, run_experiment, status
from sales_abm.runner.store import Layout, read_meta
from sales_abm.runner.worker import simulate_block

from . import helpers
from .helpers import tiny

RUNNER_SCRIPT = """
import sys
from sales_abm.runner import load_experiment, run_experiment

if __name__ == "__main__":
    try:
        run_experiment(load_experiment(sys.argv[1]), results=sys.argv[2], executor="local:2",
                       progress=False)
    except KeyboardInterrupt:
        sys.exit(130)
"""


def _runs(results: Path, name: str = "tiny") -> Path:
    return results / name / "quick" / "runs"


def _snapshot(runs: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in runs.glob("*.parquet")}


#: Runs per block in the interrupted sweeps.
BLOCK = 2


def _interrupt_sweep(tmp_path: Path, sig: signal.Signals,
                     parent_only: bool = False) -> tuple[Path, Path, int]:
    """Start a sweep of 24 runs (12 blocks of 2) in a subprocess; send ``sig`` to its process
    group mid-way (``parent_only``: to the sweep's process alone, as a kill of the parent does;
    its workers must then exit within seconds)."""
    spec = helpers.write_spec(tmp_path / "experiments", replicates=12, block=BLOCK)
    script = tmp_path / "sweep.py"
    script.write_text(RUNNER_SCRIPT)
    results, runs = tmp_path / "results", _runs(tmp_path / "results")
    proc = subprocess.Popen([sys.executable, str(script), str(spec), str(results)],
                            start_new_session=True, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while len(list(runs.glob("*.parquet"))) < 3:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the sweep did not start"
            time.sleep(0.02)
    finally:
        (os.kill if parent_only else os.killpg)(proc.pid, sig)
        code = proc.wait(timeout=60)
        orphans = _wait_for_group_to_exit(proc.pid, 10.0)
        if orphans:  # a stray worker after an interrupt: never leave one behind
            os.killpg(proc.pid, signal.SIGKILL)
    assert not orphans, f"worker processes outlived the sweep: {orphans}"
    return spec, results, code


def _wait_for_group_to_exit(pgid: int, seconds: float) -> list[int]:
    """The processes of group ``pgid`` still alive after up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _group_members(pgid)


def _group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _last_sweep(results: Path) -> dict:
    return json.loads((results / "tiny" / "quick" / "manifest.json").read_text())["sweeps"][-1]


def test_ctrl_c_stops_the_sweep_and_records_it(tmp_path) -> None:
    # SIGINT to the sweep alone: its workers finish the runs they hold while it shuts down,
    # after it stopped counting; the manifest must count them all the same.
    spec, results, code = _interrupt_sweep(tmp_path, signal.SIGINT, parent_only=True)
    assert code == 130
    last = _last_sweep(results)
    assert last["status"] == "interrupted" and "finished" in last
    runs = _runs(results)
    assert not list(runs.glob(".*.tmp"))
    done = BLOCK * len(list(runs.glob("*.parquet")))
    assert last["done"] == done, "the manifest's done count differs from the files written"
    report = run_experiment(helpers.load_spec(spec), results=results, executor="serial",
                            progress=False)
    assert (report.skipped, report.done) == (done, 24 - done)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_kill_9_mid_sweep_then_resume_runs_each_run_once(tmp_path) -> None:
    # kill -9 of the sweep's process alone: its workers must exit by themselves (checked in
    # _interrupt_sweep), its manifest entry must not stay 'running', and a rerun resumes.
    spec, results, code = _interrupt_sweep(tmp_path, signal.SIGKILL, parent_only=True)
    assert code == -signal.SIGKILL
    runs = _runs(results)
    before = _snapshot(runs)
    assert 3 <= len(before) < 12, "the sweep should have been killed mid-way"
    assert all(len(json.loads(read_meta(runs / name)["run_keys"])) == BLOCK for name in before)
    assert _last_sweep(results)["status"] == "running"
    experiment = helpers.load_spec(spec)
    assert status(experiment, results=results).last_sweep == "killed"
    assert _last_sweep(results)["status"] == "killed", "a killed sweep still reads 'running'"
    report = run_experiment(experiment, results=results, executor="serial", progress=False)
    done = BLOCK * len(before)
    assert (report.skipped, report.done, report.failed) == (done, 24 - done, 0)
    assert report.blocks == 12
    after = _snapshot(runs)
    assert len(after) == 12, "a block was split or written twice"
    assert {k: after[k] for k in before} == before, "a completed block was recomputed"
    assert not list(runs.glob(".*")), "a partial file was left behind"
    assert status(experiment, results=results).counts["done"] == 24


@pytest.fixture
def done_root(tmp_path) -> Path:
    report = run_experiment(tiny(), results=tmp_path, executor="serial", progress=False)
    assert report.done == 4
    return tmp_path


def _two_per_block() -> Experiment:
    """2 points x 4 replicates in blocks of 2: four files of two runs."""
    return tiny(replicates=4, replicates_per_block=2)


def test_corrupt_and_partial_blocks_are_detected_and_recomputed(tmp_path) -> None:
    experiment = _two_per_block()
    run_experiment(experiment, results=tmp_path, executor="serial", progress=False)
    runs = _runs(tmp_path)
    files = sorted(runs.glob("*.parquet"))
    assert len(files) == 4
    original = {p.name: p.read_bytes() for p in files}
    files[0].write_bytes(original[files[0].name][: len(original[files[0].name]) // 2])
    files[1].write_bytes(b"not parquet at all")
    files[2].write_bytes(b"")
    (runs / f".{files[3].name}.abc123.tmp").write_bytes(b"PAR1 half")
    st = status(experiment, results=tmp_path)
    assert (st.counts["corrupt"], st.counts["done"]) == (6, 2), "a corrupt block's runs"
    report = run_experiment(experiment, results=tmp_path, executor="serial", progress=False)
    assert (report.done, report.skipped, report.partial_removed) == (6, 2, 1)
    assert {p.name: p.read_bytes() for p in runs.glob("*.parquet")} == original
    assert not list(runs.glob(".*.tmp"))


def test_a_raising_run_fails_its_block_and_the_sweep_goes_on(tmp_path, monkeypatch) -> None:
    seeds = sorted({r.seed for r in tiny().resolve("quick").rows("1")})

    def flaky(scenario, block_seeds):
        if scenario.contract.preset == "per_appointment" and seeds[0] in block_seeds:
            raise ValueError("boom")
        return simulate_block(scenario, block_seeds)

    monkeypatch.setattr("sales_abm.runner.worker.simulate_block", flaky)
    report = run_experiment(tiny(), results=tmp_path, executor="serial", progress=False)
    assert (report.done, report.failed) == (2, 2)
    key, error = report.failures[0]
    assert error == "ValueError: boom"
    record = json.loads((_runs(tmp_path) / f"{key}.error.json").read_text())
    assert seeds[0] in record["seeds"] and "boom" in record["traceback"]
    st = status(tiny(), results=tmp_path)
    assert st.counts["failed"] == 2
    assert st.errors == dict.fromkeys(record["run_keys"], "ValueError: boom")
    monkeypatch.setattr("sales_abm.runner.worker.simulate_block", simulate_block)
    report = run_experiment(tiny(), results=tmp_path, executor="serial", progress=False)
    assert (report.done, report.skipped, report.failed) == (2, 2, 0)
    assert not list(_runs(tmp_path).glob("*.error.json"))


def test_a_dead_worker_loses_only_its_own_run(tmp_path) -> None:
    report = run_experiment(tiny(), results=tmp_path, executor="local:2", progress=False,
                            function=helpers.crash_point0_replicate1)
    assert (report.done, report.failed) == (2, 2), "the dead worker's block, both runs"
    assert "died" in report.failures[0][1]
    counts = status(tiny(), results=tmp_path).counts
    assert (counts["done"], counts["failed"]) == (2, 2)


def test_a_new_model_version_makes_results_stale(done_root, monkeypatch) -> None:
    monkeypatch.setattr(sales_abm.version, "MODEL_VERSION", "next")
    counts = status(tiny(), results=done_root).counts
    assert (counts["stale"], counts["done"]) == (4, 0)


def test_bad_specs_fail_before_any_run(tmp_path) -> None:
    bad = tiny(presets=("retainer", "per_apointment"))
    with pytest.raises(ExperimentError, match="per_apointment"):
        run_experiment(bad, results=tmp_path, executor="serial", progress=False)
    with pytest.raises(ExperimentError, match="executor"):
        run_experiment(tiny(), results=tmp_path, executor="threads", progress=False)
    assert not (tmp_path / "tiny").exists()


def test_one_sweep_at_a_time_per_root(tmp_path) -> None:
    layout = Layout(tmp_path / "tiny" / "quick")
    with layout.lock(), pytest.raises(ExperimentError, match="another sweep"):
        run_experiment(tiny(), results=tmp_path, executor="serial", progress=False)


def test_force_recomputes_to_the_same_bytes(done_root) -> None:
    runs = _runs(done_root)
    before = {p.name: p.read_bytes() for p in runs.glob("*.parquet")}
    inodes = _snapshot(runs)
    report = run_experiment(tiny(), results=done_root, executor="serial", force=True,
                            progress=False)
    assert (report.done, report.skipped) == (4, 0)
    assert {p.name: p.read_bytes() for p in runs.glob("*.parquet")} == before
    assert _snapshot(runs) != inodes
