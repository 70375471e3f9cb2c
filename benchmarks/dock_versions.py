"""Docking across model versions: this checkout's engine against a baseline git revision's.

A model version that draws other random numbers from the same law (MODEL_VERSION 8: the calls
and entrants draw only what they use, meetings compute their chances with the C library's
``pow``) must give the same distributions of outcomes as the version before. This script runs
both engines at docking scale (``reps=5, prospects=2000, weeks=60``) on the default scenario and
the ``retainer`` and ``per_appointment`` presets, and compares every outcome of the docking test
(``tests/docking/test_fast_vs_reference.py``, whose outcomes, criteria and statistics it reuses):
KS p > 0.001, Welch p > 0.001 and ``|SMD| < max(0.5, 3 sqrt(2 / N))``. (The default contract
terms are the retainer's today, so the first two tables agree: a check that the preset sets
nothing else.)

The baseline (``--baseline REV``, default ``e3d5a40``, main's last MODEL_VERSION 7 commit) is
checked out in a temporary git worktree (``bench_batch.baseline_tree``); each engine runs in its
own subprocess importing its own tree's package. This engine runs seeds ``0..N-1``, the baseline
seeds ``10**6 + 0..N-1`` (as the docking test's reference model), so the two samples are
independent even when both engines are the same. The baseline's kernels compile afresh in the
temporary worktree (about a minute).

Prints per scenario and outcome the mean ± standard error of each engine, KS p, Welch p, SMD and
pass/fail; exits 1 if any outcome fails.

Usage: ``python benchmarks/dock_versions.py [--seeds N] [--baseline REV] [--presets NAME ...]``
(default 200 seeds and the three scenarios above; about 1.5 CPU-minutes per engine then).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the tree to run importable (the child's own)
    sys.path.insert(0, os.environ.get("DOCK_TREE", str(Path(__file__).resolve().parents[1])))

#: Scenarios docked: the defaults, and the docking test's presets (same scale: its SMALL).
SCENARIOS = ("default", "retainer", "per_appointment")
BASELINE = "e3d5a40"


def child(seeds: list[int], outcomes: list[str], scale: dict, scenarios: list[str]) -> None:
    """(In a fresh process importing ``DOCK_TREE``'s package.) Each scenario's outcomes over the
    seeds, as JSON on stdout (``None`` where a summary has none)."""
    import sales_abm
    from sales_abm.model import run
    from sales_abm.scenario import Scenario

    tree = Path(os.environ["DOCK_TREE"]).resolve()
    assert Path(sales_abm.__file__).resolve().is_relative_to(tree), sales_abm.__file__
    out = {}
    for name in scenarios:
        preset = {} if name == "default" else {"contract": {"preset": name}}
        sc = Scenario.from_dict({**preset, **scale})
        summaries = [run(sc, seed).summary for seed in seeds]
        out[name] = {k: [s[k] for s in summaries] for k in outcomes}
    print(json.dumps(out))


def samples(tree: Path, seeds: list[int], scenarios: list[str]) -> dict[str, dict[str, list]]:
    """One engine's outcomes: this script's child mode in a subprocess importing ``tree``."""
    from tests.docking.test_fast_vs_reference import OUTCOMES, SMALL

    env = {**os.environ, "DOCK_TREE": str(tree)}
    spec = {"seeds": seeds, "outcomes": list(OUTCOMES), "scale": SMALL, "scenarios": scenarios}
    args = ["--child", json.dumps(spec)]
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          env=env, check=False)
    if done.returncode:
        sys.exit(f"the engine in {tree} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def mean_se(values) -> str:
    """``mean ± SE`` of a sample."""
    return f"{values.mean():.5g} ± {values.std(ddof=1) / math.sqrt(values.size):.2g}"


def report(this: dict, base: dict, n: int, rev: str, scenarios: list[str]) -> bool:
    """Print the table; whether every outcome passes."""
    import numpy as np

    from tests.docking.test_fast_vs_reference import OUTCOMES, P_MIN, compare

    smd_max = max(0.5, 3 * math.sqrt(2 / n))  # the docking test's bound, at this N
    print(f"N = {n} seeds per engine (this: 0..{n - 1}, baseline {rev}: 10**6 + 0..{n - 1}); "
          f"pass: p > {P_MIN} (KS and Welch), |SMD| < {smd_max:.2f}")
    ok = True
    worst = {"ks": 1.0, "welch": 1.0, "smd": 0.0}
    for name in scenarios:
        print(f"\n{name}")
        print(f"  {'outcome':<28}{'this':>22}{'baseline':>22}{'KS p':>8}{'Welch p':>9}"
              f"{'SMD':>8}")
        for outcome in OUTCOMES:
            a, b = (np.array([np.nan if v is None else v for v in d[name][outcome]], float)
                    for d in (this, base))
            c = compare(a, b)
            passes = c.ks_p > P_MIN and c.welch_p > P_MIN and abs(c.smd) < smd_max
            ok &= passes
            worst = {"ks": min(worst["ks"], c.ks_p), "welch": min(worst["welch"], c.welch_p),
                     "smd": max(worst["smd"], abs(c.smd))}
            a, b = a[~np.isnan(a)], b[~np.isnan(b)]
            print(f"  {outcome:<28}{mean_se(a):>22}{mean_se(b):>22}{c.ks_p:>8.3f}"
                  f"{c.welch_p:>9.3f}{c.smd:>+8.3f}  {'pass' if passes else 'FAIL'}")
    print(f"\nmin KS p {worst['ks']:.3g}, min Welch p {worst['welch']:.3g}, "
          f"max |SMD| {worst['smd']:.3f}: {'all pass' if ok else 'FAILURES'}")
    return ok


def main() -> None:
    """Run both engines and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200, help="seeds per engine (default 200)")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the baseline")
    parser.add_argument("--presets", nargs="+", default=list(SCENARIOS), metavar="NAME",
                        help="scenarios: 'default' or contract presets (default: %(default)s)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        child(spec["seeds"], spec["outcomes"], spec["scale"], spec["scenarios"])
        return
    if args.seeds < 2:
        print("--seeds must be at least 2", file=sys.stderr)
        sys.exit(2)
    from sales_abm.scenario import PRESETS

    unknown = [p for p in args.presets if p != "default" and p not in PRESETS]
    if unknown:
        print(f"--presets must be 'default' or one of {', '.join(PRESETS)}, got {unknown[0]!r}",
              file=sys.stderr)
        sys.exit(2)
    from benchmarks.bench_batch import REPO, baseline_tree
    from tests.docking.test_fast_vs_reference import REFERENCE_SEED_OFFSET

    seeds = list(range(args.seeds))
    this = samples(REPO, seeds, args.presets)
    with baseline_tree(args.baseline) as tree:
        base = samples(tree, [REFERENCE_SEED_OFFSET + s for s in seeds], args.presets)
    sys.exit(0 if report(this, base, args.seeds, args.baseline, args.presets) else 1)


if __name__ == "__main__":
    main()
