"""Issue 19's new results text: every verdict follows its intervals, and only at the paper scale.

Each generator is fed numbers built by hand: an interval that straddles zero must not be read as
an effect, and one that clears zero must be; a quick-scale build says "pipeline check" instead.
"""

from __future__ import annotations

import re

import pytest

from analysis import dynamics, falsification, gaming, plan_change, robustness, training
from analysis.numbers import Numbers
from analysis.theory_arms import supports, theory_arm_text
from analysis.typst import NO_VERDICT

UP = {"mean": 0.5, "ci_low": 0.2, "ci_high": 0.8, "n": 6}
DOWN = {"mean": -0.5, "ci_low": -0.8, "ci_high": -0.2, "n": 6}
STRADDLE = {"mean": -0.3, "ci_low": -0.9, "ci_high": 0.3, "n": 6}  # negative mean, no effect
ZERO = {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0, "n": 6}


def _numbers(slot: str, scale: str = "paper", **paths: object) -> Numbers:
    n = Numbers(slot, scale)
    for path, value in paths.items():
        n.set(path.replace("__", "."), value)
    return n


def _theory(n: Numbers, arms: dict[str, bool], criterion: str = "junk_share") -> None:
    n.set("theory.criterion", criterion)
    for key, value in {"threshold": 0.167, "junk_share": 0.47, "client_profit": 1900.0}.items():
        n.set(f"theory.control.{key}", value)
    for arm, ok in arms.items():
        n.set(f"theory.{arm}", {"threshold": 0.33 if ok else 0.0,
                                "junk_share": 0.32 if ok else 0.58,
                                "pressure": 0.5, "effort": 200.0, "skill": 0.7,
                                "client_profit": 2400.0 if ok else 1800.0, "supported": ok})


# -- the theory's check of an arm ---------------------------------------------------------------


def test_an_arm_whose_best_response_books_more_junk_is_not_a_falsification_arm():
    control = {"junk_share": 0.47, "client_profit": 1900.0}
    assert supports({"junk_share": 0.32, "client_profit": 0.0}, control)
    assert not supports({"junk_share": 0.58, "client_profit": 9e9}, control)
    assert supports({"junk_share": 0.58, "client_profit": 3000.0}, control, "client_profit")
    n = Numbers("gaming", "paper")
    _theory(n, {"pa_qualified": False, "pa_audited": True})
    assert "cannot be a falsification arm" in theory_arm_text(n, "pa_qualified", "x", "y")
    assert "so it is a falsification arm" in theory_arm_text(n, "pa_audited", "x", "y")


# -- plan change --------------------------------------------------------------------------------


def _plan(main_app: dict, main_close: dict, false_close: dict, scale: str = "paper") -> Numbers:
    n = Numbers("plan_change", scale)
    n.set("short_quarter", 0)
    n.set("long_quarter", 2)
    c = plan_change.CONTROL
    n.set(f"diff.appointments.q0.{plan_change.MAIN}_vs_{c}", main_app)
    n.set(f"diff.close_rate.q2.{plan_change.MAIN}_vs_{c}", main_close)
    n.set(f"diff.appointments.q0.{plan_change.FALSIFICATION}_vs_{c}", ZERO)
    n.set(f"diff.close_rate.q2.{plan_change.FALSIFICATION}_vs_{c}", false_close)
    _theory(n, {plan_change.MAIN: False, plan_change.FALSIFICATION: True})
    return n


def test_plan_change_claims_the_backfire_only_when_both_intervals_clear_zero():
    assert "backfires" in plan_change.verdict_text(_plan(UP, DOWN, ZERO))
    straddling = plan_change.verdict_text(_plan(UP, STRADDLE, ZERO))
    assert "backfires" not in straddling and "does not hold" in straddling
    assert "does not hold" in plan_change.verdict_text(_plan(STRADDLE, DOWN, ZERO))


def test_plan_change_harm_in_the_audited_switch_denies_the_gaming_reading():
    text = plan_change.verdict_text(_plan(UP, DOWN, DOWN))
    assert "backfires" not in text and "lowers it too" in text


def test_plan_change_verdict_is_withheld_at_the_quick_scale():
    assert NO_VERDICT in plan_change.verdict_text(_plan(UP, DOWN, ZERO, scale="quick"))


def test_plan_change_without_a_resolved_quarter_claims_nothing():
    n = _plan(UP, DOWN, ZERO)
    n.set("long_quarter", None)
    text = plan_change.verdict_text(n)
    assert "untested" in text and "backfires" not in text and "does not hold" not in text


