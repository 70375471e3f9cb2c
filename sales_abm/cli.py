"""``sales-abm``: the command line. Thin: parse, call the library, print, map errors to exit 2.

Start-up is kept short. The top-level parser knows each command's name and one-line help only
(:data:`COMMANDS`); a command's own parser, and the modules it needs, are imported when that
command is the one named (:class:`_CommandParser`). So ``sales-abm --help`` imports neither numba,
Mesa nor polars, and ``sales-abm run`` does not import the runner, the paper build or Solara.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from sales_abm.cli_common import EXIT_USAGE, UsageError

EXIT_INTERRUPTED = 130

DESCRIPTION = (
    "Agent-based model of incentive contracts in outsourced B2B cold calling: a client pays an "
    "outsourcer, the outsourcer pays its reps, and reps learn where to set their calls, their "
    "qualification threshold and their pressure. Run a scenario, run and check experiments, "
    "solve the static benchmark, build the paper, or explore two contracts in the browser."
)
EPILOG = (
    "Run 'sales-abm COMMAND --help' for a command's options, and 'sales-abm params' for every "
    "scenario key with its unit and range. Bad input exits with status 2 and one line on stderr."
)


@dataclass(frozen=True)
class Command:
    """A subcommand as the top-level parser sees it.

    Attributes:
        help: The line ``sales-abm --help`` shows.
        register: ``"module:function"``; the function adds the command's parser to the
            subparsers it is given (``function(subparsers)``), and is imported only when the
            command runs.
        fast_exit: Whether the process may end at once after the command (``os._exit``, skipping
            the interpreter's teardown): true for commands that leave no threads, child
            processes or files open behind them.
    """

    help: str
    register: str
    fast_exit: bool = False


COMMANDS: dict[str, Command] = {
    "run": Command("run one scenario and summarise it", "sales_abm.cli:add_run_parser", True),
    "params": Command("print every scenario key as a Markdown table",
                      "sales_abm.cli:add_params_parser", True),
    "experiment": Command("list, describe, run and check experiments",
                          "sales_abm.runner.cli:add_experiment_parser"),
    "paper": Command("run missing experiments and analysis, then build paper/build/paper.pdf "
                     "(--root DIR: the project directory; --help: the build's options)",
                     "sales_abm.paper_cli:add_paper_parser"),
    "theory": Command("the rep's static best response (and the client's best contract)",
                      "sales_abm.theory.cli:add_theory_parser", True),
    "explore": Command("interactive page: two contracts side by side, in the browser",
                       "sales_abm.viz.cli:add_explore_parser"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


class _CommandParser(_Parser):
    """A subcommand's parser that stands in for the real one until it is used.

    ``register`` is the command's ``"module:function"``; the module is imported only when this
    parser parses. The function calls ``subparsers.add_parser(name, ...)`` as usual, on a
    :class:`_Registrar`, which builds the real parser; parsing is then handed to it.
    """

    def __init__(self, *args: Any, register: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._register = register
        self._real: argparse.ArgumentParser | None = None

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._register is None:
            return super().parse_known_args(args, namespace)
        if self._real is None:
            registrar = _Registrar(self.prog)
            module, function = self._register.split(":")
            getattr(importlib.import_module(module), function)(registrar)
            self._real = registrar.parser
        return self._real.parse_known_args(args, namespace)


class _Registrar:
    """What a registration function is given as ``subparsers``: builds the command's parser."""

    def __init__(self, prog: str) -> None:
        self.prog = prog
        self.parser: argparse.ArgumentParser | None = None

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.pop("help", None)  # shown by the top-level parser, from COMMANDS
        kwargs.pop("aliases", None)
        self.parser = _CommandParser(prog=self.prog, **kwargs)
        return self.parser


def build_parser() -> argparse.ArgumentParser:
    """The ``sales-abm`` argument parser (each command's options load when it is parsed)."""
    parser = _Parser(prog="sales-abm", description=DESCRIPTION, epilog=EPILOG)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                parser_class=_CommandParser)
    for name, command in COMMANDS.items():
        sub.add_parser(name, help=command.help, register=command.register)
    return parser


# --------------------------------------------------------------------------------------------------
# run and params


