"""The per-appointment − retainer gap across learning rules as a range (analysis/robustness)."""

from __future__ import annotations

import math

import polars as pl

from analysis.numbers import Numbers
from analysis.robustness import OUTS, rule_bounds


def _gaps(means: dict[str, float]) -> pl.DataFrame:
    rows = []
    for variant, mean in means.items():
        for contrast, shift in (("pa", 0.0), ("pc", 10.0)):
            for out in OUTS:
                rows.append({"variant": variant, "contrast": contrast, "outcome": out,
                             "mean": mean + shift, "ci_low": mean + shift - 0.1,
                             "ci_high": mean + shift + 0.1, "n": 8, "d": 1.0})
    return pl.DataFrame(rows)


def test_bounds_are_the_lowest_middle_and_highest_rule_with_their_intervals():
    means = {"baseline": 0.3, "rule_ewa": -0.2, "rule_fermi": 0.5, "rule_replicator": 0.1,
             "no_burn": 9.0, "credit_paid": -9.0}  # not rules: left out
    n = Numbers("robustness")
    rule_bounds(n, _gaps(means))
    for out in OUTS:
        assert n.get(f"bounds.{out}.rules") == 4
        assert n.get(f"bounds.{out}.min")["variant"] == "rule_ewa"
        assert n.get(f"bounds.{out}.median")["variant"] == "rule_replicator"  # lower middle
        top = n.get(f"bounds.{out}.max")
        assert top["variant"] == "rule_fermi"
        assert math.isclose(top["ci_low"], 0.4) and math.isclose(top["ci_high"], 0.6)


def test_rules_without_a_gap_are_not_ranked():
    n = Numbers("robustness")
    rule_bounds(n, _gaps({"baseline": 0.3, "rule_ewa": float("nan")}))
    assert n.get(f"bounds.{OUTS[0]}.rules") == 1
    assert n.get(f"bounds.{OUTS[0]}.median")["variant"] == "baseline"
