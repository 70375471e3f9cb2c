"""Design tables carry a numerically labelled factor's number beside its label."""

from __future__ import annotations

import polars as pl
import pytest

from sales_abm.runner import Experiment, ExperimentError, Grid, Scale

from .helpers import TINY

MODEL_VERSION = "test"


def _plan(design: Grid):
    exp = Experiment(name="x", design=design, scales={"quick": Scale(overrides=TINY)})
    return exp.resolve("quick")


def test_numeric_labels_give_a_value_column() -> None:
    price = {p: {"contract.price_per_appointment": p} for p in (0.0, 600.0, 1000.5)}
    term = {"off": {"switches.termination": False}, 0.5: {"client.min_roi": 0.5}}
    frame = _plan(Grid({"price": price, "term": term})).design_frame(MODEL_VERSION)
    assert frame.columns == ["point", "replicate", "seed", "run_key", "price", "price_value",
                             "term", "term_value"]
    assert frame.schema["price_value"] == pl.Float64 and frame.schema["price"] == pl.String
    rows = frame.unique("point", maintain_order=True)
    assert rows["price"].to_list() == ["0", "0", "600", "600", "1000.5", "1000.5"]
    assert rows["price_value"].to_list() == [0.0, 0.0, 600.0, 600.0, 1000.5, 1000.5]
    assert rows["term_value"].to_list() == [None, 0.5] * 3


def test_text_labels_and_plain_levels_get_no_value_column() -> None:
    frame = _plan(Grid({"arm": {"on": {}, "off": {"switches.burn": False}},
                        "contract.audit_rate": [0.0, 0.5]})).design_frame(MODEL_VERSION)
    assert frame.columns == ["point", "replicate", "seed", "run_key", "arm",
                             "contract.audit_rate"]


def test_value_column_names_cannot_clash() -> None:
    design = Grid({"price": {600.0: {"contract.price_per_appointment": 600.0}},
                   "price_value": {"a": {}}})
    with pytest.raises(ExperimentError, match="clash"):
        _plan(design)


def test_a_number_and_its_text_are_the_same_level() -> None:
    with pytest.raises(ExperimentError, match="repeats a level"):
        _plan(Grid({"price": {600.0: {}, "600": {}}}))
