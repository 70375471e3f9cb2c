"""The outputs declared once (``sales_abm.metrics``) are the outputs a run has, and the column
dictionary ``docs/outputs.md`` documents exactly them."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import sales_abm.metrics as metrics
from benchmarks.reference import run as reference_run
from sales_abm.model import run
from sales_abm.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"reps": 4, "prospects": 1500, "weeks": 40, "contract.preset": "per_appointment"}


def _doc_module():
    path = ROOT / "scripts" / "outputs_doc.py"
    spec = importlib.util.spec_from_file_location("outputs_doc", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=["fast", "reference"])
def result(request):
    runner = run if request.param == "fast" else reference_run
    return runner(Scenario.from_dict(SMALL), 3)


def test_frames_have_the_declared_columns_and_dtypes(result) -> None:
    assert dict(result.weekly.schema) == metrics.weekly_schema()
    assert dict(result.cohorts.schema) == metrics.cohort_schema()


def test_summary_has_the_declared_keys(result) -> None:
    assert list(result.summary) == metrics.summary_keys()


def test_counts_are_integers_and_rates_floats(result) -> None:
    counts = [c.name for c in metrics.WEEKLY if c.dtype == "Int64"]
    assert {"calls", "appointments_set", "closes", "n_burned", "hires"} <= set(counts)
    assert result.weekly.select(counts).null_count().sum_horizontal().item() == 0
    assert result.weekly["revenue"].dtype == pl.Float64
    assert result.weekly["gaming_index"].dtype == pl.Float64


def test_every_column_has_a_unit_and_a_meaning() -> None:
    for column in (metrics.WEEK, *metrics.WEEKLY, *metrics.COHORT):
        assert column.unit and len(column.meaning) > 5 and column.how, column.name
        assert hasattr(pl, column.dtype), column.name
        assert set(column.summary) <= set(metrics.STATISTICS), column.name
        assert ("share" in column.summary) == (column.share_of is not None), column.name
    assert len(set(metrics.summary_keys())) == len(metrics.summary_keys())


def test_derived_columns_follow_from_the_measured_ones(result) -> None:
    w = result.weekly
    assert w["outsourcer_income"].equals(w["client_payments"], check_names=False)
    profit = w["client_payments"] - w["rep_pay"] - w["training_spend"] - w["overhead"]
    np.testing.assert_allclose(w["outsourcer_profit"].to_numpy(), profit.to_numpy(), atol=1e-6)
    n = w.select(pl.sum_horizontal(pl.col("^n_.*$"))).to_series()
    assert (n == SMALL["prospects"]).all()
    booked = w["appointments_set"] > 0
    assert (w["gaming_index"].is_null() == ~booked).all()


def test_column_dictionary_is_current() -> None:
    doc = (ROOT / "docs" / "outputs.md").read_text()
    assert _doc_module().render() == doc, "run `python scripts/outputs_doc.py`"


def _documented(section: str) -> list[str]:
    doc = (ROOT / "docs" / "outputs.md").read_text()
    body = doc.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z0-9_]+)` \|", body, flags=re.MULTILINE)


def test_column_dictionary_lists_exactly_the_recorded_columns(result) -> None:
    """Fails on an undocumented column (recorded, not listed) and a stale one (the reverse)."""
    assert _documented("Weekly frame") == result.weekly.columns
    assert _documented("Cohort frame") == result.cohorts.columns


def test_a_metric_is_added_by_one_declaration(monkeypatch) -> None:
    """A derived metric declared once appears in the frame, the summary, the schema and the doc."""
    extra = metrics.Column("calls_per_connect", "calls", "calls made per connect",
                           summary=("final",), how="calls / connects",
                           derive=lambda c: metrics._ratio_columns(c["calls"], c["connects"]))
    before = metrics.schema_digest()
    monkeypatch.setattr(metrics, "WEEKLY", (*metrics.WEEKLY, extra))
    out = run(Scenario.from_dict({**SMALL, "weeks": 5}), 3)
    expected = (out.weekly["calls"] / out.weekly["connects"]).to_numpy()
    np.testing.assert_array_equal(out.weekly["calls_per_connect"].to_numpy(), expected)
    assert out.summary["calls_per_connect_final"] == expected[-1]
    assert metrics.schema_digest() != before
    assert "| `calls_per_connect` | calls |" in _doc_module().render()


def test_recorder_refuses_a_week_without_a_measured_metric() -> None:
    rec = metrics.Recorder(weeks=2, cycle_max_weeks=1)
    values = dict.fromkeys(metrics.MEASURED, 0.0)
    del values["calls"]
    with pytest.raises(KeyError, match="calls"):
        rec.record(0, values)


def test_the_analysis_reads_declared_summary_keys() -> None:
    """The paper's outcome names map onto summary keys that the declarations give."""
    from analysis.common import OUTCOMES

    assert set(OUTCOMES.values()) <= set(metrics.summary_keys())


def test_the_model_writes_every_measured_metric_once(monkeypatch) -> None:
    """The model's compiled record writes by position: a measured metric it does not write
    (or one it writes that is not measured) stops the model at its start, not as a null."""
    import sales_abm.model as model

    model._Columns.of(metrics.Recorder(weeks=2, cycle_max_weeks=1))  # the declared metrics
    monkeypatch.setattr(model, "MEASURED", (*metrics.MEASURED, "calls_per_connect"))
    with pytest.raises(KeyError, match="calls_per_connect"):
        model._Columns.of(metrics.Recorder(weeks=2, cycle_max_weeks=1))
    monkeypatch.setattr(model, "MEASURED", metrics.MEASURED[1:])
    with pytest.raises(KeyError, match="calls"):
        model._Columns.of(metrics.Recorder(weeks=2, cycle_max_weeks=1))
