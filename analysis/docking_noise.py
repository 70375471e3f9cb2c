"""Roth–Erev learners on the static benchmark's own payoffs, with the funnel's weekly noise.

The Roth–Erev mean-field rest point (:func:`sales_abm.theory.best_response.roth_erev_mean_field`)
is where the learners' *expected* motion stops: it feeds each learner the expected payoff of
every action and has no memory length. A rep's learners see one noisy week at a time and forget
``learning.forgetting`` of their propensities per update (a memory of about ``1 / phi`` weeks),
starting from uniform propensities. Where a dimension's actions pay nearly alike, that noise
keeps the choice probabilities spread and their average sits nearer uniform than the rest point.

This module measures that without the market: it runs the model's Roth–Erev rule (one learner
per strategy dimension, one shared payoff, clipped at 0, same parameters and initial
propensities) on the benchmark's payoff table (:func:`sales_abm.theory.best_response.
strategy_table`) for the same number of weeks as the agent model. Each week a learner's
strategy draws its paid events as counts: qualified and unqualified bookings Poisson with the
table's means, meetings held from them binomially, deals won Poisson with log-normal values; the
pay plan pays them in expectation over its audit (:func:`sales_abm.contracts.expected_payment`).
With ``noise=False`` every week pays its expected payoff, so the only noise left is the
learners' own draws of actions. The result is the last quarter's mean level per dimension: the
benchmark a learned level is compared with once the noise of learning is allowed for.

What it leaves out, as the mean field does: the model's market (depletion, skill growth during
the run, the pace at which skill speeds calls) and the week's delay before pay on held meetings
reaches the learner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sales_abm.contracts import Terms, expected_payment
from sales_abm.scenario import Scenario
from sales_abm.strategy import STRATEGY_DIMENSIONS, strategy_levels
from sales_abm.theory.best_response import allowed_actions, strategy_table


@dataclass(frozen=True)
class _Table:
    """Per strategy cell (effort x threshold x pressure): the weekly event means and costs."""

    booked_good: np.ndarray
    booked_junk: np.ndarray
    show_good: np.ndarray
    show_junk: np.ndarray
    won: np.ndarray
    effort_cost: np.ndarray
    expected: np.ndarray


def _table(scenario: Scenario, skill: float) -> _Table:
    table = strategy_table(scenario, skill)
    shape = tuple(strategy_levels(scenario)[d].size for d in STRATEGY_DIMENSIONS)

    def col(name: str) -> np.ndarray:
        return table[name].to_numpy().reshape(shape)

    good, junk = col("booked") - col("booked_junk"), col("booked_junk")
    held_good = col("held") - col("held_junk")
    with np.errstate(divide="ignore", invalid="ignore"):
        show_good = np.where(good > 0, held_good / good, 0.0)
        show_junk = np.where(junk > 0, col("held_junk") / junk, 0.0)
    return _Table(good, junk, np.clip(show_good, 0, 1), np.clip(show_junk, 0, 1),
                  col("revenue") / scenario.market.deal_value_mean, col("effort_cost"),
                  col("learning_payoff"))


def _weekly_payoff(scenario: Scenario, t: _Table, cell: tuple[np.ndarray, ...],
                   rng: np.random.Generator) -> np.ndarray:
    """One noisy week's learning payoff (before clipping) for each learner's strategy cell."""
    m, learning = scenario.market, scenario.learning
    good = rng.poisson(t.booked_good[cell])
    junk = rng.poisson(t.booked_junk[cell])
    held_good = rng.binomial(good, t.show_good[cell])
    held_junk = rng.binomial(junk, t.show_junk[cell])
    terms = Terms.from_pay_plan(scenario.pay)
    revenue = np.zeros(good.size)
    if terms.commission > 0:
        won = rng.poisson(t.won[cell])
        sigma = m.deal_value_sigma
        values = rng.lognormal(np.log(m.deal_value_mean) - sigma**2 / 2, sigma, int(won.sum()))
        revenue = np.bincount(np.repeat(np.arange(won.size), won), values, minlength=won.size)
    pay = expected_payment(terms, good + junk, junk, held_good + held_junk, held_junk, revenue)
    variable = pay.appointments - pay.clawbacks + pay.commission
    return (variable - t.effort_cost[cell] + learning.payoff_shift) / learning.payoff_scale


def simulate_learners(scenario: Scenario, skill: float, seed: int, learners: int, weeks: int,
                      last: int, *, noise: bool = True) -> dict[str, float]:
    """Mean level per dimension over the last ``last`` weeks of ``learners`` simulated reps.

    Args:
        scenario: Primitives, pay plan and learning parameters (``learning.rule`` must be
            ``roth_erev``).
        skill: The skill the payoff table is computed at.
        seed: Seeds this simulation's generator (its draws are its own, not the model's).
        learners: Reps simulated, each with one learner per strategy dimension.
        weeks: Weekly updates, from the rule's initial propensities.
        last: Weeks at the end over which the chosen levels are averaged.
        noise: False feeds every week its expected payoff (only the action draws are random).

    Returns:
        ``{dimension: mean level}``.
    """
    if scenario.learning.rule != "roth_erev":
        raise ValueError(f"simulated learners are Roth–Erev, not {scenario.learning.rule}")
    params = scenario.learning.rule_params()
    phi, eps = params["forgetting"], params["experimentation"]
    t = _table(scenario, skill)
    levels, allowed = strategy_levels(scenario), allowed_actions(scenario)
    rng = np.random.default_rng(seed)
    q = {d: np.zeros((learners, levels[d].size)) for d in STRATEGY_DIMENSIONS}
    for d in STRATEGY_DIMENSIONS:
        q[d][:, allowed[d]] = params["initial_propensity"] / allowed[d].size
    rows = np.arange(learners)
    totals = dict.fromkeys(STRATEGY_DIMENSIONS, 0.0)
    for week in range(weeks):
        action = {d: _draw(q[d], rng) for d in STRATEGY_DIMENSIONS}
        cell = tuple(action[d] for d in STRATEGY_DIMENSIONS)
        payoff = _weekly_payoff(scenario, t, cell, rng) if noise else t.expected[cell]
        payoff = np.maximum(payoff, 0.0)  # reinforcement rules clip at 0, as the model's
        for d in STRATEGY_DIMENSIONS:
            size = allowed[d].size
            if size > 1:
                reinforcement = np.zeros_like(q[d])
                reinforcement[:, allowed[d]] = eps / (size - 1) * payoff[:, None]
                reinforcement[rows, action[d]] = (1 - eps) * payoff
                q[d] = (1 - phi) * q[d] + reinforcement
        if week >= weeks - last:
            for d in STRATEGY_DIMENSIONS:
                totals[d] += float(levels[d][action[d]].mean())
    return {d: totals[d] / min(last, weeks) for d in STRATEGY_DIMENSIONS}


def _draw(q: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One action per row with probability ``q_j / sum(q)``."""
    cumulative = np.cumsum(q, axis=1)
    u = rng.random(q.shape[0]) * cumulative[:, -1]
    return np.minimum((cumulative <= u[:, None]).sum(axis=1), q.shape[1] - 1)
