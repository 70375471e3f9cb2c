"""The robustness experiment names its learning rules; their words come from the rules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sales_abm.learning import RULES, RothErev

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # analysis/ is a top-level package beside the library
    sys.path.insert(0, str(ROOT))

from analysis.robustness import variant_name  # noqa: E402

PATH = ROOT / "experiments" / "robustness.py"


def _experiment_module() -> ModuleType:
    """A fresh import of the experiment file (it reads whatever the library holds now)."""
    spec = importlib.util.spec_from_file_location("robustness_under_test", PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_listed_rules_are_registered_once_and_exclude_the_baseline() -> None:
    exp = _experiment_module()
    assert set(exp.RULES) <= set(RULES) and len(set(exp.RULES)) == len(exp.RULES)
    assert exp.BASELINE_RULE in RULES and exp.BASELINE_RULE not in exp.RULES
    rule_arms = [v for v in exp.variants() if v.startswith("rule_")]
    assert rule_arms == [f"rule_{r}" for r in exp.RULES]


def test_a_newly_registered_rule_adds_no_arm(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _experiment_module().variants()
    monkeypatch.setitem(RULES, "another_rule", RothErev)
    assert _experiment_module().variants() == before


def test_rule_arms_are_named_by_their_rules() -> None:
    for rule in _experiment_module().RULES:
        assert variant_name(f"rule_{rule}") == RULES[rule].display_name
    assert variant_name("no_burn") == "no burning"
    assert variant_name("baseline") == "baseline"