def test_plan_change_moves_read_the_interval_not_the_mean():
    assert plan_change.moves(_plan(STRADDLE, STRADDLE, ZERO), plan_change.MAIN) == ("flat", "flat")


# -- hold-up -----------------------------------------------------------------------------------


def _holdup(threat: dict, guarantee: dict, control: dict, sign_gap: dict | None) -> Numbers:
    mix = "per_appointment"
    n = Numbers("training_holdup", "paper")
    n.set(f"termination_effect.{mix}.trained_share_last", threat)
    n.set(f"term_effect.binding.{mix}.trained_share_last", guarantee)
    n.set(f"term_effect.off.{mix}.trained_share_last", control)
    n.set("theory.sign_gap", sign_gap)
    return n


def test_holdup_holds_only_when_threat_guarantee_and_the_off_arm_agree():
    assert "Hold-up holds:" in training.holdup_verdict(_holdup(DOWN, UP, ZERO, UP))
    part = training.holdup_verdict(_holdup(STRADDLE, UP, ZERO, UP))
    assert "only in part" in part and "Hold-up holds:" not in part
    assert "refutes" in training.holdup_verdict(_holdup(DOWN, UP, UP, UP))
    assert "does not hold" in training.holdup_verdict(_holdup(DOWN, STRADDLE, ZERO, UP))


def test_the_npv_condition_sorts_the_cells_only_when_the_paired_gap_clears_zero():
    assert training.theory_sorts(_holdup(DOWN, UP, ZERO, UP))
    assert not training.theory_sorts(_holdup(DOWN, UP, ZERO, STRADDLE))
    assert not training.theory_sorts(_holdup(DOWN, UP, ZERO, None))  # one sign only
    text = training.holdup_verdict(_holdup(DOWN, UP, ZERO, STRADDLE))
    assert "does not separate" in text


def test_the_sign_groups_compare_seeds_and_stay_within_the_share_range():
    import polars as pl

    cells = pl.DataFrame({"mix": ["m"] * 3, "arm": ["a", "b", "c"], "npv": [5.0, 2.0, -1.0]})
    runs = pl.DataFrame({
        "mix": ["m"] * 9, "arm": ["a", "b", "c"] * 3, "seed": [1, 1, 1, 2, 2, 2, 3, 3, 3],
        "trained_share_last": [0.9, 0.7, 0.1, 0.8, 0.8, 0.2, 1.0, 0.6, 0.0]})
    n = Numbers("training_holdup")
    training._by_sign(n, runs, cells)
    pos = n.get("theory.positive.trained_share")
    assert pos["n"] == 3 and abs(pos["mean"] - 0.8) < 1e-9  # seeds' means 0.8, 0.8, 0.8
    gap = n.get("theory.sign_gap")
    assert gap["n"] == 3 and abs(gap["mean"] - 0.7) < 1e-9


# -- learning-rule bounds ----------------------------------------------------------------------


def _bounds(below: int, above: int, rules: int = 8) -> Numbers:
    n = Numbers("robustness", "paper")
    b = "bounds.close_rate_last"
    n.set(f"{b}.rules", rules)
    n.set(f"{b}.below", below)
    n.set(f"{b}.above", above)
    for label, est in (("min", DOWN), ("median", STRADDLE), ("max", UP)):
        n.set(f"{b}.{label}", {"variant": "baseline", **est})
    return n


def test_rule_bounds_claim_every_rule_only_when_every_interval_is_below_zero():
    assert "under every learning rule" in robustness.rule_bounds_text(_bounds(8, 0))
    some = robustness.rule_bounds_text(_bounds(7, 0))
    assert "every learning rule" not in some and "not resolved" in some
    assert "depends on the learning rule" in robustness.rule_bounds_text(_bounds(6, 1))


def test_the_threshold_ablation_verdict_follows_both_gaps():
    def n(off: dict, on: dict) -> Numbers:
        x = Numbers("robustness", "paper")
        x.set(f"gap.{robustness.MECHANISM_OFF}.pa.close_rate_last", off)
        x.set("gap.baseline.pa.close_rate_last", on)
        return x

    assert "runs through the qualification threshold" in robustness.mechanism_off_text(
        n(STRADDLE, DOWN))
    assert "survives" in robustness.mechanism_off_text(n(DOWN, DOWN))
    assert "tests nothing" in robustness.mechanism_off_text(n(DOWN, STRADDLE))


# -- client and prospect dynamics --------------------------------------------------------------


