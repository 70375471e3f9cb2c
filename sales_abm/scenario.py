"""The scenario: one frozen, validated configuration of a run.

Every parameter has a unit, a default and an allowed range, declared once below with the field it
belongs to. A scenario is built only through :meth:`Scenario.from_dict` (or the TOML and
override helpers that call it), so every scenario that exists has been validated: unknown keys are
errors that suggest the nearest valid key, and out-of-range values name the key and the range.

Contract presets are nothing but named sets of values for the ``contract.*`` and ``pay.*`` keys:
they are applied first, then any explicit value overrides them. No code outside :data:`PRESETS`
knows a preset's name.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, get_type_hints

from sales_abm.learning import RULE_PARAMETERS, RULES


class ScenarioError(ValueError):
    """A scenario that cannot be built: unknown key, wrong type or value out of range."""


PAY_ON = ("set", "held", "qualified")
TRAINING_DECISIONS = ("forward", "window", "always", "never")
RENEWAL_EVIDENCE = ("verdicts", "binding")
OFFICE_NETWORKS = ("isolated", "ring", "small_world", "complete")

#: Rules the outsourcer's single training learner can use. It observes only the reward of the
#: choice it made, so rules that need foregone payoffs (fictitious play, replicator) would never
#: move, and imitation needs peers it does not have.
OUTSOURCER_RULES = tuple(
    name for name, cls in RULES.items() if not (cls.needs_foregone or cls.uses_graph)
)
WEEKS_PER_MONTH = 52.0 / 12.0

#: The reps' learning defaults where they differ from the rule's own, calibrated so that reps
#: respond to a pay-plan change at the speed seen in the field (docs/evidence.md,
#: benchmarks/adjustment_half_life.py). Erev & Roth's (1998) experimentation of 0.2, estimated on
#: laboratory games with two to four actions, leaves a rep's choice near uniform when its
#: strategies' payoffs differ by tens of per cent; 0.05 lets the better strategy dominate within
#: a few quarters. The outsourcer's learner keeps the rule's own defaults.
REP_RULE_DEFAULTS: dict[str, dict[str, float]] = {
    "roth_erev": {"experimentation": 0.05},
    "modified_roth_erev": {"experimentation": 0.05},
}


def param(
    default: Any,
    unit: str,
    doc: str,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[str, ...] | None = None,
) -> Any:
    """Declare a scenario field with its unit, allowed range and documentation."""
    meta = {"unit": unit, "doc": doc, "low": low, "high": high, "choices": choices}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class ContractTerms:
    """What the client pays the outsourcer (docs/model.md section 7.6, "Contracts are data")."""

    preset: str = param(
        "retainer", "-", "label of the preset the terms started from (reporting only)"
    )
    fixed_fee: float = param(
        8000.0, "USD per rep per month", "retainer paid whatever happens", 0, 1e5
    )
    price_per_appointment: float = param(
        0.0, "USD per appointment", "price of one billable appointment", 0, 1e4
    )
    pay_on: str = param("set", "-", "which appointments are billable", choices=PAY_ON)
    commission: float = param(0.0, "share of closed revenue", "commission on closed deals", 0, 1)
    audit_rate: float = param(
        0.0, "share of billable appointments", "share audited for fit before billing", 0, 1
    )
    clawback: float = param(
        0.0, "multiple of the price", "refund per audited unqualified appointment", 0, 3
    )
    minimum_term: float = param(12.0, "months", "the client cannot give notice before this", 0, 120)
    notice_period: float = param(1.0, "months", "time from notice to the contract's end", 0, 24)
    quality_fee_adjustment: float = param(
        0.0, "per unit of qualified share", "at each review the fee and price are rescaled by "
        "1 + this x (the window's qualified share of held meetings - quality_reference); "
        "0: off", 0, 10
    )
    quality_reference: float = param(
        0.6, "share of held meetings", "qualified share at which the review keeps the base "
        "fee and price", 0, 1
    )


@dataclass(frozen=True)
class PayPlan:
    """What the outsourcer pays each rep: the same form as the client contract."""

    base_salary: float = param(4300.0, "USD per month", "fixed pay of a rep", 0, 5e4)
    bonus_per_appointment: float = param(
        0.0, "USD per appointment", "bonus per appointment that counts", 0, 1e4
    )
    pay_on: str = param("set", "-", "which appointments earn the bonus", choices=PAY_ON)
    commission: float = param(
        0.0, "share of closed revenue", "rep commission on closed deals", 0, 1
    )
    audit_rate: float = param(
        0.0, "share of bonus-eligible appointments", "share the outsourcer checks for fit", 0, 1
    )
    clawback: float = param(
        0.0, "multiple of the bonus", "bonus clawed back per checked unqualified appointment", 0, 3
    )


@dataclass(frozen=True)
class MarketParams:
    """Prospects, the funnel and the industry network (docs/model.md sections 2, 7.1-7.4)."""

    good_fit_share: float = param(
        0.3, "share of prospects", "prospects drawn from the good-fit Beta; the rest are poor", 0, 1
    )
    good_fit_alpha: float = param(4.0, "-", "Beta(a, b) shape a of a good fit", 0.05, 100)
    good_fit_beta: float = param(8.0, "-", "Beta(a, b) shape b of a good fit", 0.05, 100)
    poor_fit_alpha: float = param(0.5, "-", "Beta(a, b) shape a of a poor fit", 0.05, 100)
    poor_fit_beta: float = param(50.0, "-", "Beta(a, b) shape b of a poor fit", 0.05, 1000)
    qualification_bar: float = param(
        0.1, "probability", "client's bar: a meeting below this fit is junk", 0, 1
    )
    deal_value_mean: float = param(15000.0, "USD", "mean deal value (lognormal)", 1, 1e7)
    deal_value_sigma: float = param(0.5, "log USD", "log-sd of deal value", 0, 3)
    receptivity_alpha: float = param(
        2.0, "-", "Beta(a, b) shape a of baseline receptivity", 0.05, 50
    )
    receptivity_beta: float = param(
        5.0, "-", "Beta(a, b) shape b of baseline receptivity", 0.05, 50
    )
    connect_scale: float = param(
        0.2, "probability per unit receptivity", "P(connect) = scale x receptivity", 0, 1
    )
    agree_base: float = param(
        0.6, "probability", "P(yes to a meeting) at mean receptivity, no pressure, skill 1/2", 0, 1
    )
    pressure_agree_gain: float = param(
        0.8, "relative", "P(yes) rises by this share at full pressure", 0, 5
    )
    pressure_show_loss: float = param(
        0.25, "relative", "P(show) falls by this share at full pressure", 0, 1
    )
    pressure_annoyance: float = param(
        0.05, "share of receptivity", "receptivity lost by a connect at full pressure", 0, 1
    )
    show_max: float = param(0.95, "probability", "P(show) of a perfect fit, no pressure", 0, 1)
    show_fit_floor: float = param(
        0.85, "relative", "P(show) of a zero fit relative to a perfect one", 0, 1
    )
    opportunity_share: float = param(
        0.35, "exponent", "P(opportunity) = fit^s and P(win) = fit^(1-s): P(close|held) = fit", 0, 1
    )
    cycle_min_weeks: int = param(4, "weeks", "shortest sales cycle", 1, 104)
    cycle_max_weeks: int = param(16, "weeks", "longest sales cycle (the cap)", 1, 104)
    cooldown_weeks: int = param(8, "weeks", "rest after a connect or a lost deal", 0, 104)
    annoyance: float = param(
        0.3, "share of receptivity", "receptivity lost by a junk meeting", 0, 1
    )
    burn_probability: float = param(0.3, "probability", "a junk meeting burns the prospect", 0, 1)
    burn_weeks: int = param(52, "weeks", "how long a burned prospect refuses contact", 1, 520)
    word_of_mouth: float = param(
        0.05, "share of receptivity", "receptivity lost by each neighbour of a junk meeting", 0, 1
    )
    recovery_rate: float = param(
        0.02, "per week", "share of the gap to baseline receptivity recovered weekly", 0, 1
    )
    forgetting: float = param(
        0.005,
        "per week",
        "share of the gap between a prospect's learned propensities and the prior forgotten "
        "weekly (a lesson lasts longer than a mood)",
        0,
        1,
    )
    propensity_initial: float = param(
        0.5,
        "probability",
        "prior propensity of a prospect to take a cold call and to accept a meeting; the chances "
        "of connecting and agreeing scale with propensity / prior",
        0.01,
        1,
    )
    experience_rate: float = param(
        0.3,
        "share of the gap",
        "step of a prospect's propensities after its own meeting: toward 1 after one worth its "
        "time (good fit, opportunity opened), toward 0 after a junk one",
        0,
        1,
    )
    pressure_learning: float = param(
        0.05,
        "share of the propensity",
        "propensity to answer lost by a connect at full pressure (scaled by the pressure)",
        0,
        1,
    )
    social_learning: float = param(
        0.05,
        "share of the gap",
        "step of each neighbour's propensities per meeting experience it hears of (word of "
        "mouth; replaces the neighbours' receptivity loss when prospects learn)",
        0,
        1,
    )
    entry_rate: float = param(
        0.02, "per week", "chance a customer's row is taken by a new prospect", 0, 1
    )
    turnover_rate: float = param(
        0.02,
        "per week",
        "share of prospects outside the funnel (available, resting or burned) replaced each week "
        "by new ones (firms founded or closed, buyers changing jobs or roles), independent of "
        "closes",
        0,
        1,
    )
    network_degree: int = param(4, "neighbours", "mean degree of the industry network", 0, 50)
    network_rewiring: float = param(
        0.1, "probability", "small-world rewiring of that network", 0, 1
    )


@dataclass(frozen=True)
class RepParams:
    """Sales reps: strategy grid, costs, skill, attrition (docs/model.md sections 2, 7.8)."""

    calls_min: int = param(200, "calls per week", "lowest effort level", 1, 2000)
    calls_max: int = param(400, "calls per week", "highest effort level", 1, 2000)
    effort_levels: int = param(3, "levels", "effort actions between min and max", 1, 21)
    threshold_max: float = param(0.5, "perceived fit", "highest qualification threshold", 0, 1)
    threshold_levels: int = param(4, "levels", "threshold actions from 0 to max", 1, 21)
    pressure_levels: int = param(3, "levels", "pressure actions from 0 to 1", 1, 11)
    initial_threshold: float = param(
        0.25, "perceived fit", "threshold every rep uses, exactly, when threshold learning is off",
        0, 1,
    )
    effort_cost: float = param(
        600.0, "USD per week", "cost of working at calls_max (convex: scales with effort^2)", 0, 1e5
    )
    booking_time: float = param(
        10.0, "calls", "rep time one booked meeting takes, in calls forgone", 0, 200
    )
    skill_initial: float = param(0.2, "0-1", "skill of an untrained hire", 0, 1)
    training_gain: float = param(0.4, "0-1", "skill a completed training adds", 0, 1)
    tenure_learning: float = param(
        0.01, "per week", "share of the gap to full skill closed by each week of work", 0, 1
    )
    signal_noise_max: float = param(0.3, "fit sd", "signal noise at skill 0", 0, 5)
    signal_noise_min: float = param(0.05, "fit sd", "signal noise at skill 1", 0, 5)
    craft_gain: float = param(0.4, "relative", "P(yes) rises by this share from skill 0 to 1", 0, 5)
    call_speed_gain: float = param(
        1.0, "relative", "calls made at a given effort rise by this share from skill 0 to 1 "
        "(EVIDENCE: 45-100 dials a day)", 0, 1.99
    )
    outside_option: float = param(
        4500.0, "USD per month", "earnings below which a rep starts to look elsewhere", 0, 1e5
    )
    quit_hazard_below: float = param(
        0.01, "per week", "extra quit hazard while trailing earnings are below the option", 0, 1
    )
    attrition_annual: float = param(
        0.26,
        "per year",
        "base attrition; with the earnings channel the retainer's total is 30-34% a year",
        0,
        0.99,
    )
    earnings_window: int = param(13, "weeks", "trailing window for earnings", 1, 104)
    office_network: str = param(
        "small_world",
        "-",
        "whom a rep sees and can imitate (imitation rules only): nobody, its ring neighbours, a "
        "Watts-Strogatz small world, or everyone",
        choices=OFFICE_NETWORKS,
    )
    office_degree: int = param(
        4,
        "peers",
        "ring and small world: each rep sees its office_degree nearest desks (an odd value is "
        "rounded down to even; at least reps - 1 means everyone)",
        0,
        50,
    )
    office_rewiring: float = param(
        0.1, "probability", "small world: chance each ring tie is rewired at random", 0, 1
    )


@dataclass(frozen=True)
class OutsourcerParams:
    """The outsourcer: training, overhead, its training policy learning."""

    training_cost: float = param(10000.0, "USD per hire", "cost of training one hire", 0, 1e6)
    ramp_weeks: int = param(13, "weeks", "weeks over which training skill arrives", 1, 104)
    training_capacity_loss: float = param(
        0.5, "share of calls", "calls lost while in training ramp", 0, 1
    )
    overhead: float = param(1000.0, "USD per rep per month", "tools, management, seats", 0, 1e5)
    evaluation_weeks: int = param(
        26, "weeks", "decision window: horizon over which a hire's profit rewards the training "
        "choice", 1, 520
    )
    decision: str = param(
        "forward",
        "-",
        "how the outsourcer decides to train a hire: forward (expected increment over the "
        "remaining relationship, sales_abm.training), window (a learner rewarded by each hire's "
        "profit over evaluation_weeks), always, never",
        choices=TRAINING_DECISIONS,
    )
    horizon_weeks: int = param(
        156, "weeks", "forward: weeks ahead over which a hire's training is valued", 1, 1040
    )
    discount_rate: float = param(
        0.12, "per year", "forward: the outsourcer's discount rate (EVIDENCE: 0.99 a month)", 0, 10
    )
    renewal_prior: float = param(
        0.8, "probability", "forward: prior chance the client renews at a review that can end "
        "the contract", 0, 1
    )
    renewal_prior_weight: float = param(
        4.0, "reviews", "forward: weight of the renewal prior, in reviews observed", 0.01, 1000
    )
    renewal_evidence: str = param(
        "verdicts",
        "-",
        "forward: which reviews teach the outsourcer the renewal chance: verdicts (every "
        "review's verdict, the window's ROI against the client's bar, guaranteed term and "
        "termination switch notwithstanding) or binding (only reviews past the guaranteed term, "
        "by whether notice followed; MODEL_VERSION 3)",
        choices=RENEWAL_EVIDENCE,
    )
    estimate_halflife_weeks: float = param(
        52.0, "weeks", "forward: half-life of the books from which the value of skill is "
        "estimated", 1, 1040
    )
    choice_temperature: float = param(
        2000.0, "USD", "forward: logit temperature of the training choice on its NPV", 1, 1e6
    )
    exploration: float = param(
        0.2, "probability", "forward: initial share of hiring choices made at random", 0, 1
    )
    exploration_decay_hires: float = param(
        20.0, "hires", "forward: experimentation halves after this many hires", 0.01, 1e6
    )
    industry_memory: float = param(
        1.0, "share", "weight a replacement outsourcer gives the experience of the outsourcers "
        "before it (0: it starts from the priors)", 0, 1
    )


@dataclass(frozen=True)
class ClientParams:
    """The client: AEs, margins and the quarterly renewal review."""

    gross_margin: float = param(0.6, "share of revenue", "client margin on closed revenue", 0, 1)
    ae_capacity: float = param(
        3.1,
        "meetings per week per rep",
        "AE meetings the client can hold, per rep of the outsourcer's head count (an AE team "
        "sized for the retainer's flow)",
        0,
        1e5,
    )
    triage_noise: float = param(
        0.1,
        "fit sd",
        "noise of the AEs' pre-meeting read of fit, by which they keep the best-looking "
        "meetings when capacity binds",
        0,
        5,
    )
    ae_cost_per_meeting: float = param(150.0, "USD", "AE time one held meeting costs", 0, 1e5)
    review_weeks: int = param(13, "weeks", "time between renewal reviews", 1, 520)
    min_roi: float = param(
        0.0,
        "ratio",
        "terminate (after the minimum term) when the review window's ROI, on the expected margin "
        "of the meetings held, falls below this",
        -10,
        100,
    )
    min_close_rate: float = param(
        0.12,
        "deals per appointment",
        "terminate (after the minimum term) when the review window's close rate of the "
        "appointments set for it (expected, from the fit its AEs saw in the meetings) falls "
        "below this",
        0,
        1,
    )
    rule: str = param(
        "roth_erev",
        "-",
        "the client's rule for learning over the contract menu (switches.client_choice); it "
        "takes its rule's default parameters",
        choices=OUTSOURCER_RULES,
    )
    price_levels: int = param(
        3, "levels", "price levels on the contract menu, evenly spread around the contract's", 1, 9
    )
    price_spread: float = param(
        0.25,
        "share of the price",
        "the menu's prices run from (1 - spread) to (1 + spread) times every money term of the "
        "contract (fixed fee, appointment price, commission)",
        0,
        0.9,
    )
    audit_max: float = param(
        0.5,
        "share of billable appointments",
        "audit rate of the menu's audited contracts (with a clawback of at least 1x)",
        0,
        1,
    )
    menu_pay_on: bool = param(
        True, "on/off", "stricter billing (held, then qualified meetings) is on the menu"
    )
    payoff_scale: float = param(
        100000.0,
        "USD per review window",
        "the client's profit over a review window is divided by this before it learns",
        1e-6,
        1e12,
    )


@dataclass(frozen=True)
class Switches:
    """Mechanism switches (docs/model.md section 4): each channel can be turned off."""

    threshold_learning: bool = param(True, "on/off", "reps learn their qualification threshold")
    effort_learning: bool = param(True, "on/off", "reps learn their effort")
    pressure: bool = param(True, "on/off", "reps may use pressure (off: pressure stays 0)")
    burn: bool = param(True, "on/off", "junk meetings annoy and burn prospects")
    word_of_mouth: bool = param(
        True, "on/off", "neighbours hear of junk meetings (with prospect learning they learn from "
        "them; without, their receptivity falls)")
    training: bool = param(
        True, "on/off", "outsourcer learns whether to train (off: every hire is trained)"
    )
    attrition: bool = param(True, "on/off", "reps quit (base rate and low earnings)")
    ae_capacity: bool = param(True, "on/off", "client AE capacity limits held meetings")
    ae_triage: bool = param(
        True, "on/off", "AEs over capacity hold the best-looking meetings (off: a random subset)"
    )
    termination: bool = param(True, "on/off", "client may terminate at its reviews")
    client_choice: bool = param(
        False,
        "on/off",
        "at each review the client picks its contract from the menu (client.*) by learning from "
        "its profit: renew, renegotiate, or re-tender on new terms (off: it keeps its contract)",
    )
    prospect_learning: bool = param(
        True,
        "on/off",
        "prospects learn whether to answer and accept from their own and their neighbours' "
        "meetings and from pressured calls (off: propensities stay at the prior)",
    )
    market_entry: bool = param(
        True, "on/off", "new prospects enter at market.turnover_rate (off: only customers leave)"
    )


@dataclass(frozen=True)
class LearningParams:
    """Which learning rule reps and the outsourcer use, and its parameters."""

    rule: str = param(
        "roth_erev",
        "-",
        "reps' learning rule, one learner per strategy dimension; EWA, fictitious play and "
        "replicator get foregone payoffs the reps estimate (sales_abm.foregone), imitation "
        "rules copy peers on rep.office_network",
        choices=tuple(RULE_PARAMETERS),
    )
    outsourcer_rule: str = param(
        "roth_erev",
        "-",
        "the outsourcer's training-policy rule; takes the learning.<name> values when it equals "
        "learning.rule, else its defaults",
        choices=OUTSOURCER_RULES,
    )
    credit: str = param(
        "earned",
        "-",
        "which strategy a payment reinforces: the one in force when the meeting behind it was "
        "booked (earned; learned from once the period's pay is in) or the one in force when it "
        "arrives (paid)",
        choices=("earned", "paid"),
    )
    successor_habits: bool = param(
        True,
        "on/off",
        "when the client replaces the outsourcer, the successor's first hires take over the "
        "learned strategy habits (learner state) of the dismissed reps, slot by slot, as staff "
        "transferred with the contract; skill, tenure and training start fresh (off: they start "
        "from the rule's prior like any hire)",
    )
    rep_cadence_weeks: int = param(1, "weeks", "reps update their strategy this often", 1, 52)
    outsourcer_cadence_weeks: int = param(4, "weeks", "outsourcer updates this often", 1, 52)
    payoff_scale: float = param(
        1000.0, "USD per week", "payoffs are divided by this before learning", 1e-6, 1e9
    )
    payoff_shift: float = param(
        0.0,
        "USD per week",
        "added to a rep's variable pay less effort cost before learning: the reference point "
        "below which an outcome reinforces nothing (reinforcement rules clip at 0); 600 "
        "(rep.effort_cost) was the old value, which made every payoff positive but let "
        "strategies differ by a few per cent",
        0,
        1e6,
    )
    params: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({}),
        metadata={
            "unit": "-",
            "doc": "rule parameters (learning.<name>)",
            "low": None,
            "high": None,
            "choices": None,
        },
    )

    def rule_params(self) -> dict[str, float]:
        """The reps' rule parameters: defaults (:data:`REP_RULE_DEFAULTS` first, then the
        rule's own) overridden by those set in the scenario."""
        spec = RULE_PARAMETERS[self.rule]
        calibrated = REP_RULE_DEFAULTS.get(self.rule, {})
        return {name: self.params.get(name, calibrated.get(name, entry[0]))
                for name, entry in spec.items()}

    def outsourcer_params(self) -> dict[str, float]:
        """The outsourcer rule's parameters.

        The ``learning.<name>`` keys are validated against ``learning.rule``, so they configure
        the outsourcer only when it uses that same rule; otherwise it takes its rule's defaults.
        The reps' calibrated defaults (:data:`REP_RULE_DEFAULTS`) are not the outsourcer's.
        """
        spec = RULE_PARAMETERS[self.outsourcer_rule]
        if self.outsourcer_rule == self.rule:
            return {name: self.params.get(name, entry[0]) for name, entry in spec.items()}
        return {name: entry[0] for name, entry in spec.items()}


