"""Golden outputs: a fixed match per rule, so a refactor that changes behaviour shows.

Regenerate after an *intended* behaviour change with::

    SALES_ABM_REGEN_GOLDEN=1 python -m pytest tests/learning/test_golden.py

and review the diff of ``tests/golden/learning/*.json`` before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from sales_abm.learning import RULES, make_learner, play

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden" / "learning"
REGENERATE = os.environ.get("SALES_ABM_REGEN_GOLDEN") == "1"

# A 3x3 bimatrix game with non-negative payoffs, no pure equilibrium in dominant strategies.
PAYOFF_ROW = np.array([[3.0, 0.0, 5.0], [1.0, 2.0, 1.0], [0.0, 4.0, 2.0]])
PAYOFF_COL = np.array([[1.0, 3.0, 0.0], [2.0, 0.0, 4.0], [3.0, 1.0, 2.0]])
N_ROWS, ROUNDS, SEED = 4, 12, 20240601


def run_match(rule: str) -> dict:
    """Both sides use ``rule`` (imitators copy within their side, on a 4-cycle)."""
    graph = nx.cycle_graph(N_ROWS)
    row = make_learner(rule, N_ROWS, 3, graph=graph)
    col = make_learner(rule, N_ROWS, 3, graph=graph)
    record = play(row, col, PAYOFF_ROW, PAYOFF_COL, ROUNDS, np.random.default_rng(SEED))
    return {
        "actions": record.actions.tolist(),
        "probabilities": [row.probabilities().tolist(), col.probabilities().tolist()],
        "state": [
            {key: value.tolist() for key, value in side.state().items()} for side in (row, col)
        ],
    }


@pytest.mark.parametrize("rule", sorted(RULES))
def test_golden_output(rule: str) -> None:
    path = GOLDEN_DIR / f"{rule}.json"
    result = run_match(rule)
    if REGENERATE:
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=1) + "\n")
        pytest.skip(f"regenerated {path}")
    expected = json.loads(path.read_text())
    assert result["actions"] == expected["actions"]
    # Floats may differ in the last bits across platforms' exp/tanh, not more.
    np.testing.assert_allclose(result["probabilities"], expected["probabilities"], rtol=1e-10)
    for side, side_expected in zip(result["state"], expected["state"], strict=True):
        assert side.keys() == side_expected.keys()
        for key, value in side.items():
            np.testing.assert_allclose(value, side_expected[key], rtol=1e-10, atol=1e-300)
