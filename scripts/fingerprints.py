"""Bit-exact fingerprints of model, reference-model and theory outputs, to check a refactor.

The golden test (``tests/unit/test_golden_model.py``) pins four presets under the default rule
with CSVs at 10 digits. This goes further, for a refactor that must change nothing: every preset
under reinforcement, belief and imitation rules, with each ``pay_on`` and non-trivial audits and
clawbacks, hashed from the raw float64 bytes of every column; the reference model; and the
theory's strategy tables, best responses, mean-field predictions and contract game.

Usage (from the repository root, about 15 s)::

    PYTHONPATH=. python scripts/fingerprints.py before.json     # on the old commit
    PYTHONPATH=. python scripts/fingerprints.py after.json      # on the new one
    python scripts/fingerprints.py --compare before.json after.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import polars.selectors as cs

SIZE = {"reps": 8, "prospects": 3000, "weeks": 60}
#: Contract variants beside each preset's own terms: every pay_on, audits and clawbacks whose
#: multiples are not powers of two (so a change in the order of operations shows).
VARIANTS: dict[str, dict[str, Any]] = {
    "plain": {},
    "qual_audit": {"contract.pay_on": "qualified", "pay.pay_on": "qualified",
                   "pay.audit_rate": 0.3, "pay.clawback": 0.7, "contract.audit_rate": 0.37,
                   "contract.clawback": 0.3, "pay.bonus_per_appointment": 133.3},
    "held_audit": {"contract.pay_on": "held", "pay.pay_on": "held", "pay.audit_rate": 0.37,
                   "pay.clawback": 0.3, "contract.audit_rate": 0.21, "contract.clawback": 1.7,
                   "contract.price_per_appointment": 417.0, "pay.bonus_per_appointment": 97.1},
}
RULES = ("roth_erev", "ewa", "fictitious_play", "replicator", "fermi", "smooth_fictitious_play")
#: Rules run under every variant (the others under the preset's own terms only).
VARIANT_RULES = ("roth_erev", "ewa", "fictitious_play")


def frame_hash(frame: pl.DataFrame) -> str:
    """SHA-256 of every column's name, dtype and raw values (text columns by their text: the
    bytes of an object array are pointers, different in every process)."""
    h = hashlib.sha256()
    for column in frame.columns:
        series = frame[column]
        h.update(f"{column}:{series.dtype}".encode())
        if series.dtype.is_numeric() or series.dtype == pl.Boolean:
            h.update(np.ascontiguousarray(series.to_numpy()).tobytes())
        else:
            h.update("\x1f".join(map(str, series.to_list())).encode())
    return h.hexdigest()


def _model(out: dict[str, Any]) -> None:
    from sales_abm.model import run
    from sales_abm.scenario import PRESETS, Scenario

    for preset in sorted(PRESETS):
        for name, variant in VARIANTS.items():
            for rule in RULES if name == "plain" else VARIANT_RULES:
                sc = Scenario.from_dict({"contract.preset": preset, **SIZE, **variant,
                                         "learning.rule": rule})
                r = run(sc, 11)
                out[f"model/{preset}/{name}/{rule}"] = {
                    "summary": repr(sorted(r.summary.items())),
                    "weekly": frame_hash(r.weekly), "cohorts": frame_hash(r.cohorts)}


#: Settings beside the contract and the rule, each changed alone under per-appointment pay (and
#: under the retainer where it matters there): every switch turned over, the other credit,
#: renewal evidence and training decision, successors without habits, a cadence over a week, a
#: market too small for the reps' calls, and a mid-run change of plan.
SETTINGS: dict[str, dict[str, Any]] = {
    "credit_paid": {"learning.credit": "paid"},
    "no_successor_habits": {"learning.successor_habits": False},
    "verdicts": {"outsourcer.renewal_evidence": "verdicts"},
    "cadence": {"learning.rep_cadence_weeks": 3, "learning.outsourcer_cadence_weeks": 5},
    "thin_market": {"prospects": 150},
    "plan_change": {"schedule": [{"week": 30, "contract.preset": "retainer"}]},
}


def _switch_settings() -> dict[str, dict[str, Any]]:
    from sales_abm.scenario import Scenario

    switches = Scenario.from_dict({}).switches
    return {f"switch_{name}": {f"switches.{name}": not value}
            for name, value in vars(switches).items() if isinstance(value, bool)}


def _settings(out: dict[str, Any]) -> None:
    from sales_abm.model import run
    from sales_abm.scenario import Scenario

    for preset in ("per_appointment", "retainer"):
        for name, setting in {**SETTINGS, **_switch_settings()}.items():
            r = run(Scenario.from_dict({"contract.preset": preset, **SIZE, **setting}), 13)
            out[f"settings/{preset}/{name}"] = {
                "summary": repr(sorted(r.summary.items())),
                "weekly": frame_hash(r.weekly), "cohorts": frame_hash(r.cohorts)}


def _reference(out: dict[str, Any]) -> None:
    from benchmarks.reference import run as reference_run
    from sales_abm.scenario import PRESETS, Scenario

    for preset in sorted(PRESETS):
        for name in ("plain", "held_audit"):
            for rule in ("roth_erev", "modified_roth_erev"):
                sc = Scenario.from_dict({"contract.preset": preset, "reps": 5, "prospects": 1500,
                                         "weeks": 30, **VARIANTS[name], "learning.rule": rule})
                r = reference_run(sc, 5)
                out[f"reference/{preset}/{name}/{rule}"] = {
                    "summary": repr(sorted(r.summary.items())), "weekly": frame_hash(r.weekly)}


def _theory(out: dict[str, Any]) -> None:
    from sales_abm.scenario import PRESETS, Scenario
    from sales_abm.theory import (
        best_response,
        roth_erev_mean_field,
        solve_contract_game,
        strategy_table,
    )

    for preset in sorted(PRESETS):
        for name, variant in VARIANTS.items():
            sc = Scenario.from_dict({"contract.preset": preset, **variant})
            for skill in (None, 0.8):
                key = f"{preset}/{name}/{skill}"
                out[f"theory/table/{key}"] = frame_hash(strategy_table(sc, skill))
                br = best_response(sc, skill=skill)
                out[f"theory/br/{key}"] = repr((br.index, br.payoff, br.gap))
            mf = roth_erev_mean_field(sc).probabilities
            out[f"theory/mf/{preset}/{name}"] = {k: v.tobytes().hex() for k, v in mf.items()}
    game = solve_contract_game(Scenario.from_dict({}))
    out["theory/game"] = repr((game.best, frame_hash(game.table.select(cs.numeric()))))


def fingerprints() -> dict[str, Any]:
    """Every fingerprint, by name."""
    out: dict[str, Any] = {}
    _model(out)
    _settings(out)
    _reference(out)
    _theory(out)
    return out


def compare(before: Path, after: Path) -> int:
    """Print the fingerprints that differ; exit status 1 if any does."""
    a, b = json.loads(before.read_text()), json.loads(after.read_text())
    differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    print(f"{len(a)} fingerprints, {len(differ)} differ")
    for key in differ:
        print(f"  {key}")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    """Write fingerprints to a file, or compare two files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, help="where to write the fingerprints")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if args.out is None:
        parser.error("give a file to write, or --compare BEFORE AFTER")
    args.out.write_text(json.dumps(fingerprints(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
