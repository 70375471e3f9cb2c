"""The gaming experiment compares pay mechanisms at one term and notice (issue 15 item 6)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sales_abm.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_gaming_arm_has_the_same_term_and_notice_while_presets_keep_their_own():
    gaming = load("gaming")
    terms = set()
    for overrides in gaming.ARMS.values():
        sc = Scenario.from_dict(overrides)
        terms.add((sc.contract.minimum_term, sc.contract.notice_period))
    assert terms == {(12.0, 1.0)}
    assert Scenario.default("per_appointment").contract.minimum_term == 3.0
