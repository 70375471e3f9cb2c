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

   and whether every path gave the same summaries as the loop; then the runner's cost beside the
   simulation, per run, for both layouts (the same sweeps with the simulation replaced by results
   computed beforehand: this isolates what blocks change, which run noise hides above);
2. today's engine against the baseline engine (``--baseline REV``, by default the last commit
   whose week was Python glue around small kernels; checked out in a temporary git worktree):
   ``run()`` in a loop per CPU-second for both scales, each engine in fresh processes taking
   turns, and the ratio of the medians;
3. at the end, niced: the large scenario (1,000 reps, 1,000,000 prospects, 520 weeks) in fresh
   processes, this engine and the baseline taking turns ``--large-repeats`` times, with the ratio
   of the median wall and CPU times (``--no-large`` skips it, ``--no-baseline`` the baseline).

CPU time is ``time.process_time()`` (every thread of this process); wall time depends on what
else the machine runs (the load average is printed), CPU time much less so.

Every path is measured ``--repeats`` times, the paths taking turns, and the table gives the
median rates and the range of runs per CPU-second (``run()`` in a loop and ``run_batch`` run the
same code today: their difference is the measurement's noise).

Usage: ``python benchmarks/bench_batch.py [--default-runs N] [--quick-runs N] [--repeats N]
[--large-repeats N] [--baseline REV | --no-baseline] [--no-large]`` (defaults: 16 and 64 runs,
3 repeats; a few minutes of CPU, plus the large runs).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the repository (or the tree measured) importable
    sys.path.insert(0, os.environ.get("BENCH_TREE", str(Path(__file__).resolve().parents[1])))

from sales_abm.batch import run_batch
from sales_abm.model import RunResult, run
from sales_abm.runner import Experiment, Grid, Scale, load_summaries, run_experiment
from sales_abm.scenario import Scenario

REPO = Path(__file__).resolve().parent.parent
SCALES = {"default": {}, "quick": {"reps": 5, "prospects": 2000, "weeks": 60}}
LARGE = {"reps": 1000, "prospects": 1_000_000, "weeks": 520}
#: Replicates per block of the runner's blocked path (the default of an experiment).
BLOCK = 16
FIRST_SEED = 1000
#: The engine measured against: the last commit whose week was Python around small kernels
#: (MODEL_VERSION 7, before the week's phases were compiled).
BASELINE = "ae603814f1d8868e6c8455400b93d8eb8e1739cb"


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``fn()``'s value, wall seconds and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def threaded(scenario: Scenario, seeds: list[int], threads: int = 2) -> list[RunResult]:
    """``run()`` per seed on a pool of threads, results in seed order."""
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda seed: run(scenario, seed), seeds))


def sweep(raw: dict[str, Any], runs: int, per_block: int,
          results: Path) -> tuple[Experiment, Path]:
    """A serial sweep of one design point x ``runs`` replicates, in blocks of ``per_block``."""
    experiment = Experiment(name=f"bench{per_block}", design=Grid(), replicates=runs,
                            replicates_per_block=per_block,
                            scales={"quick": Scale(overrides=raw)})
    report = run_experiment(experiment, results=results, executor="serial", progress=False)
    assert report.failed == 0, report.failures
    return experiment, results


def stored_summaries(swept: tuple[Experiment, Path]) -> list[dict]:
    """The summaries of a sweep, by replicate, as the runner loads them."""
    experiment, results = swept
    table = load_summaries(experiment, results=results).sort("replicate")
    return table.drop("point", "replicate", "run_key").to_dicts()


