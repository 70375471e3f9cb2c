"""The end-of-week pass over the market: rests and burns end, receptivity recovers, propensities
fade, and new prospects take the rows of customers and of prospects outside the funnel.

The draws move in here from the Python code that made them, in the same order and sizes (but
for the entrants' fits: since model version 8 each draws its own class's Beta only): numba
compiles ``numpy.random.Generator`` methods with numpy's algorithms, a sized draw gives the same
numbers as as many scalar draws (checked for ``random``, ``beta``, ``lognormal`` and
``binomial``; the Betas are drawn by numpy's sampler, ported below with its shape constants
computed once per batch), and :func:`~.draws.sample_rows` is numpy's ``choice`` without
replacement. The streams come in as handles (:mod:`.streams`), which cost a call almost nothing.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.np.random.distributions import random_standard_exponential, random_standard_normal
from numba.np.random.generator_core import next_double

from sales_abm.kernels.bundles import Entrants, Prospects, Renewal
from sales_abm.kernels.draws import sample_rows
from sales_abm.kernels.status import (
    AVAILABLE,
    BOOKED,
    BURNED,
    COOLING,
    CUSTOMER,
    CYCLE,
    counts_array,
)
from sales_abm.kernels.streams import generator_from


@njit(cache=True, nogil=True)
def advance_market(columns, rules, week, market_stream, entry_stream,
                   turn_over):  # pragma: no cover - compiled
    """The market's end of the week (:meth:`sales_abm.market.Market.advance`), in one call.

    In order: rests and burns due by next week end; receptivity drifts back to its base;
    propensities drift back to the prior (``renewal.forgetting > 0``);
    customers leave at ``renewal.entry_rate``, their rows drawn from ``rng`` and renewed with
    its draws; with ``turn_over``, the rows outside the funnel (available, resting or burned)
    turn over at ``renewal.turnover_rate``, drawn and renewed from ``entry_rng``.

    Args:
        columns: the market's columns (the fields of :class:`~.bundles.Prospects`, as a plain
            tuple: numba types a plain tuple in C, a named one in Python, microseconds a call),
            written in place.
        rules: how new prospects are drawn (the fields of :class:`~.bundles.Entrants`) and the
            rates of the week's renewal (of :class:`~.bundles.Renewal`), as plain tuples.
        week: the current week.
        market_stream: the market's stream (customers leaving, and their successors), as a
            handle (:func:`~.streams.stream_handle`).
        entry_stream: the entry stream's handle (turnover and its entrants); unused without
            ``turn_over``.
        turn_over: whether prospects outside the funnel turn over.

    Returns:
        How many rows are in each status afterwards.
    """
    prospects = Prospects(*columns)
    entrants, renewal = Entrants(*rules[0]), Renewal(*rules[1])
    rng = generator_from(market_stream)
    status = prospects.status
    counts = _recover(prospects, week, renewal.recovery_rate, entrants.propensity_initial,
                      renewal.forgetting)
    leaving = rng.binomial(counts[CUSTOMER], renewal.entry_rate)
    if leaving:
        rows = sample_rows(rng, _customers(status), leaving)
        rows.sort()
        renew_rows(prospects, entrants, rows, rng)
        counts[CUSTOMER] -= leaving
        counts[AVAILABLE] += leaving
    if turn_over:
        entry_rng = generator_from(entry_stream)
        eligible = counts[AVAILABLE] + counts[COOLING] + counts[BURNED]
        k = entry_rng.binomial(eligible, renewal.turnover_rate)
        if k:
            rows = sample_rows(entry_rng, _rows_outside_funnel(status), k)
            rows.sort()
            for row in rows:
                counts[status[row]] -= 1
            counts[AVAILABLE] += k
            renew_rows(prospects, entrants, rows, entry_rng)
    return counts


@njit(cache=True, nogil=True)
def _recover(prospects, week, recovery_rate, prior, forgetting):  # pragma: no cover - compiled
    """One pass over the rows: the rests and burns due by next week end, receptivity drifts
    back to its base (``rec + (base - rec) * recovery_rate``) and, with ``forgetting > 0``, the
    propensities back to the prior (``q + (prior - q) * forgetting``), as numpy evaluated them.

    Branch-free, with the status counts in registers (a histogram in memory would chain every
    row's increment to the previous row's); one pass reads each column once. Returns how many
    rows are in each status afterwards.
    """
    status, until = prospects.status, prospects.until
    receptivity, base = prospects.receptivity, prospects.base_receptivity
    answer, accept = prospects.answer, prospects.accept
    forget = forgetting > 0
    available = cooling = booked = cycle = customer = burned = 0
    for row in range(status.size):
        st = status[row]
        due = ((st == COOLING) | (st == BURNED)) & (until[row] <= week + 1)
        st = AVAILABLE if due else st
        status[row] = st
        available += st == AVAILABLE
        cooling += st == COOLING
        booked += st == BOOKED
        cycle += st == CYCLE
        customer += st == CUSTOMER
        burned += st == BURNED
        rec = receptivity[row]
        receptivity[row] = rec + (base[row] - rec) * recovery_rate
        if forget:
            q = answer[row]
            answer[row] = q + (prior - q) * forgetting
            q = accept[row]
            accept[row] = q + (prior - q) * forgetting
    return counts_array(available, cooling, booked, cycle, customer, burned)


@njit(cache=True, nogil=True)
def _customers(status):  # pragma: no cover - compiled
    """The customers' rows, ascending. Customers are few: a branch that is rarely taken costs
    less than writing every row as :func:`~.status.rows_with_status` does (half as much)."""
    out = np.empty(status.size, dtype=np.int64)
    k = 0
    for row in range(status.size):
        if status[row] == CUSTOMER:
            out[k] = row
            k += 1
    return out[:k]


@njit(cache=True, nogil=True)
def _rows_outside_funnel(status):  # pragma: no cover - compiled
    """The rows available, resting or burned (neither booked, in a sales cycle nor a customer),
    ascending: the prospects exogenous entry may replace."""
    out = np.empty(status.size, dtype=np.int64)
    k = 0
    for row in range(status.size):  # branch-free: every row is written (k <= row), kept or not
        st = status[row]
        out[k] = row
        k += (st < BOOKED) | (st > CUSTOMER)  # available, cooling, or burned (see the codes)
    return out[:k]


@njit(cache=True, nogil=True)
def renew_rows(prospects, entrants, rows, rng):  # pragma: no cover - compiled
    """New prospects take these rows: drawn (:func:`draw_prospects`), available, at their base
    receptivity, with the prior propensities and no history."""
    fit, deal_value, base_receptivity = _draw(entrants, rows.size, rng)
    prior = entrants.propensity_initial
    for i in range(rows.size):  # every column of a row at once: the rows are scattered
        row = rows[i]
        prospects.fit[row] = fit[i]
        prospects.deal_value[row] = deal_value[i]
        prospects.base_receptivity[row] = base_receptivity[i]
        prospects.receptivity[row] = base_receptivity[i]
        prospects.answer[row] = prior
        prospects.accept[row] = prior
        prospects.status[row] = AVAILABLE
        prospects.until[row] = 0
        prospects.won[row] = False


@njit(cache=True, nogil=True)
def draw_prospects(prospects, entrants, rows, rng):  # pragma: no cover - compiled
    """Draw the fit, deal value and base receptivity of the prospects in these rows."""
    fit, deal_value, base_receptivity = _draw(entrants, rows.size, rng)
    for i in range(rows.size):
        row = rows[i]
        prospects.fit[row] = fit[i]
        prospects.deal_value[row] = deal_value[i]
        prospects.base_receptivity[row] = base_receptivity[i]


@njit(cache=True, nogil=True)
def _draw(entrants, k, rng):  # pragma: no cover - compiled
    """The fit, deal value and base receptivity of ``k`` new prospects.

    A share ``good_fit_share`` are good fits, Beta(good_fit_alpha, good_fit_beta), the others
    Beta(poor_fit_alpha, poor_fit_beta); deal values are lognormal; base receptivity is
    Beta(receptivity_alpha, receptivity_beta). The draws, in order: the k class uniforms, each
    entrant's fit from its own class's Beta only (in entrant order), the k deal values, the k
    receptivities. (Before model version 8 every entrant drew both Betas, as ``np.where`` of two
    sized draws did: the same law, another draw.) Drawn into arrays of their own, and written to
    the market's rows after: a write to a scattered row that misses the cache would stall the
    draws.
    """
    e = entrants
    bitgen = rng.bit_generator
    good_fit = _beta_constants(e.good_fit_alpha, e.good_fit_beta)
    poor_fit = _beta_constants(e.poor_fit_alpha, e.poor_fit_beta)
    receptivity = _beta_constants(e.receptivity_alpha, e.receptivity_beta)
    good = np.empty(k, dtype=np.bool_)
    for i in range(k):
        good[i] = rng.random() < e.good_fit_share
    fit = np.empty(k)
    for i in range(k):
        fit[i] = _beta(bitgen, good_fit if good[i] else poor_fit)
    deal_value = np.empty(k)
    for i in range(k):
        deal_value[i] = rng.lognormal(e.deal_value_mu, e.deal_value_sigma)
    base_receptivity = np.empty(k)
    for i in range(k):
        base_receptivity[i] = _beta(bitgen, receptivity)
    return fit, deal_value, base_receptivity


# numpy's Beta and standard gamma samplers (numba's port of them, numba.np.random.distributions),
# with the constants that depend only on the shapes computed once per batch of draws instead of
# once per draw: the same operations on the same values, so the same bits, a quarter faster.


@njit(cache=True, nogil=True)
def _gamma_constants(shape):  # pragma: no cover - compiled
    """What :func:`_standard_gamma` needs of a shape: it, 1 / it, and Marsaglia–Tsang's b, c."""
    b = shape - 1.0 / 3.0
    c = 1.0 / np.sqrt(9 * b) if shape > 1.0 else 0.0
    return shape, 1.0 / shape if shape > 0.0 else 0.0, b, c


