"""Smoke: the runner end to end on two contracts, tiny at the quick scale."""

from sales_abm.runner import Experiment, Grid, Scale

EXPERIMENT = Experiment(
    name="smoke",
    description="Retainer vs per-appointment: a tiny end-to-end check of the runner.",
    design=Grid({"contract.preset": ["retainer", "per_appointment"]}),
    replicates=2,
    scales={
        "quick": Scale(overrides={"reps": 5, "prospects": 2000, "weeks": 40}),
        "paper": Scale(),
    },
)
