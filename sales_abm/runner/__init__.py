"""The experiment runner: specs and designs, seeds and keys, the Parquet store, executors.

Typical use::

    from sales_abm.runner import load, load_summaries, run_experiment, load_experiment

    report = run_experiment(load_experiment("smoke"), "quick", executor="local:2")
    weekly = load("smoke", "quick").collect()
    summaries = load_summaries("smoke", "quick")

See :mod:`sales_abm.runner.spec` (specs), :mod:`sales_abm.runner.identity` (seeds and keys),
:mod:`sales_abm.runner.store` (the on-disk layout) and :mod:`sales_abm.runner.executors`.
"""

from sales_abm.runner.discover import load_experiment
from sales_abm.runner.load import (
    StatusReport,
    compact,
    load,
    load_summaries,
    run_scenario,
    status,
)
from sales_abm.runner.spec import Experiment, ExperimentError, Grid, Plan, Sample, Scale
from sales_abm.runner.sweep import SweepReport, run_experiment

__all__ = [
    "Experiment",
    "ExperimentError",
    "Grid",
    "Plan",
    "Sample",
    "Scale",
    "StatusReport",
    "SweepReport",
    "compact",
    "load",
    "load_experiment",
    "load_summaries",
    "run_experiment",
    "run_scenario",
    "status",
]
