"""The client's best contract in the one-shot game, and the outsourcer's training decision.

A three-level Stackelberg game in a stationary market (the assumptions of
:mod:`sales_abm.theory.best_response`), per rep and per week:

1. The **client** chooses a contract from a grid (:func:`contract_grid`: each preset's prices
   scaled, times an audit rate).
2. The **outsourcer** passes the client's measure through to its reps' pay plan as the presets do
   (:func:`pass_through`), and decides whether to train its hires (:func:`training_decision`):
   train iff the hold-up NPV of :func:`~sales_abm.theory.closed_forms.training_npv` is
   non-negative, with the model's primitives mapped onto it.
3. Each **rep** plays its myopic best response to the pay plan at the skill training gives it.

The client's payoff is ``gross_margin x revenue - payments - AE cost of held meetings``; the
outsourcer's is the client's payment less rep pay, overhead and training amortised over the
expected life of a trained hire. A contract is *feasible* when the outsourcer's profit is
non-negative (it would not sign otherwise); the client's best contract is the feasible one with
the highest profit. The reps' participation (expected pay against ``rep.outside_option``) is
reported, not imposed: in the model reps who earn less quit faster, which enters the training
decision through the quit hazard.

Mapping onto the training hold-up condition (EVIDENCE.md, Becker/Williamson/Acemoglu–Pischke):

* ``K = outsourcer.training_cost``;
* ``m`` = extra monthly contribution of a trained rep (skill ``skill_initial + training_gain``)
  over an untrained one (``skill_initial``), each playing its best response; tenure learning is
  ignored, so ``m`` is the gain of a new hire;
* ``R = ramp_weeks`` in whole months;
* ``q`` = monthly quit hazard: base attrition, plus ``quit_hazard_below`` when the trained rep's
  expected pay is below the outside option (0 with ``switches.attrition`` off);
* guaranteed months ``G = minimum_term + notice_period`` (the client cannot end it sooner), and
  after that ``h`` = monthly churn hazard: the chance that a quarterly review's ROI falls below
  ``client.min_roi``, from a normal approximation of the review's expected-value margin over
  ``reps x review_weeks`` weeks of held meetings (0 with ``switches.termination`` off);
* ``delta`` (monthly discount, default 0.99) and ``share`` (the outsourcer's surplus share after
  renegotiation, default 1: no hold-up) are arguments.

Beside the NPV, :class:`TrainingDecision` reports ``window_gain``, the criterion the model's own
outsourcer learns from: a hire's extra contribution over ``outsourcer.evaluation_weeks`` (default
26) less the training cost. It ignores everything after the window, so it can refuse training
that the NPV accepts.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from sales_abm.scenario import PRESETS, WEEKS_PER_MONTH, Scenario
from sales_abm.theory.best_response import BestResponse, best_response
from sales_abm.theory.closed_forms import TrainingInvestment, training_npv

__all__ = [
    "ContractGame",
    "TrainingDecision",
    "contract_grid",
    "pass_through",
    "review_termination_probability",
    "solve_contract_game",
    "training_decision",
]

#: Contract keys a preset's prices live in, and the pay-plan keys that pass them through.
_PRICE_KEYS = ("contract.fixed_fee", "contract.price_per_appointment", "contract.commission")


def _normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def pass_through(
    scenario: Scenario, preset: str, scale: float = 1.0, audit_rate: float = 0.0
) -> Scenario:
    """The scenario under a preset with its prices scaled and an audit, passed through to pay.

    The client's fixed fee, price per appointment and commission are the preset's times
    ``scale``. The pay plan follows as an outsourcer passing the client's measure through would:
    the reps' bonus scales with the client's price per appointment when the preset pays one
    (under ``retainer`` the bonus is the outsourcer's own quality bonus and stays), the reps'
    commission with the client's commission. An audit of ``audit_rate`` by the client (refunding
    the full price of each unqualified appointment found: ``contract.clawback = 1``) is passed on:
    the reps are audited at least as often and lose at least their bonus for each unqualified
    appointment found.

    Args:
        scenario: The base scenario (market, reps, client...).
        preset: A contract preset name.
        scale: Multiplier on the preset's prices (>= 0).
        audit_rate: Share of billable appointments the client audits.

    Returns:
        The scenario with the contract and pay plan set.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; allowed: {', '.join(PRESETS)}")
    if scale < 0:
        raise ValueError(f"scale must be >= 0, got {scale}")
    values = dict(PRESETS[preset])
    for key in _PRICE_KEYS:
        values[key] = values[key] * scale
    values["contract.commission"] = min(values["contract.commission"], 1.0)
    if PRESETS[preset]["contract.price_per_appointment"] > 0:
        values["pay.bonus_per_appointment"] *= scale
    if PRESETS[preset]["contract.commission"] > 0:
        values["pay.commission"] = min(values["pay.commission"] * scale, 1.0)
    if audit_rate > 0:
        values["contract.audit_rate"] = audit_rate
        values["contract.clawback"] = max(values["contract.clawback"], 1.0)
        values["pay.audit_rate"] = max(values["pay.audit_rate"], audit_rate)
        values["pay.clawback"] = max(values["pay.clawback"], 1.0)
    flat = scenario.to_flat()
    flat.update(values)  # every contract and pay key the presets set
    flat["contract.preset"] = preset
    return Scenario.from_dict(flat)


