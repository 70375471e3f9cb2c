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


def wall(command: list[str]) -> float:
    """Seconds from start to exit of one process (output discarded)."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def simulation_seconds(repeat: int) -> float:
    """Median time of the default run in this process, after a warm-up run."""
    from sales_abm.model import run
    from sales_abm.scenario import Scenario

    scenario = Scenario.default()
    run(scenario)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(scenario)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="processes of each kind")
    repeat = parser.parse_args().repeat
    wall(COMMANDS["sales-abm run"])  # compiles or loads the kernels' cache once, untimed
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(repeat):
        for name, command in COMMANDS.items():
            times[name].append(wall(command))
    median = {name: statistics.median(t) for name, t in times.items()}
    sim = simulation_seconds(repeat)
    bare = median["python -c pass"]
    for name, value in median.items():
        print(f"{name:18} {value:6.3f} s  (median of {repeat}; min {min(times[name]):.3f} s)")
    print(f"{'simulation':18} {sim:6.3f} s  (default scenario, in-process, kernels warm)")
    help_over = median["sales-abm --help"] - bare
    run_over = median["sales-abm run"] - sim
    print(f"--help over a bare interpreter: {help_over:.3f} s (target <= 0.15 s)")
    print(f"run process over the simulation: {run_over:.3f} s (target <= 0.6 s)")


if __name__ == "__main__":
    main()
