"""First- vs last-quarter outcomes of the four presets over seeds (default scale).

Usage: python scripts/preset_table.py [--seeds 10] [--workers 2] [--set KEY=VALUE ...]
Prints means with 95% t-intervals over seeds. Seeds are 0..N-1 (common to all presets).
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy import stats

from sales_abm.model import run
from sales_abm.scenario import PRESETS, Scenario, parse_override

KEYS = ("appointments_set_first_13", "appointments_set_last_13",
        "gaming_index_first_13", "gaming_index_last_13",
        "cohort_close_rate_first_13", "cohort_close_rate_last_13",
        "mean_threshold_first_13", "mean_threshold_last_13", "client_cumulative_roi_final")


def one(job: tuple[str, int, dict]) -> tuple[str, int, dict]:
    preset, seed, overrides = job
    scenario = Scenario.from_dict({"contract.preset": preset, **overrides})
    return preset, seed, run(scenario, seed).summary


def ci(x: np.ndarray) -> str:
    x = x[~np.isnan(x)]
    half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return f"{x.mean():.3f} ± {half:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    overrides = dict(parse_override(t) for t in args.overrides)
    jobs = [(p, s, overrides) for p in PRESETS for s in range(args.seeds)]
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(one, jobs))
    print(f"seeds 0..{args.seeds - 1}; mean ± 95% CI half-width over seeds")
    for key in KEYS:
        print(f"\n{key}")
        for preset in PRESETS:
            x = np.array([s[key] if s[key] is not None else np.nan
                          for p, _, s in results if p == preset], dtype=float)
            print(f"  {preset:16} {ci(x)}")


if __name__ == "__main__":
    main()
