"""The page, rendered by Solara's test renderer (no browser): controls, steps, errors, speed."""

from __future__ import annotations

import statistics
import time

import ipyvuetify as v
import pytest
import solara
import solara.widgets

from sales_abm.viz import app


@solara.component
def _Served() -> solara.Element:
    """The page as the server shows it: inside Solara's app layout (which holds the sidebar)."""
    with solara.AppLayout():
        app.Page()


@pytest.fixture
def page():
    _box, rc = solara.render(_Served(), handle_error=False)
    yield rc
    rc.close()


def _button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def _status(rc) -> str:
    """The HTML the page's status panel shows."""
    return " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)


def _specs(rc) -> list[dict]:
    return [w.spec for w in rc.find(solara.widgets.VegaLite).widgets]


def _type(rc, label: str, text: str) -> None:
    field = rc.find(v.TextField, label=label).widget
    field.v_model = text
    field.fire_event("keyup.enter", None)


def test_page_shows_both_runs_and_every_chart(page):
    assert "A: per_appointment" in _status(page) and "B: retainer" in _status(page)
    assert "Week 0 of 156" in _status(page)
    assert len(_specs(page)) == len(app.VIEWS) - 1


def test_step_advances_both_runs_and_redraws_every_chart(page):
    before = _specs(page)
    for _ in range(3):
        _button(page, "Step").click()
    assert "Week 3 of 156" in _status(page)
    after = _specs(page)
    assert all(a["datasets"] != b["datasets"] for a, b in zip(after, before, strict=True))
    weekly = after[0]["datasets"]["weekly"]
    assert sorted({row["week"] for row in weekly}) == [0, 1, 2]
    assert not page.find(v.Alert).widgets


def test_a_changed_term_takes_effect_on_reset(page):
    _type(page, "A: audit rate, 0-1", "0.5")
    assert "A: per_appointment (edited)" not in _status(page)  # not before Reset
    _button(page, "Reset").click()
    status = _status(page)
    assert "A: per_appointment (edited)" in status and "0.50 / 0.00" in status
    _button(page, "Step").click()
    assert "Week 1 of 156" in _status(page)


def test_a_bad_value_shows_the_reason_not_a_traceback(page):
    _type(page, "A: audit rate, 0-1", "1.5")
    _button(page, "Reset").click()
    alerts = page.find(v.Alert).widgets
    assert len(alerts) == 1
    message = str(alerts[0].children)
    assert "contract.audit_rate must be in 0 to 1, got 1.5" in message
    assert "Traceback" not in message
    _button(page, "Step").click()  # nothing to step: the error stays, Mesa disables Step
    assert len(page.find(v.Alert).widgets) == 1 and _button(page, "Step").disabled
    _type(page, "A: audit rate, 0-1", "0.2")
    _button(page, "Reset").click()
    assert not page.find(v.Alert).widgets and not _button(page, "Step").disabled


def test_step_and_redraw_at_default_scale_take_well_under_a_second(page):
    """Server side: the model's week for both runs plus every view rebuilt and diffed."""
    step = _button(page, "Step")
    step.click()  # the first redraw builds the chart templates
    times = []
    for _ in range(10):
        start = time.perf_counter()
        step.click()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"step + redraw, server side, default scale: median {median * 1000:.0f} ms")
    assert median < 0.5