def _dyn(ended: dict, accept_on: dict, accept_off: dict, scale: str = "paper",
         gap_off: dict = DOWN) -> Numbers:
    n = Numbers("dynamics", scale)
    n.set("termination.diff", ended)
    n.set("prospects.accept.gap.on", accept_on)
    n.set("prospects.accept.gap.off", accept_off)
    n.set("termination_off.gap.off", gap_off)
    n.set("prospects.close_gap.off", gap_off)
    return n


def test_dynamics_verdict_follows_the_intervals():
    text = dynamics.dynamics_verdict(_dyn(UP, DOWN, ZERO))
    assert "more often than retainers:" in text and "learn to refuse" in text
    text = dynamics.dynamics_verdict(_dyn(STRADDLE, STRADDLE, ZERO))
    assert "not resolved" in text and "learn to refuse" not in text
    assert "more often than retainers:" not in text
    assert "does not come from" in dynamics.dynamics_verdict(_dyn(UP, DOWN, DOWN))
    assert NO_VERDICT in dynamics.dynamics_verdict(_dyn(UP, DOWN, ZERO, scale="quick"))


def test_the_headline_is_credited_to_neither_channel_only_when_it_survives_without_it():
    assert dynamics.dynamics_verdict(_dyn(UP, DOWN, ZERO)).count("survives") == 2
    text = dynamics.dynamics_verdict(_dyn(UP, DOWN, ZERO, gap_off=STRADDLE))
    assert "survives" not in text and text.count("cannot be told apart") == 2


# -- gaming's falsification verdict and the generated table ------------------------------------


@pytest.mark.parametrize(("audited", "harm"), [(ZERO, False), (STRADDLE, False), (DOWN, True)])
def test_gaming_counts_only_the_arms_the_theory_supports(audited, harm):
    n = Numbers("gaming", "paper")
    _theory(n, {"pa_qualified": False, "pa_audited": True})
    n.set("diff.close_rate_last.pa_qualified_vs_retainer", DOWN)  # gaming pays there: no test
    n.set("diff.close_rate_last.pa_audited_vs_retainer", audited)
    assert gaming.falsification_arms(n) == ["pa_audited"]
    text = gaming._falsification_verdict(n)
    assert ("does not follow from gaming alone" in text) is harm


def test_the_falsification_table_marks_arms_from_the_theory():
    g = Numbers("gaming", "quick")
    _theory(g, {"pa_qualified": False, "pa_audited": True, "per_appointment": False})
    rows = {row[1]: row for row in falsification.rows({"gaming": g})}
    audited = rows[f"per appointment {gaming.FALSIFICATION['pa_audited']}"]
    qualified = rows[f"per appointment {gaming.FALSIFICATION['pa_qualified']}"]
    assert audited[3] == "*yes*" and "no more junk" in audited[2]
    assert qualified[3] == "*no*" and "gaming pays" in qualified[2]
    text = falsification.table({"gaming": g}).text()
    assert "<tab-falsification>" in text
    assert not re.search(r"\bsupports?\b", text)


# -- falsification arms that show harm ------------------------------------------------------------


@pytest.mark.parametrize(("gap", "says"), [
    (DOWN, "lowers the close rate as well"), (STRADDLE, "does not lower the close rate")])
def test_per_close_as_a_falsification_arm_is_judged_by_its_interval(gap, says):
    n = _numbers("robustness", **{"theory__per_close__supported": True,
                                  "gap__baseline__pc__close_rate_last": gap})
    assert says in robustness.per_close_verdict(n)
    n.set("theory.per_close.supported", False)
    assert robustness.per_close_verdict(n) == ""  # not an arm: no verdict on it
    quick = _numbers("robustness", "quick", **{"theory__per_close__supported": True,
                                               "gap__baseline__pc__close_rate_last": gap})
    assert NO_VERDICT in robustness.per_close_verdict(quick)


@pytest.mark.parametrize(("qualified", "says"), [
    (DOWN, "shows a smaller harm the theory does not predict"),
    (STRADDLE, "does not lower the close rate, as the theory predicts")])
def test_dose_falsification_verdict_follows_the_qualified_arms_interval(qualified, says):
    from analysis import dose

    n = _numbers("dose_response", **{
        "theory_audit__full_audit__supported": False,
        "theory_hybrid__qualified__supported": True,
        "hybrid__diff__close_rate_last__qualified": qualified,
        "hybrid__diff__close_rate_last__set": {**DOWN, "mean": -1.0},
        "hybrid__qualified_over_set_close_rate": qualified["mean"] / -1.0})
    assert says in dose.falsification_verdict(n)
