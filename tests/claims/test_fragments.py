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
from analysis.summary import SUMMARY_SLOTS
from analysis.typst import NO_VERDICT, VERDICT_PHRASES

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
    slots = [s.slot for s in sections()] + list(SUMMARY_SLOTS)
    for slot in slots:
        text = (generated / f"results_{slot}.typ").read_text()
        for key in re.findall(r'#num\("([^"]+)"\)', text):
            node = numbers
            for part in key.split("."):
                assert isinstance(node, dict) and part in node, (slot, key)
                node = node[part]


# ------------------------------------------------------------------ issue 19: wording checks


def _quick_fragments(claims_results: Path, tmp_path: Path) -> dict[str, str]:
    from sales_abm.runner import load_experiment, run_experiment

    executor = os.environ.get("SALES_ABM_CLAIMS_EXECUTOR", "local:2")
    for name in sorted({n for s in sections() for n in (*s.experiments, *s.optional)}):
        report = run_experiment(load_experiment(str(experiment_file(name))), SCALE,
                                results=claims_results, executor=executor, progress=False)
        assert report.failed == 0, report.failures
    write_paper_inputs(SCALE, tmp_path, claims_results, figures=False)
    slots = [s.slot for s in sections()] + list(SUMMARY_SLOTS)
    return {slot: (tmp_path / "generated" / f"results_{slot}.typ").read_text() for slot in slots}


def test_a_quick_scale_build_issues_no_verdict(claims_results: Path, tmp_path: Path) -> None:
    """Every fragment at the quick scale is free of verdict wording; the abstract and the
    discussion say "pipeline check, no verdicts" where their verdicts would stand."""
    fragments = _quick_fragments(claims_results, tmp_path)
    for slot, text in fragments.items():
        for phrase in VERDICT_PHRASES:
            assert not re.search(phrase, text, re.IGNORECASE), (slot, phrase)
    for slot in ("abstract", "discussion"):
        assert NO_VERDICT in fragments[slot], slot
    # every discussion paragraph that would carry a verdict says so instead
    assert fragments["discussion"].count(f"Verdict: {NO_VERDICT}") >= 5


def test_the_same_numbers_at_the_paper_scale_do_carry_verdicts(claims_results: Path,
                                                              tmp_path: Path) -> None:
    """The switch is the scale alone: relabel the quick numbers as paper-scale, and the
    discussion's verdict sentences appear (so the test above can fail)."""
    from analysis import summary
    from analysis.data import Results

    _quick_fragments(claims_results, tmp_path)
    data = Results(SCALE, claims_results)
    by_slot = {s.slot: s.compute(data) for s in sections() if all(map(data.complete,
                                                                       s.experiments))}
    for n in by_slot.values():
        n.scale = "paper"
    text = summary.discussion(by_slot).text()
    assert NO_VERDICT not in text
    assert sum(bool(re.search(p, text, re.IGNORECASE)) for p in VERDICT_PHRASES) >= 3


def test_no_typed_horizon_and_no_verb_against_a_signed_number(claims_results: Path,
                                                              tmp_path: Path) -> None:
    """Run lengths are the runs' ("104 weeks (two years)"), never a typed "three-year"; and no
    "raises/lowers … by <signed number>" (the verb already carries the sign)."""
    fragments = _quick_fragments(claims_results, tmp_path)
    for slot, text in fragments.items():
        assert not re.search(r"\b\w+-year\b", text), slot
        for m in re.finditer(r"\bby #num\(", text):
            clause = re.split(r"[.;:(]", text[max(0, m.start() - 120):m.start()])[-1]
            assert not re.search(r"\b(raises|lowers|below|above|moves)\b", clause), (slot,
                                                                                    clause)
