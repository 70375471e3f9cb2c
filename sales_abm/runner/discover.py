"""Finding experiments: ``experiments/<name>.py`` files that define ``EXPERIMENT``.

The experiments directory is, in this order: the one given (``--experiments DIR``),
``$SALES_ABM_EXPERIMENTS``, ``./experiments`` if it exists, and the ``experiments/`` of the source
checkout this package runs from, so that experiments are found from any directory. An experiment
is named by its file's stem, or given as a path to a ``.py`` file.

Loading a file executes it (its spec is plain Python; it runs no simulation). Listing reads every
``.py`` file of the directory but executes only those that assign ``EXPERIMENT`` at their top
level, and a file is executed at most once per process while its content is unchanged.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import sys
from pathlib import Path

from sales_abm.runner.spec import Experiment, ExperimentError
from sales_abm.scenario import ScenarioError

ATTRIBUTE = "EXPERIMENT"
ENVIRONMENT = "SALES_ABM_EXPERIMENTS"
#: The experiments of the source checkout (absent when the package is installed elsewhere).
CHECKOUT = Path(__file__).resolve().parents[2] / "experiments"
_LOADED: dict[tuple[str, str], Experiment | ExperimentError] = {}


def experiments_dir(directory: str | Path | None = None) -> Path:
    """The directory experiments are looked up in (see the module's docstring)."""
    if directory is not None:
        return Path(directory)
    if os.environ.get(ENVIRONMENT):
        return Path(os.environ[ENVIRONMENT])
    here = Path("experiments")
    return CHECKOUT if not here.is_dir() and CHECKOUT.is_dir() else here


def where(directory: str | Path | None) -> str:
    """The experiments directory and how it was chosen, for messages."""
    base = experiments_dir(directory).absolute()
    if directory is not None:
        how = "given by --experiments"
    elif os.environ.get(ENVIRONMENT):
        how = f"from ${ENVIRONMENT}"
    else:
        how = f"the default; give --experiments DIR or set ${ENVIRONMENT}"
    return f"{base} ({how})"


def find(name_or_path: str, directory: str | Path | None = None) -> Path:
    """The file of an experiment given by name or path."""
    path = Path(name_or_path)
    if path.suffix == ".py" or len(path.parts) > 1:
        if not path.is_file():
            raise ExperimentError(f"experiment file not found: {path.absolute()}")
        return path
    base = experiments_dir(directory)
    candidate = base / f"{name_or_path}.py"
    if not base.is_dir():
        raise ExperimentError(f"no experiment {name_or_path!r}: there is no experiments "
                              f"directory {where(directory)}")
    if not candidate.is_file():
        known = ", ".join(p.stem for p in experiment_files(base)) or "none"
        raise ExperimentError(f"no experiment {name_or_path!r} in {where(directory)}; "
                              f"known: {known}")
    return candidate


def experiment_files(directory: str | Path | None = None) -> list[Path]:
    """The files of a directory that define an experiment (without executing any), by name."""
    base = experiments_dir(directory)
    if not base.is_dir():
        return []
    return sorted(p for p in base.glob("*.py") if not p.name.startswith("_")
                  and defines_experiment(p))


def defines_experiment(path: Path) -> bool:
    """Whether a file assigns ``EXPERIMENT`` at its top level (read, not executed); a file
    that does not parse counts, so that its error is shown."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return True
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == ATTRIBUTE for t in targets):
            return True
    return False


def load_file(path: Path) -> Experiment:
    """Execute an experiment file (once per content) and return its ``EXPERIMENT``."""
    try:
        key = (str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest())
    except OSError as exc:
        raise ExperimentError(f"cannot read experiment file {path}: {exc.strerror}") from None
    if key not in _LOADED:
        try:
            _LOADED[key] = _execute(path)
        except ExperimentError as exc:
            _LOADED[key] = exc
    loaded = _LOADED[key]
    if isinstance(loaded, ExperimentError):
        raise ExperimentError(str(loaded))
    return loaded


def _execute(path: Path) -> Experiment:
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
