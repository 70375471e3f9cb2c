"""Experiment 1 — gaming emerges: the four contract presets and two falsification arms.

Per-appointment pay should raise appointments and lower the cohort close rate as reps learn to
lower their qualification threshold. Two arms keep the per-appointment price but pay only for
qualified held meetings (``pa_qualified``) or audit every appointment with a full clawback
(``pa_audited``). Only the second is a falsification arm by the theory: the rep's static best
response under ``pa_audited`` books less junk than under the retainer, while under
``pa_qualified`` it books every prospect (a junk booking costs nothing); ``analysis.theory_arms``
checks this at each build. Outcomes: weekly
appointments, cohort close rate, gaming index and the mean and spread of rep thresholds.

Every arm runs at the same minimum term and notice (the retainer's 12 and 1 months), so the arms
differ in the pay mechanism alone: the presets' market-typical terms (3 months and no notice for
per-appointment and per-close, 6 and 1 for the hybrid) would also change how soon and how often
the client can end the contract. The other experiments keep the presets' own terms.
"""

from sales_abm.runner import Experiment, Grid, Scale

#: The term and notice every arm shares (the retainer preset's).
EQUAL_TERMS = {"contract.minimum_term": 12.0, "contract.notice_period": 1.0}
PER_APPOINTMENT = {"contract.preset": "per_appointment", **EQUAL_TERMS}
ARMS = {
    "retainer": {"contract.preset": "retainer", **EQUAL_TERMS},
    "per_appointment": PER_APPOINTMENT,
    "per_close": {"contract.preset": "per_close", **EQUAL_TERMS},
    "hybrid": {"contract.preset": "hybrid", **EQUAL_TERMS},
    "pa_qualified": {**PER_APPOINTMENT, "contract.pay_on": "qualified", "pay.pay_on": "qualified"},
    "pa_audited": {**PER_APPOINTMENT, "contract.audit_rate": 1.0, "contract.clawback": 1.0,
                   "pay.audit_rate": 1.0, "pay.clawback": 1.0},
}
QUICK = {"reps": 10, "prospects": 5000, "weeks": 104}

EXPERIMENT = Experiment(
    name="gaming",
    description="Retainer vs per-appointment vs per-close vs hybrid, with falsification arms "
                "(per-appointment paid on qualified meetings; fully audited with clawback).",
    design=Grid({"arm": ARMS}),
    replicates=40,
    root_seed=1,
    # 40 quick replicates, as at paper scale: the per-close arm's gaming difference is small at
    # the quick scale (model version 7: 0.050 [0.021, 0.079] at 16 replicates; version 8's
    # draw 0.037 [-0.003, 0.077]), and with its SD of paired differences (0.054) 16 replicates
    # give its claim about 73% power, 40 about 99%. A quick run costs some 15 ms.
    scales={"quick": Scale(replicates=40, overrides=QUICK), "paper": Scale()},
)
