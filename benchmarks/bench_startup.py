"""Start-up of the command line: ``sales-abm --help`` and a default ``sales-abm run`` process.

Prints the median wall time of several processes of each kind beside a bare interpreter
(``python -c pass``), and the simulation's own time (``run(Scenario.default())`` in this process,
kernels warm), with the targets of issue 17: ``--help`` within 0.15 s of the bare interpreter, a
default run process within 0.6 s of the simulation. The processes alternate, so a busy machine
slows each kind alike; run it on a quiet one for figures to quote::

    .venv/bin/python benchmarks/bench_startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "sales-abm --help": [str(BIN / "sales-abm"), "--help"],
    "sales-abm run": [str(BIN / "sales-abm"), "run"],
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wall(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds from start to exit of one process (output discarded).

    CPU time is the steadier figure on a shared machine: waiting for a core does not count.
    """
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, _children_cpu() - cpu


def simulation_seconds(repeat: int) -> tuple[float, float]:
    """Median wall and CPU time of the default run in this process, after a warm-up run."""
    from sales_abm.model import run
    from sales_abm.scenario import Scenario

    scenario = Scenario.default()
    run(scenario)
    walls, cpus = [], []
    for _ in range(repeat):
        cpu, start = time.process_time(), time.perf_counter()
        run(scenario)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="processes of each kind")
    repeat = parser.parse_args().repeat
    wall(COMMANDS["sales-abm run"])  # compiles or loads the kernels' cache once, untimed
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for _ in range(repeat):
        for name, command in COMMANDS.items():
            times[name].append(wall(command))
    median = {name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
              for name, t in times.items()}
    median["simulation"] = simulation_seconds(repeat)
    print(f"medians of {repeat}:{'wall':>12}{'CPU':>10}")
    for name, (w, c) in median.items():
        print(f"{name:22}{w:8.3f} s{c:8.3f} s")
    for label, name, base, target in (
            ("--help over a bare interpreter", "sales-abm --help", "python -c pass", 0.15),
            ("run process over the simulation", "sales-abm run", "simulation", 0.6)):
        over = [median[name][i] - median[base][i] for i in (0, 1)]
        print(f"{label}: {over[0]:.3f} s wall, {over[1]:.3f} s CPU (target <= {target} s)")

if __name__ == "__main__":
    main()
