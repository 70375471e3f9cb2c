"""Helpers of the runner tests: tiny experiments and experiment files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sales_abm.runner import Experiment, Grid, Scale

#: Tiny runs (about 0.15 s each).
TINY = {"reps": 3, "prospects": 500, "weeks": 20}


def tiny(name: str = "tiny", presets: tuple[str, ...] = ("retainer", "per_appointment"),
         replicates: int = 2, **kwargs: object) -> Experiment:
    """A tiny grid over contract presets."""
    return Experiment(name=name, design=Grid({"contract.preset": list(presets)}),
                      replicates=replicates, scales={"quick": Scale(overrides=TINY)}, **kwargs)


SPEC_FILE = '''
from sales_abm.runner import Experiment, Grid, Scale

EXPERIMENT = Experiment(
    name="{name}",
    description="A tiny experiment for the tests.",
    design=Grid({{"contract.preset": ["retainer", "per_appointment"]}}),
    replicates={replicates},
    replicates_per_block={block},
    scales={{"quick": Scale(overrides={tiny}), "paper": Scale(replicates=3)}},
)
'''


def write_spec(directory: Path, name: str = "tiny", replicates: int = 2,
               text: str | None = None, block: int = 16) -> Path:
    """Write an experiment file (``block``: replicates per block) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.py"
    path.write_text(text if text is not None else
                    SPEC_FILE.format(name=name, replicates=replicates, tiny=TINY,
                                     block=block))
    return path


def crash_point0_replicate1(task: Any) -> Any:
    """The worker function, but the worker process dies on the block of (point 0, replicate 1)."""
    import os

    from sales_abm.runner.worker import execute

    if task.point == 0 and 1 in task.replicates:
        os._exit(3)
    return execute(task)


def load_spec(path: Path) -> Experiment:
    """Load an experiment file."""
    from sales_abm.runner import load_experiment

    return load_experiment(str(path))
