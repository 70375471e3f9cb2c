"""Experiment 8 — plan change: a client on a retainer for a year switches pay plans.

Every arm starts on the retainer; at week 52 a contract schedule (``[[schedule]]``) puts
per-appointment, per-close or hybrid terms (contract and pay plan of the preset) in force for the
outsourcer already in place, its reps keeping what they have learned; the control arm stays on
the retainer. 208 weeks, paired by seed (common random numbers: the arms are identical up to
week 51). Outcomes by quarter since the switch (``analysis.plan_change``): client profit and ROI,
appointments, close rate, gaming index and the reps' mean threshold. Falsification arm:
per-appointment pay with every appointment audited and a full clawback (client and reps), where
the rep's static best response books less junk than under the retainer, so the switch should not
bring gaming. (Billing on qualified meetings is not such an arm: its best response books every
prospect, since a junk booking costs the rep nothing; ``analysis.theory_arms``.)
"""

from sales_abm.runner import Experiment, Grid, Scale

SWITCH_WEEK = 52


def switch_to(preset: str, **keys: object) -> dict[str, object]:
    """Overrides that switch a retainer to ``preset`` (and any extra terms) at the switch week."""
    return {"schedule": [{"week": SWITCH_WEEK, "contract.preset": preset, **keys}]}


FULL_AUDIT = {"contract.audit_rate": 1.0, "contract.clawback": 1.0,
              "pay.audit_rate": 1.0, "pay.clawback": 1.0}
ARMS = {
    "stay_retainer": {},
    "to_per_appointment": switch_to("per_appointment"),
    "to_per_close": switch_to("per_close"),
    "to_hybrid": switch_to("hybrid"),
    "to_pa_audited": switch_to("per_appointment", **FULL_AUDIT),
}
QUICK = {"reps": 10, "prospects": 5000, "weeks": 104}

EXPERIMENT = Experiment(
    name="plan_change",
    description="Retainer for a year, then a switch to per-appointment, per-close or hybrid "
                "(or staying), by quarter since the switch; falsification: per-appointment with "
                "every appointment audited and clawed back.",
    base={"contract.preset": "retainer", "weeks": 208},
    design=Grid({"arm": ARMS}),
    replicates=30,
    root_seed=15,
    scales={"quick": Scale(replicates=6, overrides=QUICK), "paper": Scale()},
)
