"""Chart templates: valid Vega-Lite, data by name, filled without being changed."""

from __future__ import annotations

import copy

import altair as alt
import polars as pl
import pytest

from sales_abm.viz import app, charts
from sales_abm.viz.model import ExploreModel

LABELS = ("A: per_appointment", "B: retainer")
TEMPLATES = {
    "weekly_pair": lambda: charts.weekly_pair(app.APPOINTMENTS, app.GAMING, LABELS),
    "close_rate_and": lambda: charts.close_rate_and(app.ROI, LABELS, 4),
    "strategies": lambda: charts.strategies(LABELS, 0.5),
}


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_are_valid_vega_lite(name):
    spec = TEMPLATES[name]()
    alt.VConcatChart.from_dict(spec, validate=True)  # raises on an invalid spec


def test_validation_would_catch_a_broken_template():
    spec = copy.deepcopy(TEMPLATES["weekly_pair"]())
    spec["vconcat"][0]["mark"] = {"type": "no_such_mark"}
    with pytest.raises(Exception, match="no_such_mark"):
        alt.VConcatChart.from_dict(spec, validate=True)


def test_template_names_its_data():
    assert charts.data_names(TEMPLATES["weekly_pair"]()) == {"weekly"}
    assert charts.data_names(TEMPLATES["close_rate_and"]()) == {"cohorts", "weekly"}
    assert charts.data_names(TEMPLATES["strategies"]()) == {
        "threshold", "pressure", "nodes_0", "edges_0", "nodes_1", "edges_1"}


def test_with_data_fills_a_copy():
    template = TEMPLATES["weekly_pair"]()
    before = copy.deepcopy(template)
    frame = pl.DataFrame({"week": [0, 1], "appointments_set": [3.0, None],
                          "gaming_index": [0.5, None], "contract": [LABELS[0]] * 2})
    spec = charts.with_data(template, {"weekly": frame})
    assert template == before and "datasets" not in template
    assert spec["datasets"]["weekly"][1] == {"week": 1, "appointments_set": None,
                                             "gaming_index": None, "contract": LABELS[0]}


def test_runs_keep_their_colours():
    spec = TEMPLATES["weekly_pair"]()
    scale = spec["vconcat"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": list(LABELS), "range": list(charts.RUN_COLOURS)}


@pytest.mark.parametrize("view", [app.appointments_and_gaming, app.close_rate_and_roi,
                                  app.training_and_skill, app.strategies])
@pytest.mark.parametrize("compare", ["retainer", "none"])
def test_every_view_gives_all_the_data_its_chart_names(small, view, compare):
    model = ExploreModel(**small, compare=compare)
    for _ in range(30):
        model.step()
    spec = view(model)
    assert charts.data_names(spec) <= set(spec["datasets"])
    rows = [row for data in spec["datasets"].values() for row in data]
    assert rows and {row["contract"] for row in rows if "contract" in row} == set(model.runs)
