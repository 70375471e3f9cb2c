"""Loading: explicit schemas, runs joined to their factors, summaries, compaction."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sales_abm.runner import ExperimentError, compact, load, load_summaries, run_experiment
from sales_abm.runner.store import run_schema

from .helpers import tiny


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("load")
    assert run_experiment(tiny(), results=root, executor="serial", progress=False).done == 4
    return root


def test_load_has_an_explicit_schema_and_design_order(results) -> None:
    lf = load(tiny(), results=results)
    schema = lf.collect_schema()
    assert list(schema)[:5] == ["point", "replicate", "seed", "run_key", "contract.preset"]
    assert schema["week"] == pl.Int32 and schema["cohort_resolved"] == pl.Boolean
    frame = lf.collect()
    assert frame.schema == schema
    assert frame.height == 4 * 20
    assert frame.select("point", "replicate", "week").equals(
        frame.select("point", "replicate", "week").sort("point", "replicate", "week"))
    per_run = frame.group_by("point", "replicate").agg(pl.col("seed").n_unique(),
                                                       pl.len())
    assert per_run["seed"].to_list() == [1] * 4 and per_run["len"].to_list() == [20] * 4
    assert set(run_schema()) - {"seed"} <= set(frame.columns)


def test_paired_seeds_across_contracts(results) -> None:
    s = load_summaries(tiny(), results=results)
    pairs = s.group_by("replicate").agg(pl.col("seed").n_unique(), pl.len())
    assert pairs["seed"].to_list() == [1, 1] and pairs["len"].to_list() == [2, 2]


def test_summaries_one_row_per_run_with_every_field(results) -> None:
    s = load_summaries(tiny(), results=results)
    assert s.height == 4
    assert s["contract.preset"].to_list() == ["retainer"] * 2 + ["per_appointment"] * 2
    assert s["contract"].to_list() == s["contract.preset"].to_list()
    assert s.schema["closes"] == pl.Float64 and s.schema["cohort_resolved"] == pl.Int64
    assert s.schema["model_version"] == pl.String


def test_missing_runs_raise_unless_allowed(tmp_path) -> None:
    with pytest.raises(ExperimentError, match="4 of 4 runs are not done"):
        load(tiny(), results=tmp_path)
    empty = load(tiny(), results=tmp_path, allow_missing=True)
    assert empty.collect().height == 0
    assert empty.collect_schema() == load(tiny(), results=tmp_path,
                                          allow_missing=True).collect_schema()
    assert load_summaries(tiny(), results=tmp_path, allow_missing=True).height == 0


def test_compact_writes_the_loaded_frames(results, tmp_path) -> None:
    paths = compact(tiny(), results=results, out=tmp_path)
    assert pl.read_parquet(paths["weekly"]).equals(load(tiny(), results=results).collect())
    assert pl.read_parquet(paths["summaries"]).equals(load_summaries(tiny(), results=results))
