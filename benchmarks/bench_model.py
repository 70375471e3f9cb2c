"""Wall time of one run: the fast model against the plain reference model (issue 8's baseline).

Usage::

    .venv/bin/python benchmarks/bench_model.py            # default scenario, 5 fast / 3 ref runs
    .venv/bin/python benchmarks/bench_model.py --quick    # small scenario, for a smoke test
    .venv/bin/python benchmarks/bench_model.py --large    # also the large scenario (fast only)

The large scenario (1,000 reps, 1,000,000 prospects, 520 weeks; issue 8's target: <= 60 s and
<= 4 GB) runs each repetition in a fresh subprocess so that its peak memory (``ru_maxrss``) is its
own; the reference model is not run on it (a million prospect agents would take hours).

Each timing is the wall time of ``run(scenario, seed)`` inside this process (imports and
interpreter start-up excluded), one seed per repetition; the table reports the median and the
range. Fast and reference runs alternate, so both meet the same machine. The first fast run is
preceded by an untimed warm-up run on a tiny scenario so that lazy
imports and first-call costs are not charged to it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
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
LARGE = {"reps": 1000, "prospects": 1_000_000, "weeks": 520}


def large_run(raw: dict[str, Any], seed: int) -> dict[str, float]:
    """One timed run in this process (``--one``): wall time and peak resident memory."""
    fast_run(Scenario.from_dict({"reps": 2, "prospects": 100, "weeks": 3}), 0)  # warm-up
    scenario = Scenario.from_dict(raw)
    start = time.perf_counter()
    fast_run(scenario, seed)
    return {"seconds": time.perf_counter() - start,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def large_runs(raw: dict[str, Any], repeats: int) -> list[dict[str, float]]:
    """``repeats`` runs, each in a fresh interpreter (start-up excluded from the time)."""
    out = []
    for i in range(repeats):
        proc = subprocess.run([sys.executable, __file__, "--one", json.dumps([raw, 1 + i])],
                              check=True, capture_output=True, text=True)
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


def time_run(run: Callable[[Scenario, int], Any], scenario: Scenario, seed: int) -> float:
    """Wall time (s) of one run."""
    start = time.perf_counter()
    run(scenario, seed)
    return time.perf_counter() - start


def time_interleaved(scenario: Scenario, fast_n: int,
                     ref_n: int) -> tuple[list[float], list[float]]:
    """Fast and reference runs alternated (seeds 1, 2, ...), so that both models meet the same
    machine: on a shared host the speed drifts by tens of percent within minutes."""
    fast, ref = [], []
    for i in range(max(fast_n, ref_n)):
        if i < fast_n:
            fast.append(time_run(fast_run, scenario, 1 + i))
        if i < ref_n:
            ref.append(time_run(reference_run, scenario, 1 + i))
    return fast, ref


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
    parser.add_argument("--large", action="store_true",
                        help=f"also time the large scenario {LARGE}")
    parser.add_argument("--large-runs", type=int, default=5, help="large repetitions (>= 1)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: one large run, JSON out
    args = parser.parse_args(argv)
    if args.one:
        raw_one, seed = json.loads(args.one)
        print(json.dumps(large_run(raw_one, seed)))
        return 0
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
    fast, ref = time_interleaved(scenario, fast_n, ref_n)
    fast_med, ref_med = statistics.median(fast), statistics.median(ref)
    print()
    print(f"{'model':<24}{'runs':>6}{'median s':>11}{'min s':>9}{'max s':>9}")
    print(f"{'fast (sales_abm.model)':<24}{fast_n:>6}{fast_med:>11.3f}{min(fast):>9.3f}"
          f"{max(fast):>9.3f}")
    print(f"{'reference (Mesa, plain)':<24}{ref_n:>6}{ref_med:>11.3f}{min(ref):>9.3f}"
          f"{max(ref):>9.3f}")
    print(f"{'ratio reference / fast':<24}{'':>6}{ref_med / fast_med:>11.1f}")
    if args.large:
        raw_large = {**raw, **LARGE}
        runs = large_runs(raw_large, args.large_runs)
        secs = [r["seconds"] for r in runs]
        peak = max(r["maxrss_mb"] for r in runs)
        print(f"{'fast, large scenario':<24}{len(secs):>6}{statistics.median(secs):>11.3f}"
              f"{min(secs):>9.3f}{max(secs):>9.3f}   peak memory {peak / 1024:.2f} GB")
    print(f"load average at end   {'{:.2f} {:.2f} {:.2f}'.format(*os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
