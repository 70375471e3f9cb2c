"""Experiment 6b — global sensitivity: Sobol indices of the long-run close-rate gap.

A Saltelli sample (first and total order, SALib's ordering) over the uncertain parameters, each
sample point run under the retainer and the per-appointment preset with the same seed (common
random numbers), so the per-appointment − retainer gap in the long-run cohort close rate is a
paired difference at every point. At paper scale each point has two replicates and the analysis
averages the gap over them, halving the run noise that would otherwise count as the parameters'
effect. The analysis computes first- and total-order indices of that gap with SALib.
"""

from sales_abm.runner import Experiment, Grid, Sample, Scale

#: The uncertain parameters and their ranges (around the defaults; EVIDENCE.md ranges where any).
RANGES = {
    "market.good_fit_share": (0.15, 0.45),
    "market.pressure_agree_gain": (0.4, 1.2),
    "market.burn_probability": (0.1, 0.5),
    "market.word_of_mouth": (0.0, 0.1),
    "rep.booking_time": (5.0, 20.0),
    "rep.effort_cost": (300.0, 900.0),
    "rep.signal_noise_max": (0.15, 0.45),
    "learning.forgetting": (0.02, 0.2),
    "learning.experimentation": (0.05, 0.35),
}
SAMPLER_SEED = 8
ARMS = {"retainer": {"contract.preset": "retainer"},
        "per_appointment": {"contract.preset": "per_appointment"}}


def saltelli_design(n: int) -> Grid:
    """The Saltelli sample of size ``n`` (n·(d+2) points, labelled ``s00000``…) × the two arms."""
    points = Sample(RANGES, n, method="saltelli", seed=SAMPLER_SEED).points()
    sample = {f"s{p.index:05d}": dict(p.overrides) for p in points}
    return Grid({"sample": sample, "arm": ARMS})


QUICK = {"reps": 10, "prospects": 5000, "weeks": 104}

EXPERIMENT = Experiment(
    name="sensitivity",
    description="Sobol indices of the per-appointment - retainer close-rate gap (Saltelli).",
    design=saltelli_design(64),
    replicates=1,
    root_seed=9,
    scales={"quick": Scale(overrides=QUICK, design=saltelli_design(8)),
            "paper": Scale(replicates=2)},
)
