"""Experiment 7 — docking: learned strategies against the static best response.

The four contract presets, each in the full model and in a *stationary* world that switches off
the channels the static benchmark (:mod:`sales_abm.theory.best_response`) assumes away: burn,
word of mouth, AE capacity, attrition, termination and prospects' learning. The analysis
compares the reps' learned effort, threshold and pressure in the last quarter with the myopic best
response and the Roth–Erev mean-field rest point at the skill the reps reached. (The fast model
against the reference implementation is docked in ``tests/docking``.)
"""

from sales_abm.runner import Experiment, Grid, Scale

ARMS = {name: {"contract.preset": name}
        for name in ("retainer", "per_appointment", "per_close", "hybrid")}
WORLDS = {
    "full": {},
    "stationary": {"switches.burn": False, "switches.word_of_mouth": False,
                   "switches.ae_capacity": False, "switches.attrition": False,
                   "switches.termination": False, "switches.prospect_learning": False},
}
QUICK = {"reps": 10, "prospects": 5000, "weeks": 104}

EXPERIMENT = Experiment(
    name="docking",
    description="Learned strategies vs the static best response, full and stationary worlds.",
    design=Grid({"world": WORLDS, "arm": ARMS}),
    replicates=20,
    root_seed=10,
    scales={"quick": Scale(replicates=5, overrides=QUICK), "paper": Scale()},
)
