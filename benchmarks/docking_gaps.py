"""What makes learned effort and pressure miss the Roth–Erev mean-field rest point (issue 19).

For each variant of the docking experiment's worlds (``experiments/docking.py``), runs the
per-appointment and retainer presets on the experiment's seeds (root seed 10, common random
numbers) and prints, per strategy dimension, the last quarter's learned level, the mean-field
rest point and the simulated learners (:mod:`analysis.docking_noise`) at the skill the reps
reached (rounded as the analysis rounds it), with 95% t intervals of learned minus rest point and
learned minus simulated over seeds. The variants test the explanations of the gaps: the noise of
learning (forgetting 0.02: the rest point does not move, the noise does), joint learning (only
pressure learned), clipping of negative payoffs (payoff shift 600), the call pace the benchmark
leaves out (``rep.call_speed_gain`` 0) and, in the full world, turnover (attrition off, then
termination off, and both).

Usage::

    python -m benchmarks.docking_gaps [--seeds 20] [--weeks 260] [--variants stationary,...]

About 5-15 s per variant and preset at 20 seeds on one core.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from analysis.docking import LAST, SKILL_GRID
from analysis.docking_noise import simulate_learners
from experiments.docking import STATIONARY
from sales_abm.model import run
from sales_abm.runner.identity import derive_seed
from sales_abm.scenario import Scenario
from sales_abm.theory.best_response import roth_erev_mean_field

ROOT_SEED = 10
ARMS = ("per_appointment", "retainer")
DIMS = ("effort", "pressure")
VARIANTS: dict[str, dict[str, object]] = {
    "stationary": STATIONARY,
    "stationary_forgetting_0.02": {**STATIONARY, "learning.forgetting": 0.02},
    "stationary_pressure_only": {**STATIONARY, "switches.effort_learning": False,
                                 "switches.threshold_learning": False},
    "stationary_shift_600": {**STATIONARY, "learning.payoff_shift": 600.0},
    "stationary_no_pace": {**STATIONARY, "rep.call_speed_gain": 0.0},
    "full": {},
    "full_no_attrition": {"switches.attrition": False},
    "full_no_termination": {"switches.termination": False},
    "full_no_attrition_termination": {"switches.attrition": False,
                                      "switches.termination": False},
}


def _ci(x: list[float]) -> str:
    a = np.asarray(x)
    half = 1.96 * a.std(ddof=1) / np.sqrt(a.size)
    return f"{a.mean():+8.3f} [{a.mean() - half:+.3f}, {a.mean() + half:+.3f}]"


def measure(overrides: dict[str, object], seeds: int) -> dict[str, dict[str, list[float]]]:
    """Per dimension: learned, rest point and simulated level per seed."""
    scenario = Scenario.from_dict(overrides)
    out = {d: {"learned": [], "rest": [], "sim": []} for d in DIMS}
    for r in range(seeds):
        seed = derive_seed(ROOT_SEED, r)
        weekly = run(scenario, seed).weekly
        last = weekly.filter(weekly["week"] > weekly["week"].max() - LAST)
        skill = round(round(float(last["mean_skill"].mean()) / SKILL_GRID) * SKILL_GRID, 4)
        rest = roth_erev_mean_field(scenario, skill=skill).mean
        sim = simulate_learners(scenario, skill, seed, scenario.reps, scenario.weeks, LAST)
        for d in DIMS:
            out[d]["learned"].append(float(last[f"mean_{d}"].mean()))
            out[d]["rest"].append(rest[d])
            out[d]["sim"].append(sim[d])
    return out


def main(argv: list[str] | None = None) -> None:
    """Print the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--weeks", type=int, default=260)
    p.add_argument("--variants", default=",".join(VARIANTS))
    args = p.parse_args(argv)
    print(f"{'variant':32s} {'preset':16s} {'dim':8s} {'learned':>8s} {'rest':>8s} "
          f"{'sim':>8s}  learned-rest [95% CI]       learned-sim [95% CI]")
    for name in args.variants.split(","):
        for arm in ARMS:
            start = time.perf_counter()
            m = measure({"contract.preset": arm, "weeks": args.weeks, **VARIANTS[name]},
                        args.seeds)
            for d in DIMS:
                v = m[d]
                gap = [a - b for a, b in zip(v["learned"], v["rest"], strict=True)]
                res = [a - b for a, b in zip(v["learned"], v["sim"], strict=True)]
                print(f"{name:32s} {arm:16s} {d:8s} {np.mean(v['learned']):8.3f} "
                      f"{np.mean(v['rest']):8.3f} {np.mean(v['sim']):8.3f}  {_ci(gap)}  "
                      f"{_ci(res)}")
            print(f"{'':32s} ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
