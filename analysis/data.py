"""Reading an experiment's results from disk (the runner's Parquet store, through polars).

Nothing here runs the model. :class:`Results` names where results live (base directory and
scale) and hands out one experiment's weekly rows and run summaries, cached for one analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from sales_abm.runner import (
    ExperimentError,
    load,
    load_experiment,
    load_summaries,
    run_scenario,
    status,
)

#: Where the experiment files live: the repository's ``experiments/``.
EXPERIMENTS_DIR = Path(__file__).resolve().parent.parent / "experiments"


def experiment_file(name: str) -> Path:
    """The file of an experiment of this repository."""
    return EXPERIMENTS_DIR / f"{name}.py"


@dataclass
class Results:
    """One scale's results of the paper's experiments.

    Args:
        scale: the scale (``quick`` or ``paper``).
        base: the results base directory (default ``./results``).
    """

    scale: str
    base: Path | None = None
    _weekly: dict[tuple[str, tuple[str, ...]], pl.DataFrame] = field(default_factory=dict)
    _summaries: dict[str, pl.DataFrame] = field(default_factory=dict)

    def spec(self, name: str) -> Any:
        """The experiment's spec (imports its file; runs nothing)."""
        return load_experiment(str(experiment_file(name)))

    def complete(self, name: str) -> bool:
        """Every run of the experiment at this scale is on disk."""
        try:
            return status(self.spec(name), self.scale, self.base, deep=False).complete
        except ExperimentError:
            return False

    def weekly(self, name: str, columns: list[str]) -> pl.DataFrame:
        """Weekly rows: the design columns, ``week`` and ``columns``."""
        key = (name, tuple(columns))
        if key not in self._weekly:
            lazy = load(self.spec(name), self.scale, self.base)
            run_cols = _run_columns() - {"seed"}
            design = [c for c in lazy.collect_schema().names() if c not in run_cols]
            self._weekly[key] = lazy.select([*design, "week", *columns]).collect()
        return self._weekly[key]

    def summaries(self, name: str) -> pl.DataFrame:
        """One row per (design point, replicate): design columns and summary fields."""
        if name not in self._summaries:
            self._summaries[name] = load_summaries(self.spec(name), self.scale, self.base)
        return self._summaries[name]

    def scenario(self, name: str) -> dict[str, Any]:
        """The scenario (canonical JSON, decoded) of the experiment's first stored run."""
        first = self.summaries(name)["run_key"][0]
        return run_scenario(self.spec(name), self.scale, first, self.base)

    def runs(self, name: str) -> int:
        """Rows of the design (points × replicates) found on disk."""
        return self.summaries(name).height


def _run_columns() -> set[str]:
    from sales_abm.runner.store import run_schema

    return set(run_schema())


def flat_scenario(scenario: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys of a nested scenario mapping."""
    out: dict[str, Any] = {}
    for key, value in scenario.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat_scenario(value, f"{name}."))
        else:
            out[name] = value
    return out
