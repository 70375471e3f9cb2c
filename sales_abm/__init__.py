"""sales_abm: incentive contracts in outsourced B2B sales, as an agent-based model.

The public API, imported lazily (``import sales_abm`` loads none of numba, Mesa or polars; each
name loads its module on first use)::

    import sales_abm

    scenario = sales_abm.Scenario.from_dict({"weeks": 52, "contract.audit_rate": 0.5})
    result = sales_abm.run(scenario, seed=1)          # frames and summary of one run
    results = sales_abm.run_batch(scenario, [1, 2, 3])  # the same, for many replicates
    model = sales_abm.SalesModel(scenario, seed=1)    # the Mesa model, to step yourself
    report = sales_abm.run_experiment(sales_abm.load_experiment("smoke"), "quick")
    summaries = sales_abm.load_summaries("smoke", "quick")

The model is described in ``docs/model.md``; a first session is ``docs/tutorial.py``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Each public name and the module that defines it.
_EXPORTS: dict[str, str] = {
    # a scenario and one run
    "Scenario": "sales_abm.scenario",
    "ScenarioError": "sales_abm.scenario",
    "PRESETS": "sales_abm.scenario",
    "parameter_table": "sales_abm.scenario",
    "SalesModel": "sales_abm.model",
    "RunResult": "sales_abm.model",
    "run": "sales_abm.model",
    "run_batch": "sales_abm.batch",
    "MODEL_VERSION": "sales_abm.version",
    # experiments: specs, sweeps and their results
    "Experiment": "sales_abm.runner",
    "ExperimentError": "sales_abm.runner",
    "Grid": "sales_abm.runner",
    "Sample": "sales_abm.runner",
    "Scale": "sales_abm.runner",
    "load_experiment": "sales_abm.runner",
    "run_experiment": "sales_abm.runner",
    "status": "sales_abm.runner",
    "load": "sales_abm.runner",
    "load_summaries": "sales_abm.runner",
    # learning rules
    "RULES": "sales_abm.learning",
    "make_learner": "sales_abm.learning",
}

#: The same names as :data:`_EXPORTS` (a literal list, for linters and ``import *``).
__all__ = [
    "MODEL_VERSION",
    "PRESETS",
    "RULES",
    "Experiment",
    "ExperimentError",
    "Grid",
    "RunResult",
    "SalesModel",
    "Sample",
    "Scale",
    "Scenario",
    "ScenarioError",
    "load",
    "load_experiment",
    "load_summaries",
    "make_learner",
    "parameter_table",
    "run",
    "run_batch",
    "run_experiment",
    "status",
]

if TYPE_CHECKING:  # for type checkers and IDEs; at run time the names load on first use
    from sales_abm.batch import run_batch
    from sales_abm.learning import RULES, make_learner
    from sales_abm.model import RunResult, SalesModel, run
    from sales_abm.runner import (
        Experiment,
        ExperimentError,
        Grid,
        Sample,
        Scale,
        load,
        load_experiment,
        load_summaries,
        run_experiment,
        status,
    )
    from sales_abm.scenario import PRESETS, Scenario, ScenarioError, parameter_table
    from sales_abm.version import MODEL_VERSION


def _version() -> str:
    # importlib.metadata scans the installed distributions: ~50 ms that `sales-abm --help` and
    # every run process would pay at start-up for a string they do not use.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sales_abm")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use, and cache the name here."""
    if name == "__version__":
        globals()[name] = _version()
        return globals()[name]
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sales_abm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
