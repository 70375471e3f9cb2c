"""The ``abstract`` and ``discussion`` results slots: the headline numbers across experiments.

Each sentence is written only when its experiment's numbers exist, and its verbs follow the
numbers' direction (:func:`analysis.typst.verb`), so the text says what the runs found.
"""

from __future__ import annotations

from collections.abc import Mapping

from analysis.numbers import Numbers
from analysis.typst import Fragment, ci, escape, num, verb

UP_DOWN = ("raises", "lowers", "does not change")


def abstract(by_slot: Mapping[str, Numbers]) -> Fragment | None:
    """Results in brief, for the abstract (None without experiment 1)."""
    g = by_slot.get("gaming")
    if g is None:
        return None
    f = Fragment("abstract", "Results in brief")
    d = "diff.{}.per_appointment_vs_retainer"
    sentences = [
        f"In the model, pay per appointment {verb(g, d.format('appointments_last'), *UP_DOWN)} "
        f"appointments per week against a retainer (paired difference "
        f"{ci(g, d.format('appointments_last'))}), "
        f"{verb(g, d.format('close_rate_last'), *UP_DOWN)} the long-run cohort close rate "
        f"({ci(g, d.format('close_rate_last'))}) and "
        f"{verb(g, d.format('gaming_last'), *UP_DOWN)} the share of junk appointments "
        f"({ci(g, d.format('gaming_last'))}; {num(g, 'seeds')} seeds per contract); billing "
        f"only qualified meetings changes the close rate by "
        f"{ci(g, 'diff.close_rate_last.pa_qualified_vs_retainer')}."]
    if (r := by_slot.get("robustness")) is not None:
        sentences.append(
            f"The close-rate gap has a 95% interval below zero in "
            f"{num(r, 'tally.pa_lower_close_rate')} of {num(r, 'tally.variants')} learning "
            f"rules and ablations.")
    if (h := by_slot.get("horizon")) is not None:
        sentences.append(
            f"Over {num(h, 'weeks')} weeks the client's cumulative return under pay per "
            f"appointment differs from the retainer's by "
            f"{ci(h, 'diff.client_roi.per_appointment_vs_retainer')}.")
    f.para(*sentences)
    return f


def discussion(by_slot: Mapping[str, Numbers]) -> Fragment | None:
    """What held and what did not, experiment by experiment (None without experiment 1)."""
    if "gaming" not in by_slot:
        return None
    f = Fragment("discussion", "Discussion")
    for part in (_gaming, _dose, _training, _horizon, _contagion, _robustness, _docking):
        text = part(by_slot)
        if text:
            f.para(text)
    return f


def _gaming(s: Mapping[str, Numbers]) -> str:
    g = s["gaming"]
    d = "diff.close_rate_last.{}_vs_retainer"
    holds = (g.get(d.format("per_appointment") + ".ci_high") or 0) < 0
    return (
        f"*Gaming.* The practitioners' second claim {'holds' if holds else 'does not hold'} in "
        f"the model: per-appointment pay "
        f"{verb(g, d.format('per_appointment'), *UP_DOWN)} the long-run close rate "
        f"({ci(g, d.format('per_appointment'))}), and both falsification arms, which take the "
        f"profit out of junk, change it by {ci(g, d.format('pa_qualified'))} (billing "
        f"qualified meetings) and {ci(g, d.format('pa_audited'))} (full audit).")


def _dose(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("dose_response")) is None:
        return ""
    return (
        f"*Dose.* A switch to gaming appears at {num(n, 'switch.audit_levels_with_switch')} of "
        f"{num(n, 'switch.audit_levels')} audit rates; a full audit with clawback changes the "
        f"gaming index at the highest price by {ci(n, 'audit_effect.gaming_last')}.")


