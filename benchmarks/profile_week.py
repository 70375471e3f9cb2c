"""Where a week's time goes: per-phase ms/week and share, for the default and large scenarios.

Usage::

    .venv/bin/python benchmarks/profile_week.py                 # default and large scenarios
    .venv/bin/python benchmarks/profile_week.py --quick         # default, and large over 20 weeks
    .venv/bin/python benchmarks/profile_week.py --scenario default --weeks 156

The phases of :meth:`SalesModel.step` are timed by wrapping the model's methods *on the
instance* (``time.perf_counter`` around each call), so the model's code carries no timing hook
and pays nothing when not profiled. Phases:

========  ===================================================================================
staff     ``_staff``: fill vacancies, draw strategies
market    ``_market_week``: calls, meetings, sales cycles, end rests, receptivity recovery, entry
          (the market's four kernels)
settle    ``_settle`` and ``_account``: contract and pay plan money
learn     ``SalesForce.observe``, ``_learn_and_leave`` and ``Client.review``
record    ``_record``: the week's metrics and cohorts (the Recorder)
other     the rest of ``step`` (the difference to its total)
========  ===================================================================================

Building the model (prospects, industry network) is timed separately. A row for the frames that
``run`` builds at the end (``weekly_frame``, ``cohort_frame``, ``summarize``) shows what recording
costs after the loop.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sales_abm.metrics import summarize
from sales_abm.model import SalesModel
from sales_abm.scenario import Scenario

SCENARIOS = {
    "default": {},
    "large": {"reps": 1000, "prospects": 1_000_000, "weeks": 520},
}

#: phase -> (object attribute path on the model, method name)
PHASES = {
    "staff": [("", "_staff")],
    "market": [("", "_market_week")],
    "settle": [("", "_settle"), ("", "_account")],
    "learn": [("sales_force", "observe"), ("", "_learn_and_leave"), ("client", "review")],
    "record": [("", "_record")],
}


def instrument(model: SalesModel, totals: dict[str, float]) -> None:
    """Wrap the phase methods of this model instance with timers adding into ``totals``."""
    for phase, methods in PHASES.items():
        for owner_name, method in methods:
            owner = getattr(model, owner_name) if owner_name else model
            inner = getattr(owner, method)

            def timed(*args: Any, _inner: Any = inner, _phase: str = phase, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return _inner(*args, **kwargs)
                finally:
                    totals[_phase] += time.perf_counter() - start

            setattr(owner, method, timed)


def profile(raw: dict[str, Any], weeks: int | None, seed: int = 1) -> dict[str, float]:
    """Seconds per phase (summed over the weeks) plus 'build', 'step', 'frames' and 'weeks'."""
    if weeks is not None:
        raw = {**raw, "weeks": weeks}
    scenario = Scenario.from_dict(raw)
    totals: dict[str, float] = defaultdict(float)
    start = time.perf_counter()
    model = SalesModel(scenario, seed)
    totals["build"] = time.perf_counter() - start
    instrument(model, totals)
    # The client (and outsourcer) are replaced when a contract ends: re-wrap the new objects.
    for _ in range(scenario.weeks):
        client, force = model.client, model.sales_force
        start = time.perf_counter()
        model.step()
        totals["step"] += time.perf_counter() - start
        if model.client is not client or model.sales_force is not force:
            instrument(model, totals)
    start = time.perf_counter()
    summarize(model.recorder.weekly_frame(), model.recorder.cohort_frame())
    totals["frames"] = time.perf_counter() - start
    totals["weeks"] = scenario.weeks
    return dict(totals)


def table(name: str, raw: dict[str, Any], t: dict[str, float]) -> list[str]:
    """The per-phase table: ms/week and share of the stepping time."""
    weeks = t["weeks"]
    step = t["step"]
    phases = {p: t.get(p, 0.0) for p in PHASES}
    phases["other"] = step - sum(phases.values())
    sc = Scenario.from_dict({**raw, "weeks": int(weeks)})
    lines = [f"{name}: reps={sc.reps} prospects={sc.prospects} weeks={int(weeks)}  "
             f"(load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})",
             f"  {'phase':<10}{'ms/week':>10}{'share':>8}"]
    for phase, secs in phases.items():
        lines.append(f"  {phase:<10}{1000 * secs / weeks:>10.2f}{secs / step:>8.1%}")
    lines.append(f"  {'week':<10}{1000 * step / weeks:>10.2f}{1:>8.1%}")
    rec = phases["record"] + t["frames"]
    total = t["build"] + step + t["frames"]
    lines.append(f"  build {t['build']:.2f} s, weeks {step:.2f} s, frames {t['frames']:.3f} s; "
                 f"run total {total:.2f} s; recording (record + frames) {rec / total:.1%} of it")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Profile the chosen scenarios and print one table each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--weeks", type=int, default=None, help="override the horizon")
    parser.add_argument("--quick", action="store_true", help="large scenario over 20 weeks only")
    args = parser.parse_args(argv)
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    # Untimed warm-up long enough for every kernel (closes start after the shortest sales cycle)
    # and for polars' first frames, so that first-use costs are not charged to a phase.
    warm = SalesModel(Scenario.from_dict({"reps": 4, "prospects": 2000, "weeks": 40}), 0)
    warm.run_model()
    summarize(warm.recorder.weekly_frame(), warm.recorder.cohort_frame())
    for name in names:
        weeks = args.weeks
        if args.quick and name == "large" and weeks is None:
            weeks = 20
        t = profile(SCENARIOS[name], weeks)
        print("\n".join(table(name, SCENARIOS[name], t)))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
