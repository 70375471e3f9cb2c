"""The views' frames: read off the recorder and the reps' columns, consistent with a plain run."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from sales_abm.model import run
from sales_abm.viz import series
from sales_abm.viz.model import ExploreModel


def _advance(model: ExploreModel, weeks: int) -> ExploreModel:
    for _ in range(weeks):
        model.step()
    return model


def test_at_the_horizon_the_summary_is_that_of_a_plain_run(small):
    model = _advance(ExploreModel(**small), small["weeks"])
    for live in model.runs.values():
        plain = run(live.config)
        shown = series.summary(live)
        expected = {k: v for k, v in plain.summary.items() if k in shown}
        assert shown == expected
        assert series.weekly(live).equals(plain.weekly)
        resolved = plain.cohorts.filter(pl.col("resolved"))
        assert series.resolved_cohorts(live).equals(resolved)


def test_no_close_rate_before_a_cohort_has_resolved(small_model):
    model = _advance(small_model, 25)
    cycle = next(iter(model.runs.values())).config.market.cycle_max_weeks
    for live in model.runs.values():
        frame = series.cohorts(live)
        assert frame["cohort_week"].to_list() == list(range(max(0, 25 - 2 - cycle + 1)))


def test_no_summary_before_the_first_week(small_model):
    assert all(series.summary(live) is None for live in small_model.runs.values())


def test_cohort_rates_are_closes_over_appointments(small_model):
    live = next(iter(_advance(small_model, 40).runs.values()))
    frame = series.cohorts(live, pool=3)
    closes, sets = frame["closes"].to_numpy(), frame["appointments_set"].to_numpy()
    np.testing.assert_allclose(frame["close_rate"].to_numpy(), closes / sets)
    pooled = np.convolve(closes, np.ones(3), "valid") / np.convolve(sets, np.ones(3), "valid")
    np.testing.assert_allclose(frame["pooled_close_rate"].to_numpy()[2:], pooled)
    assert frame["pooled_close_rate"].head(2).null_count() == 2


def test_weekly_view_cuts_at_the_weeks_run_and_accumulates_training(small_model):
    live = next(iter(_advance(small_model, 9).runs.values()))
    view = series.weekly_view(live)
    assert view["week"].to_list() == list(range(9))
    np.testing.assert_allclose(view["training_spend_cumulative"].to_numpy(),
                               np.cumsum(view["training_spend"].to_numpy()))


def test_frames_follow_the_run_week_by_week(small_model):
    live = next(iter(small_model.runs.values()))
    assert series.weekly(live).height == 0
    small_model.step()
    assert series.weekly(live).height == 1
    small_model.step()
    assert series.weekly(live)["week"].to_list() == [0, 1]


@pytest.mark.parametrize("dim", ["threshold", "pressure"])
def test_strategy_counts_cover_the_employed_reps(small_model, dim):
    live = next(iter(_advance(small_model, 6).runs.values()))
    counts = series.strategy_counts(live, dim)
    force = live.sales_force
    assert counts["reps"].sum() == force.employed.sum()
    assert counts["level"].to_list() == force.levels[dim].tolist()
    by_hand = [int(np.sum(force.value(dim)[force.employed] == lv)) for lv in force.levels[dim]]
    assert counts["reps"].to_list() == by_hand


def test_office_frames_are_the_office_network(small_model):
    live = next(iter(_advance(small_model, 3).runs.values()))
    nodes, edges = series.office_nodes(live), series.office_edges(live)
    assert nodes.height == live.config.reps
    assert edges.height == live.sales_force.office.number_of_edges()
    on = live.sales_force.employed
    assert nodes["threshold"].is_null().to_list() == (~on).tolist()
    radius = np.hypot(nodes["x"].to_numpy(), nodes["y"].to_numpy())
    np.testing.assert_allclose(radius, 1.0)


def test_stacked_labels_every_row_with_its_run(small_model):
    model = _advance(small_model, 4)
    frame = series.stacked(model.runs, series.weekly_view)
    assert frame.group_by("contract").len().sort("contract")["len"].to_list() == [4, 4]
    assert set(frame["contract"]) == set(model.runs)
