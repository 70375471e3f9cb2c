"""ExploreModel: the controls become validated scenarios, two runs step in lock-step."""

from __future__ import annotations

import gc
import inspect
import weakref

import pytest

from sales_abm.model import SalesModel
from sales_abm.scenario import PRESETS, Scenario
from sales_abm.viz.model import MODEL_PARAMS, ExploreModel, edited, scenarios


def _controls(**changes: object) -> dict[str, object]:
    defaults = {name: spec["value"] for name, spec in MODEL_PARAMS.items()}
    return {**defaults, **changes}


def test_every_control_is_a_keyword_with_the_controls_default():
    params = inspect.signature(ExploreModel.__init__).parameters
    keywords = {n: p.default for n, p in params.items() if n != "self"}
    assert keywords == {name: spec["value"] for name, spec in MODEL_PARAMS.items()}
    assert all(p.kind is p.KEYWORD_ONLY for n, p in params.items() if n != "self")


def test_mesa_accepts_the_model_params():
    from mesa.visualization.solara_viz import _check_model_params

    _check_model_params(ExploreModel.__init__, MODEL_PARAMS)  # raises on a mismatch


def test_defaults_run_per_appointment_beside_retainer_on_one_seed():
    model = ExploreModel()
    assert model.error is None and model.running
    assert list(model.runs) == ["A: per_appointment", "B: retainer"]
    a, b = model.runs.values()
    assert a.config == Scenario.default("per_appointment")
    assert b.config == Scenario.default("retainer")
    assert a.seed_value == b.seed_value == 0


def test_comparison_differs_from_a_only_in_contract_and_pay():
    a, b = scenarios(_controls(reps=7, prospects=5000, learning_rule="imitate_best",
                               seed="11", burn=False, audit_rate="0.4"))
    fa, fb = a.to_flat(), b.to_flat()
    differ = {key for key in fa if fa[key] != fb[key]}
    assert differ and all(key.startswith(("contract.", "pay.")) for key in differ)
    assert fb["seed"] == 11 and fb["switches.burn"] is False and fb["reps"] == 7
    assert b.contract.audit_rate == PRESETS["retainer"]["contract.audit_rate"]


def test_typed_terms_override_the_preset_and_blank_keeps_it():
    a, _ = scenarios(_controls(contract="hybrid", audit_rate=" 0.5 ", commission="",
                               pay_on="qualified", pay_plan="per_close",
                               bonus_per_appointment="20"))
    assert a.contract.audit_rate == 0.5
    assert a.contract.commission == PRESETS["hybrid"]["contract.commission"]
    assert a.contract.pay_on == "qualified"
    assert a.pay.commission == PRESETS["per_close"]["pay.commission"]
    assert a.pay.bonus_per_appointment == 20.0
    assert edited(a) and not edited(Scenario.default("hybrid"))


def test_no_comparison_gives_one_run_labelled_edited():
    model = ExploreModel(compare="none", price_per_appointment="900")
    assert list(model.runs) == ["A: per_appointment (edited)"]


@pytest.mark.parametrize(("controls", "message"), [
    ({"audit_rate": "2"}, "contract.audit_rate must be in 0 to 1, got 2.0"),
    ({"fixed_fee": "lots"}, "contract.fixed_fee must be a number, got 'lots'"),
    ({"seed": "1.5"}, "seed must be a whole number, got '1.5'"),
    ({"seed": "-1"}, "seed must be in"),
    ({"rep_commission": "-0.1"}, "pay.commission must be in 0 to 1"),
])
def test_bad_controls_leave_an_empty_model_with_the_reason(controls, message):
    model = ExploreModel(**controls)
    assert model.error is not None and message in model.error
    assert model.runs == {} and not model.running
    model.step()  # stepping an empty model does nothing rather than fail
    assert model.week == 0 and model.horizon == 0


def test_runs_step_in_lock_step_and_stop_at_the_horizon(small):
    model = ExploreModel(**{**small, "weeks": 13})
    for _ in range(12):
        model.step()
    assert model.running and [r.week for r in model.runs.values()] == [12, 12]
    model.step()
    assert not model.running and model.week == 13


def test_each_run_is_the_plain_model_with_the_same_seed(small):
    """Running beside another changes nothing: A's weekly frame is that of SalesModel alone."""
    model = ExploreModel(**small)
    for _ in range(10):
        model.step()
    a = next(iter(model.runs.values()))
    alone = SalesModel(a.config)
    for _ in range(10):
        alone.step()
    assert a.recorder.weekly_frame().equals(alone.recorder.weekly_frame())


def test_a_discarded_model_is_freed_with_its_runs(small):
    """Mesa 3.3 keeps every model with agents in a class registry; a Reset must not leak."""
    model = ExploreModel(**small)
    runs = [weakref.ref(run) for run in model.runs.values()]
    assert all(ref() is not None for ref in runs)
    del model
    gc.collect()  # frees the model (it is in a reference cycle) and runs its finalizer,
    gc.collect()  # which let go of the runs
    assert all(ref() is None for ref in runs)
