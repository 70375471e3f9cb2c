"""Runs per CPU-second: ``run()`` in a loop, ``run_batch``, threads, and the runner end to end.

Prints, in one run on this machine (issue 18's yardstick):

1. for the default scenario and the quick scale (5 reps, 2,000 prospects, 60 weeks): runs per
   CPU-second and per wall-second of

   - ``run(scenario, seed)`` in a loop,
   - ``run_batch(scenario, seeds)`` (today: the same loop behind one call; it must not cost more),
   - 2 threads over ``run()`` (not used by ``run_batch``: measured to decide whether it should;
     the kernels release the GIL, the week's Python does not),
   - the runner end to end (``run_experiment``, serial executor, in this process, so CPU time is
     the whole cost: tasks, simulation, Parquet encoding, fsync, manifest) with one run per file
     (``replicates_per_block=1``, the layout before blocks) and with blocks of 16;

   and whether every path gave the same summaries as the loop;
2. at the end, niced, once: the large scenario (1,000 reps, 1,000,000 prospects, 520 weeks) in a
   fresh process (``--no-large`` skips it).

CPU time is ``time.process_time()`` (every thread of this process); wall time depends on what
else the machine runs (the load average is printed), CPU time much less so.

Usage: ``python benchmarks/bench_batch.py [--default-runs N] [--quick-runs N] [--no-large]``
(defaults: 16 and 64 runs; about a minute of CPU, plus about 40 s for the large run).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sales_abm.batch import run_batch
from sales_abm.model import RunResult, run
from sales_abm.runner import Experiment, Grid, Scale, load_summaries, run_experiment
from sales_abm.scenario import Scenario

SCALES = {"default": {}, "quick": {"reps": 5, "prospects": 2000, "weeks": 60}}
LARGE = {"reps": 1000, "prospects": 1_000_000, "weeks": 520}
#: Replicates per block of the runner's blocked path (the default of an experiment).
BLOCK = 16
FIRST_SEED = 1000


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``fn()``'s value, wall seconds and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def threaded(scenario: Scenario, seeds: list[int], threads: int = 2) -> list[RunResult]:
    """``run()`` per seed on a pool of threads, results in seed order."""
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda seed: run(scenario, seed), seeds))


def runner(raw: dict[str, Any], runs: int, per_block: int, results: Path) -> list[dict]:
    """A serial sweep of one design point x ``runs`` replicates; its summaries by replicate."""
    experiment = Experiment(name=f"bench{per_block}", design=Grid(), replicates=runs,
                            replicates_per_block=per_block,
                            scales={"quick": Scale(overrides=raw)})
    report = run_experiment(experiment, results=results, executor="serial", progress=False)
    assert report.failed == 0, report.failures
    table = load_summaries(experiment, results=results).sort("replicate")
    return table.drop("point", "replicate", "run_key").to_dicts()


def _comparable(summary: dict[str, Any]) -> dict[str, Any]:
    """A summary as the store keeps it (JSON, non-finite floats as null)."""
    from sales_abm.runner.store import _json_safe

    return json.loads(json.dumps(_json_safe(summary)))


def measure_scale(name: str, raw: dict[str, Any], runs: int, tmp: Path) -> list[dict]:
    """Every path on one scale; one row each."""
    scenario = Scenario.from_dict(raw)
    seeds = list(range(FIRST_SEED, FIRST_SEED + runs))
    run(scenario, FIRST_SEED - 1)  # warm-up: kernels loaded, first-call costs paid
    loop, *t_loop = timed(lambda: [run(scenario, s) for s in seeds])
    want = [r.summary for r in loop]
    rows = [_row(name, "run() loop", runs, *t_loop, True)]
    batch, *t = timed(lambda: run_batch(scenario, seeds))
    rows.append(_row(name, "run_batch", runs, *t, [r.summary for r in batch] == want))
    threads, *t = timed(lambda: threaded(scenario, seeds))
    rows.append(_row(name, "2 threads over run()", runs, *t,
                     [r.summary for r in threads] == want))
    for per_block, label in ((1, "runner, a file per run"), (BLOCK, f"runner, blocks of {BLOCK}")):
        got, *t = timed(lambda pb=per_block: runner(raw, runs, pb, tmp / f"{name}{pb}"))
        rows.append(_row(name, label, runs, *t, None, got))
    return rows


def _row(scale: str, path: str, runs: int, wall: float, cpu: float, same: bool | None,
         runner_summaries: list[dict] | None = None) -> dict[str, Any]:
    return {"scale": scale, "path": path, "runs": runs, "wall_s": wall, "cpu_s": cpu,
            "runs_per_cpu_s": runs / cpu, "runs_per_wall_s": runs / wall, "same": same,
            "_runner": runner_summaries}


def check_runner_seeds(rows: list[dict], raw: dict[str, Any]) -> None:
    """The runner derives its own seeds: check its runs against ``run()`` on those seeds."""
    from sales_abm.runner.identity import derive_seed

    scenario = Scenario.from_dict(raw)
    for row in rows:
        if row["_runner"] is None:
            continue
        seeds = [derive_seed(0, r) for r in range(len(row["_runner"]))]
        want = [_comparable(r.summary) for r in run_batch(scenario, seeds[:2])]
        got = [{k: s[k] for k in want[0]} for s in row["_runner"][:2]]
        row["same"] = got == want and all(len(s) == len(want[0]) for s in row["_runner"])


def large_child() -> None:
    """(In a fresh, niced process.) One large run: wall and CPU seconds."""
    os.nice(10)
    run(Scenario.from_dict({"reps": 2, "prospects": 100, "weeks": 3}), 0)  # warm-up
    scenario = Scenario.from_dict(LARGE)
    _, wall, cpu = timed(lambda: run(scenario, 1))
    print(json.dumps({"wall_s": wall, "cpu_s": cpu}))


def large() -> dict[str, float]:
    """:func:`large_child` in a fresh interpreter."""
    out = subprocess.run([sys.executable, __file__, "--large-child"], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def print_table(rows: list[dict]) -> None:
    """The rows as an aligned table."""
    print(f"{'scale':8} {'path':26} {'runs':>5} {'wall s':>8} {'CPU s':>8} "
          f"{'runs/CPU-s':>11} {'runs/wall-s':>12}  same as loop")
    for r in rows:
        same = {True: "yes", False: "NO", None: "?"}[r["same"]]
        print(f"{r['scale']:8} {r['path']:26} {r['runs']:5d} {r['wall_s']:8.2f} "
              f"{r['cpu_s']:8.2f} {r['runs_per_cpu_s']:11.2f} {r['runs_per_wall_s']:12.2f}  "
              f"{same}")


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--default-runs", type=int, default=16)
    parser.add_argument("--quick-runs", type=int, default=64)
    parser.add_argument("--no-large", action="store_true")
    parser.add_argument("--large-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.large_child:
        large_child()
        return
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} CPUs")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_batch") as tmp:
        for name, runs in (("default", args.default_runs), ("quick", args.quick_runs)):
            scale_rows = measure_scale(name, SCALES[name], runs, Path(tmp))
            check_runner_seeds(scale_rows, SCALES[name])
            rows += scale_rows
    print_table(rows)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.no_large:
        result = large()
        print(f"large scenario (1,000 reps, 1,000,000 prospects, 520 weeks), one run, niced: "
              f"{result['wall_s']:.1f} s wall, {result['cpu_s']:.1f} s CPU")


if __name__ == "__main__":
    main()
