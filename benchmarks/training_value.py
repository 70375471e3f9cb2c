"""What training is worth: paired "all trained − none trained" profit per preset × minimum term.

Each cell runs the same seeds twice, once with every hire trained (``outsourcer.decision =
always``) and once with none (``never``), and prints the mean paired difference in the
outsourcer's and the client's total profit over the run with its 95% t interval, and the number of
contract replacements in each arm (which says whether the renewal threat binds). It measures the
value of training the model's calibration gives; the learned policy plays no part.

Usage::

    .venv/bin/python benchmarks/training_value.py [--seeds 6] [--weeks 156]
        [--terms 1,12,36] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from analysis.stats import mean_ci
from sales_abm.model import run
from sales_abm.scenario import PRESETS, Scenario, parse_override


def totals(scenario: Scenario, seed: int) -> tuple[float, float, float]:
    """(outsourcer profit, client profit, replacements) of one run."""
    w = run(scenario, seed).weekly
    return (float(w["outsourcer_profit"].sum()), float(w["client_profit"].sum()),
            float(w["contract_holder"].max()))


def cell(scenario: Scenario, seeds: range) -> dict[str, np.ndarray]:
    """Per-seed paired differences and each arm's replacements."""
    arms = {d: np.array([totals(scenario.with_overrides({"outsourcer.decision": d}), s)
                         for s in seeds]) for d in ("always", "never")}
    diff = arms["always"] - arms["never"]
    return {"outsourcer": diff[:, 0], "client": diff[:, 1],
            "repl_trained": arms["always"][:, 2], "repl_untrained": arms["never"][:, 2]}


def fmt(values: np.ndarray) -> str:
    """Mean [95% CI] in thousands of USD."""
    e = mean_ci(values)
    return f"{e.mean / 1e3:+8.0f}k [{e.ci_low / 1e3:+.0f}, {e.ci_high / 1e3:+.0f}]"


def main() -> None:
    """Print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--weeks", type=int, default=156)
    ap.add_argument("--terms", default="1,12,36", help="minimum terms in months")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    overrides = dict(parse_override(text) for text in args.set)
    terms = [float(t) for t in args.terms.split(",")]
    print(f"load average {os.getloadavg()[0]:.2f}; seeds 0..{args.seeds - 1}; "
          f"{args.weeks} weeks; overrides {overrides or 'none'}")
    print(f"{'preset':16s} {'term':>5s}  {'outsourcer: trained - untrained':34s} "
          f"{'client: trained - untrained':34s} replacements (trained / untrained)")
    start = time.perf_counter()
    for preset in PRESETS:
        for term in terms:
            sc = Scenario.from_dict({"contract.preset": preset, "weeks": args.weeks,
                                     **overrides, "contract.minimum_term": term})
            c = cell(sc, range(args.seeds))
            print(f"{preset:16s} {term:5g}  {fmt(c['outsourcer']):34s} {fmt(c['client']):34s} "
                  f"{c['repl_trained'].mean():.2f} / {c['repl_untrained'].mean():.2f}")
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
