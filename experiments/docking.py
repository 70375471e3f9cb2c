"""Experiment 7 — docking: learned strategies against the static best response.

The four contract presets, each in the full model and in a *stationary* world that switches off
the channels the static benchmark (:mod:`sales_abm.theory.best_response`) assumes away: burn,
word of mouth, AE capacity, attrition, termination and prospects' learning. The analysis
compares the reps' learned effort, threshold and pressure in the last quarter with the myopic best
response and the Roth–Erev mean-field rest point at the skill the reps reached. (The fast model
against the reference implementation is docked in ``tests/docking``.)

Both scales run 260 weeks; the quick scale 20 seeds (each run is ~0.1 s). At the reps' default
learning settings (issue 14) the hybrid's threshold in the stationary world is still falling
after 104 weeks (last three quarters 0.13, 0.107, 0.105 against a mean-field rest point of
0.024), so a 104-week run does not test a rest point; after 156 weeks (the default horizon) it
is 0.06, after 260 weeks 0.037, falling by < 0.003 a quarter.

The third world, ``stationary_long_memory``, is the stationary one with learners that forget a
fifth as fast (``learning.forgetting`` 0.02 for 0.1). It tests the explanation of the gaps
between learned levels and the mean-field rest point (:mod:`analysis.docking_noise`): the rest
point does not depend on forgetting, the noise of learning from few noisy weeks does. The
fourth, ``full_no_turnover``, is the full model with reps' attrition and the client's termination
off: what of the full world's gaps turnover accounts for. Their 160 runs add to the 160 of the
first two worlds, whose run keys do not change (paper scale, MODEL_VERSION 7, 2 workers: the 160
runs took 68 s wall under load 8).
"""

from sales_abm.runner import Experiment, Grid, Scale

ARMS = {name: {"contract.preset": name}
        for name in ("retainer", "per_appointment", "per_close", "hybrid")}
STATIONARY = {"switches.burn": False, "switches.word_of_mouth": False,
              "switches.ae_capacity": False, "switches.attrition": False,
              "switches.termination": False, "switches.prospect_learning": False}
#: Forgetting of the long-memory world: a fifth of the default 0.1, a memory of ~50 weeks.
LONG_MEMORY_FORGETTING = 0.02
WORLDS = {
    "full": {},
    "stationary": STATIONARY,
    # The falsification arm of the noise explanation (issue 19): the rest point does not depend
    # on forgetting, the noise of learning does; the simulated learners must move with the reps.
    "stationary_long_memory": {**STATIONARY, "learning.forgetting": LONG_MEMORY_FORGETTING},
    # The full model without turnover: what the full world adds beyond the noise of learning.
    "full_no_turnover": {"switches.attrition": False, "switches.termination": False},
}
WEEKS = 260
QUICK = {"reps": 10, "prospects": 5000, "weeks": WEEKS}

EXPERIMENT = Experiment(
    name="docking",
    description="Learned strategies vs the static best response, full and stationary worlds.",
    design=Grid({"world": WORLDS, "arm": ARMS}),
    replicates=20,
    root_seed=10,
    scales={"quick": Scale(replicates=20, overrides=QUICK),
            "paper": Scale(overrides={"weeks": WEEKS})},
)
