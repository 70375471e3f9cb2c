"""How fast reps respond to a pay-plan change: the half-life of adjustment after a switch.

Each run starts under one preset and switches client contract and pay plan to another at
``SWITCH_WEEK`` (a ``[[schedule]]``; nothing else changes). For each strategy measure (mean
threshold, mean pressure, and the gaming index) the seed-averaged weekly path is compared with its
level over the quarter before the switch and its level over the last quarter of the run (the new
plateau). The half-life is the first week after the switch from which the 4-week moving average has
closed half of that gap; its interval is a percentile bootstrap over seeds (the runs are resampled,
the path re-averaged). The field figures it targets (``docs/evidence.md``): salespeople re-time
and re-target within weeks to a few quarters of a plan change.

Usage::

    python -m benchmarks.adjustment_half_life [--seeds 8] [--weeks 156] [--set KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from sales_abm.model import run
from sales_abm.scenario import Scenario, parse_override

SWITCH_WEEK = 52
MEASURES = ("mean_threshold", "mean_pressure", "gaming_index")
SMOOTH = 4
QUARTER = 13
BOOTSTRAP = 1000
#: Field evidence (docs/evidence.md): the response to a plan change, in weeks.
FIELD = (
    ("Larkin 2014: deal timing around quarter-end commission thresholds",
     "within a quarter (<= 13)"),
    ("Chung, Steenburgh & Sudhir 2014: effort paced to quarterly bonuses",
     "within a quarter (<= 13)"),
    ("Misra & Nair 2011: plan change, +9% revenue in the following year", "within a year (<= 52)"),
    ("Lazear 2000: piece rates, jump at the switch and growth over 19 months", "weeks to months"),
)
TARGET = (2, 26)  # weeks: within weeks to two quarters


def _path(args: tuple[dict[str, Any], int]) -> np.ndarray:
    raw, seed = args
    weekly = run(Scenario.from_dict(raw), seed).weekly
    return np.vstack([weekly[m].to_numpy().astype(float) for m in MEASURES])


def half_life(path: np.ndarray, switch: int = SWITCH_WEEK) -> float:
    """Weeks after ``switch`` until the smoothed path has closed half the gap to its plateau.

    Returns NaN when the path never moves towards the plateau or never gets half way.
    """
    before = np.nanmean(path[switch - QUARTER:switch])
    after = np.nanmean(path[-QUARTER:])
    gap = after - before
    if not np.isfinite(gap) or gap == 0:
        return float("nan")
    smooth = np.convolve(np.nan_to_num(path[switch:], nan=before), np.ones(SMOOTH) / SMOOTH,
                         mode="valid")
    progress = (smooth - before) / gap
    reached = np.flatnonzero(progress >= 0.5)
    return float(reached[0] + SMOOTH - 1) if reached.size else float("nan")


def measure(start: str, to: str, seeds: int, weeks: int,
            extra: dict[str, Any]) -> dict[str, tuple[float, float, float, float, float]]:
    """Half-life, bootstrap interval, and levels before and after, per measure."""
    raw = {"contract.preset": start, "weeks": weeks, **extra,
           "schedule": [{"week": SWITCH_WEEK, "contract.preset": to}]}
    with ProcessPoolExecutor(2) as pool:
        paths = np.stack(list(pool.map(_path, [(raw, s) for s in range(1, seeds + 1)])))
    rng = np.random.default_rng(0)
    out = {}
    for i, name in enumerate(MEASURES):
        mean_path = np.nanmean(paths[:, i], axis=0)
        draws = [half_life(np.nanmean(paths[rng.integers(0, seeds, seeds), i], axis=0))
                 for _ in range(BOOTSTRAP)]
        low, high = np.nanpercentile(draws, [2.5, 97.5])
        out[name] = (half_life(mean_path), low, high,
                     float(np.nanmean(mean_path[SWITCH_WEEK - QUARTER:SWITCH_WEEK])),
                     float(np.nanmean(mean_path[-QUARTER:])))
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the half-lives of both switches beside the field figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args(argv)
    extra = dict(parse_override(t) for t in args.overrides)
    print(f"switch at week {SWITCH_WEEK}, {args.seeds} seeds (1..{args.seeds}), "
          f"{args.weeks} weeks, default scale{', ' + str(extra) if extra else ''}")
    for start, to in (("retainer", "per_appointment"), ("per_appointment", "retainer")):
        print(f"\n{start} -> {to}")
        print(f"  {'measure':16}{'before':>9}{'after':>9}{'half-life (weeks)':>20}  95% CI")
        for name, (hl, low, high, before, after) in measure(
                start, to, args.seeds, args.weeks, extra).items():
            print(f"  {name:16}{before:9.3f}{after:9.3f}{hl:20.0f}  [{low:.0f}, {high:.0f}]")
    print(f"\ntarget half-life: {TARGET[0]}-{TARGET[1]} weeks. Field figures:")
    for source, figure in FIELD:
        print(f"  {source}: {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
