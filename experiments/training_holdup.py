"""Experiment 3 — training hold-up: does the outsourcer train when its horizon is short?

Pay mix (retainer, hybrid, per-appointment presets) × guaranteed contract term
(``contract.minimum_term``, months) × termination risk (the client's ROI bar ``client.min_roi``,
or termination switched off). Outcomes: training spend, the trained share of hires, mean rep
skill and contract replacements, set beside the hold-up condition of
:func:`sales_abm.theory.training_npv` evaluated at each point's measured quit and churn hazards.
Falsification arm: termination switched off — no churn hazard, so the hold-up should not bind
under any pay mix.
"""

from sales_abm.runner import Experiment, Grid, Scale

PAY_MIX = {
    "retainer": {"contract.preset": "retainer"},
    "hybrid": {"contract.preset": "hybrid"},
    "per_appointment": {"contract.preset": "per_appointment"},
}


def termination_levels(bars: list[float]) -> dict[str, dict[str, object]]:
    """Labelled levels: no termination, or termination below each ROI bar."""
    levels: dict[str, dict[str, object]] = {"off": {"switches.termination": False}}
    levels.update({f"{b:g}": {"client.min_roi": b} for b in bars})
    return levels


TERMS = [0.0, 3.0, 6.0, 12.0, 24.0]
QUICK = {"reps": 10, "prospects": 5000, "weeks": 104}

EXPERIMENT = Experiment(
    name="training_holdup",
    description="Pay mix x guaranteed term x termination risk: training and skill vs hold-up.",
    design=Grid({"mix": PAY_MIX, "contract.minimum_term": TERMS,
                 "termination": termination_levels([0.0, 0.25, 0.5])}),
    replicates=20,
    root_seed=4,
    scales={
        "quick": Scale(replicates=6, overrides=QUICK,
                       design=Grid({"mix": {k: PAY_MIX[k] for k in ("retainer",
                                                                     "per_appointment")},
                                    "contract.minimum_term": [0.0, 12.0],
                                    "termination": termination_levels([0.5])})),
        "paper": Scale(),
    },
)
