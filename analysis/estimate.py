"""How long will the paper's missing runs take? A rough estimate, stated before they start.

The model's cost on this machine is measured on the default scenario (:func:`calibrate`), after
every compiled kernel has been loaded or compiled (:func:`warm_kernels`): on a fresh machine numba
compiles on first use, and timing that would overstate a run's cost about fifteenfold.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.data import EXPERIMENTS_DIR
from analysis.pipeline import REQUIRED_EXPERIMENTS


@dataclass(frozen=True)
class Estimate:
    """A rough wall-time estimate of the runs a build still has to do."""

    runs: int
    cpu_seconds: float
    workers: int
    experiments: int

    @property
    def wall_seconds(self) -> float:
        """CPU time spread over the workers (ignores start-up and imbalance)."""
        return self.cpu_seconds / max(1, self.workers)

    def line(self, scale: str) -> str:
        """One line for the terminal."""
        return (f"scale {scale}: {self.runs} runs to do across {self.experiments} experiments; "
                f"rough estimate {_duration(self.cpu_seconds)} of CPU, about "
                f"{_duration(self.wall_seconds)} with {self.workers} worker(s)")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


#: The warm-up's scenario: small, and run past the shortest sales cycle so that every kernel of a
#: run (calls, meetings, closes, reviews, recording) is used once before anything is timed.
WARM_UP = {"reps": 4, "prospects": 2000, "weeks": 40}


def warm_kernels() -> None:
    """Load (or, on a fresh machine, compile) every compiled kernel a run uses, untimed."""
    from sales_abm.model import run
    from sales_abm.scenario import Scenario

    run(Scenario.from_dict(WARM_UP), seed=1)


def calibrate(weeks: int = 13, *, warm_up: Callable[[], None] = warm_kernels,
              clock: Callable[[], float] = time.perf_counter) -> tuple[float, float]:
    """Measure (set-up seconds, seconds per week) of the default scenario on this machine.

    Args:
        weeks: weeks to time.
        warm_up: called first, untimed, so that compilation is not charged to the model.
        clock: the timer (tests pass a fake one).
    """
    from sales_abm.model import SalesModel
    from sales_abm.scenario import Scenario

    warm_up()
    start = clock()
    model = SalesModel(Scenario.default(), seed=0)
    built = clock()
    for _ in range(weeks):
        model.step()
    return built - start, (clock() - built) / weeks


def run_seconds(overrides: Mapping[str, Any], setup: float, per_week: float) -> float:
    """Rough cost of one run relative to the default scenario's measured cost.

    Set-up (mostly the prospects' network) scales with prospects; a week's cost was measured to
    grow by about 9% per extra default-sized market and 5% per extra default-sized sales force
    (20,000 prospects, 20 reps). Good to a factor of two, which is what a plan needs.
    """
    from sales_abm.scenario import Scenario

    sc = Scenario.from_dict(overrides)
    p, r = sc.prospects / 20_000, sc.reps / 20
    return setup * p + sc.weeks * per_week * (1 + 0.09 * (p - 1) + 0.05 * (r - 1))


def estimate(scale: str, executor: str = "local", results: str | Path | None = None,
             names: Iterable[str] | None = None, experiments: str | Path = EXPERIMENTS_DIR,
             calibration: tuple[float, float] | None = None) -> Estimate:
    """Estimate the runs not yet done at ``scale`` for the paper's experiments.

    Args:
        scale: the experiments' scale.
        executor: the runner's executor spec (its worker count divides the CPU time).
        results: results base directory (default ``./results``).
        names: the experiments (default :data:`analysis.pipeline.REQUIRED_EXPERIMENTS`).
        experiments: the experiments directory.
        calibration: (set-up seconds, seconds per week); default :func:`calibrate`.
    """
    from sales_abm.runner import load_experiment, status
    from sales_abm.runner.executors import ExecutorSpec
    from sales_abm.version import MODEL_VERSION

    spec = ExecutorSpec.parse(executor)
    workers = spec.workers or (1 if spec.kind == "serial" else os.cpu_count() or 1)
    setup, per_week = calibration or calibrate()
    names = list(REQUIRED_EXPERIMENTS if names is None else names)
    runs, cpu = 0, 0.0
    for name in names:
        exp = load_experiment(name, experiments)
        if scale not in exp.scales:
            continue
        plan = exp.resolve(scale)
        done = set(status(exp, scale, results, deep=False).keys["done"])
        point_cost = {p.index: run_seconds(p.overrides, setup, per_week) for p in plan.points}
        for ref in plan.runs(MODEL_VERSION):
            if ref.key not in done:
                runs += 1
                cpu += point_cost[ref.point]
    return Estimate(runs, cpu, workers, len(names))
