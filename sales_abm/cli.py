"""``sales-abm``: the command line. Thin: parse, call the library, print, map errors to exit 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from sales_abm.paper_cli import add_paper_parser
from sales_abm.runner.cli import add_experiment_parser
from sales_abm.scenario import PRESETS, Scenario, ScenarioError, parameter_table, parse_override
from sales_abm.theory.cli import add_theory_parser
from sales_abm.viz.cli import add_explore_parser

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the command line: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _add_scenario_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", type=Path, help="TOML file with scenario keys")
    p.add_argument("--contract", choices=sorted(PRESETS), help="contract preset")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override one scenario key (repeatable), e.g. contract.audit_rate=0.5")
    p.add_argument("--weeks", type=int, help="horizon in weeks")
    p.add_argument("--seed", type=int, help="seed of the run")


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The scenario the options describe: file, then preset, then --set, then --weeks/--seed."""
    overrides: dict[str, Any] = {}
    if args.contract:
        overrides["contract.preset"] = args.contract
    overrides.update(parse_override(text) for text in args.overrides)
    if args.weeks is not None:
        overrides["weeks"] = args.weeks
    if args.seed is not None:
        overrides["seed"] = args.seed
    if args.scenario is not None:
        return Scenario.from_toml(args.scenario, overrides)
    return Scenario.from_dict(overrides)


def _cmd_run(args: argparse.Namespace) -> int:
    from sales_abm.io import dumps, write_json, write_parquet, write_text
    from sales_abm.model import run

    scenario = scenario_from_args(args)
    result = run(scenario)
    if args.out is not None:
        out = Path(args.out)
        write_parquet(out / "weekly.parquet", result.weekly)
        write_parquet(out / "cohorts.parquet", result.cohorts)
        write_json(out / "summary.json", result.summary)
        write_text(out / "scenario.toml", scenario.to_toml())
    if args.json:
        print(dumps(result.summary))
    else:
        print(format_summary(result.summary))
        if args.out is not None:
            print(f"wrote {Path(args.out)}/{{weekly,cohorts}}.parquet, summary.json, scenario.toml")
    return 0


def format_summary(s: dict[str, Any]) -> str:
    """A short readable summary of a run."""

    def f(x: Any, spec: str = ".3f") -> str:
        return "n/a" if x is None else format(x, spec)

    rows = [
        ("appointments per week", "appointments_per_week", ".1f"),
        ("cohort close rate", "cohort_close_rate", ".3f"),
        ("gaming index", "gaming_index", ".3f"),
        ("mean threshold", "mean_threshold", ".3f"),
    ]
    lines = [f"contract {s['contract']}, seed {s['seed']}, {s['weeks']} weeks",
             f"{'':24}{'first 13 wk':>12}{'last 13 wk':>12}"]
    for label, key, spec in rows:
        first, last = s[f"{key}_first_13"], s[f"{key}_last_13"]
        lines.append(f"{label:24}{f(first, spec):>12}{f(last, spec):>12}")
    lines += [
        f"client revenue {s['client_revenue']:,.0f}  payments {s['client_payments']:,.0f}  "
        f"ROI {f(s['client_roi'], '.2f')}",
        f"outsourcer profit {s['outsourcer_profit']:,.0f}  training {s['training_spend']:,.0f}  "
        f"rep quits {s['rep_quits']:.0f}  contract replacements "
        f"{s['contract_replacements']:.0f}",
        f"burned share at the end {s['burned_share_final']:.3%}",
    ]
    return "\n".join(lines)


def _cmd_params(args: argparse.Namespace) -> int:
    print(params_markdown())
    return 0


def params_markdown() -> str:
    """The table of every scenario key (the README's table is generated from this)."""
    lines = ["| key | default | unit | allowed | meaning |", "|---|---|---|---|---|"]
    for p in parameter_table():
        default = str(p.default).lower() if isinstance(p.default, bool) else p.default
        lines.append(f"| `{p.key}` | {default} | {p.unit} | {p.allowed()} | {p.doc} |")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The ``sales-abm`` argument parser."""
    parser = _Parser(prog="sales-abm", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p_run = sub.add_parser("run", help="run one scenario and summarise it")
    _add_scenario_options(p_run)
    p_run.add_argument("--out", type=Path, help="write Parquet, summary.json and scenario.toml")
    p_run.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p_run.set_defaults(func=_cmd_run)
    p_params = sub.add_parser("params", help="print every scenario key as a Markdown table")
    p_params.set_defaults(func=_cmd_params)
    add_experiment_parser(sub)
    add_paper_parser(sub)
    add_theory_parser(sub)
    add_explore_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: returns the exit status (2 for bad input, with one line on stderr)."""
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except (UsageError, ScenarioError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())


def entry() -> NoReturn:
    """Console-script entry point."""
    sys.exit(main())
