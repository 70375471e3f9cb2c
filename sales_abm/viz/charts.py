"""The explorer's charts: Altair templates filled with the frames of :mod:`sales_abm.viz.series`.

A chart's design (marks, scales, titles, the runs' colours) is built with Altair once per set of
run labels and validated against the Vega-Lite schema; its data are named sources. Each redraw
only attaches the current rows (:func:`with_data`), because building Altair objects and validating
them costs tens of milliseconds a chart, too much to pay every week of a run.

Every chart colours runs the same way: A red, B teal, in the order their labels are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import altair as alt
import polars as pl

from sales_abm.viz.assets import RANGES

RUN_COLOURS = ("#d1495b", "#00798c")
VACANT_COLOUR = "#bbbbbb"
WIDTH = 400
HEIGHT = 105
Spec = dict[str, Any]
WEEK_AXIS = alt.Axis(format="d", tickMinStep=1)
#: The Vega-Lite the page draws with (Solara's widget loads ``vega-lite@5``). Altair writes its own
#: schema version (v6 for Altair 6), which makes vega-embed warn of a version mismatch on every
#: chart; the templates use nothing that Vega-Lite 5 lacks (the page tests draw them), so they
#: declare the version that draws them.
SCHEMA = f"https://vega.github.io/schema/vega-lite/v{RANGES['vega-lite']}.json"


def _template(chart: alt.TopLevelMixin) -> Spec:
    """A chart as a Vega-Lite template declaring the page's Vega-Lite version."""
    return {**chart.to_dict(), "$schema": SCHEMA}


def with_data(template: Spec, data: Mapping[str, pl.DataFrame]) -> Spec:
    """A copy of a chart template with its named data sources filled (the template is kept).

    The data should cover :func:`data_names` of the template (the tests check that every view
    gives them all; checking here on every redraw would cost more than the fill).
    """
    return {**template, "datasets": {name: frame.to_dicts() for name, frame in data.items()}}


def data_names(spec: Any) -> set[str]:
    """The named data sources a Vega-Lite spec refers to."""
    found: set[str] = set()
    if isinstance(spec, dict):
        data = spec.get("data")
        if isinstance(data, dict) and "name" in data:
            found.add(data["name"])
        for key, value in spec.items():
            if key != "datasets":
                found |= data_names(value)
    elif isinstance(spec, list):
        for value in spec:
            found |= data_names(value)
    return found


def _runs(labels: tuple[str, ...]) -> alt.Color:
    scale = alt.Scale(domain=list(labels), range=list(RUN_COLOURS[: len(labels)]))
    return alt.Color("contract:N", scale=scale, legend=alt.Legend(title=None, orient="top"))


#: A weekly series: column of the weekly frame, chart title, d3 format of its axis.
Trend = tuple[str, str, str]


def _trend(series: Trend, labels: tuple[str, ...], width: int) -> alt.Chart:
    field, title, y_format = series
    return alt.Chart(alt.Data(name="weekly"), title=title).mark_line(strokeWidth=2).encode(
        x=alt.X("week:Q", title="week", axis=WEEK_AXIS),
        y=alt.Y(f"{field}:Q", title=None, axis=alt.Axis(format=y_format)),
        color=_runs(labels),
        tooltip=["contract:N", "week:Q", alt.Tooltip(f"{field}:Q", format=y_format)],
    ).properties(width=width, height=HEIGHT)


def _close_rate(labels: tuple[str, ...], pool: int, width: int) -> alt.LayerChart:
    base = alt.Chart(alt.Data(name="cohorts"),
                     title=f"Cohort close rate (dots: one week's cohort; line: {pool} pooled)")
    x = alt.X("cohort_week:Q", title="week the appointments were set", axis=WEEK_AXIS)
    dots = base.mark_circle(size=18, opacity=0.35).encode(
        x=x, y=alt.Y("close_rate:Q", title=None, axis=alt.Axis(format=".0%")),
        color=_runs(labels))
    line = base.mark_line(strokeWidth=2).encode(
        x=x, y="pooled_close_rate:Q", color=_runs(labels),
        tooltip=["contract:N", "cohort_week:Q",
                 alt.Tooltip("pooled_close_rate:Q", format=".1%")])
    return alt.layer(dots, line).properties(width=width, height=HEIGHT)


def _bars(name: str, title: str, labels: tuple[str, ...]) -> alt.Chart:
    return alt.Chart(alt.Data(name=name), title=title).mark_bar().encode(
        x=alt.X("level:O", title=None, axis=alt.Axis(format=".2f", labelAngle=0)),
        xOffset=alt.XOffset("contract:N", sort=list(labels)),
        y=alt.Y("reps:Q", title="reps"),
        color=_runs(labels),
        tooltip=["contract:N", alt.Tooltip("level:Q", format=".2f"), "reps:Q"],
    ).properties(width=WIDTH // 2 - 40, height=HEIGHT - 20)


def _office(index: int, title: str, threshold_max: float) -> alt.LayerChart:
    axis = alt.Axis(labels=False, ticks=False, grid=False, domain=False, title=None)
    ties = alt.Chart(alt.Data(name=f"edges_{index}")).mark_rule(
        color="#999999", opacity=0.6).encode(
        x=alt.X("x:Q", axis=axis), y=alt.Y("y:Q", axis=axis), x2="x2:Q", y2="y2:Q")
    colour = alt.Color("threshold:Q", title="threshold",
                       scale=alt.Scale(scheme="viridis", domain=[0, threshold_max]))
    desks = alt.Chart(alt.Data(name=f"nodes_{index}")).mark_circle(
        size=90, opacity=1, stroke="#333333", strokeWidth=0.5).encode(
        x=alt.X("x:Q", axis=axis), y=alt.Y("y:Q", axis=axis),
        color=alt.condition("datum.threshold === null", alt.value(VACANT_COLOUR), colour),
        tooltip=["slot:Q", alt.Tooltip("threshold:Q", format=".2f"),
                 alt.Tooltip("pressure:Q", format=".2f")],
    )
    side = HEIGHT
    return alt.layer(ties, desks, title=title).properties(width=side, height=side)


@lru_cache(maxsize=64)
def weekly_pair(top: Trend, bottom: Trend, labels: tuple[str, ...]) -> Spec:
    """Template: two weekly series of every run, one above the other (data ``weekly``)."""
    return _template(alt.vconcat(_trend(top, labels, WIDTH), _trend(bottom, labels, WIDTH)))


@lru_cache(maxsize=64)
def close_rate_and(bottom: Trend, labels: tuple[str, ...], pool: int) -> Spec:
    """Template: cohort close rate (each resolved cohort a dot, ``pool`` cohorts pooled a line)
    above a weekly series (data ``cohorts`` and ``weekly``)."""
    return _template(alt.vconcat(_close_rate(labels, pool, WIDTH),
                                 _trend(bottom, labels, WIDTH)))


@lru_cache(maxsize=64)
def strategies(labels: tuple[str, ...], threshold_max: float) -> Spec:
    """Template: reps at each threshold and pressure level now, runs side by side (data
    ``threshold`` and ``pressure``); below, each run's office network, desks coloured by their
    rep's threshold, grey while vacant (data ``nodes_i`` and ``edges_i`` of run ``i``)."""
    levels = alt.hconcat(_bars("threshold", "Rep thresholds now (perceived fit)", labels),
                         _bars("pressure", "Rep pressure now", labels))
    office = alt.hconcat(*(_office(i, f"Office, {name}", threshold_max)
                           for i, name in enumerate(labels)))
    return _template(alt.vconcat(levels, office).resolve_scale(color="independent")
                     .configure_view(strokeWidth=0))