def add_run_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``run`` to the main parser's subparsers."""
    from sales_abm.cli_common import add_scenario_options

    p = subparsers.add_parser(
        "run", description="Run one scenario with one seed and print a summary; --out also "
        "writes the weekly and cohort frames, summary.json and the resolved scenario.toml.")
    add_scenario_options(p)
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="write weekly.parquet, cohorts.parquet, summary.json and scenario.toml "
                        "there (all four or none)")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.set_defaults(func=_cmd_run)
    return p


def add_params_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``params`` to the main parser's subparsers."""
    p = subparsers.add_parser(
        "params", description="Every scenario key with its default, unit, allowed range and "
        "meaning, as a Markdown table.")
    p.set_defaults(func=_cmd_params)
    return p


def _cmd_run(args: argparse.Namespace) -> int:
    from sales_abm.cli_common import scenario_from_args
    from sales_abm.io import dumps
    from sales_abm.run_cost import check_run_cost

    scenario = scenario_from_args(args)
    note = check_run_cost(scenario)
    if note:
        print(note, file=sys.stderr, flush=True)
    staged = _stage_output(args.out) if args.out is not None else None
    _load_mesa_core()
    from sales_abm.model import run

    try:
        result = run(scenario)
        if staged is not None:
            _write_run(staged, result)
    finally:
        if staged is not None:
            staged.discard()  # nothing left after a commit; everything after a failure
    if args.json:
        print(dumps(result.summary))
    else:
        print(format_summary(result.summary))
        if args.out is not None:
            print(f"wrote {args.out}/{{weekly,cohorts}}.parquet, summary.json, scenario.toml")
    return 0


def _load_mesa_core() -> None:
    """Load Mesa's ``Model`` and ``Agent`` without the rest of its package (``run`` only).

    ``import mesa`` runs Mesa's ``__init__``, which loads its grids, data collector, batch runner
    and experimental modules, and with them pandas and scipy.spatial: about 0.4 s of CPU in a
    process whose model needs two classes. Here the package is registered without running its
    ``__init__``, the two modules are loaded, and the first request for any other name (``from
    mesa import DataCollector``) runs the ``__init__`` after all, so nothing is missing, only late.
    Used by the ``run`` command, a process that builds one model and exits; the library itself
    imports Mesa as usual.
    """
    if "mesa" in sys.modules:
        return
    spec = importlib.util.find_spec("mesa")
    if spec is None or spec.loader is None:
        return  # let the model's own import report it
    package = importlib.util.module_from_spec(spec)
    sys.modules["mesa"] = package
    try:
        from mesa.agent import Agent
        from mesa.model import Model
    except Exception:
        # A Mesa whose core modules need the package's __init__ (another release in the pinned
        # range): forget the partial load and let the model import Mesa the ordinary way.
        for name in [m for m in sys.modules if m == "mesa" or m.startswith("mesa.")]:
            del sys.modules[name]
        return
    package.Agent, package.Model = Agent, Model

    def finish_import(name: str) -> Any:
        del package.__getattr__  # once: the real __init__ defines everything else
        spec.loader.exec_module(package)
        return getattr(package, name)

    package.__getattr__ = finish_import


def _stage_output(out: Path) -> Any:
    """Check ``--out`` before the run and make the temporary directory it is written into."""
    from sales_abm.io import StagedDirectory, describe_os_error

    try:
        return StagedDirectory.create(out)
    except OSError as exc:
        raise UsageError(f"cannot write --out {out}: {describe_os_error(exc)}") from None


def _write_run(staged: Any, result: Any) -> None:
    """The run's four files, into the staged directory, then into place as a set."""
    from sales_abm.io import describe_os_error, dumps, parquet_bytes

    try:
        staged.write_bytes("weekly.parquet", parquet_bytes(result.weekly))
        staged.write_bytes("cohorts.parquet", parquet_bytes(result.cohorts))
        staged.write_bytes("summary.json", (dumps(result.summary, indent=2) + "\n").encode())
        staged.write_bytes("scenario.toml", result.scenario.to_toml().encode())
        staged.commit()
    except OSError as exc:
        raise UsageError(
            f"cannot write --out {staged.dest}: {describe_os_error(exc)}; nothing was written"
        ) from None


