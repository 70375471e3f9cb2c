"""Experiment 3 — training hold-up: does the outsourcer train when its horizon is short?

Pay mix (retainer, hybrid, per-appointment, per-close presets) × arm. The learned arms cross the
guaranteed contract term (``contract.minimum_term``: 3, 12, 24 months; 3 is the first quarterly
review, so shorter terms add nothing) with the termination threat (the client ends the contract
when a review's ROI is below 0.5 or 1; at the presets' ROI bar of 0 the client rarely terminates,
so that level mostly repeats "off"). Without termination the term can change only what the
outsourcer expects (its renewal estimate starts from a prior), so only the shortest and longest
terms are run there: the falsification pair. The analysis leaves out any cell whose runs are
exact copies of another's.

A ``default`` arm per mix runs the preset as it is (its own term and ROI bar of 0), to say
whether the calibrated defaults lie in the hold-up region. Two fixed-policy arms per mix (every
hire trained, none trained; termination off, 24-month term)
measure the training increment the closed-form hold-up condition needs
(:mod:`analysis.training`).

Falsification arm: termination switched off — no churn, so a longer term should change nothing.
"""

from sales_abm.runner import Experiment, Grid, Scale

PAY_MIX = {
    "retainer": {"contract.preset": "retainer"},
    "hybrid": {"contract.preset": "hybrid"},
    "per_appointment": {"contract.preset": "per_appointment"},
    "per_close": {"contract.preset": "per_close"},
}
TERMS = [3.0, 12.0, 24.0]
BARS = [0.5, 1.0]
POLICY_TERM = 24.0


def arms(terms: list[float], bars: list[float]) -> dict[str, dict[str, object]]:
    """Labelled arms: ``t<term>_off`` / ``t<term>_b<bar>`` and ``default`` (learned),
    ``always`` / ``never`` (fixed policies)."""
    out: dict[str, dict[str, object]] = {}
    for term in terms:
        if term in (terms[0], terms[-1]):  # without termination only the falsification pair
            out[f"t{term:g}_off"] = {"contract.minimum_term": term,
                                     "switches.termination": False}
        for bar in bars:
            out[f"t{term:g}_b{bar:g}"] = {"contract.minimum_term": term, "client.min_roi": bar}
    out["default"] = {}  # the preset as it is: its own term and renewal bar
    for policy in ("always", "never"):
        out[policy] = {"contract.minimum_term": POLICY_TERM, "switches.termination": False,
                       "outsourcer.decision": policy}
    return out


QUICK = {"reps": 10, "prospects": 5000, "weeks": 104}

EXPERIMENT = Experiment(
    name="training_holdup",
    description="Pay mix x guaranteed term x termination risk: learned training vs hold-up.",
    design=Grid({"mix": PAY_MIX, "arm": arms(TERMS, BARS)}),
    replicates=20,
    root_seed=4,
    scales={
        "quick": Scale(replicates=6, overrides=QUICK,
                       design=Grid({"mix": {k: PAY_MIX[k] for k in ("retainer",
                                                                     "per_appointment")},
                                    "arm": arms([3.0, 12.0], [1.0])})),
        "paper": Scale(),
    },
)