@njit(cache=True, nogil=True)
def _beta_constants(a, b):  # pragma: no cover - compiled
    """What :func:`_beta` needs of Beta(a, b)."""
    return a, b, _gamma_constants(a), _gamma_constants(b)


@njit(cache=True, nogil=True)
def _beta(bitgen, constants):  # pragma: no cover - compiled
    """numpy's ``random_beta``: Johnk's algorithm when both shapes are at most 1, else the
    ratio of two standard gammas."""
    a, b, gamma_a, gamma_b = constants
    if a <= 1.0 and b <= 1.0:
        while 1:
            U = next_double(bitgen)
            V = next_double(bitgen)
            X = pow(U, gamma_a[1])
            Y = pow(V, gamma_b[1])
            XpY = X + Y
            if XpY <= 1.0 and XpY > 0.0:
                if X + Y > 0:
                    return X / XpY
                logX = np.log(U) / a
                logY = np.log(V) / b
                logM = min(logX, logY)
                logX -= logM
                logY -= logM
                return np.exp(logX - np.log(np.exp(logX) + np.exp(logY)))
    Ga = _standard_gamma(bitgen, gamma_a)
    Gb = _standard_gamma(bitgen, gamma_b)
    return Ga / (Ga + Gb)


@njit(cache=True, nogil=True)
def _standard_gamma(bitgen, constants):  # pragma: no cover - compiled
    """numpy's ``random_standard_gamma`` (Marsaglia–Tsang above shape 1)."""
    shape, inverse, b, c = constants
    if shape == 1.0:
        return random_standard_exponential(bitgen)
    if shape == 0.0:
        return 0.0
    if shape < 1.0:
        while 1:
            U = next_double(bitgen)
            V = random_standard_exponential(bitgen)
            if 1.0 - shape >= U:
                X = pow(U, inverse)
                if X <= V:
                    return X
            else:
                Y = -np.log((1 - U) / shape)
                X = pow(1.0 - shape + shape * Y, inverse)
                if X <= (V + Y):
                    return X
    while 1:
        while 1:
            X = random_standard_normal(bitgen)
            V = 1.0 + c * X
            if V > 0.0:
                break
        V = V * V * V
        U = next_double(bitgen)
        if U < 1.0 - 0.0331 * (X * X) * (X * X):
            return b * V
        if np.log(U) < 0.5 * X * X + b * (1.0 - V + np.log(V)):
            return b * V
