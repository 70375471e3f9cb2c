"""The analysis writes every results fragment at the quick scale, optional experiments included.

The claims compute numbers section by section; this runs what ``sales-abm paper --scale quick``
runs after the experiments (numbers, fragments, the abstract and discussion), so a fragment that
asks for a number the quick scale does not produce fails here rather than in a user's build.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from analysis.data import experiment_file
from analysis.pipeline import sections, write_paper_inputs

SCALE = "quick"


def test_every_fragment_is_written_and_quotes_existing_numbers(claims_results: Path,
                                                               tmp_path: Path) -> None:
    from sales_abm.runner import load_experiment, run_experiment

    executor = os.environ.get("SALES_ABM_CLAIMS_EXECUTOR", "local:2")
    names = {name for s in sections() for name in (*s.experiments, *s.optional)}
    for name in sorted(names):
        report = run_experiment(load_experiment(str(experiment_file(name))), SCALE,
                                results=claims_results, executor=executor, progress=False)
        assert report.failed == 0, report.failures
    write_paper_inputs(SCALE, tmp_path, claims_results, figures=False)
    generated = tmp_path / "generated"
    numbers = json.loads((tmp_path / "numbers.json").read_text())
    slots = [s.slot for s in sections()] + ["abstract", "discussion"]
    for slot in slots:
        text = (generated / f"results_{slot}.typ").read_text()
        for key in re.findall(r'#num\("([^"]+)"\)', text):
            node = numbers
            for part in key.split("."):
                assert isinstance(node, dict) and part in node, (slot, key)
                node = node[part]
