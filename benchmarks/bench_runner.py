"""Benchmark of the experiment runner.

Prints:

1. throughput of a sweep of default-size runs (4 presets x 50 replicates = 200 runs), serial
   against 2 local worker processes, and the ratio;
2. the parent's peak memory (max RSS) for sweeps of 200 and 2,000 small runs on 2 local workers,
   each in a fresh process, against its peak before the sweep (flat = the parent holds no results);
   and the time ``status`` takes to check (read) every file;
3. the per-run overhead of the runner (a serial sweep against calling the model directly) and of
   the Dask executor (a 2-worker LocalCluster against 2 local workers) on the same small runs,
   and the cluster's start-up time.

Usage: ``python benchmarks/bench_runner.py [--quick] [--only throughput|memory|overhead]``
(``--quick``: smaller sizes, about 2 minutes on an idle 2-core machine).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sales_abm.runner import Experiment, Grid, Scale, run_experiment, status

PRESETS = ["retainer", "per_appointment", "per_close", "hybrid"]
SECTIONS = ("throughput", "memory", "overhead")
SMALL = {"reps": 2, "prospects": 200, "weeks": 10}


def experiment(replicates: int, overrides: dict[str, Any], name: str = "bench") -> Experiment:
    """Four contract presets x ``replicates`` seeds at the given size."""
    return Experiment(name=name, design=Grid({"contract.preset": PRESETS}),
                      replicates=replicates, scales={"quick": Scale(overrides=overrides)})


def sweep(exp: Experiment, results: Path, executor: str) -> tuple[float, float, int]:
    """Wall time, executor start-up time and runs done of one sweep."""
    return _sweep(exp, results, executor)[:3]


def _sweep(exp: Experiment, results: Path, executor: str) -> tuple[float, float, int, Any]:
    t0 = time.perf_counter()
    report = run_experiment(exp, results=results, executor=executor, progress=False)
    assert report.failed == 0, report.failures
    return time.perf_counter() - t0, report.startup_seconds, report.done, report


def throughput(tmp: Path, replicates: int, overrides: dict[str, Any]) -> dict[str, float]:
    """Serial against ``local:2`` on the same sweep; the files must be identical."""
    exp = experiment(replicates, overrides)
    t_serial, _, n, serial = _sweep(exp, tmp / "serial", "serial")
    t_local, startup, n_local, local = _sweep(exp, tmp / "local", "local:2")
    assert n == n_local
    same = _files(tmp / "serial") == _files(tmp / "local")
    busy = local.run_seconds / (local.slots * (local.wall_seconds - startup))
    return {"runs": n, "serial_s": t_serial, "local2_s": t_local, "local2_startup_s": startup,
            "serial_runs_per_s": n / t_serial, "local2_runs_per_s": n / t_local,
            "speedup": t_serial / t_local,
            "speedup_excluding_startup": t_serial / (t_local - startup),
            # Contention-free view: were the workers kept busy, and did each run get its CPU?
            "local2_workers_busy_share": busy,
            "serial_cpu_per_wall": serial.run_cpu_seconds / serial.run_seconds,
            "local2_cpu_per_wall": local.run_cpu_seconds / local.run_seconds,
            "identical_files": float(same)}


def _files(results: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(results.glob("*/*/runs/*.parquet"))}


def peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``: unlike ``ru_maxrss``, not inherited from
    the process that started it)."""
    try:
        status_text = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = next(ln for ln in status_text.splitlines() if ln.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def memory_child(runs: int, results: Path) -> None:
    """(In a fresh process.) Peak RSS before and after a sweep of ``runs`` small runs."""
    import sales_abm.runner.worker  # noqa: F401 - count the model's import in "before"

    exp = experiment(runs // len(PRESETS), SMALL, name="memory")
    exp.resolve("quick")
    before = peak_rss_mb()
    wall, _, done = sweep(exp, results, "local:2")
    after = peak_rss_mb()
    t0 = time.perf_counter()
    assert status(exp, results=results).complete
    print(json.dumps({"runs": done, "peak_before_mb": before, "peak_after_mb": after,
                      "wall_s": wall, "status_check_s": time.perf_counter() - t0}))


def memory(tmp: Path, runs: int) -> dict[str, float]:
    """Run :func:`memory_child` in a fresh interpreter."""
    out = subprocess.run([sys.executable, __file__, "--memory-child", str(runs),
                          str(tmp / f"memory{runs}")], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def runner_overhead(tmp: Path, replicates: int) -> dict[str, float]:
    """Per-run wall time of a serial sweep against calling the model directly, in-process."""
    from sales_abm.model import run
    from sales_abm.scenario import Scenario

    exp = experiment(replicates, SMALL, name="direct")
    plan = exp.resolve("quick")
    t0 = time.perf_counter()
    for ref in plan.rows("-"):
        run(Scenario.from_dict(plan.points[ref.point].overrides), ref.seed)
    direct = (time.perf_counter() - t0) / plan.size
    t_serial, _, n = sweep(exp, tmp / "direct", "serial")
    return {"runs": n, "direct_per_run_ms": 1e3 * direct,
            "serial_sweep_per_run_ms": 1e3 * t_serial / n,
            "runner_overhead_per_run_ms": 1e3 * (t_serial / n - direct)}


def dask_overhead(tmp: Path, replicates: int) -> dict[str, float]:
    """Per-run wall time of ``dask:2`` against ``local:2`` on small runs."""
    exp = experiment(replicates, SMALL, name="overhead")
    t_local, s_local, n = sweep(exp, tmp / "o_local", "local:2")
    t_dask, s_dask, _ = sweep(exp, tmp / "o_dask", "dask:2")
    local_per_run = (t_local - s_local) / n
    dask_per_run = (t_dask - s_dask) / n
    return {"runs": n, "local2_per_run_ms": 1e3 * local_per_run,
            "dask2_per_run_ms": 1e3 * dask_per_run,
            "dask_overhead_per_run_ms": 1e3 * (dask_per_run - local_per_run),
            "local2_startup_s": s_local, "dask2_startup_s": s_dask,
            "identical_files": float(_files(tmp / "o_local") == _files(tmp / "o_dask"))}


def _print(title: str, values: dict[str, float]) -> None:
    print(f"\n{title}")
    for key, value in values.items():
        print(f"  {key:28} {value:10.3f}" if isinstance(value, float) else f"  {key:28} {value}")


def main() -> None:
    """Run the benchmark and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (about 2 minutes)")
    parser.add_argument("--only", choices=SECTIONS, action="append",
                        help="run only this section (repeatable)")
    parser.add_argument("--memory-child", nargs=2, metavar=("RUNS", "DIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(int(args.memory_child[0]), Path(args.memory_child[1]))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench_runner_"))
    print(f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}, "
          f"{'quick' if args.quick else 'full'} benchmark in {tmp}")
    only = set(args.only or SECTIONS)
    try:
        if "throughput" in only:
            size = {"prospects": 2000, "weeks": 52} if args.quick else {}
            reps = 6 if args.quick else 50
            _print(f"throughput: {4 * reps} runs of {size or 'default size'}",
                   throughput(tmp, reps, size))
        if "memory" in only:
            for runs in (100, 1000) if args.quick else (200, 2000):
                _print(f"parent memory: {runs} small runs, local:2", memory(tmp, runs))
        if "overhead" in only:
            small = 10 if args.quick else 50
            _print("runner overhead: small runs, serial", runner_overhead(tmp, small))
            _print("dask overhead: small runs", dask_overhead(tmp, small))
        print(f"\nload average at the end {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
