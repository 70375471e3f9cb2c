"""Experiment 2b — dose–response in the hybrid weight.

The weight w moves the client contract from a pure retainer (w = 0: the preset's fixed fee) to
pure per-appointment pay (w = 1: the preset's price), with the rep bonus passed through in the
same proportion. Other terms (minimum term, notice) are the per-appointment preset's, so only the
pay mix varies. Crossed with what is paid for: appointments set (the gaming measure) or only
qualified held meetings (the falsification arm, where a higher weight should not hurt).
"""

from sales_abm.runner import Experiment, Grid, Scale

FIXED_FEE = 8000.0  # the retainer preset's fee per rep-equivalent per month
PRICE = 600.0  # the per-appointment preset's price
BONUS = 150.0  # the per-appointment preset's rep bonus


def weight_levels(weights: list[float]) -> dict[float, dict[str, float]]:
    """Levels labelled by the weight w: the fee, price and rep bonus of a hybrid weight."""
    return {w: {"contract.fixed_fee": (1.0 - w) * FIXED_FEE,
                       "contract.price_per_appointment": w * PRICE,
                       "pay.bonus_per_appointment": w * BONUS} for w in weights}


BASIS = {
    "set": {"contract.pay_on": "set", "pay.pay_on": "set"},
    "qualified": {"contract.pay_on": "qualified", "pay.pay_on": "qualified"},
}
QUICK = {"reps": 10, "prospects": 5000, "weeks": 104}

EXPERIMENT = Experiment(
    name="dose_hybrid",
    description="Hybrid weight (retainer -> per-appointment) x billing basis (set, qualified).",
    base={"contract.preset": "per_appointment"},
    design=Grid({"weight": weight_levels([0.0, 0.25, 0.5, 0.75, 1.0]), "basis": BASIS}),
    replicates=20,
    root_seed=3,
    scales={
        "quick": Scale(replicates=6, overrides=QUICK,
                       design=Grid({"weight": weight_levels([0.0, 0.5, 1.0]), "basis": BASIS})),
        "paper": Scale(),
    },
)
