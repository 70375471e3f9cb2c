"""The kernels' argument bundles: named tuples that numba compiles like plain arguments.

A kernel takes its arrays by name (``prospects.fit``, ``reps.threshold``), so two arrays of one
dtype cannot be swapped by position. Bundles hold references, not copies: a kernel that writes a
market column (``prospects.status``) writes the market's own array.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Prospects(NamedTuple):
    """The market's columns, one row per prospect (see :class:`sales_abm.market.Market`)."""

    fit: np.ndarray  # float64: true probability of buying after a proper meeting
    deal_value: np.ndarray  # float64: revenue if the prospect buys (USD)
    receptivity: np.ndarray  # float64, written: current chance-weight of taking a call
    base_receptivity: np.ndarray  # float64: the receptivity a prospect returns to when left alone
    status: np.ndarray  # int8, written: a Status code
    until: np.ndarray  # int32, written: week a cooling, burned or cycle status ends
    booked_by: np.ndarray  # int32, written: rep slot of the booked meeting
    booked_hire: np.ndarray  # int64, written: hire id of that rep
    booked_week: np.ndarray  # int32, written: week the meeting was booked
    booked_pressure: np.ndarray  # float64, written: the booking rep's pressure
    won: np.ndarray  # bool, written: whether the opportunity will close
    answer: np.ndarray  # float64: learned propensity to take a cold call, in [0, 1]
    accept: np.ndarray  # float64: learned propensity to accept a meeting, in [0, 1]


class RepColumns(NamedTuple):
    """The reps' strategies for the week, one entry per rep slot."""

    planned: np.ndarray  # int: call-times budgeted
    threshold: np.ndarray  # float64: lowest perceived fit the rep proposes to
    pressure: np.ndarray  # float64: push to agree
    noise_sd: np.ndarray  # float64: SD of the rep's perception of fit
    craft: np.ndarray  # float64: multiplier of the agreement probability
    hire_id: np.ndarray  # int64: the hire holding the slot


class Funnel(NamedTuple):
    """The market's scalar parameters the call and meeting kernels use."""

    connect_scale: float  # connect probability per unit of receptivity
    agree_scale: float  # agreement probability at the mean receptivity, before pressure
    receptivity_scale: float  # receptivity that agree_scale refers to
    pressure_agree_gain: float
    qualification_bar: float  # fit below which an appointment is junk
    cooldown_weeks: int
    burn: bool  # pressure and junk meetings annoy prospects
    pressure_annoyance: float
    propensity_scale: float  # 1 / the prior propensity: scales answer and accept to chances


class MeetingRules(NamedTuple):
    """The market's parameters and switches the meetings kernel uses."""

    show_max: float  # P(show) of a perfect fit, no pressure
    pressure_show_loss: float  # P(show) falls by this share at full pressure
    show_fit_floor: float  # P(show) of a zero fit relative to a perfect one
    cycle_min_weeks: int
    cycle_max_weeks: int
    cooldown_weeks: int  # rest after a meeting that opened no opportunity
    qualification_bar: float  # fit below which a meeting is junk
    burn: bool  # junk meetings annoy and may burn prospects
    annoyance: float  # share of receptivity a junk meeting costs its prospect
    burn_probability: float
    burn_weeks: int
    neighbours_annoyed: bool  # a junk meeting's neighbours lose receptivity (word of mouth)
    word_of_mouth_factor: np.ndarray  # float64: their receptivity's factor, by junk neighbours
    prospect_learning: bool  # meetings teach prospects whether to answer and accept
    experience_rate: float
    social_learning_on: bool  # neighbours learn from the meetings they hear of
    social_learning: float


class Csr(NamedTuple):
    """A graph's neighbour lists (CSR): node i's are ``indices[indptr[i]:indptr[i + 1]]``."""

    indptr: np.ndarray  # int64, one more than the nodes
    indices: np.ndarray  # int64


class Owners(NamedTuple):
    """Who owns an event: the current hire of each slot, and the contract holder's first hire."""

    current_hires: np.ndarray  # int64: hire id holding each slot
    epoch_start: int  # first hire id of the current contract holder
    n_reps: int


class Entrants(NamedTuple):
    """How a new prospect is drawn (see :func:`~.recovery.draw_prospects`), and the
    propensities it starts with."""

    good_fit_share: float  # chance a new prospect is a good fit
    good_fit_alpha: float  # Beta shapes of a good fit's fit
    good_fit_beta: float
    poor_fit_alpha: float  # Beta shapes of a poor fit's fit
    poor_fit_beta: float
    deal_value_mu: float  # log-scale mean of the lognormal deal value
    deal_value_sigma: float  # log-scale SD of the deal value
    receptivity_alpha: float  # Beta shapes of the base receptivity
    receptivity_beta: float
    propensity_initial: float  # prior propensity to answer and to accept


class Renewal(NamedTuple):
    """The weekly rates at which the market recovers and renews itself."""

    recovery_rate: float  # share of the gap to the base receptivity recovered
    forgetting: float  # share of the gap to the prior propensity forgotten (0: none)
    entry_rate: float  # chance a customer's row is taken by a new prospect
    turnover_rate: float  # share of the rows outside the funnel renewed (when switched on)


class RepBooks(NamedTuple):
    """The sales force's columns the learning phase reads and writes, one entry per rep slot
    (:class:`sales_abm.agents.SalesForce`'s own arrays, built once). The kernels of
    :mod:`.learning` take this and the bundles below as plain tuples, in field order."""

    employed: np.ndarray  # bool: a rep holds the slot
    effort_level: np.ndarray  # float64: calls a week of each effort level
    effort_action: np.ndarray  # int64: each slot's effort level
    threshold_level: np.ndarray  # float64: each threshold level's perceived fit
    threshold_action: np.ndarray  # int64
    pressure_level: np.ndarray  # float64: each pressure level's push
    pressure_action: np.ndarray  # int64
    skill: np.ndarray  # float64, written
    tenure: np.ndarray  # int64, written: weeks worked
    ramp_left: np.ndarray  # int64, written: training weeks left
    earnings: np.ndarray  # float64, written: trailing average weekly pay
    payoff_sum: np.ndarray  # float64, written: learning payoff since the period began
    payoff_weeks: np.ndarray  # int64, written: weeks in that sum


class Evaluations(NamedTuple):
    """The outsourcer's open evaluation windows by slot (:class:`sales_abm.agents.Outsourcer`)."""

    open: np.ndarray  # bool
    start: np.ndarray  # int64: week the window opened
    contribution: np.ndarray  # float64, written: contribution summed over the window


class LedgerArrays(NamedTuple):
    """The credit ledger's ring of weeks and queue of periods
    (:class:`sales_abm.credit.CreditLedger`)."""

    week: np.ndarray  # int64: the week each row holds (-1: none)
    open: np.ndarray  # bool: that week's period not yet learned from
    payoff: np.ndarray  # float64 (depth, n): learning payoff credited
    present: np.ndarray  # bool (depth, n): the slot's hire played that week
    actions: np.ndarray  # int64 (dimensions, depth, n): the levels played
    pending: np.ndarray  # int64 (depth, 3): queued periods' first week, last week, week due
    n_pending: np.ndarray  # int64 (1,): how many periods are queued
