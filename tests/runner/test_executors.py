"""Every executor gives the same files, byte for byte, and the same frames."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from sales_abm.runner import ExperimentError, executors, load, load_summaries, run_experiment
from sales_abm.runner.executors import ExecutorSpec

from .helpers import tiny

EXECUTORS = [
    "serial",
    "local:2",
    pytest.param("dask:2", marks=pytest.mark.skipif(
        importlib.util.find_spec("distributed") is None, reason="dask.distributed missing")),
]


@pytest.fixture(scope="module")
def serial_root(tmp_path_factory) -> Path:
    results = tmp_path_factory.mktemp("serial")
    report = run_experiment(tiny(), results=results, executor="serial", progress=False)
    assert (report.done, report.failed) == (4, 0)
    return results


def _files(results: Path) -> dict[str, bytes]:
    runs = results / "tiny" / "quick" / "runs"
    return {p.name: p.read_bytes() for p in sorted(runs.glob("*.parquet"))}


@pytest.mark.parametrize("executor", EXECUTORS[1:])
def test_executors_write_identical_files(executor, serial_root, tmp_path) -> None:
    report = run_experiment(tiny(), results=tmp_path, executor=executor, progress=False)
    assert (report.done, report.skipped, report.failed) == (4, 0, 0)
    assert _files(tmp_path) == _files(serial_root)
    assert load(tiny(), results=tmp_path).collect().equals(
        load(tiny(), results=serial_root).collect())
    assert load_summaries(tiny(), results=tmp_path).equals(
        load_summaries(tiny(), results=serial_root))


def test_runs_match_the_model_called_directly(serial_root) -> None:
    from sales_abm.model import run
    from sales_abm.scenario import Scenario

    row = load_summaries(tiny(), results=serial_root).row(3, named=True)
    scenario = Scenario.from_dict({"reps": 3, "prospects": 500, "weeks": 20,
                                   "contract.preset": row["contract.preset"]})
    direct = run(scenario, row["seed"])
    assert direct.summary["closes"] == row["closes"]
    weekly = load(tiny(), results=serial_root).filter(point=row["point"],
                                                      replicate=row["replicate"]).collect()
    assert weekly.select(direct.weekly.columns).equals(direct.weekly)


@pytest.mark.parametrize(("text", "expected"), [
    ("serial", ExecutorSpec("serial")), ("local", ExecutorSpec("local")),
    ("local:3", ExecutorSpec("local", 3)), ("dask", ExecutorSpec("dask")),
    ("dask:4", ExecutorSpec("dask", 4)),
    ("dask:tcp://10.0.0.1:8786", ExecutorSpec("dask", address="tcp://10.0.0.1:8786")),
])
def test_executor_specs_parse(text, expected) -> None:
    assert ExecutorSpec.parse(text) == expected
    assert str(ExecutorSpec.parse(text)) == text


@pytest.mark.parametrize("text", ["threads", "local:0", "local:x", "serial:2", "", "dask:0",
                                  "local:99999", "dask:99999"])
def test_bad_executor_specs_fail(text) -> None:
    with pytest.raises(ExperimentError, match="executor|worker count"):
        ExecutorSpec.parse(text)


def test_worker_counts_are_bounded_by_memory_and_cpus(monkeypatch) -> None:
    monkeypatch.setattr(executors, "memory_bytes", lambda: 2 * executors.WORKER_MEMORY + 1)
    monkeypatch.setattr(executors, "cpu_count", lambda: 8)
    assert executors.max_workers() == 2
    assert ExecutorSpec.parse("local:2").workers == 2
    for text in ("local:3", "dask:3"):
        with pytest.raises(ExperimentError, match="worker count must be 1 to 2"):
            ExecutorSpec.parse(text)
    monkeypatch.setattr(executors, "memory_bytes", lambda: None)
    monkeypatch.setattr(executors, "cpu_count", lambda: 1)
    assert executors.max_workers() == executors.WORKERS_PER_CPU
    with pytest.raises(ExperimentError, match="worker count"):
        ExecutorSpec.parse(f"local:{executors.WORKERS_PER_CPU + 1}")
