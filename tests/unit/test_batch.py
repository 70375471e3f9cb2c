"""run_batch: many replicates of one scenario in one call, the same results as run() per seed."""

from __future__ import annotations

import numpy as np
import pytest

import sales_abm
from sales_abm.batch import run_batch
from sales_abm.model import run
from sales_abm.scenario import Scenario, ScenarioError

SMALL = {"reps": 4, "prospects": 800, "weeks": 30}


@pytest.mark.parametrize("preset", ["retainer", "per_appointment", "hybrid"])
def test_run_batch_equals_run_per_seed_bit_for_bit(preset) -> None:
    scenario = Scenario.from_dict({**SMALL, "contract.preset": preset})
    seeds = [11, 2**62 + 5, 0, 11]  # a repeat and the order kept
    batch = run_batch(scenario, seeds)
    single = [run(scenario, k) for k in seeds]
    assert len(batch) == len(seeds)
    for got, want in zip(batch, single, strict=True):
        assert got.seed == want.seed
        assert got.summary == want.summary
        assert got.scenario == want.scenario
        assert got.weekly.equals(want.weekly, null_equal=True)
        assert got.cohorts.equals(want.cohorts, null_equal=True)
        assert got.weekly.schema == want.weekly.schema
    assert batch[0].summary == batch[3].summary
    assert batch[0].summary != batch[2].summary, "different seeds should give different runs"


def test_run_batch_accepts_numpy_seeds_and_no_seeds() -> None:
    scenario = Scenario.from_dict(SMALL)
    got = run_batch(scenario, np.array([3], dtype=np.uint64))
    assert got[0].summary == run(scenario, 3).summary
    assert run_batch(scenario, []) == []


@pytest.mark.parametrize("bad", [-1, 2**63, 1.5, True, "3"])
def test_a_bad_seed_is_one_line_before_any_run(bad, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr("sales_abm.batch.run", lambda *a: calls.append(a))
    with pytest.raises(ScenarioError, match=r"seeds: each seed must be an integer in 0\.\."):
        run_batch(Scenario.from_dict(SMALL), [1, bad])
    assert not calls


def test_run_batch_is_public_and_lazy() -> None:
    assert sales_abm.run_batch is run_batch