def runner_overhead(name: str, raw: dict[str, Any], runs: int, repeats: int,
                    tmp: Path) -> list[dict]:
    """What the runner costs beside the simulation: the same sweeps with the simulation
    replaced by results computed beforehand (tasks, checks, Parquet encoding, fsync, manifest).
    One row per layout: CPU and wall milliseconds per run, medians over ``repeats``."""
    import sales_abm.runner.worker as worker
    from sales_abm.runner.identity import derive_seed

    seeds = [derive_seed(0, r) for r in range(runs)]
    stored = dict(zip(seeds, run_batch(Scenario.from_dict(raw), seeds), strict=True))
    layouts = {"a file per run": 1, f"blocks of {BLOCK}": BLOCK}
    measured: dict[str, list[tuple[float, float]]] = {k: [] for k in layouts}
    original = worker.simulate_block
    worker.simulate_block = lambda scenario, block_seeds: [stored[s] for s in block_seeds]
    try:
        for rep in range(repeats):
            for label, per_block in layouts.items():
                _, wall, cpu = timed(lambda pb=per_block, r=rep: sweep(
                    raw, runs, pb, tmp / f"overhead-{name}-{pb}-{r}"))
                measured[label].append((wall, cpu))
    finally:
        worker.simulate_block = original
    return [{"scale": name, "layout": label, "runs": runs,
             "files": -(-runs // per_block),
             "cpu_ms": 1000 * statistics.median(c for _, c in measured[label]) / runs,
             "wall_ms": 1000 * statistics.median(w for w, _ in measured[label]) / runs}
            for label, per_block in layouts.items()]


def _comparable(summary: dict[str, Any]) -> dict[str, Any]:
    """A summary as the store keeps it (JSON, non-finite floats as null)."""
    from sales_abm.runner.store import _json_safe

    return json.loads(json.dumps(_json_safe(summary)))


def measure_scale(name: str, raw: dict[str, Any], runs: int, repeats: int,
                  tmp: Path) -> list[dict]:
    """Every path on one scale, ``repeats`` times in turn (so all meet the same machine); one
    row per path with the median and range of its rates."""
    scenario = Scenario.from_dict(raw)
    seeds = list(range(FIRST_SEED, FIRST_SEED + runs))
    run(scenario, FIRST_SEED - 1)  # warm-up: kernels loaded, first-call costs paid
    paths: dict[str, Callable[[int], Any]] = {
        "run() loop": lambda _: [run(scenario, s) for s in seeds],
        "run_batch": lambda _: run_batch(scenario, seeds),
        "2 threads over run()": lambda _: threaded(scenario, seeds),
        "runner, a file per run": lambda rep: sweep(raw, runs, 1, tmp / f"{name}-1-{rep}"),
        f"runner, blocks of {BLOCK}": lambda rep: sweep(raw, runs, BLOCK,
                                                        tmp / f"{name}-{BLOCK}-{rep}"),
    }
    times: dict[str, list[tuple[float, float]]] = {p: [] for p in paths}
    values: dict[str, Any] = {}
    for rep in range(repeats):
        for path, fn in paths.items():
            values[path], wall, cpu = timed(lambda fn=fn, rep=rep: fn(rep))
            times[path].append((wall, cpu))
    want = [r.summary for r in values["run() loop"]]
    rows = []
    for path, measured in times.items():
        got = values[path]
        if path.startswith("runner"):
            same = _runner_matches(stored_summaries(got), scenario)
        else:
            same = [r.summary for r in got] == want
        rows.append(_row(name, path, runs, measured, same))
    return rows


def _row(scale: str, path: str, runs: int, measured: list[tuple[float, float]],
         same: bool) -> dict[str, Any]:
    per_cpu = sorted(runs / cpu for _, cpu in measured)
    per_wall = sorted(runs / wall for wall, _ in measured)
    return {"scale": scale, "path": path, "runs": runs, "repeats": len(measured),
            "cpu_s": statistics.median(cpu for _, cpu in measured),
            "runs_per_cpu_s": statistics.median(per_cpu), "cpu_range": (per_cpu[0], per_cpu[-1]),
            "runs_per_wall_s": statistics.median(per_wall), "same": same}


def _runner_matches(summaries: list[dict], scenario: Scenario) -> bool:
    """The runner derives its own seeds: its first two runs against ``run()`` on those seeds
    (summaries as the store keeps them), and every run has the same fields."""
    from sales_abm.runner.identity import derive_seed

    seeds = [derive_seed(0, r) for r in range(2)]
    want = [_comparable(r.summary) for r in run_batch(scenario, seeds)]
    got = [{k: s[k] for k in want[0]} for s in summaries[:2]]
    return got == want and all(len(s) == len(summaries[0]) for s in summaries)


def large_child() -> None:
    """(In a fresh, niced process.) One large run: wall and CPU seconds."""
    os.nice(10)
    run(Scenario.from_dict({"reps": 2, "prospects": 100, "weeks": 3}), 0)  # warm-up
    scenario = Scenario.from_dict(LARGE)
    _, wall, cpu = timed(lambda: run(scenario, 1))
    print(json.dumps({"wall_s": wall, "cpu_s": cpu}))


def loop_child(scale: str, runs: int) -> None:
    """(In a fresh process.) ``run()`` in a loop over ``runs`` seeds after a warm-up run: wall
    and CPU seconds, a digest of the summaries (engines of one model version must agree) and
    the model version."""
    scenario = Scenario.from_dict(SCALES[scale])
    run(scenario, FIRST_SEED - 1)
    seeds = range(FIRST_SEED, FIRST_SEED + runs)
    results, wall, cpu = timed(lambda: [run(scenario, s) for s in seeds])
    digest = hashlib.sha256(repr([r.summary for r in results]).encode()).hexdigest()[:16]
    version = results[0].summary["model_version"]
    print(json.dumps({"wall_s": wall, "cpu_s": cpu, "digest": digest, "version": version}))


def child(tree: Path, *args: str) -> dict[str, Any]:
    """This script's child mode ``args`` in a fresh interpreter importing ``tree``'s package."""
    env = {**os.environ, "BENCH_TREE": str(tree)}
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def baseline_tree(rev: str | None) -> Iterator[Path | None]:
    """The baseline engine checked out in a temporary git worktree (None: no baseline)."""
    if rev is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="bench_baseline") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(tree),
                        rev], check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                           check=False)


