"""Finding experiments: ``experiments/<name>.py`` files that define ``EXPERIMENT``.

The experiments directory is ``$SALES_ABM_EXPERIMENTS`` or ``./experiments``. An experiment is
named by its file's stem, or given as a path to a ``.py`` file. Loading a file imports it (its
spec is plain Python) but runs no simulation.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from pathlib import Path

from sales_abm.runner.spec import Experiment, ExperimentError
from sales_abm.scenario import ScenarioError

ATTRIBUTE = "EXPERIMENT"


def experiments_dir(directory: str | Path | None = None) -> Path:
    """The directory experiments are looked up in."""
    if directory is not None:
        return Path(directory)
    return Path(os.environ.get("SALES_ABM_EXPERIMENTS", "experiments"))


def find(name_or_path: str, directory: str | Path | None = None) -> Path:
    """The file of an experiment given by name or path."""
    path = Path(name_or_path)
    if path.suffix == ".py" or len(path.parts) > 1:
        if not path.is_file():
            raise ExperimentError(f"experiment file not found: {path}")
        return path
    base = experiments_dir(directory)
    candidate = base / f"{name_or_path}.py"
    if not candidate.is_file():
        known = ", ".join(p.stem for p in experiment_files(base)) or "none"
        raise ExperimentError(f"no experiment {name_or_path!r} in {base}/ (known: {known})")
    return candidate


def experiment_files(directory: str | Path | None = None) -> list[Path]:
    """The experiment files of a directory, by name."""
    base = experiments_dir(directory)
    if not base.is_dir():
        return []
    return sorted(p for p in base.glob("*.py") if not p.name.startswith("_"))


def load_file(path: Path) -> Experiment:
    """Import an experiment file and return its ``EXPERIMENT``."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    module_name = f"_sales_abm_experiment_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ExperimentError(f"cannot load experiment file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except ScenarioError as exc:
        raise ExperimentError(f"{path}: {exc}") from None
    except Exception as exc:
        raise ExperimentError(f"{path}: cannot import: {type(exc).__name__}: {exc}") from None
    finally:
        sys.modules.pop(module_name, None)
    experiment = getattr(module, ATTRIBUTE, None)
    if not isinstance(experiment, Experiment):
        raise ExperimentError(f"{path} must define {ATTRIBUTE} = Experiment(...)")
    if experiment.name != path.stem:
        raise ExperimentError(f"{path}: the experiment's name {experiment.name!r} must be the "
                              f"file's name {path.stem!r}")
    return experiment


def load_experiment(name_or_path: str | Experiment,
                    directory: str | Path | None = None) -> Experiment:
    """An experiment by name (in the experiments directory), by file path, or as given."""
    if isinstance(name_or_path, Experiment):
        return name_or_path
    return load_file(find(name_or_path, directory))
