"""Golden outputs: the model's results for fixed seeds are pinned, so that a refactor or an
optimisation that changes behaviour shows. Regenerate deliberately, in a commit of its own, with
``SALES_ABM_REGEN_GOLDEN=1 python -m pytest tests/unit/test_golden_model.py`` and say why.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from sales_abm.model import run
from sales_abm.scenario import PRESETS, Scenario

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "model"
SIZE = {"reps": 8, "prospects": 4000, "weeks": 80}


def fingerprint(preset: str, seed: int) -> dict:
    result = run(Scenario.from_dict({"contract.preset": preset, **SIZE}), seed)
    weekly = result.weekly.write_csv(float_precision=10)
    cohorts = result.cohorts.write_csv(float_precision=10)
    return {
        "summary": result.summary,
        "weekly_sha256": hashlib.sha256(weekly.encode()).hexdigest(),
        "cohorts_sha256": hashlib.sha256(cohorts.encode()).hexdigest(),
    }


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_model_output_matches_golden(preset):
    path = GOLDEN / f"{preset}.json"
    got = fingerprint(preset, seed=7)
    if os.environ.get("SALES_ABM_REGEN_GOLDEN"):
        path.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n")
        pytest.skip(f"regenerated {path.name}")
    want = json.loads(path.read_text())
    assert got["summary"] == want["summary"]
    assert got["weekly_sha256"] == want["weekly_sha256"]
    assert got["cohorts_sha256"] == want["cohorts_sha256"]
