"""Claims as tests: run the experiments' quick scale once per session, then check each claim.

Results go to a temporary directory per session, or to ``$SALES_ABM_CLAIMS_RESULTS`` when set (a
persistent cache across sessions while developing: the runner skips runs already done). Runs use
``$SALES_ABM_CLAIMS_EXECUTOR`` (default ``local:2``). Seeds are fixed by each experiment's root
seed, so a claim's numbers are deterministic: a test fails only when the model changes enough to
break the claim's stated margin.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analysis.data import Results, experiment_file  # noqa: E402
from analysis.numbers import Numbers  # noqa: E402
from analysis.pipeline import sections  # noqa: E402

SCALE = "quick"


@pytest.fixture(scope="session")
def claims_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The results base directory of this session."""
    cached = os.environ.get("SALES_ABM_CLAIMS_RESULTS")
    return Path(cached) if cached else tmp_path_factory.mktemp("claims_results")


@pytest.fixture(scope="session")
def numbers(claims_results: Path) -> Callable[[str], Numbers]:
    """``numbers(slot)``: run the slot's experiments at the quick scale (once), then compute."""
    from sales_abm.runner import load_experiment, run_experiment

    executor = os.environ.get("SALES_ABM_CLAIMS_EXECUTOR", "local:2")
    by_slot = {s.slot: s for s in sections()}
    data = Results(SCALE, claims_results)
    ran: set[str] = set()
    cache: dict[str, Numbers] = {}

    def get(slot: str) -> Numbers:
        if slot not in cache:
            section = by_slot[slot]
            for name in section.experiments:
                if name not in ran:
                    report = run_experiment(load_experiment(str(experiment_file(name))), SCALE,
                                            results=claims_results, executor=executor,
                                            progress=False)
                    assert report.failed == 0, report.failures
                    ran.add(name)
            cache[slot] = section.compute(data)
            cache[slot].scale = SCALE
        return cache[slot]

    return get