SECTIONS: dict[str, type] = {
    "contract": ContractTerms,
    "pay": PayPlan,
    "market": MarketParams,
    "rep": RepParams,
    "outsourcer": OutsourcerParams,
    "client": ClientParams,
    "switches": Switches,
    "learning": LearningParams,
}

TOP_LEVEL: dict[str, dict[str, Any]] = {
    "reps": {
        "default": 20,
        "unit": "reps",
        "doc": "head count the outsourcer keeps",
        "low": 1,
        "high": 100000,
        "type": int,
    },
    "prospects": {
        "default": 20000,
        "unit": "prospects",
        "doc": "size of the market",
        "low": 10,
        "high": 10**7,
        "type": int,
    },
    "weeks": {
        "default": 156,
        "unit": "weeks",
        "doc": "horizon of a run",
        "low": 1,
        "high": 5200,
        "type": int,
    },
    "seed": {
        "default": 0,
        "unit": "-",
        "doc": "root of the run's SeedSequence",
        "low": 0,
        "high": 2**63 - 1,
        "type": int,
    },
}

# Presets: named starting values (docs/model.md 7.6). The pay plan passes the client's measure
# through; under a retainer it pays per qualified held meeting, checked and clawed back.
PRESETS: dict[str, dict[str, Any]] = {
    "retainer": {
        "contract.fixed_fee": 8000.0,
        "contract.price_per_appointment": 0.0,
        "contract.commission": 0.0,
        "contract.audit_rate": 0.0,
        "contract.clawback": 0.0,
        "contract.minimum_term": 12.0,
        "contract.notice_period": 1.0,
        "contract.pay_on": "held",
        "pay.base_salary": 4300.0,
        "pay.bonus_per_appointment": 250.0,
        "pay.pay_on": "held",
        "pay.commission": 0.0,
        "pay.audit_rate": 1.0,
        "pay.clawback": 0.5,
    },
    "per_appointment": {
        "contract.fixed_fee": 0.0,
        "contract.price_per_appointment": 600.0,
        "contract.commission": 0.0,
        "contract.audit_rate": 0.0,
        "contract.clawback": 0.0,
        "contract.minimum_term": 3.0,
        "contract.notice_period": 0.0,
        "contract.pay_on": "set",
        "pay.base_salary": 4300.0,
        "pay.bonus_per_appointment": 150.0,
        "pay.pay_on": "set",
        "pay.commission": 0.0,
        "pay.audit_rate": 0.0,
        "pay.clawback": 0.0,
    },
    "per_close": {
        "contract.fixed_fee": 0.0,
        "contract.price_per_appointment": 0.0,
        "contract.commission": 0.4,
        "contract.audit_rate": 0.0,
        "contract.clawback": 0.0,
        "contract.minimum_term": 3.0,
        "contract.notice_period": 0.0,
        "contract.pay_on": "set",
        "pay.base_salary": 4300.0,
        "pay.bonus_per_appointment": 0.0,
        "pay.pay_on": "set",
        "pay.commission": 0.1,
        "pay.audit_rate": 0.0,
        "pay.clawback": 0.0,
    },
    "hybrid": {
        "contract.fixed_fee": 3500.0,
        "contract.price_per_appointment": 200.0,
        "contract.commission": 0.15,
        "contract.audit_rate": 0.0,
        "contract.clawback": 0.0,
        "contract.minimum_term": 6.0,
        "contract.notice_period": 1.0,
        "contract.pay_on": "held",
        "pay.base_salary": 4300.0,
        "pay.bonus_per_appointment": 75.0,
        "pay.pay_on": "set",
        "pay.commission": 0.05,
        "pay.audit_rate": 0.0,
        "pay.clawback": 0.0,
    },
}


