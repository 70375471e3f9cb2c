"""The run schema is part of the run key: results stored under another schema read as stale."""

from __future__ import annotations

import dataclasses

import pytest

import sales_abm.metrics as metrics
from sales_abm.runner import run_experiment, status

from .helpers import tiny


@pytest.fixture
def done_root(tmp_path):
    report = run_experiment(tiny(), results=tmp_path, executor="serial", progress=False)
    assert report.done == 4
    return tmp_path


def _with_extra_column() -> tuple[metrics.Column, ...]:
    extra = metrics.Column("calls_per_rep", "calls", "calls per employed rep",
                           derive=lambda c: c["calls"] / c["reps_employed"])
    return (*metrics.WEEKLY, extra)


def _without(name: str) -> tuple[metrics.Column, ...]:
    return tuple(c for c in metrics.WEEKLY if c.name != name)


def _with_dtype(name: str, dtype: str) -> tuple[metrics.Column, ...]:
    return tuple(dataclasses.replace(c, dtype=dtype) if c.name == name else c
                 for c in metrics.WEEKLY)


@pytest.mark.parametrize("weekly", [_with_extra_column(), _without("outsourcer_income"),
                                    _with_dtype("calls", "Float64")],
                         ids=["stored-run-lacks-a-column", "stored-run-has-an-extra-column",
                              "stored-run-has-another-dtype"])
def test_a_schema_change_makes_stored_runs_stale(done_root, monkeypatch, weekly) -> None:
    before = metrics.schema_digest()
    monkeypatch.setattr(metrics, "WEEKLY", weekly)
    assert metrics.schema_digest() != before
    counts = status(tiny(), results=done_root).counts
    assert (counts["stale"], counts["done"], counts["corrupt"]) == (4, 0, 0)
    report = run_experiment(tiny(), results=done_root, executor="serial", progress=False)
    assert (report.done, report.stale) == (4, 4)
    assert status(tiny(), results=done_root).counts["done"] == 4


def test_the_same_schema_keeps_stored_runs_done(done_root) -> None:
    counts = status(tiny(), results=done_root).counts
    assert (counts["done"], counts["stale"]) == (4, 0)


def test_a_summary_key_change_changes_the_schema_digest(monkeypatch) -> None:
    before = metrics.schema_digest()
    weekly = tuple(dataclasses.replace(c, summary=("total",)) if c.name == "calls" else c
                   for c in metrics.WEEKLY)
    monkeypatch.setattr(metrics, "WEEKLY", weekly)
    assert "calls" in metrics.summary_keys()
    assert metrics.schema_digest() != before