def format_summary(s: dict[str, Any]) -> str:
    """A short readable summary of a run."""

    def f(x: Any, spec: str = ".3f") -> str:
        return "n/a" if x is None else format(x, spec)

    rows = [
        ("appointments per week", "appointments_set", ".1f"),
        ("cohort close rate", "cohort_close_rate", ".3f"),
        ("gaming index", "gaming_index", ".3f"),
        ("mean threshold", "mean_threshold", ".3f"),
    ]
    weeks = s["weeks"]
    lines = [f"contract {s['contract']}, seed {s['seed']}, {weeks} week{'s' * (weeks != 1)}"]
    if weeks <= 13:  # the first and the last 13 weeks are the same weeks: one column
        lines.append(f"{'':24}{f'all {weeks} wk':>12}")
        lines += [f"{label:24}{f(s[f'{key}_first_13'], spec):>12}" for label, key, spec in rows]
    else:
        lines.append(f"{'':24}{'first 13 wk':>12}{'last 13 wk':>12}")
        for label, key, spec in rows:
            first, last = s[f"{key}_first_13"], s[f"{key}_last_13"]
            lines.append(f"{label:24}{f(first, spec):>12}{f(last, spec):>12}")
    lines += [
        f"client revenue {s['revenue']:,.0f}  payments {s['client_payments']:,.0f}  "
        f"ROI {f(s['client_cumulative_roi_final'], '.2f')}",
        f"outsourcer profit {s['outsourcer_profit']:,.0f}  training {s['training_spend']:,.0f}  "
        f"rep quits {s['rep_quits']:.0f}  contract replacements "
        f"{s['contract_holder_final']:.0f}",
        f"burned share at the end {s['burned_share_final']:.3%}",
    ]
    return "\n".join(lines)


def _cmd_params(args: argparse.Namespace) -> int:
    print(params_markdown())
    return 0


def params_markdown() -> str:
    """The table of every scenario key (the README's table is generated from this)."""
    from sales_abm.scenario import parameter_table

    lines = ["| key | default | unit | allowed | meaning |", "|---|---|---|---|---|"]
    for p in parameter_table():
        default = str(p.default).lower() if isinstance(p.default, bool) else p.default
        lines.append(f"| `{p.key}` | {default} | {p.unit} | {p.allowed()} | {p.doc} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# entry points


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: returns the exit status (2 for bad input, with one line on stderr)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    if not argv:
        print(parser.format_help(), end="", file=sys.stderr)
        return EXIT_USAGE
    try:
        args = parser.parse_args(argv)
        return args.func(args)
    except Exception as exc:
        if not _is_usage_error(exc):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _is_usage_error(exc: Exception) -> bool:
    """Bad input: a :class:`UsageError`, or a ``ScenarioError`` (experiment errors are ones).

    ``ScenarioError`` is looked up only if its module is loaded (a command that raised one has
    loaded it): the scenario module loads numba, which reporting an error must not.
    """
    scenario_error = getattr(sys.modules.get("sales_abm.scenario"), "ScenarioError", None)
    return isinstance(exc, UsageError) or (
        scenario_error is not None and isinstance(exc, scenario_error))


def entry() -> NoReturn:
    """Console-script entry point.

    After a command that leaves nothing running (:attr:`Command.fast_exit`), or a usage error, the
    process flushes its output and ends with ``os._exit``: the interpreter's teardown (freeing
    every module of numba, polars and Mesa) takes longer than a small run, and there is nothing
    left for it to do. Other commands exit normally.
    """
    try:
        status = main()
    except SystemExit as exc:  # --help, or a command that exits itself
        if exc.code is not None and not isinstance(exc.code, int):
            raise
        status = exc.code or 0
    if _may_exit_fast():
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (BrokenPipeError, OSError):
            status = status or 1
        os._exit(status)
    sys.exit(status)


def _may_exit_fast() -> bool:
    """Whether the command that ran (if any) is one that leaves nothing behind."""
    argv = sys.argv[1:]
    command = next((a for a in argv if not a.startswith("-")), None)
    return command is None or (command in COMMANDS and COMMANDS[command].fast_exit)


if __name__ == "__main__":
    sys.exit(main())