@dataclass(frozen=True)
class ParamInfo:
    """What the documentation says about one key."""

    key: str
    default: Any
    unit: str
    low: float | None
    high: float | None
    choices: tuple[str, ...] | None
    doc: str
    type: type

    def allowed(self) -> str:
        """The allowed values, as the error messages and the README print them."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.type is bool:
            return "true or false"
        if self.type is str:
            return "a string"
        return f"{_fmt(self.low)} to {_fmt(self.high)}"


def _fmt(x: float | None) -> str:
    if x is None:
        return "any"
    return f"{x:g}" if isinstance(x, float) else str(x)


def _section_params(section: str, cls: type) -> Iterator[ParamInfo]:
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.name == "params":
            continue
        m = f.metadata
        yield ParamInfo(
            f"{section}.{f.name}",
            f.default,
            m["unit"],
            m["low"],
            m["high"],
            m["choices"],
            m["doc"],
            hints[f.name],
        )


def _learning_params() -> Iterator[ParamInfo]:
    seen: set[str] = set()
    for rule, spec in RULE_PARAMETERS.items():
        for name, (default, low, high, doc) in spec.items():
            if name in seen:
                continue
            seen.add(name)
            rep_default = REP_RULE_DEFAULTS.get(rule, {}).get(name, default)
            own = "" if rep_default == default else (
                f"; the rule's own and the outsourcer's: {default:g}")
            yield ParamInfo(
                f"learning.{name}",
                rep_default,
                "-",
                low,
                high,
                None,
                f"{doc} (reps' default shown for {rule}{own})",
                float,
            )


def parameter_table() -> list[ParamInfo]:
    """Every key a scenario accepts, with unit, default and range (the README's table)."""
    table = [
        ParamInfo(k, v["default"], v["unit"], v["low"], v["high"], None, v["doc"], v["type"])
        for k, v in TOP_LEVEL.items()
    ]
    for section, cls in SECTIONS.items():
        table.extend(_section_params(section, cls))
    table.extend(_learning_params())
    return table


PARAMETERS: dict[str, ParamInfo] = {p.key: p for p in parameter_table()}
_RULE_KEYS = {k for k in PARAMETERS if k.startswith("learning.")} - {
    f"learning.{f.name}" for f in dataclasses.fields(LearningParams)
}


def _flatten(raw: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if not prefix and key in SECTIONS and isinstance(value, Mapping):
            flat.update(_flatten(value, key + "."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _unknown(key: str) -> ScenarioError:
    # A key's own name in another section (``market.reps`` for ``reps``) is the likelier slip
    # than the nearest spelling, which shares the section but means something else.
    name = key.rsplit(".", 1)[-1]
    close = [k for k in PARAMETERS if k.rsplit(".", 1)[-1] == name] or difflib.get_close_matches(
        key, list(PARAMETERS), n=1, cutoff=0.6)
    hint = ("; did you mean " + " or ".join(f"'{k}'" for k in close) + "?" if close
            else "; see `sales-abm params` for all keys")
    return ScenarioError(f"unknown scenario key '{key}'{hint}")


def _coerce(info: ParamInfo, value: Any) -> Any:
    key, want = info.key, info.type
    if want is bool:
        if not isinstance(value, bool):
            raise ScenarioError(f"{key} must be true or false, got {value!r}")
        return value
    if want is str:
        if not isinstance(value, str):
            raise ScenarioError(f"{key} must be a string, got {value!r}")
        if info.choices and value not in info.choices:
            raise ScenarioError(f"{key} must be {info.allowed()}, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{key} must be a number in {info.allowed()}, got {value!r}")
    if want is int:
        if isinstance(value, float) and not value.is_integer():
            raise ScenarioError(f"{key} must be a whole number in {info.allowed()}, got {value!r}")
        value = int(value)
    else:
        value = float(value)
    if (
        not math.isfinite(value)
        or (info.low is not None and value < info.low)
        or (info.high is not None and value > info.high)
    ):
        raise ScenarioError(f"{key} must be in {info.allowed()}, got {value!r}")
    return value


#: The sections a schedule may change mid-run: the client contract and the reps' pay plan.
SCHEDULE_SECTIONS = ("contract", "pay")


@dataclass(frozen=True)
class Switch:
    """A change of terms that takes effect at the start of a week (a ``[[schedule]]`` table).

    Attributes:
        week: the first week under the new terms.
        changes: the ``contract.*`` and ``pay.*`` keys as given (validated); a
            ``contract.preset`` sets every key of that preset first, then the others apply.
        contract: the client contract in force from ``week`` on.
        pay: the reps' pay plan in force from ``week`` on.
    """

    week: int
    changes: Mapping[str, Any]
    contract: ContractTerms
    pay: PayPlan

    def to_table(self) -> dict[str, Any]:
        """The TOML table it was read from: ``week`` and the changed keys."""
        return {"week": self.week, **self.changes}


def _schedule_entries(raw: Any) -> list[Mapping[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list | tuple) or not all(isinstance(e, Mapping) for e in raw):
        raise ScenarioError(
            "schedule must be a list of tables, each with a week and contract.* or pay.* keys"
        )
    return list(raw)


def _resolve_schedule(
    raw: Any, weeks: int, contract: ContractTerms, pay: PayPlan
) -> tuple[Switch, ...]:
    """Validate ``[[schedule]]`` tables against the horizon and resolve the terms of each."""
    switches: list[Switch] = []
    values = {f"contract.{k}": v for k, v in dataclasses.asdict(contract).items()}
    values.update({f"pay.{k}": v for k, v in dataclasses.asdict(pay).items()})
    previous = 0
    for i, entry in enumerate(_schedule_entries(raw)):
        where = f"schedule[{i}]"
        changes = _flatten_schedule_entry(entry)
        week = changes.pop("week", None)
        if week is None:
            raise ScenarioError(f"{where}.week is missing: each switch needs the week it starts")
        if isinstance(week, bool) or not isinstance(week, int | float) or (
                isinstance(week, float) and not week.is_integer()) or not (
                previous < week < weeks):
            raise ScenarioError(
                f"{where}.week must be a whole number in {previous + 1} to {weeks - 1} "
                f"(switches in week order, within the horizon of {weeks} weeks), got {week!r}"
            )
        week = previous = int(week)
        if not changes:
            raise ScenarioError(f"{where} changes nothing: give contract.* or pay.* keys")
        resolved = {}
        for key, value in changes.items():
            if key.split(".", 1)[0] not in SCHEDULE_SECTIONS or key not in PARAMETERS:
                close = difflib.get_close_matches(key, [k for k in PARAMETERS if k.split(
                    ".", 1)[0] in SCHEDULE_SECTIONS], n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise ScenarioError(
                    f"{where}: unknown schedule key '{key}'; a switch sets week and "
                    f"contract.* or pay.* keys{hint}"
                )
            resolved[key] = _coerce(PARAMETERS[key], value)
            if key == "contract.preset" and value not in PRESETS:
                raise ScenarioError(
                    f"{where}: contract.preset must be one of {', '.join(PRESETS)}, got {value!r}"
                )
        if "contract.preset" in resolved:
            values.update(PRESETS[resolved["contract.preset"]])
        values.update(resolved)
        terms = {s: {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith(s + ".")}
                 for s in SCHEDULE_SECTIONS}
        switches.append(Switch(week, MappingProxyType(resolved), ContractTerms(**terms["contract"]),
                               PayPlan(**terms["pay"])))
    return tuple(switches)


def _flatten_schedule_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A schedule table's keys, dotted (``contract = {preset = ...}`` or ``"contract.preset"``)."""
    flat: dict[str, Any] = {}
    for key, value in entry.items():
        if key in SCHEDULE_SECTIONS and isinstance(value, Mapping):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


def parse_switch(text: str) -> dict[str, Any]:
    """Parse the CLI's ``WEEK=PRESET`` into a schedule table."""
    week, sep, preset = (part.strip() for part in text.partition("="))
    if not sep or not week.isdigit():
        raise ScenarioError(f"--switch expects WEEK=PRESET (e.g. 52=per_appointment), got {text!r}")
    return {"week": int(week), "contract.preset": preset}



@dataclass(frozen=True)
class Scenario:
    """A validated, immutable scenario. Build it with :meth:`from_dict`, never directly."""

    reps: int
    prospects: int
    weeks: int
    seed: int
    contract: ContractTerms
    pay: PayPlan
    market: MarketParams
    rep: RepParams
    outsourcer: OutsourcerParams
    client: ClientParams
    switches: Switches
    learning: LearningParams
    schedule: tuple[Switch, ...] = ()

    @classmethod
    def default(cls, preset: str = "retainer") -> Scenario:
        """The default scenario under a contract preset."""
        return cls.from_dict({"contract": {"preset": preset}})

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Scenario:
        """Validate nested or dotted keys into a scenario; presets first, then explicit values."""
        flat = _flatten(raw)
        schedule = flat.pop("schedule", None)
        preset = flat.get("contract.preset", "retainer")
        if preset not in PRESETS:
            raise ScenarioError(
                f"contract.preset must be one of {', '.join(PRESETS)}, got {preset!r}"
            )
        values = {k: p.default for k, p in PARAMETERS.items() if k not in _RULE_KEYS}
        values.update(PRESETS[preset])
        rule_values: dict[str, Any] = {}
        for key, value in flat.items():
            if key not in PARAMETERS:
                raise _unknown(key)
            target = rule_values if key in _RULE_KEYS else values
            target[key] = _coerce(PARAMETERS[key], value)
        return cls._build(values, rule_values, schedule)

    @classmethod
    def _build(cls, values: dict[str, Any], rule_values: dict[str, Any],
               schedule: Any = None) -> Scenario:
        rule = values["learning.rule"]
        spec = RULE_PARAMETERS[rule]
        params: dict[str, float] = {}
        for key, value in rule_values.items():
            name = key.split(".", 1)[1]
            if name not in spec:
                raise ScenarioError(
                    f"{key} is not a parameter of learning rule '{rule}'; its "
                    f"parameters are: {', '.join(spec) or 'none'}"
                )
            _, low, high, _ = spec[name]
            if not low <= value <= high:
                raise ScenarioError(
                    f"{key} must be in {low:g} to {high:g} for {rule}, got {value!r}"
                )
            params[name] = value
        sections: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
        for key, value in values.items():
            if "." in key:
                section, name = key.split(".", 1)
                sections[section][name] = value
        sections["learning"]["params"] = MappingProxyType(dict(sorted(params.items())))
        built = {name: SECTIONS[name](**kw) for name, kw in sections.items()}
        switches = _resolve_schedule(schedule, values["weeks"], built["contract"], built["pay"])
        scenario = cls(**{k: values[k] for k in TOP_LEVEL}, **built, schedule=switches)
        scenario._check_consistency()
        return scenario

    def _check_consistency(self) -> None:
        if self.rep.calls_min > self.rep.calls_max:
            raise ScenarioError(
                f"rep.calls_min ({self.rep.calls_min}) must not exceed rep.calls_max "
                f"({self.rep.calls_max})"
            )
        if self.market.cycle_min_weeks > self.market.cycle_max_weeks:
            raise ScenarioError(
                f"market.cycle_min_weeks ({self.market.cycle_min_weeks}) must not exceed "
                f"market.cycle_max_weeks ({self.market.cycle_max_weeks})"
            )
        if self.rep.signal_noise_min > self.rep.signal_noise_max:
            raise ScenarioError("rep.signal_noise_min must not exceed rep.signal_noise_max")

    @classmethod
    def from_toml(cls, path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
        """Load a TOML file, then apply dotted overrides as :meth:`with_overrides` does.

        So a ``contract.preset`` override gives that preset's terms, whatever terms the file
        spells out. The file is read at most :data:`MAX_SCENARIO_BYTES` (+1) bytes, so a huge or
        endless file (``/dev/zero``) is refused at once; a file that cannot be read, is not
        UTF-8 or is not TOML raises a one-line :class:`ScenarioError`. A ``schedule`` among the
        overrides (the CLI's ``--switch``) is added to the file's ``[[schedule]]`` tables, and
        the whole schedule is put in week order.
        """
        raw = _flatten(read_scenario_file(path))
        overrides = dict(overrides or {})
        if "schedule" in overrides and "schedule" in raw:
            merged = [*_schedule_entries(raw.pop("schedule")),
                      *_schedule_entries(overrides["schedule"])]
            overrides["schedule"] = sorted(merged, key=_week_of)
        scenario = cls.from_dict(raw)
        return scenario.with_overrides(overrides) if overrides else scenario

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new scenario with dotted keys changed (a new preset re-applies its values first)."""
        flat = self.to_flat()
        if "contract.preset" in overrides:
            for key in PRESETS[self.contract.preset]:
                flat.pop(key)
        if self.schedule:
            flat["schedule"] = [switch.to_table() for switch in self.schedule]
        flat.update(overrides)
        return Scenario.from_dict(flat)

    def to_flat(self) -> dict[str, Any]:
        """Every key with its resolved value, dotted, in a stable order."""
        flat: dict[str, Any] = {k: getattr(self, k) for k in TOP_LEVEL}
        for section in SECTIONS:
            obj = getattr(self, section)
            for f in dataclasses.fields(obj):
                if f.name == "params":
                    flat.update({f"{section}.{k}": v for k, v in obj.params.items()})
                else:
                    flat[f"{section}.{f.name}"] = getattr(obj, f.name)
        return flat

    def to_dict(self) -> dict[str, Any]:
        """Nested plain dict (sections as tables), loadable by :meth:`from_dict`.

        The schedule, if any, is a list of tables under ``schedule`` (absent when empty, so a
        scenario without one keeps the text, and the hash, it had before schedules existed).
        """
        nested: dict[str, Any] = {}
        for key, value in self.to_flat().items():
            if "." in key:
                section, name = key.split(".", 1)
                nested.setdefault(section, {})[name] = value
            else:
                nested[key] = value
        if self.schedule:
            nested["schedule"] = [switch.to_table() for switch in self.schedule]
        return nested

    def canonical_json(self) -> str:
        """A canonical text of the scenario, for hashing and equality across processes."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def to_toml(self) -> str:
        """The fully resolved scenario as TOML: loading it gives an equal scenario."""
        lines = [f"{k} = {_toml_value(getattr(self, k))}" for k in TOP_LEVEL]
        for section, table in self.to_dict().items():
            if not isinstance(table, dict):
                continue
            lines.append(f"\n[{section}]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in table.items())
        for switch in self.schedule:
            lines.append("\n[[schedule]]")
            lines.extend(f"{json.dumps(k) if '.' in k else k} = {_toml_value(v)}"
                         for k, v in switch.to_table().items())
        return "\n".join(lines) + "\n"

    def terms_at(self, week: int) -> tuple[ContractTerms, PayPlan]:
        """The client contract and the pay plan in force in a week."""
        contract, pay = self.contract, self.pay
        for switch in self.schedule:
            if switch.week <= week:
                contract, pay = switch.contract, switch.pay
        return contract, pay


#: Largest scenario file read (a resolved scenario is about 4 KB).
MAX_SCENARIO_BYTES = 1 << 20


def read_scenario_file(path: str | Path, limit: int = MAX_SCENARIO_BYTES) -> dict[str, Any]:
    """The parsed TOML of a scenario file, checked to be readable, small enough and UTF-8.

    Args:
        path: The file.
        limit: The largest size accepted, in bytes; at most ``limit + 1`` bytes are read.

    Returns:
        The file's tables and keys, not yet validated as a scenario.

    Raises:
        ScenarioError: One line naming the file and what is wrong with it.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise ScenarioError(f"scenario file not found: {path}") from None
    except IsADirectoryError:
        raise ScenarioError(f"--scenario must be a TOML file, {path} is a directory") from None
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario file {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ScenarioError(f"scenario file {path} is larger than {limit // 1024} KiB; a "
                            "scenario is a small TOML file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"scenario file {path} is not UTF-8 text (byte {exc.start}); "
                            "a scenario is a TOML file") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"malformed TOML in {path}: {exc}") from None


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _week_of(entry: Mapping[str, Any]) -> float:
    week = entry.get("week")
    return week if isinstance(week, int | float) and not isinstance(week, bool) else -1


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``KEY=VALUE`` (VALUE as a TOML value; a bare word is a string)."""
    if "=" not in text:
        raise ScenarioError(f"--set expects KEY=VALUE, got {text!r}")
    key, raw = (part.strip() for part in text.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value
