"""Per learning rule: gaming index and cohort close rate, per-appointment vs retainer (issue 3).

Usage::

    .venv/bin/python benchmarks/learning_rules_table.py                # 10 seeds, default scale
    .venv/bin/python benchmarks/learning_rules_table.py --seeds 3 --weeks 60 --rules ewa fermi

For every rule and seed, runs the default scenario under the ``per_appointment`` and ``retainer``
presets (same seed: common random numbers, so the arms are paired) and reads the summary's
first-quarter and last-resolved-quarter gaming index and cohort close rate. Prints, per rule and
metric, the mean over seeds with a t-based 95% confidence interval for each preset and for the
paired difference per_appointment - retainer. A run whose metric is undefined (no appointments
in the window) is left out of that metric's cell, and its seed out of the difference; ``n`` says
how many remain. Runs go to a process pool (``--workers``, default 2).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from sales_abm.learning import RULES
from sales_abm.model import run
from sales_abm.scenario import Scenario

PRESETS = ("per_appointment", "retainer")
METRICS = (
    "gaming_index_first_13",
    "gaming_index_last_13",
    "cohort_close_rate_first_13",
    "cohort_close_rate_last_13",
)
#: Two-sided 95% quantiles of Student's t by degrees of freedom (df > 30: normal).
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def one_run(job: tuple[str, str, int, dict[str, Any]]) -> tuple[str, str, int, dict[str, Any]]:
    """Run one (rule, preset, seed) and keep the summary's metrics."""
    rule, preset, seed, size = job
    scenario = Scenario.from_dict({"contract.preset": preset, "learning.rule": rule, **size})
    summary = run(scenario, seed).summary
    return rule, preset, seed, {m: summary[m] for m in METRICS}


def t_interval(values: list[float]) -> tuple[float, float, int]:
    """Mean and half-width of its t-based 95% confidence interval (nan if fewer than 2)."""
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return math.nan, math.nan, 0
    if n == 1:
        return float(x[0]), math.nan, 1
    t = _T975[n - 2] if n - 1 <= len(_T975) else 1.96
    return float(x.mean()), t * float(x.std(ddof=1)) / math.sqrt(n), n


def cell(values: list[float]) -> str:
    """``mean ± half-width (n)`` for the table."""
    mean, half, n = t_interval(values)
    return f"{mean:.3f} ± {half:.3f} ({n})"


def table(results: dict[tuple[str, str, int], dict[str, Any]], rules: list[str],
          seeds: list[int]) -> str:
    """The markdown table: one row per rule and metric."""
    lines = [
        "| rule | metric | per_appointment | retainer | difference (paired) |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        for metric in METRICS:
            arms = {p: [results[rule, p, s][metric] for s in seeds] for p in PRESETS}
            kept = {p: [v for v in arms[p] if v is not None] for p in PRESETS}
            diffs = [a - b for a, b in zip(*(arms[p] for p in PRESETS), strict=True)
                     if a is not None and b is not None]
            lines.append(f"| {rule} | {metric} | {cell(kept[PRESETS[0]])} | "
                         f"{cell(kept[PRESETS[1]])} | {cell(diffs)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the grid and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (default 10)")
    parser.add_argument("--rules", nargs="+", default=list(RULES), choices=list(RULES))
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--prospects", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the raw per-run metrics here")
    args = parser.parse_args(argv)
    size = {"weeks": args.weeks, "reps": args.reps, "prospects": args.prospects}
    seeds = list(range(args.seeds))
    jobs = [(rule, preset, seed, size)
            for rule in args.rules for preset in PRESETS for seed in seeds]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        results = {(r, p, s): m for r, p, s, m in pool.map(one_run, jobs)}
    print(f"{len(seeds)} seeds, {args.reps} reps, {args.prospects} prospects, "
          f"{args.weeks} weeks; mean ± 95% CI half-width (t), (n runs)\n")
    print(table(results, args.rules, seeds))
    if args.json:
        rows = [{"rule": r, "preset": p, "seed": s, **m} for (r, p, s), m in results.items()]
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
