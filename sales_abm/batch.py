"""Many replicates of one scenario in one call: :func:`run_batch`.

``run_batch(scenario, seeds)`` returns what ``[run(scenario, seed) for seed in seeds]`` returns,
bit for bit, in the order of ``seeds``. It runs the replicates one after another in this
process. Every phase of the week is one compiled kernel call that releases the GIL, but the
calls between them are Python: two threads over replicates gave 1.25x the runs per wall-second
of a loop on the default scenario and 0.8x on the quick scale, at 0.8x and 0.6x the runs per
CPU-second (``benchmarks/bench_batch.py``), so it keeps to one thread; parallel runs are the
runner's business (processes). Callers that want many replicates of one scenario should call it
rather than loop over :func:`sales_abm.model.run`: a run compiled whole would batch here.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral

from sales_abm.model import RunResult, run
from sales_abm.scenario import Scenario, ScenarioError

#: The seeds a run accepts (the scenario's ``seed`` key: 63 bits).
SEED_LIMIT = 2**63


def run_batch(scenario: Scenario, seeds: Iterable[int]) -> list[RunResult]:
    """Run ``scenario`` once per seed.

    Args:
        scenario: the validated configuration (its own ``seed`` is ignored).
        seeds: one seed per replicate, each in ``[0, 2**63)``; repeats are allowed.

    Returns:
        One :class:`~sales_abm.model.RunResult` per seed, in the order given; result ``i`` equals
        ``run(scenario, seeds[i])``.

    Raises:
        ScenarioError: a seed that is not an integer in ``[0, 2**63)`` (before any run starts).
    """
    checked = [_checked_seed(seed) for seed in seeds]
    return [run(scenario, seed) for seed in checked]


def _checked_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, Integral) or not 0 <= int(seed) < SEED_LIMIT:
        raise ScenarioError(f"seeds: each seed must be an integer in 0..2**63-1, got {seed!r}")
    return int(seed)