def _training(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("training_holdup")) is None:
        return ""
    te = "termination_effect.per_appointment"
    trained = verb(n, te + ".trained_share_last", "a higher", "a lower", "an unchanged")
    text = (
        f"*Hold-up.* Termination risk {verb(n, te + '.skill_last', *UP_DOWN)} rep skill under "
        f"per-appointment pay ({ci(n, te + '.skill_last')}), with "
        f"{ci(n, te + '.replacements')} more replacements of the outsourcer and {trained} "
        f"trained share of the last year's hires ({ci(n, te + '.trained_share_last')}).")
    rho = n.get("theory.spearman_npv_trained")
    if rho is None:
        return text
    return text + (
        f" The outsourcer's learned training {'follows' if rho > 0.5 else 'does not follow'} "
        f"the closed-form hold-up condition on the training increment: across cells, its NPV "
        f"and the learned trained share have Spearman's $rho$ = "
        f"{num(n, 'theory.spearman_npv_trained')}.")


def _horizon(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("horizon")) is None:
        return ""
    share = n.get("stop.per_appointment.share_stopped") or 0.0
    verdict = ("supports" if share >= 0.5 else "does not support")
    return (
        f"*Horizon.* Per-appointment pay falls behind the retainer for good in "
        f"{num(n, 'stop.per_appointment.stopped')} of {num(n, 'stop.per_appointment.runs')} "
        f"seeds within {num(n, 'weeks')} weeks, which {verdict} the practitioners' claim that "
        f"it stops paying off for the client within that horizon.")


def _contagion(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("contagion")) is None:
        return ""
    v = "vs_isolated.fermi.{}.complete.gaming_last"
    return (
        f"*Contagion.* Imitation over a complete office changes the long-run gaming index by "
        f"{ci(n, v.format('per_appointment'))} under per-appointment pay and by "
        f"{ci(n, v.format('retainer'))} under the retainer (Fermi rule)"
        f"{_contagion_verdict(n, v)}.")


def _contagion_verdict(n: Numbers, path: str) -> str:
    """": imitation spreads what pays" only if it raises gaming where gaming pays and not
    where it does not."""
    pa = n.get(path.format("per_appointment") + ".ci_low") or 0
    retainer = n.get(path.format("retainer") + ".ci_low") or 0
    pays = pa > 0 and retainer <= 0
    return ": imitation spreads what pays" if pays else ""


def _robustness(s: Mapping[str, Numbers]) -> str:
    if (n := s.get("robustness")) is None:
        return ""
    text = (
        f"*Robustness.* The gaming gap survives {num(n, 'tally.pa_higher_gaming')} of "
        f"{num(n, 'tally.variants')} rule and ablation variants; per-close pay lowers the "
        f"close rate in {num(n, 'tally.pc_lower_close_rate')} "
        f"({escape(n.get('tally.pc_lower_names'))}).")
    d = s.get("docking")
    br = "full.{}.threshold.br.mean"
    if (d is None or (n.get("tally.pc_lower_close_rate") or 0) == 0
            or not all(d.has(br.format(c)) for c in ("per_close", "retainer"))):
        return text
    return text + (
        f" Pay per close is therefore not the clean control it looks like. It rewards closes, "
        f"not the close rate: the static best response of a rep paid per close qualifies at a "
        f"threshold of {num(d, br.format('per_close'))} (against "
        f"{num(d, br.format('retainer'))} under the retainer), because a low-fit meeting still "
        f"closes now and then and the account executives' time it wastes is the client's. "
        f"Where the learning rule gets closer to best responses than Roth–Erev does, the "
        f"falsification arm shows part of the harm.")


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
        f"*Docking.* Learned thresholds follow {closer} (rank correlation across contracts "
        f"{num(n, 'stationary.order.spearman_learned_mean_field')} against "
        f"{num(n, 'stationary.order.spearman_learned_br')} in the stationary world).")


#: The summaries' result slots (slot -> heading), after the sections' in the paper's order.
SUMMARY_SLOTS = {"abstract": "Results in brief (abstract)", "discussion": "Discussion"}
#: Each summary slot's fragment maker.
MAKERS = {"abstract": abstract, "discussion": discussion}
