"""Blocks: a design point's replicates in one task and one file, and what that changes."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from sales_abm.runner import load, load_summaries, run_experiment, run_scenario, status
from sales_abm.runner.identity import block_key
from sales_abm.runner.store import META, Layout, read_meta, write_block
from sales_abm.version import MODEL_VERSION

from .helpers import tiny


def _files(root: Path) -> list[Path]:
    return sorted((root / "tiny" / "quick" / "runs").glob("*.parquet"))


def test_blocks_split_a_point_at_fixed_replicates() -> None:
    plan = tiny(replicates=5, replicates_per_block=2).resolve("quick")
    blocks = plan.blocks(MODEL_VERSION)
    assert [(b.point, [r.replicate for r in b.runs]) for b in blocks] == [
        (0, [0, 1]), (0, [2, 3]), (0, [4]), (1, [0, 1]), (1, [2, 3]), (1, [4])]
    assert {k for b in blocks for k in b.run_keys} == {r.key for r in plan.runs(MODEL_VERSION)}
    assert blocks[0].key == block_key(blocks[0].run_keys)
    # more replicates leave the full blocks as they were
    more = tiny(replicates=6, replicates_per_block=2).resolve("quick").blocks(MODEL_VERSION)
    assert [b.key for b in more][:2] == [b.key for b in blocks][:2]
    assert more[2].key != blocks[2].key


@pytest.fixture
def done_root(tmp_path) -> Path:
    report = run_experiment(tiny(), results=tmp_path, executor="serial", progress=False)
    assert (report.done, report.blocks) == (4, 2)
    return tmp_path


def test_one_file_per_block_holding_its_runs(done_root) -> None:
    files = _files(done_root)
    assert len(files) == 2
    summaries = load_summaries(tiny(), results=done_root)
    for path in files:
        meta = read_meta(path)
        keys = json.loads(meta["run_keys"])
        frame = pl.read_parquet(path)
        assert frame["run_key"].unique(maintain_order=True).to_list() == keys
        assert frame.height == 2 * 20
        stored = json.loads(meta["summaries"])
        rows = summaries.filter(pl.col("run_key").is_in(keys))
        assert sorted(rows["closes"].to_list()) == sorted(s["closes"] for s in stored.values())
    weekly = load(tiny(), results=done_root).collect()
    assert weekly.height == 4 * 20


def test_run_scenario_is_the_runs_own(done_root) -> None:
    row = load_summaries(tiny(), results=done_root).row(3, named=True)
    scenario = run_scenario(tiny(), "quick", row["run_key"], done_root)
    assert scenario["seed"] == row["seed"]
    assert scenario["contract"]["preset"] == row["contract.preset"]


def test_a_block_missing_one_of_its_runs_is_corrupt_and_recomputed(done_root) -> None:
    path = _files(done_root)[0]
    original = path.read_bytes()
    meta = read_meta(path)
    first = json.loads(meta["run_keys"])[0]
    frame = pl.read_parquet(path).filter(pl.col("run_key") == first)
    write_block(path, frame, {k: v for k, v in meta.items() if k != "format"})
    assert status(tiny(), results=done_root).counts["corrupt"] == 2
    report = run_experiment(tiny(), results=done_root, executor="serial", progress=False)
    assert (report.done, report.skipped) == (2, 2)
    assert path.read_bytes() == original


def test_another_block_size_makes_stored_blocks_stale(done_root) -> None:
    singles = tiny(replicates_per_block=1)
    counts = status(singles, results=done_root).counts
    assert (counts["stale"], counts["done"]) == (4, 0)
    report = run_experiment(singles, results=done_root, executor="serial", progress=False)
    assert (report.done, report.stale, report.blocks) == (4, 4, 4)
    assert load_summaries(singles, results=done_root).drop("run_key").equals(
        load_summaries(tiny(), results=done_root).drop("run_key"))


def test_files_of_one_run_from_before_blocks_are_stale(tmp_path) -> None:
    # the format of one file per run: run key, seed and point in the footer, format "1"
    plan = tiny().resolve("quick")
    runs = Layout(tmp_path / "tiny" / "quick").runs
    runs.mkdir(parents=True)
    for ref in plan.runs(MODEL_VERSION):
        old_key = "0" * 31 + str(ref.replicate)
        meta = {"run_key": old_key, "seed": str(ref.seed), "point": plan.points[ref.point].digest,
                "summary": "{}", "format": "1"}
        pl.DataFrame({"x": [1]}).write_parquet(
            runs / f"{old_key}{ref.point}.parquet",
            metadata={META + k: v for k, v in meta.items()})
    counts = status(tiny(), results=tmp_path).counts
    assert (counts["stale"], counts["done"], counts["corrupt"]) == (4, 0, 0)
