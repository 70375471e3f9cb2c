"""Experiment 6a — robustness: the headline gap under every learning rule and every ablation.

Each variant is crossed with the retainer, per-appointment and per-close presets, paired by seed:
the headline is the per-appointment − retainer gap in the long-run cohort close rate (and gaming
index). Variants: the baseline (Roth–Erev, every mechanism on), each other learning rule listed in
:data:`RULES`, pay credited to the strategy in force when it arrives (``credit_paid``; the
baseline credits it to the strategy that earned it), successors' reps starting from the rule's
prior (``no_successor_habits``; the baseline's successors take over the dismissed reps' habits),
and each mechanism switch (``switches.*``) turned off in turn. Per close − retainer is reported
beside it; the analysis counts it as a falsification arm only where the rep's static best response
books no more junk than the retainer's (:mod:`analysis.theory_arms`), and otherwise uses the arm
with threshold learning switched off.

Every arm runs at the retainer's 12-month term and 1-month notice, as in the headline comparison
(experiment 1): with the presets' own terms a per-appointment client may end the contract every
quarter, and what is tested here is the pay mechanism under each rule and ablation, not the term.

The rules are listed by name, not read from the registry: a rule added to the library adds no arm
here (and no runs to an experiment whose results exist) until it is listed.
"""

from sales_abm.runner import Experiment, Grid, Scale
from sales_abm.scenario import PARAMETERS

BASELINE_RULE = "roth_erev"
#: The learning rules run beside the baseline, one variant ``rule_<name>`` each.
RULES = (
    "ewa",
    "fermi",
    "fictitious_play",
    "imitate_best",
    "modified_roth_erev",
    "replicator",
    "smooth_fictitious_play",
)
SWITCHES = [k.split(".", 1)[1] for k in PARAMETERS if k.startswith("switches.")]


def variants() -> dict[str, dict[str, object]]:
    """Labelled variants: baseline, ``rule_<name>`` per listed rule, ``credit_paid``,
    ``no_successor_habits``, ``no_<switch>`` per switch."""
    out: dict[str, dict[str, object]] = {"baseline": {}}
    out.update({f"rule_{r}": {"learning.rule": r} for r in RULES})
    out["credit_paid"] = {"learning.credit": "paid"}
    out["no_successor_habits"] = {"learning.successor_habits": False}
    out.update({f"no_{s}": {f"switches.{s}": False} for s in SWITCHES})
    return out


QUICK = {"reps": 10, "prospects": 5000, "weeks": 104}
#: The headline's shared term and notice (experiment 1's ``EQUAL_TERMS``).
EQUAL_TERMS = {"contract.minimum_term": 12.0, "contract.notice_period": 1.0}

EXPERIMENT = Experiment(
    name="robustness",
    description="Learning rules and mechanism ablations x retainer / per-appointment / per-close.",
    base=EQUAL_TERMS,
    design=Grid({"variant": variants(),
                 "contract.preset": ["retainer", "per_appointment", "per_close"]}),
    replicates=20,
    root_seed=7,
    scales={"quick": Scale(replicates=5, overrides=QUICK), "paper": Scale()},
)
