"""Experiment 5 — contagion: how fast gaming spreads over the reps' office network.

Reps learn by imitation (Fermi rule, imitate-the-best) of the peers their office network shows
them: nobody (isolated), ring neighbours, a small world, or everyone. Outcomes: the weeks until
the mean qualification threshold has halved, and the long-run gaming index. Falsification arm:
the retainer, whose pay plan rewards qualified held meetings, so imitation should not spread
gaming.
"""

from sales_abm.runner import Experiment, Grid, Scale

QUICK = {"reps": 10, "prospects": 5000, "weeks": 104}

EXPERIMENT = Experiment(
    name="contagion",
    description="Office network x imitation rule under per-appointment pay (and the retainer).",
    design=Grid({
        "rep.office_network": ["isolated", "ring", "small_world", "complete"],
        "learning.rule": ["fermi", "imitate_best"],
        "contract.preset": ["per_appointment", "retainer"],
    }),
    replicates=20,
    root_seed=6,
    scales={"quick": Scale(replicates=5, overrides=QUICK), "paper": Scale()},
)
