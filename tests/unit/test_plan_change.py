"""Experiment 7 (plan change): its design switches terms at week 52, and its analysis tables
outcomes by quarter since the switch, paired by seed."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.data import experiment_file
from analysis.plan_change import CONTROL, OUTCOMES, compare, quarterly
from sales_abm.model import run
from sales_abm.runner import load_experiment
from sales_abm.scenario import Scenario

SMALL = {"reps": 4, "prospects": 2000, "weeks": 78}


def test_every_arm_starts_on_the_retainer_and_switched_arms_switch_at_week_52():
    spec = load_experiment(str(experiment_file("plan_change")))
    arms = spec.design.factors["arm"]
    assert set(arms) == {"stay_retainer", "to_per_appointment", "to_per_close", "to_hybrid",
                         "to_pa_audited"}
    for label, overrides in arms.items():
        sc = Scenario.from_dict({**spec.base, **overrides})
        assert sc.contract.preset == "retainer" and sc.weeks == 208
        if label == CONTROL:
            assert sc.schedule == ()
            continue
        (switch,) = sc.schedule
        assert switch.week == 52
    audited = Scenario.from_dict({**spec.base, **arms["to_pa_audited"]}).schedule[0]
    assert audited.contract.pay_on == "set" and audited.contract.audit_rate == 1.0
    assert audited.pay.audit_rate == 1.0 and audited.pay.clawback == 1.0


def _weekly(arm: str, seed: int, schedule: list | None) -> pl.DataFrame:
    raw = {"contract.preset": "retainer", **SMALL}
    if schedule:
        raw["schedule"] = schedule
    result = run(Scenario.from_dict(raw), seed)
    cohorts = result.cohorts.drop("cohort_week").rename(lambda c: f"cohort_{c}")
    return pl.concat([result.weekly, cohorts], how="horizontal").with_columns(
        pl.lit(arm).alias("arm"), pl.lit(seed).alias("seed"))


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    switch = [{"week": 52, "contract.preset": "per_appointment"}]
    frames = [_weekly(arm, seed, sched) for seed in (1, 2)
              for arm, sched in ((CONTROL, None), ("to_per_appointment", switch))]
    return quarterly(pl.concat(frames, how="diagonal_relaxed"))


def test_quarters_run_from_the_retainer_year_to_the_end_and_agree_before_the_switch(table):
    assert sorted(table["quarter"].unique().to_list()) == [-4, -3, -2, -1, 0, 1]
    assert table.height == 2 * 2 * 6
    numbers = compare(table)
    for out in OUTCOMES:
        for q in (-4, -1):
            d = numbers.get(f"diff.{out}.q{q}.to_per_appointment_vs_{CONTROL}")
            assert d["mean"] in (0.0, None), (out, q)
    after = numbers.get(f"diff.appointments.q0.to_per_appointment_vs_{CONTROL}")
    assert after["mean"] != 0.0 and after["n"] == 2
