"""What one run will cost, estimated before it starts: seconds and peak memory.

A linear cost model in the run's sizes (P prospects, R reps, W weeks, C calls)::

    seconds = a*P + b*P*W + c*R + d*R*W + e*C
    bytes   = base + f*P + g*R

calibrated by ``benchmarks/calibrate_run_cost.py`` (fresh processes, kernels compiled and warmed
up, peak resident memory from ``getrusage``; non-negative least squares, relative errors for
time) on the project's 2-core development machine, shared with other work: the script's 11 sizes
from (20 reps, 20,000 prospects, 52 weeks) to (50,000 reps, 50,000 prospects) and
(20 reps, 3,000,000 prospects), plus (100,000 reps, 10^7 prospects, 3 weeks: 56 s, 2.1 GB).
Fitted times are within a factor of 0.4 to 1.5 of the measured (the largest run: 0.5), memory
within 15 % (the largest run: a third high). The calls are taken as planned, every rep at the
middle of its effort range every week (the default scenario makes about three quarters of
that). It is a guide for refusing what cannot fit and warning about what will take long, not
a benchmark.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sales_abm.scenario import Scenario, ScenarioError

SECONDS_PER_PROSPECT = 1.5e-6  # the market's set-up
SECONDS_PER_PROSPECT_WEEK = 6.2e-9  # the weekly pass over the market
SECONDS_PER_REP = 4.5e-5  # hiring, agents, the office network
SECONDS_PER_REP_WEEK = 1.8e-5  # choices, learning, pay
SECONDS_PER_CALL = 1.2e-7
BYTES_PER_PROSPECT = 250
BYTES_PER_REP = 5_000
#: The process itself with numpy, numba, polars and Mesa loaded and the kernels warm.
BASE_BYTES = 256 * 2**20

#: A run expected to take longer than this, or more memory, is announced before it starts.
ANNOUNCE_SECONDS = 60.0
ANNOUNCE_BYTES = 2**30


@dataclass(frozen=True)
class RunCost:
    """An estimate of one run's wall time (seconds) and peak memory (bytes)."""

    seconds: float
    bytes: float

    def describe(self) -> str:
        """The estimate in words, e.g. ``about 2 min and 1.4 GB of memory``."""
        return f"about {_duration(self.seconds)} and {_size(self.bytes)} of memory"


def estimate(scenario: Scenario) -> RunCost:
    """The cost model's estimate for one run of ``scenario``."""
    p, r, w = scenario.prospects, scenario.reps, scenario.weeks
    calls = r * w * (scenario.rep.calls_min + scenario.rep.calls_max) / 2
    seconds = (SECONDS_PER_PROSPECT * p + SECONDS_PER_PROSPECT_WEEK * p * w
               + SECONDS_PER_REP * r + SECONDS_PER_REP_WEEK * r * w + SECONDS_PER_CALL * calls)
    return RunCost(seconds, BASE_BYTES + BYTES_PER_PROSPECT * p + BYTES_PER_REP * r)


def available_memory() -> int | None:
    """Memory the machine can give a new process now (``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


class TooLarge(ScenarioError):
    """A run whose memory estimate exceeds what the machine has available (bad input: exit 2)."""


def check_run_cost(scenario: Scenario, available: int | None = None) -> str | None:
    """Refuse a run that cannot fit in memory; describe one that is long or large.

    Args:
        scenario: The run's scenario.
        available: Bytes available (default: :func:`available_memory`).

    Returns:
        A line to print before the run when it is expected to take over a minute or a GB, else
        None.

    Raises:
        TooLarge: The memory estimate exceeds the available memory; the message says how much,
            and which keys set the size.
    """
    cost = estimate(scenario)
    sizes = f"reps {scenario.reps}, prospects {scenario.prospects}, weeks {scenario.weeks}"
    available = available_memory() if available is None else available
    if available is not None and cost.bytes > available:
        raise TooLarge(f"this run would need {cost.describe()} ({sizes}), more than the "
                       f"{_size(available)} this machine has available; lower prospects or reps")
    if cost.seconds > ANNOUNCE_SECONDS or cost.bytes > ANNOUNCE_BYTES:
        return f"estimate: this run takes {cost.describe()} ({sizes})"
    return None


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _size(n: float) -> str:
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"
