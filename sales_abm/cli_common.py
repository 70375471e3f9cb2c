"""What the ``sales-abm`` subcommands share: the usage error, and the scenario options.

A low module: :mod:`sales_abm.cli` and the subcommand modules (``theory.cli``, …) import it, it
imports none of them, so no import cycle runs through the command line. It imports nothing heavy
at import time (the scenario module only inside the functions that need it).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the scenario module loads numba; ``sales-abm --help`` must not
    from sales_abm.scenario import Scenario

#: Exit status for bad input (argparse's convention).
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the command line: reported in one line, exit status 2."""


def add_scenario_options(p: argparse.ArgumentParser, horizon: bool = True) -> None:
    """Add ``--scenario``, ``--contract`` and ``--set`` (and ``--weeks``/``--seed``).

    Args:
        p: The sub-parser of a command that runs or analyses one scenario.
        horizon: Whether the command uses the horizon and the seed (a static analysis does not,
            and must not accept options it would ignore).
    """
    from sales_abm.scenario import PRESETS

    p.add_argument("--scenario", type=Path, metavar="FILE", help="TOML file with scenario keys")
    p.add_argument("--contract", choices=sorted(PRESETS),
                   help="contract preset: its terms replace the file's contract and pay terms")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override one scenario key (repeatable), e.g. contract.audit_rate=0.5")
    if horizon:
        p.add_argument("--weeks", type=int, help="horizon in weeks")
        p.add_argument("--seed", type=int, help="seed of the run")
        p.add_argument("--switch", dest="switches", action="append", default=[],
                       metavar="WEEK=PRESET", help="switch contract and pay plan to a preset "
                       "from that week on (repeatable; added to the file's [[schedule]])")


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The scenario the options describe: file, then preset, then ``--set``, then weeks/seed.

    A preset named with ``--contract`` replaces the file's contract and pay terms by the preset's
    (as :meth:`Scenario.with_overrides` does); ``--set`` values then override single keys.
    """
    from sales_abm.scenario import Scenario, parse_override, parse_switch

    overrides: dict[str, Any] = {}
    if args.contract:
        overrides["contract.preset"] = args.contract
    overrides.update(parse_override(text) for text in args.overrides)
    if getattr(args, "switches", None):
        overrides["schedule"] = sorted((parse_switch(t) for t in args.switches),
                                       key=lambda entry: entry["week"])
    for key in ("weeks", "seed"):
        if getattr(args, key, None) is not None:
            overrides[key] = getattr(args, key)
    if args.scenario is not None:
        return Scenario.from_toml(args.scenario, overrides)
    return Scenario.from_dict(overrides)
