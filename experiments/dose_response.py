"""Experiment 2a — dose–response: price per appointment × audit rate.

Under the per-appointment contract the client's price and the audit rate vary together with the
outsourcer's pass-through to its reps: the rep bonus is a quarter of the price (the preset's
150 / 600) and the outsourcer audits its reps at the client's rate, both with a full clawback.
Outcomes: long-run cohort close rate, gaming index and client ROI over the grid; where the
switch to gaming happens. Falsification arm: the full-audit row, where a higher price should
not raise gaming.
"""

from sales_abm.runner import Experiment, Grid, Scale

PASS_THROUGH = 0.25  # rep bonus per appointment as a share of the client's price (150 / 600)


def price_levels(prices: list[float]) -> dict[float, dict[str, float]]:
    """Levels labelled by the price: the client's price and the rep bonus it passes through."""
    return {p: {"contract.price_per_appointment": p,
                       "pay.bonus_per_appointment": PASS_THROUGH * p} for p in prices}


def audit_levels(rates: list[float]) -> dict[float, dict[str, float]]:
    """Levels labelled by the rate: the client's and the outsourcer's audit rate, full clawback
    on both."""
    return {a: {"contract.audit_rate": a, "pay.audit_rate": a, "contract.clawback": 1.0,
                       "pay.clawback": 1.0} for a in rates}


PRICES = [0.0, 100.0, 200.0, 300.0, 450.0, 600.0, 800.0, 1000.0]
AUDITS = [0.0, 0.25, 0.5, 0.75, 1.0]
QUICK = {"reps": 10, "prospects": 5000, "weeks": 104}

EXPERIMENT = Experiment(
    name="dose_response",
    description="Per-appointment price x audit rate (with clawback), passed through to reps.",
    base={"contract.preset": "per_appointment"},
    design=Grid({"price": price_levels(PRICES), "audit": audit_levels(AUDITS)}),
    replicates=20,
    root_seed=2,
    scales={
        "quick": Scale(replicates=6, overrides=QUICK,
                       design=Grid({"price": price_levels([0.0, 300.0, 600.0]),
                                    "audit": audit_levels([0.0, 1.0])})),
        "paper": Scale(),
    },
)
