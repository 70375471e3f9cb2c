"""The explorer's Solara page: Mesa's SolaraViz around :class:`~sales_abm.viz.model.ExploreModel`.

Serve it with ``sales-abm explore`` (or ``solara run sales_abm.viz.app``). Each browser session
gets its own model. The controls in the sidebar take effect on Reset (Mesa's convention); Step,
Play and Pause advance both runs together. Every view below is a function of the model that Mesa
re-renders after each step.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import solara
import solara.widgets

from sales_abm.model import SalesModel
from sales_abm.viz import charts, series
from sales_abm.viz.model import MODEL_PARAMS, ExploreModel

with warnings.catch_warnings():
    # Mesa 3.3's ComponentsView returns before one of its hooks (fixed in Mesa 3.5), and Solara's
    # hook check warns about it when the module loads. Harmless, and Mesa's: not shown.
    warnings.filterwarnings("ignore", message=".*ComponentsView: `use_state` found despite",
                            category=UserWarning)
    from mesa.visualization import SolaraViz

TITLE = "sales_abm: two contracts, one seed"
#: Hides the bar of Mesa's page tabs (the page has one tab, "Page 0").
ONE_PAGE_CSS = ".v-tabs { display: none; }"


class VegaLite(solara.widgets.VegaLite):
    """Solara's Vega-Lite widget, with a template that does not draw a chart already removed.

    Solara's own template draws 100 ms after mounting, even when the chart was unmounted in the
    meantime, which throws one JavaScript error per chart on each page load (``vegalite.vue``
    says why and how it is avoided).
    """

    template_file = str(Path(__file__).with_name("vegalite.vue"))


def vega(spec: charts.Spec) -> solara.Element:
    """Show a Vega-Lite spec (what ``solara.FigureAltair`` shows, without rebuilding Altair)."""
    return VegaLite.element(spec=spec, listen_to_click=False, listen_to_hover=False)


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _share(x: float | None, spec: str = ".1%") -> str:
    return "–" if x is None else format(x, spec)


def terms_rows(run: SalesModel) -> dict[str, str]:
    """The contract and pay plan a run is under, as table cells."""
    c, p = run.config.contract, run.config.pay
    return {
        "fixed fee, USD/rep-month": _money(c.fixed_fee),
        "price per appointment (billed on)": f"{_money(c.price_per_appointment)} ({c.pay_on})",
        "audit rate / clawback": f"{c.audit_rate:.2f} / {c.clawback:.2f}",
        "commission": _share(c.commission, ".0%"),
        "rep base + bonus (on)": f"{_money(p.base_salary)} + {_money(p.bonus_per_appointment)}"
                                 f" ({p.pay_on})",
        "rep commission": _share(p.commission, ".0%"),
    }


def result_rows(run: SalesModel) -> dict[str, str]:
    """A run's headline numbers so far (last 13 weeks; close rate: last 13 resolved cohorts)."""
    s = series.summary(run) or {}

    def get(key: str, spec: str) -> str:
        return _share(s.get(key), spec)

    return {
        "appointments/week, last 13 wk": get("appointments_set_last_13", ".1f"),
        "gaming index, last 13 wk": get("gaming_index_last_13", ".3f"),
        "cohort close rate, last 13 resolved": get("cohort_close_rate_last_13", ".1%"),
        "mean threshold, last 13 wk": get("mean_threshold_last_13", ".3f"),
        "client cumulative ROI": get("client_cumulative_roi_final", ".2f"),
    }


_CELL = "padding: 2px 10px; text-align: right; border-bottom: 1px solid #eee"


def status_html(model: ExploreModel) -> str:
    """The status panel: week, seed, and each run's terms and results as an HTML table.

    HTML rather than Markdown: Solara's Markdown loads KaTeX from a CDN, which a machine
    without internet does not have.
    """
    runs = model.runs
    seed = next(iter(runs.values())).seed_value
    rows = [terms_rows(r) | result_rows(r) for r in runs.values()]
    head = "".join(f'<th style="{_CELL}">{escape(name)}</th>' for name in runs)
    body = "".join(
        f'<tr><td style="{_CELL}; text-align: left">{escape(key)}</td>'
        + "".join(f'<td style="{_CELL}">{escape(row[key])}</td>' for row in rows) + "</tr>"
        for key in rows[0])
    return (f'<div style="font-size: 13px"><p><b>Week {model.week} of {model.horizon}</b>, '
            f"seed {seed}. Changed controls take effect on <b>Reset</b>; a blank contract or pay "
            f"field keeps the preset's value.</p>"
            f'<table style="border-collapse: collapse"><tr><th></th>{head}</tr>{body}</table>'
            "</div>")


