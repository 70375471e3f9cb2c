"""The ``abstract`` and ``discussion`` results slots: the headline numbers across experiments.

Each sentence is written only when its experiment's numbers exist, and its verbs follow the
numbers' direction (:func:`analysis.typst.verb`), so the text says what the runs found.
"""

from __future__ import annotations

from collections.abc import Mapping

from analysis import falsification
from analysis.numbers import Numbers
from analysis.typst import (
    NO_VERDICT,
    Fragment,
    ci,
    escape,
    num,
    span,
    verb,
    verdict,
    verdicts_allowed,
)

UP_DOWN = ("raises", "lowers", "does not change")


def _scale_note(by_slot: Mapping[str, Numbers]) -> str:
    """At any scale but the paper's: say, once, that the numbers below carry no verdict."""
    if verdicts_allowed(*by_slot.values()):
        return ""
    scales = sorted({n.scale or "unstated" for n in by_slot.values()})
    return (f"_This build is at the {', '.join(scales)} scale: {NO_VERDICT}._ The numbers below "
            f"check that every step of the analysis runs; where a verdict would stand, the text "
            f"says so instead.")


def abstract(by_slot: Mapping[str, Numbers]) -> Fragment | None:
    """Results in brief, for the abstract (None without experiment 1)."""
    g = by_slot.get("gaming")
    if g is None:
        return None
    f = Fragment("abstract", "Results in brief")
    d = "diff.{}.per_appointment_vs_retainer"
    close = d.format("close_rate_last")
    sentences = [
        _scale_note(by_slot),
        f"In Experiment 1, pay per appointment "
        f"{verb(g, d.format('appointments_last'), *UP_DOWN)} "
        f"appointments per week against a retainer (paired difference "
        f"{ci(g, d.format('appointments_last'))}), "
        f"{verb(g, close, *UP_DOWN)} the long-run cohort close rate "
        f"({ci(g, close)}) and "
        f"{verb(g, d.format('gaming_last'), *UP_DOWN)} the share of junk appointments "
        f"({ci(g, d.format('gaming_last'))}; {num(g, 'seeds')} seeds per contract)"
        + _falsification_clause(g) + ".",
        verdict(f"The practitioners' gaming claim {_holds(g, close)} in the model.", g)]
    if (r := by_slot.get("robustness")) is not None:
        sentences.append(
            f"The per-appointment − retainer gap in the long-run close rate has a 95% interval "
            f"below zero in {num(r, 'tally.pa_lower_close_rate')} of "
            f"{num(r, 'tally.variants')} learning rules and ablations (Experiment 6).")
    if (t := by_slot.get("training_holdup")) is not None:
        from analysis.training import holdup_verdict

        share = "{}.per_appointment.trained_share_last"
        sentences.append(
            f"In Experiment 3, the client's threat to terminate changes the share of new hires "
            f"an outsourcer paid per appointment trains by "
            f"{ci(t, share.format('termination_effect'))}; a longer guaranteed term changes it "
            f"by {ci(t, share.format('term_effect.binding'))} where termination binds and by "
            f"{ci(t, share.format('term_effect.off'))} where it is off. " + holdup_verdict(t))
    if (h := by_slot.get("horizon")) is not None:
        sentences.append(
            f"In Experiment 4, over {span(h)}, the client's cumulative return under pay per "
            f"appointment differs from the retainer's by "
            f"{ci(h, 'diff.client_roi.per_appointment_vs_retainer')}.")
    f.para(*sentences)
    return f


def _falsification_clause(g: Numbers) -> str:
    """"; <arm>, where the theory says gaming does not pay, changes it by …" for each arm of
    Experiment 1 that the static best response makes a falsification arm."""
    from analysis.gaming import FALSIFICATION, falsification_arms

    arms = falsification_arms(g)
    if not arms:
        return "; the theory makes none of its arms a falsification arm"
    return "; " + "; ".join(
        f"per-appointment pay {FALSIFICATION[a]}, where the static best response books less junk "
        f"than the retainer's, changes the close rate by "
        f"{ci(g, f'diff.close_rate_last.{a}_vs_retainer')}" for a in arms)


