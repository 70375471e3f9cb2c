"""Experiment 5 — contagion: how fast gaming spreads over the reps' office network.

Reps learn by imitation (Fermi rule, imitate-the-best) of the peers their office network shows
them: nobody (isolated), ring neighbours, a small world, or everyone. Outcomes: the weeks until
the mean qualification threshold has halved, and the long-run gaming index. Falsification arm:
the retainer, whose pay plan rewards qualified held meetings, so imitation should not spread
gaming.

Quick scale: 20 seeds (as the paper's). Since the client fires on a close rate below its bar
(issue 15), gaming gets connected per-appointment offices replaced 3-7 times in 104 weeks
(isolated ones 0-1) and, in MODEL_VERSION 5, each replacement's reps restarted learning; that
spread the long-run gaming contrast against the isolated office (paired sd 0.12 against 0.03 with
termination off), so 5 seeds could not resolve an effect of ~0.13 (small world, Fermi: 0.077
[-0.040, 0.195] at 5 seeds; 0.130 [0.075, 0.186] at 20). Since version 6 the successors' reps
keep the habits (``learning.successor_habits``) and connected offices are replaced 5.6-6.9
times on average (1-7 per run; isolated 0.55), so the quick scale keeps 20 seeds.
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
    scales={"quick": Scale(replicates=20, overrides=QUICK), "paper": Scale()},
)
