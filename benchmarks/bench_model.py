"""Wall time of one run: the fast model against the plain reference model (issue 8's baseline).

Usage::

    .venv/bin/python benchmarks/bench_model.py            # default scenario, 5 fast / 3 ref runs
    .venv/bin/python benchmarks/bench_model.py --quick    # small scenario, for a smoke test

Each timing is the wall time of ``run(scenario, seed)`` inside this process (imports and
interpreter start-up excluded), one seed per repetition; the table reports the median and the
range. The first fast run is preceded by an untimed warm-up run on a tiny scenario so that lazy
imports and first-call costs are not charged to it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mesa
import numpy as np

from benchmarks.reference import run as reference_run
from sales_abm.model import run as fast_run
from sales_abm.scenario import Scenario

QUICK = {"reps": 5, "prospects": 2000, "weeks": 60}


def time_runs(run: Callable[[Scenario, int], Any], scenario: Scenario, repeats: int,
              first_seed: int) -> list[float]:
    """Wall times (s) of ``repeats`` runs, one seed each."""
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        run(scenario, first_seed + i)
        times.append(time.perf_counter() - start)
    return times


def machine_info() -> list[str]:
    """What the numbers were measured on."""
    try:
        load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = "n/a"
    return [
        f"cpu count      {os.cpu_count()} ({platform.processor() or platform.machine()})",
        f"load average   {load}",
        f"python         {platform.python_version()} ({platform.python_implementation()})",
        f"numpy          {np.__version__}",
        f"mesa           {mesa.__version__}",
        f"platform       {platform.platform()}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Time both models and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"small scenario {QUICK}, 3 fast and 2 reference runs")
    parser.add_argument("--preset", default="retainer", help="contract preset (default retainer)")
    parser.add_argument("--fast-runs", type=int, default=None, help="fast repetitions (>= 1)")
    parser.add_argument("--ref-runs", type=int, default=None, help="reference repetitions (>= 1)")
    args = parser.parse_args(argv)
    raw: dict[str, Any] = {"contract": {"preset": args.preset}}
    if args.quick:
        raw.update(QUICK)
    scenario = Scenario.from_dict(raw)
    fast_n = args.fast_runs or (3 if args.quick else 5)
    ref_n = args.ref_runs or (2 if args.quick else 3)

    print("machine")
    for line in machine_info():
        print("  " + line)
    print(f"scenario: preset={args.preset} reps={scenario.reps} prospects={scenario.prospects} "
          f"weeks={scenario.weeks}")
    fast_run(Scenario.from_dict({"reps": 2, "prospects": 100, "weeks": 3}), 0)  # warm-up
    fast = time_runs(fast_run, scenario, fast_n, first_seed=1)
    ref = time_runs(reference_run, scenario, ref_n, first_seed=1)
    fast_med, ref_med = statistics.median(fast), statistics.median(ref)
    print()
    print(f"{'model':<24}{'runs':>6}{'median s':>11}{'min s':>9}{'max s':>9}")
    print(f"{'fast (sales_abm.model)':<24}{fast_n:>6}{fast_med:>11.3f}{min(fast):>9.3f}"
          f"{max(fast):>9.3f}")
    print(f"{'reference (Mesa, plain)':<24}{ref_n:>6}{ref_med:>11.3f}{min(ref):>9.3f}"
          f"{max(ref):>9.3f}")
    print(f"{'ratio reference / fast':<24}{'':>6}{ref_med / fast_med:>11.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
