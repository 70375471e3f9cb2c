"""The learning phase of the week: pay booked to the reps' and the outsourcer's books, the credit
ledger's weeks and periods, Roth–Erev learning, quits, the outsourcer's design rows, a week of
skill growth, and the outsourcer's training appraisal: its fit's moments, their ridge solve,
and the appraisal's sums.

Each kernel is one pass over the rep slots replacing a chain of masked numpy updates
(:meth:`sales_abm.model.SalesModel._learn_and_leave`); the expressions are numpy's, in numpy's
order. Random draws stay with the caller (the quits' uniforms are drawn in Python and passed in).

The bundles (:class:`~sales_abm.kernels.bundles.RepBooks`, ``Evaluations``, ``LedgerArrays``)
arrive as plain tuples in their fields' order and are unpacked by position:
numba's dispatcher types a plain tuple in compiled code but a NamedTuple in Python, which cost
about 2 us a call warm and several times that in the week's cold caches (measured).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sales_abm.kernels.recording import pairwise_sum
from sales_abm.kernels.staffing import working_effort
from sales_abm.learning.roth_erev import reinforce


@njit(cache=True, nogil=True)
def learn_week(books, evaluations, pay, contract_total, overhead, training, week, rates, draw,
                decay, ledger, credit, events, learners):  # pragma: no cover - compiled
    """The reps' week after the money moved, in one pass over the slots.

    In order: each slot's contribution (contract income less pay, overhead and training) is
    added to its hire's open evaluation window; the reps' pay to their trailing earnings and
    their learning payoff (variable pay less effort's cost, shifted and scaled) to the period's
    sums; under earned credit the ledger's week is opened (:func:`open_ledger_week`), the
    week's commissions credited to the weeks that booked them (:func:`credit_events`), a period
    that ends without foregone estimates is queued (its sums restart) and, for Roth–Erev
    learners, the periods whose pay is all in are learned from (:func:`learn_due`); the quits
    are drawn (base hazard plus low trailing earnings); the employed reps' design rows are
    built for the outsourcer's books; and the reps who stay grow a week (those who quit are
    left as they were, as if they had left first).

    Args:
        books: :class:`~sales_abm.kernels.bundles.RepBooks` (as a tuple), written.
        evaluations: :class:`~sales_abm.kernels.bundles.Evaluations` (as a tuple), written.
        pay: the reps' settlement: ``(total, fixed, appointments, clawbacks, commission)``
            per slot (:class:`sales_abm.contracts.Settlement`).
        contract_total: the client's payment per owner bucket (the first ``n`` are the slots).
        overhead, training: the week's overhead and training cost per slot.
        week: the week ending.
        rates: ``(effort_cost, calls_max, payoff_shift, payoff_scale, earnings_alpha,
            evaluation_weeks, base_hazard, low_pay_hazard, low_pay, capacity_loss,
            skill_initial, tenure_learning, ramp_gain)``.
        draw: the attrition stream's uniform per slot (empty: attrition is off).
        decay: ``(1 - tenure_learning) ** t`` past the longest tenure, as numpy computes it.
        ledger: :class:`~sales_abm.kernels.bundles.LedgerArrays` (as a tuple), written.
        credit: ``(earned, paid_late, period_ends, start, lag, learn)``: whether the ledger is
            kept; whether pay on appointments (less clawbacks) belongs to last week's bookings;
            whether a period without foregone estimates ends now (it started in week
            ``start``, and its pay is all in ``lag`` weeks later); and whether this kernel
            learns from the due periods (Roth–Erev learners).
        events: ``(weeks, slots, amounts)`` of the week's commissions (learning payoff) by the
            week their deal was booked.
        learners: the Roth–Erev learners (:func:`learn_due`).

    Returns:
        Whether an evaluation window is full, the quitting slots, and the employed slots'
        design rows and contributions before training.
    """
    (employed, effort_level, effort_action, _, threshold_action, _, pressure_action, _, _, _,
     earnings, payoff_sum, payoff_weeks) = books
    window_open, window_start, window_contribution = evaluations
    total, fixed, appointments, clawbacks, commission = pay
    (effort_cost, calls_max, shift, scale, alpha, horizon, base_hazard, low_pay_hazard,
     low_pay, loss, skill_initial, tenure_learning, ramp_gain) = rates
    earned, paid_late, period_ends, start, lag, learn = credit
    n = employed.size
    contribution = np.empty(n)
    now = np.empty(n)
    late = np.empty(n)
    full = False
    for i in range(n):
        contribution[i] = ((contract_total[i] - total[i]) - overhead[i]) - training[i]
        if window_open[i]:
            window_contribution[i] += contribution[i]
            if week + 1 - window_start[i] >= horizon:
                full = True
        ratio = effort_level[effort_action[i]] / calls_max
        variable = total[i] - fixed[i]
        payoff = ((variable - effort_cost * (ratio * ratio)) + shift) / scale
        if employed[i]:
            earnings[i] += alpha * (total[i] - earnings[i])
            payoff_sum[i] += payoff
            payoff_weeks[i] += 1
        # Earned credit: what belongs to this week, and what to last week's bookings
        now[i] = payoff - commission[i] / scale
        if paid_late:
            late[i] = (appointments[i] - clawbacks[i]) / scale
            now[i] = now[i] - late[i]
    if earned:
        played = (effort_action, threshold_action, pressure_action)  # STRATEGY_DIMENSIONS
        open_ledger_week(ledger, week, played, employed, now, late, week - 1, paid_late)
        credit_events(ledger, *events)
    if period_ends:
        add_pending(ledger, start, week, week + lag)
        end_period_sums(books)
    if learn:
        learn_due(ledger, week, employed, learners)
    quits, x, y = _quits_and_design(books, draw, base_hazard, low_pay_hazard, low_pay,
                                    contribution, training, loss, decay, skill_initial)
    _grow(books, quits, tenure_learning, ramp_gain)
    return full, quits, x, y


@njit(cache=True, nogil=True)
def end_period_sums(books):  # pragma: no cover - compiled
    """A period ends: the employed slots with a week in it start their payoff sums afresh."""
    employed, payoff_sum, payoff_weeks = books[0], books[11], books[12]
    for i in range(employed.size):
        if employed[i] and payoff_weeks[i] > 0:
            payoff_sum[i] = 0.0
            payoff_weeks[i] = 0


@njit(cache=True, nogil=True)
def open_ledger_week(ledger, week, actions, present, now, late, late_week,
                     credit_late):  # pragma: no cover - compiled
    """The ledger's week: strategies and presence stored, ``now`` credited to this week and
    (``credit_late``) ``late`` to ``late_week`` if that week is still open (``CreditLedger``)."""
    weeks, is_open, payoff, was_present, played = ledger[:5]
    row = week % weeks.size
    weeks[row] = week
    is_open[row] = True
    for i in range(present.size):
        was_present[row, i] = present[i]
        payoff[row, i] = now[i] if present[i] else 0.0
        for d in range(len(actions)):
            played[d, row, i] = actions[d][i]
    if credit_late:
        credit_week(ledger, late_week, late)


@njit(cache=True, nogil=True)
def _open_row(ledger, week):  # pragma: no cover - compiled
    """The ring row holding ``week`` if it is still open, else -1."""
    weeks, is_open = ledger[0], ledger[1]
    row = week % weeks.size
    if week >= 0 and weeks[row] == week and is_open[row]:
        return row
    return -1


@njit(cache=True, nogil=True)
def credit_week(ledger, week, amount):  # pragma: no cover - compiled
    """Credit a payment per slot to the strategy played in ``week`` (if still open); a slot
    not present then gets ``+ 0.0``, as ``np.where(present, amount, 0.0)`` added."""
    payoff, present = ledger[2], ledger[3]
    row = _open_row(ledger, week)
    if row >= 0:
        for i in range(amount.size):
            payoff[row, i] += amount[i] if present[row, i] else 0.0


@njit(cache=True, nogil=True)
def credit_events(ledger, weeks, slots, amounts):  # pragma: no cover - compiled
    """Credit payments event by event, each to its slot in the week given (if still open)."""
    payoff, present = ledger[2], ledger[3]
    for e in range(weeks.size):
        row = _open_row(ledger, weeks[e])
        if row >= 0 and present[row, slots[e]]:
            payoff[row, slots[e]] += amounts[e]


@njit(cache=True, nogil=True)
def close_period(ledger, start, end):  # pragma: no cover - compiled
    """Close the open weeks ``start..end``: the mean payoff credited per slot over its weeks
    present, the slots present in the last week with a week in the period, and the levels
    played in the last week (a copy, by dimension).

    The totals are ``(payoff[rows] * present[rows]).sum(axis=0)``: numpy adds the rows in
    order from 0.0, except for a single slot, where the column is summed pairwise.
    """
    is_open, credited, present, played = ledger[1], ledger[2], ledger[3], ledger[4]
    depth, n = credited.shape
    rows = np.empty(depth, dtype=np.int64)
    m = 0
    for w in range(max(start, 0), end + 1):
        row = _open_row(ledger, w)
        if row >= 0:
            rows[m] = row
            m += 1
    weeks = np.zeros(n, dtype=np.int64)
    total = np.zeros(n)
    column = np.empty(m)
    for i in range(n):
        for k in range(m):
            weeks[i] += present[rows[k], i]
            column[k] = credited[rows[k], i] * (1.0 if present[rows[k], i] else 0.0)
            total[i] += column[k]
        if n == 1:
            total[i] = pairwise_sum(column, 0, m)
    for k in range(m):
        is_open[rows[k]] = False
    last = end % depth
    payoff = np.empty(n)
    active = np.empty(n, dtype=np.bool_)
    for i in range(n):
        payoff[i] = total[i] / max(weeks[i], 1)
        active[i] = present[last, i] and weeks[i] > 0
    return payoff, active, played[:, last, :].copy()


@njit(cache=True, nogil=True)
def add_pending(ledger, start, end, due):  # pragma: no cover - compiled
    """Queue the period ``start..end``, to be learned from at the end of week ``due``."""
    pending, n_pending = ledger[5], ledger[6]
    count = n_pending[0]
    if count == pending.shape[0]:
        raise ValueError("credit ledger: more periods pending than the ring holds")
    pending[count, 0] = start
    pending[count, 1] = end
    pending[count, 2] = due
    n_pending[0] = count + 1


@njit(cache=True, nogil=True)
def close_due(ledger, week):  # pragma: no cover - compiled
    """Close the queued periods whose pay is all in by the end of ``week``, oldest first.

    Returns:
        Per period: its last week, the mean payoff credited per slot, the slots active in it
        and the levels played in its last week (by dimension), all from :func:`close_period`.
    """
    played, pending, n_pending = ledger[4], ledger[5], ledger[6]
    count = n_pending[0]
    dimensions, _, n = played.shape
    order = np.empty(count, dtype=np.int64)
    m = 0
    for p in range(count):
        if pending[p, 2] <= week:  # insert in order of the period's end
            j = m
            while j > 0 and pending[order[j - 1], 1] > pending[p, 1]:
                order[j] = order[j - 1]
                j -= 1
            order[j] = p
            m += 1
    ends = np.empty(m, dtype=np.int64)
    payoffs = np.empty((m, n))
    active = np.empty((m, n), dtype=np.bool_)
    levels = np.empty((m, dimensions, n), dtype=np.int64)
    for j in range(m):
        p = order[j]
        ends[j] = pending[p, 1]
        payoffs[j], active[j], levels[j] = close_period(ledger, pending[p, 0], ends[j])
    kept = 0
    for p in range(count):
        if pending[p, 2] > week:
            pending[kept] = pending[p]
            kept += 1
    n_pending[0] = kept
    return ends, payoffs, active, levels


@njit(cache=True, nogil=True)
def learn_due(ledger, week, employed, learners):  # pragma: no cover - compiled
    """Roth–Erev learners learn from each period due (:func:`close_due`), oldest first: every
    learned dimension's propensities of the slots active in the period and still employed.

    Args:
        learners: ``(propensities, learned, keep, spillover, decay, modified, floor)``: each
            dimension's propensity matrix, whether it is learned (not fixed), its
            reinforcement of the chosen and of each other action, and the rule's constants
            (:func:`sales_abm.learning.roth_erev.reinforce`).
    """
    propensities, learned, keep, spillover, decay, modified, floor = learners
    _, payoffs, active, played = close_due(ledger, week)
    for j in range(payoffs.shape[0]):
        rows = active[j] & employed
        for d in range(len(propensities)):
            if learned[d]:
                reinforce(propensities[d], played[j, d], payoffs[j], rows, decay, keep[d],
                          spillover[d], modified, floor)


@njit(cache=True, nogil=True)
def _quits_and_design(books, draw, base_hazard, low_pay_hazard, low_pay, contribution,
                      training, loss, decay, skill_initial):  # pragma: no cover - compiled
    """The quitting slots, and the employed slots' design rows ``[1, n, n·threshold,
    n·pressure, n·u, n·(skill − u)]`` (``n``: the effort a slot can spend calling, the ramp
    taking ``loss`` of a trainee's, in hundreds of calls; ``u``: an untrained hire's skill at
    the slot's tenure) and contributions before training."""
    (employed, effort_level, effort_action, threshold_level, threshold_action, pressure_level,
     pressure_action, skill, tenure, ramp_left, earnings, _, _) = books
    n = employed.size
    k = 0
    for i in range(n):
        k += employed[i]
    x = np.empty((k, 6))
    y = np.empty(k)
    quits = np.empty(n, dtype=np.int64)
    q = 0
    r = 0
    for i in range(n):
        if not employed[i]:
            continue
        if draw.size:
            hazard = base_hazard + (low_pay_hazard if earnings[i] < low_pay else 0.0)
            if draw[i] < hazard:
                quits[q] = i
                q += 1
        calls = working_effort(effort_level[effort_action[i]], ramp_left[i], loss) / 100.0
        untrained = 1 - (1 - skill_initial) * decay[tenure[i]]
        x[r, 0] = 1.0
        x[r, 1] = calls
        x[r, 2] = calls * threshold_level[threshold_action[i]]
        x[r, 3] = calls * pressure_level[pressure_action[i]]
        x[r, 4] = calls * untrained
        x[r, 5] = calls * (skill[i] - untrained)
        y[r] = contribution[i] + training[i]
        r += 1
    return quits[:q], x, y


@njit(cache=True, nogil=True)
def _grow(books, quits, tenure_learning, ramp_gain):  # pragma: no cover - compiled
    """A week of work for the employed slots but ``quits`` (ascending): skill closes
    ``tenure_learning`` of its gap to 1 and grows by ``ramp_gain`` during the training ramp,
    staying in [0, 1]."""
    employed, skill, tenure, ramp_left = books[0], books[7], books[8], books[9]
    q = 0
    for i in range(employed.size):
        if q < quits.size and quits[q] == i:
            q += 1
            continue
        if not employed[i]:
            continue
        grown = skill[i] + tenure_learning * (1 - skill[i])
        if ramp_left[i] > 0:
            grown += ramp_gain
            ramp_left[i] -= 1
        skill[i] = min(max(grown, 0.0), 1.0)
        tenure[i] += 1


@njit(cache=True, nogil=True)
def strategy_means(books):  # pragma: no cover - compiled
    """The employed slots' mean effort, threshold and pressure (numpy's ``mean`` of each
    masked column), and how many slots are employed.

    Args:
        books: :class:`~sales_abm.kernels.bundles.RepBooks`' first seven fields (a plain tuple:
            the employed column and the three strategy dimensions' levels and actions), all
            the kernel reads: each array passed costs the dispatcher its unboxing.
    """
    (employed, effort_level, effort_action, threshold_level, threshold_action, pressure_level,
     pressure_action) = books[:7]
    n = employed.size
    picked = np.empty((3, n))
    k = 0
    for i in range(n):
        if employed[i]:
            picked[0, k] = effort_level[effort_action[i]]
            picked[1, k] = threshold_level[threshold_action[i]]
            picked[2, k] = pressure_level[pressure_action[i]]
            k += 1
    if k == 0:
        return 0.0, 0.0, 0.0, 0
    return (pairwise_sum(picked[0], 0, k) / k, pairwise_sum(picked[1], 0, k) / k,
            pairwise_sum(picked[2], 0, k) / k, k)


@njit(cache=True, nogil=True)
def fold_moments(xtx, xty, memory, x, y):  # pragma: no cover - compiled
    """A week's design rows folded into the skill-value fit's moments, in place:
    ``xtx = memory·xtx + xᵀx`` and ``xty = memory·xty + xᵀy``
    (:meth:`sales_abm.training.SkillValueEstimate.observe`).

    Each cross product is summed over the rows in their order; ``xtx`` is filled on and above
    the diagonal and mirrored, so it stays exactly symmetric.
    """
    rows, columns = x.shape
    for i in range(columns):
        for j in range(i, columns):
            total = 0.0
            for r in range(rows):
                total += x[r, i] * x[r, j]
            xtx[i, j] = memory * xtx[i, j] + total
            xtx[j, i] = xtx[i, j]
        total = 0.0
        for r in range(rows):
            total += x[r, i] * y[r]
        xty[i] = memory * xty[i] + total


@njit(cache=True, nogil=True)
def solve_ridge(xtx, xty, intercept_penalty, ridge):  # pragma: no cover - compiled
    """The ridge fit's coefficients: ``(xtx + diag(intercept_penalty, ridge, ...)) β = xty``.

    Gaussian elimination with partial pivoting (the first largest pivot of each column), the
    multipliers scaled by the pivot's reciprocal, then the unit lower and the upper triangle
    solved column by column: the steps of LAPACK's unblocked ``dgetf2``/``dgetrs``, which
    ``numpy.linalg.solve`` calls, though not necessarily in the same order of operations.

    Raises:
        ValueError: The system is singular (a zero pivot).
    """
    n = xty.size
    a = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            a[i, j] = xtx[i, j]
        a[i, i] += intercept_penalty if i == 0 else ridge
    b = xty.copy()
    for k in range(n):
        pivot = k
        for i in range(k + 1, n):
            if abs(a[i, k]) > abs(a[pivot, k]):
                pivot = i
        if a[pivot, k] == 0.0:
            raise ValueError("solve_ridge: singular system")
        if pivot != k:
            for j in range(n):
                a[k, j], a[pivot, j] = a[pivot, j], a[k, j]
            b[k], b[pivot] = b[pivot], b[k]
        scale = 1.0 / a[k, k]
        for i in range(k + 1, n):
            a[i, k] *= scale
        for j in range(k + 1, n):
            for i in range(k + 1, n):
                a[i, j] -= a[i, k] * a[k, j]
    for j in range(n):  # L (unit diagonal), column by column
        for i in range(j + 1, n):
            b[i] -= b[j] * a[i, j]
    for j in range(n - 1, -1, -1):  # U, column by column
        b[j] /= a[j, j]
        for i in range(j):
            b[i] -= b[j] * a[i, j]
    return b


@njit(cache=True, nogil=True)
def appraise_training(paths, coefficients, strategy, calls, decay, renewal, reviews,
                      ramp):  # pragma: no cover - compiled
    """A training appraisal's value and ramp cost (``TrainingValuation.appraise``): the sums
    ``Σ_t w_t·Δ_t`` of :func:`sales_abm.training.discounted_value` with the weights
    ``w_t = decay^t · R_t`` of :func:`sales_abm.training.relationship_survival`.

    Args:
        paths: skill of a trained and an untrained hire by week since hire.
        coefficients: the skill-value fit's (α, a, c, e, d, b).
        strategy: the mean (threshold, pressure).
        calls: ``(calls, loss · calls)``: mean planned calls in hundreds, and the share of them
            the training ramp takes.
        decay: the weekly discount factor times the hire's weekly survival.
        renewal: the chance a review that can end the contract renews it.
        reviews: ``(guaranteed_weeks, review_weeks, first_review, ends_from)``: the contract
            runs with certainty for the guaranteed weeks (possibly infinite), and not at all
            from week ``ends_from`` on (its notice ends; the horizon when none was given).
        ramp: weeks of the training ramp within the horizon.

    Returns:
        The value ``Σ_t w_t · b · calls · (trained_t − untrained_t)`` and the ramp's lost
        contribution ``Σ_{t<ramp} w_t · loss · calls · (per_call_t + b · (trained_t −
        untrained_t))``, each summed in order of the weeks. The powers are running products
        (``decay^t = decay^(t-1) · decay``, likewise the renewal's per binding review): exact
        IEEE arithmetic on any machine, within t rounding errors of the true power (at most
        1040 · 2^-53 ≈ 1.2e-13 relative over the longest horizon), and a sixth of the cost of
        a ``pow`` a week.
    """
    trained, untrained = paths
    _, a, c, e, d, b = coefficients
    guaranteed, review_weeks, first_review, ends_from = reviews
    base = a + c * strategy[0] + e * strategy[1]
    value_scale = b * calls[0]
    lost_scale = calls[1]
    value = 0.0
    lost = 0.0
    relationship = 1.0  # renewal ** (binding reviews held before week t)
    discounted = 1.0  # decay ** t
    review = first_review
    for t in range(min(trained.size, ends_from)):
        while review < t:
            if review >= guaranteed:
                relationship *= renewal
            review += review_weeks
        if t > 0:
            discounted *= decay
        weight = discounted * relationship
        gap = trained[t] - untrained[t]
        value += weight * (value_scale * gap)
        if t < ramp:
            lost += weight * (lost_scale * ((base + d * untrained[t]) + b * gap))
    return value, lost
