"""Experiment 6b — global sensitivity: Sobol indices of the long-run close-rate gap.

A scrambled Sobol' sample of the uncertain parameters' ranges, each point run under the retainer
and the per-appointment preset on the same seeds (common random numbers), so the
per-appointment − retainer gap in the long-run cohort close rate is a paired difference at every
point and replicate. The analysis (:mod:`analysis.robustness`, :mod:`analysis.pce`) fits a
polynomial-chaos surrogate (orthonormal Legendre polynomials, total degree chosen by
cross-validation among those with a noise share of at most 0.2) to the replicate means and
reads first- and total-order Sobol indices from its coefficients, with bootstrap intervals over
the design points; a parameter matters when its total index's interval lies above 0.05.

Why this design (measured, then chosen; ``benchmarks/sensitivity_budget.py`` prints the figures).
The previous design, a Saltelli sample of 64 base samples (704 points) x 2 arms x 2 replicates
(2,816 runs), left run noise at 67% of the variance of the averaged gap (issue 18): run
noise acts as an interaction with every parameter, so every total index was inflated (0.47-1.11)
and nothing ranked. A pilot at MODEL_VERSION 5 (256 Sobol' points x 4 replicates x 2 arms, 2,048
default runs, root seed 9) measured the gap's run noise at variance 3.9e-4 (sd 0.020) against
3.7e-4 of variance due to the parameters (ratio 1.05; 0.36 of the point means' variance at 2
replicates, 0.21 at 4). Common random numbers already pair the arms, but cancel only 12% of their
summed noise in the gap, and a seed's noise is nearly uncorrelated across points (mean
correlation +0.03), so they do little for either design. On the same budget:

- Saltelli with more replicates. The noise share falls as 1/R, but the estimators need many base
  samples: on a synthetic model calibrated to the pilot (its fitted surrogate plus Gaussian noise
  of the measured variance), n = 16 base samples x 20 replicates (7,040 runs) gives total-index
  intervals 0.41 wide on average and finds 2 of the 4 parameters whose true total index exceeds
  0.05; n = 64 x 2 (the old design) marks all 9 as mattering (the noise's inflation).
- The surrogate. A fit to N points x R replicates averages the noise over all N·R runs, not over
  R, so the same runs buy far less noise: degree 2 (55 terms) on the pilot's 256 x 4 has a noise
  share of 0.08 (0.15 on half the points: it falls as 1/N, the noise being independent across
  points) and a cross-validated R² of 0.67 (the noise caps it at 0.79). On the synthetic model,
  512 points x 4 replicates (4,096 runs) gives total-index intervals 0.04 wide, a noise share
  of 0.03 and finds all 4.

So the paper scale is 512 Sobol' points x 4 replicates x 2 arms = 4,096 default runs (degree 3,
220 terms, becomes feasible at 512 points and is kept only if its noise share stays under 0.2).
Measured at paper scale (root seed 9, sampler seed 8, ``--executor local:2``), on a machine
shared with other sweeps:

- MODEL_VERSION 7 with the week's phases compiled (issue 18): 157.9 s of wall time (2.6 min, a
  quiet machine), and the 4,096 summaries equal, bit for bit, those the Python week made at
  MODEL_VERSION 7 (480 s on a shared machine); the figures below are therefore unchanged.
- MODEL_VERSION 6: 667.6 s of wall time (11.1 min; 1-minute load average 8.6 on average during
  the run, 3.3-11.0); 668 CPU-seconds in the runs (6.1 runs per CPU-second), about 6 min on two
  idle cores. Run noise 0.037 of the degree-2 surrogate's variance (0.18 of the point means'),
  cross-validated R² 0.75 (noise caps it at 0.82); degree 3 fits noise (R² 0.61, noise share
  0.16) and lost on cross-validation. Common seeds cancel 7% of the arms' noise in the gap.
  Four total indices have intervals above 0.05: rep.signal_noise_max 0.50 [0.46, 0.56],
  market.good_fit_share 0.30 [0.26, 0.34], learning.experimentation 0.19 [0.15, 0.23],
  rep.booking_time 0.09 [0.06, 0.11]; the other five are at most 0.02.
- MODEL_VERSION 5: 842.6 s (14.0 min; load average 7.6, 4.8-10.0), 714 CPU-seconds; noise share
  0.045, R² 0.72; the same four parameters above the floor.

The quick scale (64 points x 2 replicates, small market) checks the pipeline and fits degree 1;
it draws no verdicts.
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


def sobol_design(n: int) -> Grid:
    """``n`` points of a scrambled Sobol' sample (labelled ``s00000``…) × the two arms."""
    points = Sample(RANGES, n, method="sobol", seed=SAMPLER_SEED).points()
    sample = {f"s{p.index:05d}": dict(p.overrides) for p in points}
    return Grid({"sample": sample, "arm": ARMS})


QUICK = {"reps": 10, "prospects": 5000, "weeks": 104}

EXPERIMENT = Experiment(
    name="sensitivity",
    description="Sobol indices of the per-appointment - retainer close-rate gap "
                "(polynomial-chaos surrogate on a Sobol' sample).",
    design=sobol_design(512),
    replicates=4,
    root_seed=9,
    scales={"quick": Scale(overrides=QUICK, design=sobol_design(64), replicates=2),
            "paper": Scale()},
)