def _holds(n: Numbers, path: str) -> str:
    """"holds" if the interval at ``path`` lies below zero (the claim: a lower close rate)."""
    high = n.get(path + ".ci_high")
    return "holds" if high is not None and high < 0 else "does not hold"


def discussion(by_slot: Mapping[str, Numbers]) -> Fragment | None:
    """What held and what did not, experiment by experiment (None without experiment 1)."""
    if "gaming" not in by_slot:
        return None
    f = Fragment("discussion", "Discussion")
    if note := _scale_note(by_slot):
        f.para(note)
    for part in (_gaming, _dose, _training, _horizon, _contagion, _robustness, _docking,
                 _plan_change, _dynamics):
        text = part(by_slot)
        if text:
            f.para(text)
    return f


def _gaming(s: Mapping[str, Numbers]) -> str:
    g = s["gaming"]
    d = "diff.close_rate_last.{}_vs_retainer"
    return (
        f"*Gaming.* In Experiment 1, per-appointment pay "
        f"{verb(g, d.format('per_appointment'), *UP_DOWN)} the long-run close rate "
        f"({ci(g, d.format('per_appointment'))})" + _falsification_clause(g) + ". "
        + verdict(f"The practitioners' second claim "
                  f"{_holds(g, d.format('per_appointment'))} in the model.", g))


def _dose(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("dose_response")) is None:
        return ""
    from analysis.dose import falsification_verdict

    return (
        f"*Dose.* A switch to gaming appears at {num(n, 'switch.audit_levels_with_switch')} of "
        f"{num(n, 'switch.audit_levels')} audit rates; a full audit with clawback changes the "
        f"gaming index at the highest price by {ci(n, 'audit_effect.gaming_last')}. "
        + verdict(falsification_verdict(n), n))


def _training(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("training_holdup")) is None:
        return ""
    from analysis.training import holdup_verdict

    te = "termination_effect.per_appointment"
    trained_moves = verb(n, te + ".trained_share_last", "up", "down", "flat") != "flat"
    text = (
        f"*Hold-up.* Termination risk {verb(n, te + '.skill_last', *UP_DOWN)} rep skill under "
        f"per-appointment pay ({ci(n, te + '.skill_last')}), with "
        f"{ci(n, te + '.replacements')} more replacements of the outsourcer and "
        f"{verb(n, te + '.trained_share_last', 'a higher', 'a lower', 'an unchanged')} "
        f"trained share of the last year's hires ({ci(n, te + '.trained_share_last')})"
        + ("." if trained_moves else ": the skill lost is that of the replacements' new hires, "
           "who start at entry skill, not training forgone."))

    tb = "term_effect.binding.per_appointment.trained_share_last"
    to = "term_effect.off.per_appointment.trained_share_last"
    return text + (
        f" A longer guaranteed term changes that share by {ci(n, tb)} where termination binds "
        f"and by {ci(n, to)} where it is off; cells where the closed-form NPV of the training "
        f"increment is positive train {ci(n, 'theory.positive.trained_share')} of their hires, "
        f"cells where it is negative {ci(n, 'theory.negative.trained_share')}. "
        + holdup_verdict(n))


def _plan_change(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("plan_change")) is None:
        return ""
    from analysis.plan_change import CONTROL, FALSIFICATION, MAIN, verdict_text

    short, long_ = n.get("short_quarter"), n.get("long_quarter")
    if long_ is None:
        return "*Plan change.* No quarter after the switch has resolved cohorts."
    d = "diff.{}.q{}.{}_vs_" + CONTROL
    return (f"*Plan change.* Switching from the retainer to pay per appointment changes "
            f"appointments in the first quarter by {ci(n, d.format('appointments', short, MAIN))}"
            f" and the close rate in quarter {long_} by "
            f"{ci(n, d.format('close_rate', long_, MAIN))}; the audited switch changes that "
            f"close rate by {ci(n, d.format('close_rate', long_, FALSIFICATION))}. "
            + verdict_text(n))


def _dynamics(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("dynamics")) is None:
        return ""
    from analysis.dynamics import dynamics_verdict

    return (f"*Client and prospects.* Pay per appointment changes the contracts the client ends "
            f"per run by {ci(n, 'termination.diff')} against the retainer, and the prospects' "
            f"propensity to accept a meeting by {ci(n, 'prospects.accept.gap.on')}. "
            + dynamics_verdict(n))