def contract_grid(
    presets: Iterable[str] = tuple(PRESETS),
    scales: Sequence[float] = (0.5, 0.75, 1.0, 1.25, 1.5),
    audit_rates: Sequence[float] = (0.0, 0.5, 1.0),
) -> list[tuple[str, float, float]]:
    """``(preset, scale, audit_rate)`` for every combination (see :func:`pass_through`)."""
    return list(itertools.product(presets, scales, audit_rates))


def review_termination_probability(scenario: Scenario, br: BestResponse) -> float:
    """Chance that one quarterly review ends the contract, the reps playing ``br``.

    The client values a review window's held meetings at ``gross_margin x fit x deal value`` and
    its cost at payments plus AE time (:meth:`Client.review`), and terminates when
    ``(margin - cost) / cost < min_roi``. Over ``reps x review_weeks`` rep-weeks the margin is a
    compound sum: normal with the table's mean and variance ``n x gross_margin^2 x value_sq``.
    The cost is taken at its mean (its randomness, from counted appointments, is smaller).

    Returns:
        P(termination at a review), 0 when ``switches.termination`` is off.
    """
    if not scenario.switches.termination:
        return 0.0
    row = br.row
    n = scenario.reps * scenario.client.review_weeks
    gm = scenario.client.gross_margin
    margin = n * gm * row["revenue"]
    cost = n * (row["client_payment"] + row["ae_cost"])
    sd = math.sqrt(n * gm * gm * row["value_sq"])
    need = (1.0 + scenario.client.min_roi) * cost  # terminate iff margin < need
    if sd == 0.0:
        return float(margin < need)
    return _normal_cdf((need - margin) / sd)


@dataclass(frozen=True)
class TrainingDecision:
    """The outsourcer's training decision under a contract (see the module docstring).

    Attributes:
        train: the hold-up NPV is non-negative.
        investment: the closed form's appraisal.
        margin_gain: ``m``, extra monthly contribution of a trained rep (USD).
        ramp_months: ``R``.
        quit_hazard: monthly ``q``.
        churn_hazard: monthly ``h`` after the guaranteed months.
        guaranteed_months: ``G``.
        window_gain: extra contribution of a trained hire over ``evaluation_weeks`` less the
            training cost (the model's outsourcer's own criterion; survival-weighted, ramp
            weeks count zero gain).
        untrained: the reps' best response at ``skill_initial``.
        trained: the reps' best response at the trained skill.
    """

    train: bool
    investment: TrainingInvestment
    margin_gain: float
    ramp_months: int
    quit_hazard: float
    churn_hazard: float
    guaranteed_months: int
    window_gain: float
    untrained: BestResponse
    trained: BestResponse


def _monthly(weekly_hazard: float) -> float:
    return 1.0 - (1.0 - min(max(weekly_hazard, 0.0), 1.0)) ** WEEKS_PER_MONTH


