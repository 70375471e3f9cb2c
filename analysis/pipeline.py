"""From results on disk to the paper's inputs: figures, ``numbers.json`` and Typst fragments.

:func:`write_paper_inputs` never runs the model. :func:`run_all` runs the experiments whose runs
are missing, through the runner, and then writes the inputs; :mod:`analysis.paper` (the paper's
build, ``sales-abm paper``) calls it. :func:`result_slots` is the one list of the paper's
result slots.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from analysis.common import Section
from analysis.data import EXPERIMENTS_DIR, Results
from analysis.numbers import Numbers, write_numbers

log = logging.getLogger("analysis")

#: Section modules in the paper's order (each defines ``SECTION``).
SECTION_MODULES = ("calibration", "gaming", "dose", "training", "horizon", "contagion",
                   "robustness", "docking", "plan_change", "dynamics")


def sections() -> list[Section]:
    """Every results section, in the paper's order."""
    return [importlib.import_module(f"analysis.{m}").SECTION for m in SECTION_MODULES]


class FailedRuns(RuntimeError):
    """Some of an experiment's runs failed (the message says where their error records are)."""


def result_slots() -> dict[str, str]:
    """Every result slot of the paper, in its order: slot -> heading.

    The sections' slots, then the abstract's and the discussion's; the analysis writes
    ``generated/results_<slot>.typ`` for each, and the paper marks a missing one "not yet run".
    """
    from analysis.summary import SUMMARY_SLOTS

    return {**{s.slot: s.title for s in sections()}, **SUMMARY_SLOTS}


#: The experiment files the analysis reads (:func:`run_all` runs the missing ones).
REQUIRED_EXPERIMENTS: tuple[str, ...] = tuple(
    dict.fromkeys(e for s in sections() for e in (*s.experiments, *s.optional)))


def run_all(scale: str = "quick", executor: str = "local:2", results: Path | None = None,
            paper_dir: Path | None = Path("paper"), names: Iterable[str] | None = None,
            experiments: str | Path = EXPERIMENTS_DIR, figures: bool = True) -> list[Any]:
    """Run every required experiment's missing runs at ``scale``, then write the paper inputs.

    Args:
        scale: ``quick`` or ``paper``.
        executor: the runner's executor (``serial``, ``local[:N]``, ``dask[:...]``).
        results: results base directory (default ``./results``).
        paper_dir: where to write figures, numbers and fragments; None to only run.
        names: experiments to run (default :data:`REQUIRED_EXPERIMENTS`).
        experiments: the experiments directory.
        figures: draw the figures (needs matplotlib).

    Returns:
        The runner's sweep reports of the experiments that had runs to do.

    Raises:
        FailedRuns: an experiment had failed runs.
    """
    from sales_abm.runner import load_experiment, run_experiment, status

    reports = []
    for name in REQUIRED_EXPERIMENTS if names is None else names:
        spec = load_experiment(name, experiments)
        report = status(spec, scale, results, deep=False)
        if report.complete:
            log.info("%s/%s: all %d runs done", name, scale, report.total)
            continue
        log.info("%s/%s: running %d of %d runs", name, scale,
                 report.total - report.counts["done"], report.total)
        sweep = run_experiment(spec, scale, results=results, executor=executor,
                               command=["sales-abm", "paper", "--scale", scale])
        log.info("%s", sweep.line())
        if sweep.failed:
            raise FailedRuns(f"{name}/{scale}: {sweep.failed} runs failed; see "
                               f"{sweep.root}/runs/*.error.json")
        reports.append(sweep)
    if paper_dir is not None:
        write_paper_inputs(scale, paper_dir, results, figures)
    return reports


def write_paper_inputs(scale: str, paper_dir: Path, results: Path | None = None,
                       figures: bool = True) -> dict[str, Numbers]:
    """Write ``figures/``, ``numbers.json`` and ``generated/results_<slot>.typ`` for ``scale``.

    A section whose experiments are not complete at ``scale`` is left out, and a fragment of it
    left from an earlier build is removed (so the paper shows it as not yet run rather than
    quoting numbers that no longer exist).

    Args:
        scale: the experiments' scale.
        paper_dir: the paper directory (``paper``).
        results: results base directory (default ``./results``).
        figures: draw the figures (needs matplotlib).

    Returns:
        The numbers of every section written, by slot.
    """
    paper_dir = Path(paper_dir)
    data = Results(scale, None if results is None else Path(results))
    done: dict[str, Numbers] = {}
    for section in sections():
        fragment_path = paper_dir / "generated" / f"results_{section.slot}.typ"
        missing = [e for e in section.experiments if not data.complete(e)]
        if missing:
            log.warning("%s: experiments not complete at scale %s: %s; section left out",
                        section.slot, scale, ", ".join(missing))
            fragment_path.unlink(missing_ok=True)
            continue
        done[section.slot] = _write_section(section, data, paper_dir, figures)
    _write_summaries(done, paper_dir / "generated")
    write_numbers(paper_dir / "numbers.json", done, _meta(scale, data, done))
    return done


def _write_summaries(done: dict[str, Numbers], directory: Path) -> None:
    """The abstract's and discussion's results fragments (removed when they cannot be made)."""
    from analysis import summary

    for slot, make in summary.MAKERS.items():
        fragment = make(done)
        if fragment is None:
            (directory / f"results_{slot}.typ").unlink(missing_ok=True)
        else:
            fragment.write(directory)


def _write_section(section: Section, data: Results, paper_dir: Path,
                   figures: bool) -> Numbers:
    numbers = section.compute(data)
    numbers.scale = data.scale  # verdicts follow only from the paper's scale
    if figures:
        draw = importlib.import_module(section.figures).draw
        names = draw(data, numbers, paper_dir / "figures")
        log.info("%s: figures %s", section.slot, ", ".join(names))
    section.fragment(numbers).write(paper_dir / "generated")
    return numbers


def _meta(scale: str, data: Results, done: dict[str, Numbers]) -> dict[str, Any]:
    from sales_abm.version import MODEL_VERSION

    experiments = {}
    for section in sections():
        if section.slot not in done:
            continue
        for name in (*section.experiments, *section.optional):
            if name in section.experiments or data.complete(name):
                experiments[name] = {"runs": data.runs(name)}
    return {"scale": scale, "model_version": MODEL_VERSION, "experiments": experiments,
            "sections": list(done)}