def _horizon(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("horizon")) is None:
        return ""
    d = "diff.client_roi.per_appointment_vs_retainer"
    low, high = n.get(d + ".ci_low"), n.get(d + ".ci_high")
    if high is not None and high < 0:
        says = "supports"
    elif low is not None and low > 0:
        says = "does not support"
    else:
        says = "neither supports nor contradicts"
    return (
        f"*Horizon.* In Experiment 4, over {span(n)}, per-appointment pay falls behind the "
        f"retainer for good in {num(n, 'stop.per_appointment.stopped')} of "
        f"{num(n, 'stop.per_appointment.runs')} seeds, and the client's cumulative return at "
        f"the end differs from the retainer's by {ci(n, d)}. "
        + verdict(f"The final paired difference {says} the practitioners' claim that pay per "
                  f"appointment stops paying off for the client within that horizon.", n))


def _contagion(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("contagion")) is None:
        return ""
    v = "vs_isolated.fermi.{}.complete.gaming_last"
    return (
        f"*Contagion.* Imitation over a complete office changes the long-run gaming index by "
        f"{ci(n, v.format('per_appointment'))} under per-appointment pay and by "
        f"{ci(n, v.format('retainer'))} under the retainer (Fermi rule). "
        + verdict(_contagion_verdict(n, v), n))


def _contagion_verdict(n: Numbers, path: str) -> str:
    """Imitation spreads what pays only if it raises gaming where gaming pays and not where it
    does not."""
    pa = n.get(path.format("per_appointment") + ".ci_low") or 0
    retainer = n.get(path.format("retainer") + ".ci_low") or 0
    if pa > 0 and retainer <= 0:
        return "Imitation spreads what pays."
    return "The runs do not show that imitation spreads what pays."


def _robustness(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("robustness")) is None:
        return ""
    text = (
        f"*Robustness.* Over {num(n, 'tally.variants')} rule and ablation variants, the "
        f"per-appointment − retainer gap in the gaming index has a 95% interval above zero in "
        f"{num(n, 'tally.pa_higher_gaming')}, and the gap in the long-run close rate one below "
        f"zero in {num(n, 'tally.pa_lower_close_rate')}; per-close pay lowers the close rate "
        f"against the retainer (interval below zero) in "
        f"{num(n, 'tally.pc_lower_close_rate')} ({escape(n.get('tally.pc_lower_names'))}).")
    if n.get("theory.per_close.supported"):
        from analysis.robustness import per_close_verdict

        return text + " " + per_close_verdict(n)
    if (n.get("tally.pc_lower_close_rate") or 0) == 0:
        return text
    return text + " " + verdict(
        f"Pay per close is therefore not the clean control it looks like. It rewards closes, "
        f"not the close rate: at the skill its reps reach, the static best response of a rep "
        f"paid per close qualifies at a threshold of {num(n, 'theory.per_close.threshold')} "
        f"(against {num(n, 'theory.control.threshold')} under the retainer), because a low-fit "
        f"meeting still closes now and then and the account executives' time it wastes is the "
        f"client's.", n)


def _docking(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("docking")) is None:
        return ""
    mf = n.get("stationary.order.spearman_learned_mean_field")
    br = n.get("stationary.order.spearman_learned_br")
    closer = ("the Roth–Erev mean-field rest point more closely than the myopic best response"
              if (mf or 0) > (br or 0) else
              "the myopic best response at least as closely as the Roth–Erev mean-field rest "
              "point")
    return (
        f"*Docking.* Across contracts in the stationary world, learned thresholds have rank "
        f"correlation {num(n, 'stationary.order.spearman_learned_mean_field')} with the "
        f"Roth–Erev mean-field rest point and {num(n, 'stationary.order.spearman_learned_br')} "
        f"with the myopic best response. "
        + verdict(f"Learned thresholds follow {closer}.", n))


#: The summaries' result slots (slot -> heading), after the sections' in the paper's order.
SUMMARY_SLOTS = {"abstract": "Results in brief (abstract)", "discussion": "Discussion",
                 "falsification": "Falsification arms"}
#: Each summary slot's fragment maker.
MAKERS = {"abstract": abstract, "discussion": discussion, "falsification": falsification.table}