def training_decision(
    scenario: Scenario,
    *,
    delta: float = 0.99,
    share: float = 1.0,
    churn_hazard: float | None = None,
) -> TrainingDecision:
    """Train iff the hold-up NPV with the model's primitives is non-negative.

    Args:
        scenario: Contract, pay plan and primitives.
        delta: Monthly discount factor.
        share: The outsourcer's share of the training surplus after renegotiation (1: none lost).
        churn_hazard: Monthly client churn hazard after the guaranteed months; default from
            :func:`review_termination_probability` at the trained best response.

    Returns:
        The decision with its inputs.
    """
    rep, out = scenario.rep, scenario.outsourcer
    untrained = best_response(scenario, skill=rep.skill_initial)
    trained = best_response(scenario, skill=min(1.0, rep.skill_initial + rep.training_gain))
    gain_week = trained.row["outsourcer_contribution"] - untrained.row["outsourcer_contribution"]
    if scenario.switches.attrition:
        weekly = 1.0 - (1.0 - rep.attrition_annual) ** (1.0 / 52.0)
        pay_month = scenario.pay.base_salary + WEEKS_PER_MONTH * trained.row["variable_pay"]
        if pay_month < rep.outside_option:
            weekly += rep.quit_hazard_below
    else:
        weekly = 0.0
    q = _monthly(weekly)
    if churn_hazard is None:
        p_review = review_termination_probability(scenario, trained)
        reviews_per_month = WEEKS_PER_MONTH / scenario.client.review_weeks
        churn_hazard = 1.0 - (1.0 - p_review) ** reviews_per_month
    guaranteed = round(scenario.contract.minimum_term + scenario.contract.notice_period)
    ramp = round(out.ramp_weeks / WEEKS_PER_MONTH)
    investment = training_npv(
        out.training_cost,
        gain_week * WEEKS_PER_MONTH,
        ramp,
        delta,
        q,
        min(max(churn_hazard, 0.0), 1.0),
        share=share,
        guaranteed_months=guaranteed,
    )
    survive = 1.0 - weekly
    window = sum(survive**w for w in range(out.ramp_weeks, out.evaluation_weeks))
    return TrainingDecision(
        train=investment.invest,
        investment=investment,
        margin_gain=gain_week * WEEKS_PER_MONTH,
        ramp_months=ramp,
        quit_hazard=q,
        churn_hazard=float(churn_hazard),
        guaranteed_months=guaranteed,
        window_gain=gain_week * window - out.training_cost,
        untrained=untrained,
        trained=trained,
    )


@dataclass(frozen=True)
class ContractGame:
    """The one-shot contract game's solution.

    Attributes:
        table: one row per contract of the grid (see :func:`solve_contract_game`).
        best: row of the client's best feasible contract (None if none is feasible).
    """

    table: pl.DataFrame
    best: int | None

    @property
    def best_row(self) -> dict[str, Any] | None:
        """The client's best contract's row."""
        return None if self.best is None else self.table.row(self.best, named=True)


def solve_contract_game(
    scenario: Scenario,
    grid: Sequence[tuple[str, float, float]] | None = None,
    *,
    delta: float = 0.99,
    share: float = 1.0,
) -> ContractGame:
    """Evaluate every contract of the grid and find the client's best.

    Args:
        scenario: Base scenario (its own contract and pay plan are replaced per grid point).
        grid: ``(preset, scale, audit_rate)`` triples; default :func:`contract_grid`.
        delta: Monthly discount factor of the training decision.
        share: Outsourcer's surplus share in the training decision.

    Returns:
        The table (per rep and week: client profit, payments, AE cost; outsourcer profit net of
        amortised training; the reps' best response, bookings, junk share, revenue; training
        decision and NPV; monthly rep pay and whether it reaches the outside option;
        ``feasible`` = outsourcer profit >= 0) and the client's best feasible row.
    """
    grid = contract_grid() if grid is None else grid
    rows: list[dict[str, Any]] = []
    for preset, scale, audit in grid:
        sc = pass_through(scenario, preset, scale, audit)
        decision = training_decision(sc, delta=delta, share=share)
        br = decision.trained if decision.train else decision.untrained
        r = br.row
        inv = decision.investment
        rho = inv.survival
        amortised = sc.outsourcer.training_cost * (1.0 - rho) / WEEKS_PER_MONTH
        training = amortised if decision.train else 0.0
        rep_pay = sc.pay.base_salary + WEEKS_PER_MONTH * r["variable_pay"]
        rows.append(
            {
                "preset": preset,
                "scale": float(scale),
                "audit_rate": float(audit),
                "fixed_fee": sc.contract.fixed_fee,
                "price_per_appointment": sc.contract.price_per_appointment,
                "commission": sc.contract.commission,
                "pay_bonus": sc.pay.bonus_per_appointment,
                "pay_commission": sc.pay.commission,
                "train": decision.train,
                "training_npv": inv.npv,
                "window_gain": decision.window_gain,
                "skill": br.skill,
                "effort": br.effort,
                "threshold": br.threshold,
                "pressure": br.pressure,
                "booked": r["booked"],
                "junk_share": r["junk_share"],
                "held": r["held"],
                "revenue": r["revenue"],
                "client_payment": r["client_payment"],
                "ae_cost": r["ae_cost"],
                "client_profit": r["client_profit"],
                "outsourcer_profit": r["outsourcer_contribution"] - training,
                "rep_pay_month": rep_pay,
                "rep_participates": rep_pay >= sc.rep.outside_option,
                "churn_hazard": decision.churn_hazard,
            }
        )
    table = pl.DataFrame(rows).with_columns(feasible=pl.col("outsourcer_profit") >= 0)
    feasible = table.with_row_index("row").filter(pl.col("feasible"))
    best = None
    if len(feasible):
        best = int(feasible.sort(["client_profit", "row"], descending=[True, False])["row"][0])
    return ContractGame(table=table, best=best)
