"""Do two results directories of the same experiments agree in distribution, point by point?

Docking of two model versions at paper scale (issue 18, item 4): the same experiments, design
points and seeds run by two engines (e.g. MODEL_VERSION 7 and 8, whose runs draw different random
numbers from the same laws) should give summaries that differ only by chance. For every
experiment found in both directories, every design point and every numeric summary field, the
two engines' replicates are compared: runs of one design point and replicate share their seed, so
the pairs (same seed, two engines) are compared with a paired t-test of their differences (the
engines' draws overlap where version 8 did not change them, so the pairs are correlated and a
two-sample test would be conservative); ``--unpaired`` uses Welch's test instead. If the engines
agree, the p-values are uniform: the script prints, per experiment and overall, how many
comparisons were made, the share below 0.01 and 0.001 (expected 1% and 0.1%), the smallest
p-value against the Bonferroni bound 0.05 / comparisons, and a Kolmogorov-Smirnov test of the
p-values against the uniform distribution (with few replicates per point and whole-number
outcomes a t-test's p-values are not exactly uniform even when the laws agree: the shares and
the bound are the criteria, the KS test a guide). Fields constant in both samples must be equal
(counted apart). The p-values are correlated (fields of one run, arms sharing common random
numbers), so the KS p-value is a guide, not a test at its nominal level; the Bonferroni bound
holds regardless.

It reads only the block files' stored summaries and the design tables (no model code, so any
version's results can be read). Usage::

    python -m benchmarks.dock_results RESULTS_A RESULTS_B [--scale paper] [--worst 10] [--unpaired]

Exit status 1 if the smallest p-value is below the Bonferroni bound, or a field constant in both
samples differs.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import polars as pl
from scipy import stats

from sales_abm.runner.store import read_summaries

#: Summary fields that identify a run rather than measure it.
NOT_MEASURED = {"seed", "weeks", "model_version", "contract"}


def summaries(root: Path, experiment: str, scale: str) -> pl.DataFrame:
    """One row per run of an experiment: its design point, replicate and numeric summary."""
    base = root / experiment / scale
    design = pl.read_parquet(base / "design.parquet").select("point", "replicate", "run_key")
    rows: dict[str, dict[str, float]] = {}
    for path in sorted((base / "runs").glob("*.parquet")):
        for key, summary in read_summaries(path).items():
            rows[key] = {k: float(v) for k, v in summary.items()
                         if k not in NOT_MEASURED and isinstance(v, (int, float))
                         and not isinstance(v, bool)}
    fields = sorted({k for r in rows.values() for k in r})
    table = pl.DataFrame({"run_key": list(rows),
                          **{f: [r.get(f, math.nan) for r in rows.values()] for f in fields}},
                         schema={"run_key": pl.String(), **dict.fromkeys(fields, pl.Float64())})
    return design.join(table, on="run_key", how="inner")


def compare(a: pl.DataFrame, b: pl.DataFrame, paired: bool = True
            ) -> tuple[list[tuple[float, int, str]], int, int]:
    """p-values per (design point, field) of the fields both have (paired t-test of the same
    replicates' differences, or Welch's); and the counts of fields constant in both samples
    that agree and that differ."""
    fields = sorted(set(a.columns) & set(b.columns) - {"point", "replicate", "run_key"})
    joined = a.join(b, on=["point", "replicate"], suffix="_b")
    results: list[tuple[float, int, str]] = []
    same = differ = 0
    for point in sorted(set(joined["point"].to_list())):
        rows = joined.filter(pl.col("point") == point)
        for field in fields:
            x, y = rows[field].to_numpy(), rows[f"{field}_b"].to_numpy()
            both = np.isfinite(x) & np.isfinite(y)
            x, y = x[both], y[both]
            if x.size < 3:
                continue
            if np.ptp(x) == 0 and np.ptp(y) == 0:
                close = math.isclose(x[0], y[0], rel_tol=1e-9, abs_tol=1e-9)
                same, differ = same + close, differ + (not close)
                continue
            if paired and np.ptp(x - y) == 0:
                continue  # a constant difference (e.g. none): no variance to test against
            test = stats.ttest_rel(x, y) if paired else stats.ttest_ind(x, y, equal_var=False)
            p = float(test.pvalue)
            if not math.isnan(p):
                results.append((p, point, field))
    return results, same, differ


def report(name: str, results: list[tuple[float, int, str]], same: int, differ: int) -> str:
    """One line: comparisons, shares of small p-values, the smallest, the uniformity test."""
    if not results:
        return f"{name:<16} no comparisons"
    p = np.array([r[0] for r in results])
    ks = stats.kstest(p, "uniform").pvalue
    return (f"{name:<16} {p.size:>6} comparisons  p<0.01 {np.mean(p < 0.01):6.2%}  "
            f"p<0.001 {np.mean(p < 0.001):6.2%}  min p {p.min():.2e} "
            f"(Bonferroni {0.05 / p.size:.1e})  KS vs uniform p {ks:.3f}  "
            f"constant fields equal {same}, differ {differ}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--scale", default="paper")
    parser.add_argument("--worst", type=int, default=10, help="how many smallest p to list")
    parser.add_argument("--unpaired", action="store_true", help="Welch's test, not paired")
    args = parser.parse_args(argv)
    experiments = sorted(p.name for p in args.a.iterdir()
                         if (p / args.scale / "design.parquet").exists()
                         and (args.b / p.name / args.scale / "design.parquet").exists())
    everything: list[tuple[float, int, str, str]] = []
    same_total = differ_total = 0
    for experiment in experiments:
        results, same, differ = compare(summaries(args.a, experiment, args.scale),
                                        summaries(args.b, experiment, args.scale),
                                        paired=not args.unpaired)
        print(report(experiment, results, same, differ))
        everything += [(p, point, field, experiment) for p, point, field in results]
        same_total, differ_total = same_total + same, differ_total + differ
    print(report("all", [(p, 0, "") for p, *_ in everything], same_total, differ_total))
    everything.sort()
    for p, point, field, experiment in everything[:args.worst]:
        print(f"  p {p:.2e}  {experiment} point {point} {field}")
    n = len(everything)
    failed = differ_total > 0 or (n > 0 and everything[0][0] < 0.05 / n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
