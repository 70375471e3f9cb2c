"""A model built directly and dropped is freed: Mesa 3.3's agent id registry holds it weakly."""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import mesa
import pytest

from sales_abm.model import SalesModel, hold_models_weakly, run
from sales_abm.scenario import Scenario

SMALL = Scenario.from_dict({"reps": 5, "prospects": 2000, "weeks": 4})


def build_and_step(scenario: Scenario) -> weakref.ref:
    model = SalesModel(scenario, seed=3)
    model.step()
    return weakref.ref(model)


def test_a_dropped_model_is_collected() -> None:
    refs = [build_and_step(SMALL) for _ in range(3)]
    gc.collect()
    assert [r() for r in refs] == [None, None, None]


def test_building_and_dropping_models_does_not_grow_memory() -> None:
    # A default-sized model held by Mesa's registry costs about 2 MiB; ten of them would add
    # 20 MiB. Allow 1 MiB for caches that the first few runs fill.
    build_and_step(Scenario.default())
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10):
            build_and_step(Scenario.default())
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 2**20, f"memory grew by {grown / 2**20:.1f} MiB over 10 dropped models"


@pytest.mark.skipif(not hasattr(mesa.Agent, "_ids"),
                    reason="this Mesa keeps no model registry (Mesa 3.5)")
def test_run_leaves_no_model_behind() -> None:
    counters = mesa.Agent._ids
    gc.collect()
    before = len(counters)
    run(SMALL, seed=1)
    gc.collect()
    assert len(counters) == before


def test_agent_ids_still_count_from_one_per_model() -> None:
    hold_models_weakly()  # idempotent
    a, b = SalesModel(SMALL, seed=1), SalesModel(SMALL, seed=1)
    ids_a = sorted(agent.unique_id for agent in a.agents)
    assert ids_a[0] == 1 and ids_a == sorted(agent.unique_id for agent in b.agents)