def against_baseline(tree: Path, runs: dict[str, int], repeats: int) -> list[dict]:
    """``run()`` loops of this engine and the baseline in fresh processes, taking turns: runs
    per CPU-second (medians) and their ratio, per scale."""
    rows = []
    for scale, n in runs.items():
        measured: dict[str, list[dict]] = {"this": [], "baseline": []}
        for _ in range(repeats):
            for label, where in (("this", REPO), ("baseline", tree)):
                measured[label].append(child(where, "--loop-child", scale, str(n)))
        rate = {k: statistics.median(n / m["cpu_s"] for m in v) for k, v in measured.items()}
        same = len({m["digest"] for v in measured.values() for m in v}) == 1
        versions = {k: v[0]["version"] for k, v in measured.items()}
        rows.append({"scale": scale, "runs": n, "this": rate["this"],
                     "baseline": rate["baseline"], "ratio": rate["this"] / rate["baseline"],
                     "same": same, "versions": versions})
    return rows


def large_against(tree: Path | None, repeats: int) -> dict[str, dict[str, float]]:
    """The large run, this engine and the baseline taking turns: median wall and CPU seconds."""
    trees = {"this": REPO} | ({"baseline": tree} if tree is not None else {})
    measured: dict[str, list[dict]] = {k: [] for k in trees}
    for _ in range(repeats):
        for label, where in trees.items():
            measured[label].append(child(where, "--large-child"))
    return {k: {t: statistics.median(m[t] for m in v) for t in ("wall_s", "cpu_s")}
            for k, v in measured.items()}


def print_table(rows: list[dict]) -> None:
    """The rows as an aligned table: medians over the repeats, and the range per CPU-second."""
    print(f"{'scale':8} {'path':24} {'runs':>5} {'CPU s':>6} {'runs/CPU-s':>10} "
          f"{'(range)':>13} {'runs/wall-s':>11}  same as loop")
    for r in rows:
        low, high = r["cpu_range"]
        print(f"{r['scale']:8} {r['path']:24} {r['runs']:5d} {r['cpu_s']:6.2f} "
              f"{r['runs_per_cpu_s']:10.2f} {f'({low:.1f}-{high:.1f})':>13} "
              f"{r['runs_per_wall_s']:11.2f}  {'yes' if r['same'] else 'NO'}")


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--default-runs", type=int, default=16)
    parser.add_argument("--quick-runs", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--large-repeats", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the baseline")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-large", action="store_true")
    parser.add_argument("--large-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--loop-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.large_child:
        large_child()
        return
    if args.loop_child:
        loop_child(args.loop_child[0], int(args.loop_child[1]))
        return
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} CPUs")
    rows, overhead = [], []
    with tempfile.TemporaryDirectory(prefix="bench_batch") as tmp:
        for name, runs in (("default", args.default_runs), ("quick", args.quick_runs)):
            rows += measure_scale(name, SCALES[name], runs, args.repeats, Path(tmp))
            overhead += runner_overhead(name, SCALES[name], runs, args.repeats, Path(tmp))
    print_table(rows)
    print("\nthe runner beside the simulation (simulation replaced by stored results), per run:")
    for r in overhead:
        print(f"{r['scale']:8} {r['layout']:16} {r['runs']:4d} runs in {r['files']:3d} files: "
              f"{r['cpu_ms']:6.1f} ms CPU, {r['wall_ms']:6.1f} ms wall")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with baseline_tree(None if args.no_baseline else args.baseline) as tree:
        if tree is not None:
            print(f"\nrun() in a loop, this engine against the baseline ({args.baseline[:10]}), "
                  f"fresh processes taking turns, {args.repeats} each:")
            runs = {"default": args.default_runs, "quick": args.quick_runs}
            for r in against_baseline(tree, runs, args.repeats):
                print(f"{r['scale']:8} {r['runs']:4d} runs: {r['this']:6.2f} runs/CPU-s against "
                      f"{r['baseline']:6.2f}, {r['ratio']:.2f}x; {_agreement(r)}")
        if not args.no_large:
            print_large(large_against(tree, args.large_repeats), args.large_repeats)


def _agreement(row: dict) -> str:
    """Whether the engines gave the same summaries; engines of two model versions draw other
    random numbers from the same laws, so they are compared in distribution instead."""
    this, base = row["versions"]["this"], row["versions"]["baseline"]
    if this != base:
        return (f"model version {this} against {base}: other draws, compared in distribution "
                f"by benchmarks/dock_versions.py")
    return f"same summaries: {'yes' if row['same'] else 'NO'}"


def print_large(result: dict[str, dict[str, float]], repeats: int) -> None:
    """The large scenario's medians, and this engine's ratio to the baseline."""
    print(f"large scenario (1,000 reps, 1,000,000 prospects, 520 weeks), niced, median of "
          f"{repeats}:")
    for label, m in result.items():
        print(f"  {label:8} {m['wall_s']:6.1f} s wall, {m['cpu_s']:6.1f} s CPU")
    if "baseline" in result:
        this, base = result["this"], result["baseline"]
        print(f"  this / baseline: {this['wall_s'] / base['wall_s']:.2f}x wall, "
              f"{this['cpu_s'] / base['cpu_s']:.2f}x CPU (below 1: faster)")


if __name__ == "__main__":
    main()
