"""The model the explorer steps: two :class:`~sales_abm.model.SalesModel` runs in lock-step.

Mesa's SolaraViz builds a model from flat keyword parameters and rebuilds it on Reset.
:class:`ExploreModel` takes those parameters (the page's controls), turns them into a validated
:class:`~sales_abm.scenario.Scenario` and runs it ("A") beside the same scenario under another
contract preset ("B", with that preset's own pay plan): same seed, same market, same reps, so the
two differ only by contract (common random numbers). Bad input never raises: the model keeps the
one-line :class:`~sales_abm.scenario.ScenarioError` message in :attr:`ExploreModel.error` and does
not run, and the page shows the message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np

from sales_abm.learning import RULE_PARAMETERS
from sales_abm.model import SalesModel
from sales_abm.scenario import PAY_ON, PRESETS, TOP_LEVEL, Scenario, ScenarioError, Switches

NO_COMPARISON = "none"
AS_CONTRACT = "as contract"
FROM_PRESET = "preset"
SWITCHES = tuple(f.name for f in dataclasses.fields(Switches))

# The page opens on the question it is for: does paying per appointment backfire? A starts as the
# preset that pays most per appointment, B as the default scenario's preset (no code outside
# sales_abm.scenario names a preset).
DEFAULT_A = max(PRESETS, key=lambda name: PRESETS[name]["contract.price_per_appointment"])
DEFAULT_B = Scenario.default().contract.preset
DEFAULT_RULE = Scenario.default().learning.rule

#: Controls typed as text, and the scenario key each sets. Blank keeps the preset's value.
NUMBER_KEYS = {
    "fixed_fee": "contract.fixed_fee",
    "price_per_appointment": "contract.price_per_appointment",
    "audit_rate": "contract.audit_rate",
    "commission": "contract.commission",
    "clawback": "contract.clawback",
    "bonus_per_appointment": "pay.bonus_per_appointment",
    "rep_commission": "pay.commission",
}

def _text(label: str) -> dict[str, Any]:
    return {"type": "InputText", "value": "", "label": label}


def _select(label: str, value: str, values: list[str]) -> dict[str, Any]:
    return {"type": "Select", "value": value, "values": values, "label": label}


def _choice(label: str, value: int, values: list[int]) -> dict[str, Any]:
    """A number picked from a list (Solara's sliders do not show their value)."""
    return {"type": "Select", "value": value, "values": sorted({value, *values}), "label": label}


#: The page's controls in Mesa's ``model_params`` format; names are :class:`ExploreModel`'s
#: keyword arguments, values its defaults.
MODEL_PARAMS: dict[str, dict[str, Any]] = {
    "contract": _select("A: contract preset", DEFAULT_A, list(PRESETS)),
    "fixed_fee": _text("A: fixed fee, USD/rep-month"),
    "price_per_appointment": _text("A: price per appointment, USD"),
    "pay_on": _select("A: appointments billed", FROM_PRESET, [FROM_PRESET, *PAY_ON]),
    "audit_rate": _text("A: audit rate, 0-1"),
    "clawback": _text("A: clawback, multiple of price"),
    "commission": _text("A: commission, share of revenue"),
    "pay_plan": _select("A: rep pay plan", AS_CONTRACT, [AS_CONTRACT, *PRESETS]),
    "bonus_per_appointment": _text("A: rep bonus per appointment, USD"),
    "rep_commission": _text("A: rep commission, share of revenue"),
    "compare": _select("B: compare with preset", DEFAULT_B, [NO_COMPARISON, *PRESETS]),
    "learning_rule": _select("learning rule", DEFAULT_RULE, list(RULE_PARAMETERS)),
    "reps": _choice("reps", TOP_LEVEL["reps"]["default"], [5, 10, 50, 100]),
    "prospects": _choice("prospects", TOP_LEVEL["prospects"]["default"],
                         [2000, 5000, 10000, 50000, 100000]),
    "weeks": _choice("weeks", TOP_LEVEL["weeks"]["default"], [52, 104, 260, 520]),
    "seed": {"type": "InputText", "value": "0", "label": "seed"},
    **{name: {"type": "Checkbox", "value": getattr(Switches(), name),
              "label": f"switch: {name.replace('_', ' ')}"}
       for name in SWITCHES},
}


def _number(key: str, value: Any) -> float | None:
    """A typed-in number: None when blank, else the float (ScenarioError if not a number)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ScenarioError(f"{key} must be a number, got {text!r}") from None


def _seed(value: Any) -> int:
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        raise ScenarioError(f"seed must be a whole number, got {text!r}") from None


def _overrides(controls: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario keys the controls set (preset first; Scenario.from_dict applies it first)."""
    out: dict[str, Any] = {
        "contract.preset": controls["contract"],
        "learning.rule": controls["learning_rule"],
        "reps": controls["reps"],
        "prospects": controls["prospects"],
        "weeks": controls["weeks"],
        "seed": _seed(controls["seed"]),
    }
    out.update({f"switches.{name}": controls[name] for name in SWITCHES})
    plan = controls["pay_plan"]
    if plan != AS_CONTRACT:
        if plan not in PRESETS:
            raise ScenarioError(f"pay plan must be {AS_CONTRACT!r} or a preset, got {plan!r}")
        out.update({k: v for k, v in PRESETS[plan].items() if k.startswith("pay.")})
    if controls["pay_on"] != FROM_PRESET:
        out["contract.pay_on"] = controls["pay_on"]
    for name, key in NUMBER_KEYS.items():
        value = _number(key, controls[name])
        if value is not None:
            out[key] = value
    return out


def scenarios(controls: Mapping[str, Any]) -> tuple[Scenario, Scenario | None]:
    """Scenario A from the controls, and B: A under the comparison preset (or None).

    B takes the comparison preset's contract and pay plan; everything else is A's.

    Raises:
        ScenarioError: a control's value is not allowed (the message names the key and range).
    """
    primary = Scenario.from_dict(_overrides(controls))
    compare = controls["compare"]
    if compare == NO_COMPARISON:
        return primary, None
    if compare not in PRESETS:
        raise ScenarioError(f"comparison must be one of {', '.join(PRESETS)}, got {compare!r}")
    return primary, primary.with_overrides({"contract.preset": compare})


def edited(scenario: Scenario) -> bool:
    """Whether the scenario's contract or pay plan differs from its preset's values."""
    flat = scenario.to_flat()
    return any(flat[key] != value for key, value in PRESETS[scenario.contract.preset].items())


def label(tag: str, scenario: Scenario) -> str:
    """A run's name in legends, e.g. ``A: per_appointment`` (``edited`` if terms were changed)."""
    suffix = " (edited)" if edited(scenario) else ""
    return f"{tag}: {scenario.contract.preset}{suffix}"


class ExploreModel(mesa.Model):
    """Run A (the controls' scenario) and B (A under another preset) on one seed, in lock-step.

    Every keyword is a control of the page (:data:`MODEL_PARAMS`); text controls take numbers,
    blank meaning the preset's value. Invalid controls leave the model empty, not running, with
    the reason in :attr:`error`.

    Attributes:
        controls: The keyword arguments, as given.
        error: Why no scenario could be built, or None.
        runs: The runs by legend label, A first; empty when :attr:`error` is set.
    """

    def __init__(self, *, contract: str = DEFAULT_A, fixed_fee: str = "",
                 price_per_appointment: str = "", pay_on: str = FROM_PRESET, audit_rate: str = "",
                 clawback: str = "", commission: str = "", pay_plan: str = AS_CONTRACT,
                 bonus_per_appointment: str = "", rep_commission: str = "",
                 compare: str = DEFAULT_B, learning_rule: str = DEFAULT_RULE, reps: int = 20,
                 prospects: int = 20000, weeks: int = 156, seed: str = "0",
                 threshold_learning: bool = True, effort_learning: bool = True,
                 pressure: bool = True, burn: bool = True, word_of_mouth: bool = True,
                 training: bool = True, attrition: bool = True, ae_capacity: bool = True,
                 termination: bool = True, client_choice: bool = False,
                 prospect_learning: bool = True, market_entry: bool = True,
                 ae_triage: bool = True) -> None:
        # every parameter is a control; locals() here holds exactly them (plus self)
        controls = {name: value for name, value in locals().items() if name in MODEL_PARAMS}
        try:
            pair, error = scenarios(controls), None
        except ScenarioError as exc:
            pair, error = None, str(exc)
        super().__init__(rng=np.random.default_rng(pair[0].seed if pair else 0))
        self.controls = controls
        self.error = error
        self.runs: dict[str, SalesModel] = {}
        if pair is not None:
            for tag, scenario in zip("AB", pair, strict=False):
                if scenario is not None:
                    self.runs[label(tag, scenario)] = SalesModel(scenario)
        self.running = bool(self.runs)

    @property
    def week(self) -> int:
        """Weeks run so far (0 before the first step or without runs)."""
        return min((run.week for run in self.runs.values()), default=0)

    @property
    def horizon(self) -> int:
        """The scenario's horizon in weeks (0 without runs)."""
        return next(iter(self.runs.values())).config.weeks if self.runs else 0

    def step(self) -> None:
        """One week of every run; stops running at the horizon."""
        for run in self.runs.values():
            if run.week < run.config.weeks:
                run.step()
        self.running = self.week < self.horizon
