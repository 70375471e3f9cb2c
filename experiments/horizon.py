"""Experiment 4 — horizon: the client's cumulative ROI over five years, per contract.

When does per-appointment pay stop paying off for the client relative to a retainer? Weekly
``client_cumulative_roi`` per contract, paired by seed; the falsification arm pays per qualified
held meeting, which should keep paying off.
"""

from sales_abm.runner import Experiment, Grid, Scale

PER_APPOINTMENT = {"contract.preset": "per_appointment"}
ARMS = {
    "retainer": {"contract.preset": "retainer"},
    "per_appointment": PER_APPOINTMENT,
    "per_close": {"contract.preset": "per_close"},
    "hybrid": {"contract.preset": "hybrid"},
    "pa_qualified": {**PER_APPOINTMENT, "contract.pay_on": "qualified", "pay.pay_on": "qualified"},
}
QUICK = {"reps": 10, "prospects": 5000, "weeks": 104}

EXPERIMENT = Experiment(
    name="horizon",
    description="Client cumulative ROI over 260 weeks per contract; when per-appointment "
                "stops paying off relative to a retainer.",
    base={"weeks": 260},
    design=Grid({"arm": ARMS}),
    replicates=30,
    root_seed=5,
    scales={"quick": Scale(replicates=6, overrides=QUICK), "paper": Scale()},
)
