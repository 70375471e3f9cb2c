"""``sales-abm experiment list|describe|run|status|compact``: the runner's subcommands.

Wired into the main parser by :func:`add_experiment_parser`. Bad input raises
:class:`~sales_abm.runner.spec.ExperimentError` (a ``ScenarioError``), which the main command maps
to one line on stderr and exit status 2.

Exit status: 0 when the command did what it says; ``run`` gives 1 when some runs failed and
``status`` gives 1 when some runs are not done (missing, stale, failed or corrupt); 2 for bad
input (and a full disk), with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sales_abm.runner.discover import (
    ENVIRONMENT,
    experiment_files,
    experiments_dir,
    find,
    load_experiment,
    load_file,
    where,
)
from sales_abm.runner.spec import Experiment, ExperimentError, Plan
from sales_abm.runner.store import RESULTS_ENVIRONMENT, results_root

DEFAULT_SCALE = "quick"
#: Exit status of ``status`` when some runs are not done, and of ``run`` when some failed.
EXIT_INCOMPLETE = 1


def add_experiment_parser(subparsers: Any) -> None:
    """Add ``experiment`` and its subcommands to the main parser's subparsers."""
    p = subparsers.add_parser("experiment", help="list, describe, run and check experiments",
                              description="Experiments: specs under experiments/, results "
                                          "under results/<experiment>/<scale>/.")
    sub = p.add_subparsers(dest="experiment_command", required=True, parser_class=type(p))

    p_list = sub.add_parser(
        "list", help="list the experiments and their scales",
        description="List the experiments of the experiments directory. Every .py file there "
                    "that assigns EXPERIMENT at its top level is executed (imported) to read "
                    "its spec, so keep only experiment files there; files that do not assign "
                    "EXPERIMENT are skipped without being executed.")
    _dir_option(p_list)
    p_list.set_defaults(func=cmd_list)

    p_desc = sub.add_parser("describe", help="show an experiment's design, scales and seeds")
    _name_options(p_desc, scale_default=None)
    p_desc.set_defaults(func=cmd_describe)

    p_run = sub.add_parser("run", help="run every run of a scale that is not done yet")
    _name_options(p_run)
    p_run.add_argument("--executor", default="local", metavar="SPEC",
                       help="serial, local[:N] (default; N = CPU count) or dask[:N|ADDRESS]")
    p_run.add_argument("--force", action="store_true", help="recompute runs that are done")
    p_run.add_argument("--no-progress", dest="progress", action="store_false", default=None,
                       help="no progress bar")
    p_run.set_defaults(func=cmd_run)

    p_status = sub.add_parser(
        "status", help="count done, missing, stale, failed, corrupt runs",
        description="Count the runs of a scale that are done, missing, stale (computed by "
                    "another model version or run schema), failed or corrupt, reading every "
                    "file. Exit status 0 when every run is done, 1 when some are not, 2 for bad "
                    "input.")
    _name_options(p_status)
    p_status.add_argument("--json", action="store_true", help="print the counts as JSON")
    p_status.set_defaults(func=cmd_status)

    p_compact = sub.add_parser(
        "compact", help="write weekly.parquet and summaries.parquet",
        description="Write a finished sweep as two files for analysis: weekly.parquet (the "
                    "weekly rows of every run, joined to its design point) and "
                    "summaries.parquet (one row per run). Every run must be done and readable; "
                    "exit status 2 otherwise.")
    _name_options(p_compact)
    p_compact.add_argument("--out", type=Path, help="directory (default: the results root)")
    p_compact.set_defaults(func=cmd_compact)


def _dir_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--experiments", type=Path, metavar="DIR",
                   help=f"experiments directory (default ${ENVIRONMENT}, else ./experiments, "
                        f"else the source checkout's experiments/)")


def _name_options(p: argparse.ArgumentParser, scale_default: str | None = DEFAULT_SCALE) -> None:
    p.add_argument("name", metavar="NAME|FILE", help="experiment name or path to its .py file")
    p.add_argument("--scale", default=scale_default,
                   help=f"scale to use (default {scale_default or 'all'})")
    p.add_argument("--results", type=Path, metavar="DIR",
                   help=f"base directory of results (default ${RESULTS_ENVIRONMENT}, else "
                        f"./results)")
    _dir_option(p)


def _load(args: argparse.Namespace) -> Experiment:
    return load_experiment(args.name, args.experiments)