def Status(model: ExploreModel) -> solara.Element:
    """The model's state, or why it could not be built."""
    if model.error:
        return solara.Error(f"Invalid parameters: {model.error}. Change the control and press "
                            "Reset.", icon=True)
    return solara.HTML(tag="div", unsafe_innerHTML=status_html(model))


def _view(draw: Callable[[ExploreModel], charts.Spec]) -> Callable[[Any], solara.Element]:
    """A page component drawing a chart of the model; empty while the model has no runs."""

    def component(model: ExploreModel) -> solara.Element:
        if not model.runs:
            return solara.Text("")
        return vega(draw(model))

    component.__name__ = draw.__name__
    return component


def _labels(model: ExploreModel) -> tuple[str, ...]:
    return tuple(model.runs)


APPOINTMENTS: charts.Trend = ("appointments_set", "Appointments set per week", ",.0f")
GAMING: charts.Trend = ("gaming_index", "Gaming index: share of appointments below the bar",
                        ".0%")
ROI: charts.Trend = ("client_cumulative_roi", "Client cumulative ROI", ".2f")
TRAINING: charts.Trend = ("training_spend_cumulative", "Outsourcer training spend, cumulative USD",
                          ",.0f")
SKILL: charts.Trend = ("mean_skill", "Mean rep skill", ".2f")


def _weekly(model: ExploreModel, *trends: charts.Trend) -> Any:
    fields = [field for field, _, _ in trends]
    return series.stacked(model.runs, series.weekly_view).select("week", *fields, "contract")


def _pair(top: charts.Trend, bottom: charts.Trend) -> Callable[[ExploreModel], charts.Spec]:
    def draw(model: ExploreModel) -> charts.Spec:
        return charts.with_data(charts.weekly_pair(top, bottom, _labels(model)),
                                {"weekly": _weekly(model, top, bottom)})

    draw.__name__ = f"{top[0]}_and_{bottom[0]}"
    return draw


def close_rate_and_roi(model: ExploreModel) -> charts.Spec:
    """Cohort close rate and client ROI of every run."""
    template = charts.close_rate_and(ROI, _labels(model), series.POOLED_COHORTS)
    return charts.with_data(template, {"cohorts": series.stacked(model.runs, series.cohorts),
                                       "weekly": _weekly(model, ROI)})


def strategies(model: ExploreModel) -> charts.Spec:
    """Reps' threshold and pressure levels now, and the office networks, of every run."""
    runs = model.runs
    data = {dim: series.stacked(runs, lambda r, d=dim: series.strategy_counts(r, d))
            for dim in ("threshold", "pressure")}
    for i, run in enumerate(runs.values()):
        data[f"nodes_{i}"] = series.office_nodes(run)
        data[f"edges_{i}"] = series.office_edges(run)
    first = next(iter(runs.values()))
    return charts.with_data(charts.strategies(_labels(model), first.config.rep.threshold_max),
                            data)


appointments_and_gaming = _pair(APPOINTMENTS, GAMING)
training_and_skill = _pair(TRAINING, SKILL)

#: The page's views, in order (Mesa lays them out two to a row). Each is a separate Mesa
#: component, and Mesa re-renders the page once per component after a step, so charts are
#: grouped in pairs: fewer components, faster steps.
VIEWS: list[Callable[[Any], solara.Element]] = [
    Status,
    _view(appointments_and_gaming),
    _view(close_rate_and_roi),
    _view(training_and_skill),
    _view(strategies),
]


@solara.component
def Page() -> solara.Element:
    """The explorer: one model per browser session."""
    model = solara.use_memo(ExploreModel, dependencies=[])
    with solara.Column(style={"padding": "0"}) as page:
        solara.Title(TITLE)  # the browser tab's title (Solara's default is "Solara ☀️")
        # Mesa puts its pages in tabs named "Page 0", "Page 1", ...; every view is on one page,
        # so its one tab says nothing and is not shown.
        solara.Style(ONE_PAGE_CSS)
        SolaraViz(model, components=[(view, 0) for view in VIEWS], model_params=MODEL_PARAMS,
                  name=TITLE)
    return page
