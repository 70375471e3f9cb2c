"""The reps' week ahead: strategies drawn from the learners' probabilities, and the columns the
calls read (calls planned, strategy levels, perception noise, craft), each in one pass and bit for
bit as the numpy expressions they replace."""

from __future__ import annotations

import numpy as np
from numba import njit

from sales_abm.kernels.bundles import RepBooks
from sales_abm.kernels.recording import pairwise_sum


@njit(cache=True, nogil=True)
def sample_actions(probs, uniforms, rows, actions):  # pragma: no cover - compiled
    """``actions[d][rows] = sample_rows(probs[d], rng)[rows]`` for each learned dimension ``d``,
    given the uniforms of all those draws (``uniforms[d * n:(d + 1) * n]`` for dimension ``d``,
    as consecutive ``rng.random(n)`` calls give them).

    :func:`sales_abm.learning.base.sample_rows`: the row's cumulative sums (sequential, as
    ``np.cumsum``), the uniform scaled by their total, and the count of the cumulative sums
    below the last that it reaches.
    """
    for d in range(len(probs)):
        p = probs[d]
        n, m = p.shape
        cum = np.empty(m)
        for row in rows:
            cum[0] = p[row, 0]
            for j in range(1, m):
                cum[j] = cum[j - 1] + p[row, j]
            actions[d][row] = _reached(cum, uniforms[d * n + row] * cum[m - 1])


@njit(cache=True, nogil=True)
def sample_proportional(propensities, uniforms, rows, actions):  # pragma: no cover - compiled
    """:func:`sample_actions` where each dimension's probabilities are its propensities over
    their row's sum (Roth–Erev's ``q / q.sum(axis=1, keepdims=True)``, the sum numpy's pairwise
    one), computed for the chosen rows only: the same numbers without the probability arrays."""
    for d in range(len(propensities)):
        q = propensities[d]
        n, m = q.shape
        cum = np.empty(m)
        for row in rows:
            total = pairwise_sum(q[row], 0, m)
            cum[0] = q[row, 0] / total
            for j in range(1, m):
                cum[j] = cum[j - 1] + q[row, j] / total
            actions[d][row] = _reached(cum, uniforms[d * n + row] * cum[m - 1])


@njit(cache=True, nogil=True)
def _reached(cum, u):  # pragma: no cover - compiled
    """How many of the cumulative sums below the last ``u`` reaches (the action drawn)."""
    pick = 0
    for j in range(cum.size - 1):
        if cum[j] <= u:
            pick += 1
    return pick


@njit(cache=True, nogil=True)
def working_effort(effort, ramp_left, capacity_loss):  # pragma: no cover - compiled
    """A rep's effort it can spend calling: all of it, less ``capacity_loss`` of it while its
    training ramp lasts (``ramp_left > 0``)."""
    return effort * ((1 - capacity_loss) if ramp_left > 0 else 1.0)


@njit(cache=True, nogil=True)
def call_columns(books, capacity_loss, call_speed_gain, noise_max, noise_min,
                 craft_gain):  # pragma: no cover - compiled
    """The reps' columns the week's calls read, in one pass (see ``SalesForce.call_columns``).

    Args:
        books: the sales force's :class:`~.bundles.RepBooks`, as a plain tuple.
        capacity_loss: the share of a trainee's effort its ramp takes.
        call_speed_gain, noise_max, noise_min, craft_gain: the rep parameters of the formulas.

    Returns:
        Per slot: calls planned, ``round(working effort x (1 + call_speed_gain x (skill -
        1/2)))``, 0 when vacant (a trainee's effort loses ``capacity_loss``); the threshold's and
        the pressure's levels; the perception noise's SD, ``noise_max - (noise_max - noise_min)
        x skill``; and the craft, ``1 + craft_gain x (skill - 1/2)``. Each as numpy computed it.
    """
    b = RepBooks(*books)
    n = b.skill.size
    planned = np.empty(n, dtype=np.int64)
    threshold, pressure, noise_sd, craft = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    spread = noise_max - noise_min
    for i in range(n):
        skill = b.skill[i]
        effort = working_effort(b.effort_level[b.effort_action[i]], b.ramp_left[i], capacity_loss)
        working = effort if b.employed[i] else 0.0
        planned[i] = np.int64(np.rint(working * (1 + call_speed_gain * (skill - 0.5))))
        threshold[i] = b.threshold_level[b.threshold_action[i]]
        pressure[i] = b.pressure_level[b.pressure_action[i]]
        noise_sd[i] = noise_max - spread * skill
        craft[i] = 1 + craft_gain * (skill - 0.5)
    return planned, threshold, pressure, noise_sd, craft
