"""The reps' week ahead: strategies drawn from the learners' probabilities, and the columns the
calls read (calls planned, perception noise, craft), each in one pass and bit for bit as the
numpy expressions they replace."""

from __future__ import annotations

import numpy as np
from numba import njit

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
def planned_calls(effort_levels, effort, skill, ramp_left, hire_id, capacity_loss,
                  call_speed_gain):  # pragma: no cover - compiled
    """Calls each slot makes: ``round(working effort x (1 + call_speed_gain x (skill - 1/2)))``,
    0 when vacant; a trainee's effort loses ``capacity_loss`` (see ``SalesForce.planned_calls``).
    """
    out = np.empty(hire_id.size, dtype=np.int64)
    for i in range(hire_id.size):
        effort_i = working_effort(effort_levels[effort[i]], ramp_left[i], capacity_loss)
        working = effort_i if hire_id[i] >= 0 else 0.0
        out[i] = np.int64(np.rint(working * (1 + call_speed_gain * (skill[i] - 0.5))))
    return out


@njit(cache=True, nogil=True)
def noise_sd(skill, noise_max, noise_min):  # pragma: no cover - compiled
    """SD of each slot's signal of fit: ``noise_max - (noise_max - noise_min) x skill``."""
    out = np.empty(skill.size)
    spread = noise_max - noise_min
    for i in range(skill.size):
        out[i] = noise_max - spread * skill[i]
    return out


@njit(cache=True, nogil=True)
def craft(skill, craft_gain):  # pragma: no cover - compiled
    """Each slot's multiplier of the agreement probability: ``1 + craft_gain x (skill - 1/2)``."""
    out = np.empty(skill.size)
    for i in range(skill.size):
        out[i] = 1 + craft_gain * (skill[i] - 0.5)
    return out
