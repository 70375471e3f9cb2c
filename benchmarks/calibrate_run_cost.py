"""Calibrate the cost model of one run (:mod:`sales_abm.run_cost`): time and peak memory.

Each configuration runs in a fresh process (so its peak resident memory is its own) after a tiny
warm-up run (so numba's compiled kernels are loaded and not timed). The script fits

    seconds = setup per prospect * P + per prospect-week * P*W + setup per rep * R
              + per rep-week * R*W + per call * C
    bytes above the warmed-up process = per prospect * P + per rep * R

by non-negative least squares (C: the calls the run made) and prints the coefficients to copy into
``sales_abm/run_cost.py``, then each configuration's measured and predicted figures. Takes about
a minute and a half on one core::

    .venv/bin/python benchmarks/calibrate_run_cost.py
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from scipy.optimize import nnls

CONFIGS = [
    {"reps": 20, "prospects": 20_000, "weeks": 52},
    {"reps": 20, "prospects": 20_000, "weeks": 520},
    {"reps": 20, "prospects": 1_000_000, "weeks": 5},
    {"reps": 20, "prospects": 1_000_000, "weeks": 40},
    {"reps": 20, "prospects": 1_000_000, "weeks": 150},
    {"reps": 20, "prospects": 3_000_000, "weeks": 5},
    {"reps": 2_000, "prospects": 1_000_000, "weeks": 20},
    {"reps": 20_000, "prospects": 200_000, "weeks": 2},
    {"reps": 20_000, "prospects": 200_000, "weeks": 8},
    {"reps": 20_000, "prospects": 200_000, "weeks": 52},
    {"reps": 50_000, "prospects": 50_000, "weeks": 2},
]

PROBE = """
import json, resource, sys, time
from sales_abm.model import run
from sales_abm.scenario import Scenario
run(Scenario.from_dict({"reps": 2, "prospects": 100, "weeks": 3}))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
result = run(Scenario.from_dict(json.loads(sys.argv[1])))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "bytes": (peak - base) * 1024,
                  "calls": float(result.weekly["calls"].sum())}))
"""


def measure(config: dict[str, int]) -> dict[str, float]:
    """Time and extra peak memory of one run, in a fresh process."""
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(config)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    rows = []
    for config in CONFIGS:
        m = measure(config)
        rows.append((config, m))
        print(f"{config}: {m['seconds']:.2f} s, {m['bytes'] / 2**20:.0f} MiB, "
              f"{m['calls']:.3g} calls", flush=True)
    p = np.array([c["prospects"] for c, _ in rows], float)
    r = np.array([c["reps"] for c, _ in rows], float)
    w = np.array([c["weeks"] for c, _ in rows], float)
    calls = np.array([m["calls"] for _, m in rows])
    time_terms = np.column_stack([p, p * w, r, r * w, calls])
    seconds = np.array([m["seconds"] for _, m in rows])
    # Relative errors matter (a 0.1 s run and a 10 s run alike): weight each row by 1/measured.
    t_coef, _ = nnls(time_terms / seconds[:, None], np.ones_like(seconds))
    mem_terms = np.column_stack([p, r])
    mem = np.array([m["bytes"] for _, m in rows])
    m_coef, _ = nnls(mem_terms, mem)
    names = ("SECONDS_PER_PROSPECT", "SECONDS_PER_PROSPECT_WEEK", "SECONDS_PER_REP",
             "SECONDS_PER_REP_WEEK", "SECONDS_PER_CALL")
    for name, value in zip(names, t_coef, strict=True):
        print(f"{name} = {value:.3g}")
    print(f"BYTES_PER_PROSPECT = {m_coef[0]:.3g}\nBYTES_PER_REP = {m_coef[1]:.3g}")
    for (config, m), t_hat, m_hat in zip(rows, time_terms @ t_coef, mem_terms @ m_coef,
                                         strict=True):
        print(f"{config}: time {m['seconds']:.2f} s predicted {t_hat:.2f} s; memory "
              f"{m['bytes'] / 2**20:.0f} MiB predicted {m_hat / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