def cmd_list(args: argparse.Namespace) -> int:
    """``experiment list``."""
    if not experiments_dir(args.experiments).is_dir():
        raise ExperimentError(f"no experiments directory {where(args.experiments)}")
    files = experiment_files(args.experiments)
    if not files:
        print(f"no experiments found in {where(args.experiments)}")
    for path in files:
        print(_list_line(path))
    return 0


def _list_line(path: Path) -> str:
    try:
        exp = load_file(path)
        scales = ", ".join(f"{name} {_size(exp.resolve(name))}" for name in exp.scales)
    except ExperimentError as exc:
        return f"{path.stem:20} INVALID: {exc}"
    first = exp.description.strip().splitlines()[0] if exp.description.strip() else ""
    return f"{exp.name:20} {scales:40} {first}"


def _size(plan: Plan) -> str:
    return f"{len(plan.points)}x{plan.replicates}"


def cmd_describe(args: argparse.Namespace) -> int:
    """``experiment describe``."""
    exp = _load(args)
    scales = [args.scale] if args.scale else list(exp.scales)
    print(describe(exp, find(args.name, args.experiments), scales, args.results))
    return 0


def describe(exp: Experiment, path: Path | None, scales: list[str],
             results: Path | None = None) -> str:
    """A readable account of an experiment's scales, designs and seeds (no simulation)."""
    from sales_abm.version import MODEL_VERSION

    crn = ("yes: replicate r of every design point runs on the same seed"
           if exp.common_random_numbers else "no: every run has its own stream")
    lines = [f"{exp.name}: {exp.description.strip()}" if exp.description else exp.name]
    if path is not None:
        lines.append(f"file: {path}")
    lines += [f"root seed {exp.root_seed}; common random numbers {crn}",
              f"base: {dict(exp.base) or '{}'}"]
    for name in scales:
        plan, sc = exp.resolve(name), exp.scales[name]
        design = sc.design or exp.design
        seeds = ", ".join(f"r{r}={plan.seed(0, r)}" for r in range(min(3, plan.replicates)))
        blocks = len(plan.blocks(MODEL_VERSION))
        lines += [f"\nscale {name}: {len(plan.points)} design points x {plan.replicates} "
                  f"replicates = {plan.size} runs -> {results_root(exp.name, name, results)}",
                  f"  blocks: {blocks} (a task and a file each: at most "
                  f"{plan.replicates_per_block} replicates of one design point)",
                  f"  overrides: {dict(sc.overrides) or '{}'}",
                  f"  design ({type(design).__name__.lower()}):"]
        lines += [f"    {line}" for line in design.describe()]
        lines.append(f"  seeds (point 0): {seeds}{', ...' if plan.replicates > 3 else ''}")
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    """``experiment run``: exit 0 when every run is done, 1 when some failed."""
    from sales_abm.runner.sweep import run_experiment

    exp = _load(args)
    report = run_experiment(exp, args.scale, results=args.results, executor=args.executor,
                            force=args.force, progress=args.progress, command=sys.argv)
    for key, error in report.failures:
        print(f"failed block {key}: {error}", file=sys.stderr)
    if report.failed_blocks > len(report.failures):
        print(f"... and {report.failed_blocks - len(report.failures)} more failed blocks "
              f"(see {report.root}/runs/*.error.json)", file=sys.stderr)
    if report.stale:
        print(f"recomputed {report.stale} runs stored by another model version, run schema or "
              f"block size")
    print(report.line())
    return EXIT_INCOMPLETE if report.failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    """``experiment status``."""
    from sales_abm.runner.load import status

    report = status(_load(args), args.scale, args.results)
    if args.json:
        print(json.dumps({"experiment": report.experiment, "scale": report.scale,
                          "root": str(report.root), "total": report.total, **report.counts,
                          "last_sweep": report.last_sweep}))
    else:
        print(report.line())
        if report.last_sweep is not None:
            print(f"last sweep: {report.last_sweep}")
        for key, error in list(report.errors.items())[:10]:
            print(f"failed {key}: {error}")
    return 0 if report.complete else EXIT_INCOMPLETE


def cmd_compact(args: argparse.Namespace) -> int:
    """``experiment compact``."""
    from sales_abm.runner.load import compact

    paths = compact(_load(args), args.scale, args.results, args.out)
    print(f"wrote {paths['weekly']} and {paths['summaries']}")
    return 0
