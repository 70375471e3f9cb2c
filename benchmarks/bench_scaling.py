"""How a run's cost scales: prospects, reps and weeks, with fitted log-log exponents.

Usage::

    .venv/bin/python benchmarks/bench_scaling.py            # full series (up to 1M prospects)
    .venv/bin/python benchmarks/bench_scaling.py --quick    # small series, a smoke test

Each point runs in a fresh subprocess (so its peak memory, ``ru_maxrss``, is its own; interpreter
start-up and imports are excluded from the times) and reports: build time, the weeks' time, the
calls made, the share of the run spent recording metrics (``_record`` and
the frames built at the end, timed as in ``profile_week.py``) and peak resident memory. The
exponent ``b`` of ``time ~ x^b`` is fitted by least squares on logs, against the series' variable
and against the calls made (the model's unit of work).

Series (reps : prospects kept at the default 1 : 1,000 in the reps series):

* prospects: 20 reps, 156 weeks, 10k -> 1M prospects (the calls stay the same: cost should
  grow less than linearly, only the per-week scans of the market grow);
* reps: 10 -> 1,000 reps with 1,000 prospects each, 52 weeks (calls grow with reps);
* weeks: default scenario, 26 -> 520 weeks.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

SERIES = {
    "prospects": ("prospects", [{"reps": 20, "prospects": n, "weeks": 156}
                                for n in (10_000, 30_000, 100_000, 300_000, 1_000_000)]),
    "reps": ("reps", [{"reps": r, "prospects": 1000 * r, "weeks": 52}
                      for r in (10, 30, 100, 300, 1000)]),
    "weeks": ("weeks", [{"reps": 20, "prospects": 20_000, "weeks": w}
                        for w in (26, 52, 104, 208, 520)]),
}
QUICK = {
    "prospects": ("prospects", [{"reps": 20, "prospects": n, "weeks": 52}
                                for n in (10_000, 30_000, 100_000)]),
    "reps": ("reps", [{"reps": r, "prospects": 1000 * r, "weeks": 26} for r in (10, 30, 100)]),
    "weeks": ("weeks", [{"reps": 20, "prospects": 20_000, "weeks": w} for w in (26, 52, 104)]),
}


def measure_point(raw: dict[str, Any], seed: int = 1) -> dict[str, float]:
    """Run one scenario in this process and return its costs (used by the subprocess)."""
    from benchmarks.profile_week import instrument
    from sales_abm.metrics import summarize
    from sales_abm.model import SalesModel
    from sales_abm.scenario import Scenario

    # first-call costs (lazy imports, loading the compiled kernels, polars) are not charged to
    # the point: the warm-up runs past the shortest sales cycle, so every kernel has been used
    warm = SalesModel(Scenario.from_dict({"reps": 4, "prospects": 2000, "weeks": 40}), 0)
    warm.run_model()
    summarize(warm.recorder.weekly_frame(), warm.recorder.cohort_frame())
    scenario = Scenario.from_dict(raw)
    start = time.perf_counter()
    model = SalesModel(scenario, seed)
    build = time.perf_counter() - start
    totals: dict[str, float] = defaultdict(float)
    instrument(model, totals)
    start = time.perf_counter()
    for _ in range(scenario.weeks):
        client = model.client
        model.step()
        if model.client is not client:
            instrument(model, totals)
    weeks = time.perf_counter() - start
    start = time.perf_counter()
    weekly = model.recorder.weekly_frame()
    summarize(weekly, model.recorder.cohort_frame())
    frames = time.perf_counter() - start
    total = build + weeks + frames
    return {
        "build_s": build, "weeks_s": weeks, "total_s": total,
        "calls": float(weekly["calls"].sum()),
        "record_share": (totals["record"] + frames) / total,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_point(raw: dict[str, Any]) -> dict[str, float]:
    """Measure one point in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, __file__, "--point", json.dumps(raw)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def exponent(x: list[float], y: list[float]) -> float:
    """Least-squares slope of log y on log x."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def main(argv: list[str] | None = None) -> int:
    """Run the series and print one table each, with fitted exponents."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small series for a smoke test")
    parser.add_argument("--series", choices=[*SERIES, "all"], default="all")
    parser.add_argument("--point", help=argparse.SUPPRESS)  # internal: one point, JSON out
    args = parser.parse_args(argv)
    if args.point:
        print(json.dumps(measure_point(json.loads(args.point))))
        return 0
    series = QUICK if args.quick else SERIES
    names = list(series) if args.series == "all" else [args.series]
    print(f"load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name in names:
        var, points = series[name]
        rows = [(p, run_point(p)) for p in points]
        print(f"\nseries: {name}")
        print(f"  {'reps':>6}{'prospects':>11}{'weeks':>7}{'calls':>13}{'build s':>9}"
              f"{'weeks s':>9}{'total s':>9}{'us/call':>9}{'record':>8}{'peak MB':>9}")
        for p, m in rows:
            print(f"  {p['reps']:>6}{p['prospects']:>11}{p['weeks']:>7}{m['calls']:>13.0f}"
                  f"{m['build_s']:>9.2f}{m['weeks_s']:>9.2f}{m['total_s']:>9.2f}"
                  f"{1e6 * m['weeks_s'] / m['calls']:>9.3f}{m['record_share']:>8.1%}"
                  f"{m['maxrss_mb']:>9.0f}")
        x = [float(p[var]) for p, _ in rows]
        total = [m["total_s"] for _, m in rows]
        calls = [m["calls"] for _, m in rows]
        mem = [m["maxrss_mb"] for _, m in rows]
        per_calls = (f"~ calls^{exponent(calls, total):.2f} "
                     if max(calls) > 1.5 * min(calls) else "")  # calls barely vary: no fit
        print(f"  exponents: total time ~ {var}^{exponent(x, total):.2f} {per_calls}"
              f"(calls ~ {var}^{exponent(x, calls):.2f}); peak memory ~ {var}^"
              f"{exponent(x, mem):.2f}")
    print(f"\nload average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
