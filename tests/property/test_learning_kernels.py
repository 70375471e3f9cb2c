"""The learning phase's kernels (sales_abm.kernels.learning) reproduce the numpy arithmetic they
replace bit for bit: the ledger's period means, the design rows, quits and skill growth, and the
Roth–Erev update in the kernel; the training appraisal, its fit's moments and their solve compute
numpy's formulas to a stated tolerance (MODEL_VERSION 8: numerics the compiler can reproduce)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sales_abm.agents import SalesForce
from sales_abm.credit import CreditLedger
from sales_abm.model import SalesModel
from sales_abm.scenario import WEEKS_PER_MONTH, Scenario
from sales_abm.strategy import STRATEGY_DIMENSIONS
from sales_abm.testing import outlooks, ridge_systems
from sales_abm.training import (
    Appraisal,
    Rate,
    SkillValueEstimate,
    TrainingValuation,
    discounted_value,
    relationship_survival,
    untrained_skill,
    weekly_discount,
)

PAYOFFS = st.floats(-1e6, 1e6, allow_nan=False)


def bits(a: np.ndarray) -> np.ndarray:
    """The array's bit patterns (so that 0.0 and -0.0 differ)."""
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5), st.integers(1, 12), st.data())
def test_a_periods_mean_payoff_is_numpys(n, weeks, data):
    """``(payoff[rows] * present[rows]).sum(axis=0) / max(weeks present, 1)``, which numpy adds
    row by row for several slots and pairwise down the column for one."""
    ledger = CreditLedger(n, ("effort",), depth=weeks + 2)
    payoff = data.draw(arrays(np.float64, (weeks, n), elements=PAYOFFS))
    present = data.draw(arrays(np.bool_, (weeks, n)))
    for w in range(weeks):
        ledger.open_week(w, {"effort": np.zeros(n, dtype=np.int64)}, present[w], payoff[w])
    ledger.close_period(0, weeks - 1, 0, None)
    (period,) = ledger.due(weeks - 1)
    credited = np.where(present, payoff, 0.0)
    total = (credited * present).sum(axis=0)
    want = total / np.maximum(present.sum(axis=0), 1)
    np.testing.assert_array_equal(bits(period.payoff), bits(want))
    np.testing.assert_array_equal(period.active, present[-1] & (present.sum(axis=0) > 0))


def reference_week(force: SalesForce, rng: np.random.Generator, contribution: np.ndarray,
                   training: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The numpy code the kernel replaced: a week without pay in the trailing earnings, quits,
    design rows, and growth of the reps who stay."""
    rep, out = force.config.rep, force.config.outsourcer
    on = force.employed.copy()
    alpha = 2 / (rep.earnings_window + 1)
    force.earnings[on] += alpha * (0.0 - force.earnings[on])
    base = 1 - (1 - rep.attrition_annual) ** (1 / 52)
    below = force.earnings < rep.outside_option / WEEKS_PER_MONTH
    hazard = base + np.where(below, rep.quit_hazard_below, 0.0)
    quits = np.flatnonzero(on & (rng.random(on.size) < hazard))
    rows = np.flatnonzero(on)
    ramp = np.where(force.ramp_left > 0, 1 - out.training_capacity_loss, 1.0)
    calls = (force.value("effort") * ramp)[rows]
    untrained = untrained_skill(force.config, force.tenure[rows])
    x = SkillValueEstimate.regressors(calls, force.value("threshold")[rows],
                                      force.value("pressure")[rows], untrained,
                                      force.skill[rows] - untrained)
    y = (contribution + training)[rows]
    on[quits] = False  # they leave before the week's growth
    force.skill[on] += rep.tenure_learning * (1 - force.skill[on])
    ramping = on & (force.ramp_left > 0)
    force.skill[ramping] += rep.training_gain / out.ramp_weeks
    np.clip(force.skill, 0.0, 1.0, out=force.skill)
    force.ramp_left[ramping] -= 1
    force.tenure[on] += 1
    return quits, x, y


@pytest.mark.parametrize("seed", range(6))
def test_quits_design_rows_and_growth_are_numpys(seed):
    sc = Scenario.from_dict({"reps": 12, "prospects": 2000, "weeks": 60,
                             "rep.quit_hazard_below": 0.3, "rep.attrition_annual": 0.9})
    rng = np.random.default_rng(seed)
    forces = [SalesForce(sc) for _ in range(2)]
    n = sc.reps
    train = rng.random(n) < 0.5
    for force in forces:
        force.hire(np.arange(n), 0, train)
        force.choose(np.arange(n), np.random.default_rng(seed))
    state = {"skill": rng.uniform(0, 1, n), "tenure": rng.integers(0, 59, n),
             "ramp_left": rng.integers(0, 3, n), "earnings": rng.uniform(0, 2000, n)}
    vacant = rng.random(n) < 0.3
    for force in forces:
        for name, values in state.items():
            getattr(force, name)[:] = values
        force.vacate(np.flatnonzero(vacant))
    income, training = rng.normal(0, 1000, n), rng.uniform(0, 100, n)
    kernel, reference = forces
    zero = np.zeros(n)
    _, quits, x, y = kernel.learn_week(
        40, (zero,) * 5, _NoCloses(), _no_windows(n), np.append(income, 0.0), zero,
        training, np.random.default_rng(seed + 100))
    contribution = income - zero - zero - training  # unpaid reps without overhead
    want_quits, want_x, want_y = reference_week(reference, np.random.default_rng(seed + 100),
                                                contribution, training)
    np.testing.assert_array_equal(quits, want_quits)
    np.testing.assert_array_equal(bits(x), bits(want_x))
    np.testing.assert_array_equal(bits(y), bits(want_y))
    for name in ("skill", "tenure", "ramp_left", "earnings"):
        np.testing.assert_array_equal(getattr(kernel, name), getattr(reference, name))


class _NoCloses:
    owners = None


def _no_windows(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64), np.zeros(n)


@pytest.mark.parametrize("rule", ["roth_erev", "modified_roth_erev"])
@pytest.mark.parametrize("pay", [{}, {"pay.pay_on": "set"}, {"pay.commission": 0.05},
                                 {"learning.rep_cadence_weeks": 3, "contract.preset": "per_close"}])
def test_learning_in_the_kernel_equals_the_learners_own_update(rule, pay):
    """The compiled Roth–Erev update of the due periods changes no bit of a run: pay on
    appointments set (nothing late), on held meetings (a week late) and with a commission (a
    sales cycle late), weekly and over longer periods."""
    sc = Scenario.from_dict({"reps": 6, "prospects": 2000, "weeks": 40, "learning.rule": rule,
                             **pay})
    fused, python = SalesModel(sc, 3), SalesModel(sc, 3)
    assert fused.sales_force._learns_in_kernel
    python.sales_force._learns_in_kernel = False  # the ledger's due periods, learner by learner
    fused.run_model()
    python.run_model()
    assert fused.recorder.weekly_frame().equals(python.recorder.weekly_frame())
    for dim in STRATEGY_DIMENSIONS:
        np.testing.assert_array_equal(fused.sales_force.learners[dim].propensities,
                                      python.sales_force.learners[dim].propensities)


#: How far the compiled appraisal's sums may be from numpy's, relative to the sum of the terms'
#: magnitudes. MODEL_VERSION 8 computes the powers as running products (numpy's power rounds
#: each once) and adds the weeks in order (numpy's dot product in BLAS's order), so the sums are
#: no longer numpy's bits: over at most 1040 weeks each power is within 1040 rounding errors of
#: numpy's (1.2e-13 relative) and the order of the additions moves a sum by at most as much
#: again times the sum of the magnitudes, 2.4e-13 in all.
APPRAISAL_TOLERANCE = 1e-12


def assert_sums_close(got: float, want: float, magnitude: float) -> None:
    """``got`` is ``want`` within the tolerance, relative to the terms' summed magnitude."""
    assert abs(got - want) <= APPRAISAL_TOLERANCE * magnitude, (got, want, magnitude)


def reference_appraisal(v: TrainingValuation, mean_calls: float,
                        mean_strategy: tuple[float, float], guaranteed_weeks: float,
                        first_review: int, ends_in: int | None) -> tuple[Appraisal, Appraisal]:
    """The appraisal as numpy computes it from the valuation's pure functions, and the same
    sums of the terms' magnitudes (for the tolerance)."""
    sc = v.config
    out = sc.outsourcer
    _, a, c, e, d, b = v.skill_value.coefficients()
    calls = mean_calls / 100.0
    trained, untrained = v.paths
    per_call = a + c * mean_strategy[0] + e * mean_strategy[1] + d * untrained
    survival = 1 - v.quits.mean
    discount = weekly_discount(out.discount_rate)
    relationship = relationship_survival(out.horizon_weeks, guaranteed_weeks,
                                         sc.client.review_weeks, first_review, v.renewals.mean)
    if ends_in is not None:
        relationship[max(ends_in, 0):] = 0.0
    gain = b * calls * (trained - untrained)
    ramp = min(out.ramp_weeks, out.horizon_weeks)
    gap = trained - untrained
    lost = out.training_capacity_loss * calls * (per_call[:ramp] + b * gap[:ramp])
    sums = [Appraisal(discounted_value(f(gain), survival, relationship, discount),
                      discounted_value(f(lost), survival, relationship, discount),
                      out.training_cost) for f in (np.asarray, np.abs)]
    return sums[0], sums[1]


@settings(max_examples=150, deadline=None)
@given(outlooks(), st.data())
def test_the_compiled_appraisal_is_numpys_to_rounding(o, data):
    """The compiled appraisal computes the reference formulas (relationship_survival,
    discounted_value) to within APPRAISAL_TOLERANCE, through its caches of the fit and of the
    last inputs."""
    v = TrainingValuation(o.scenario)
    rows = data.draw(arrays(np.float64, (8, 6), elements=st.floats(-3, 3)))
    v.skill_value.xtx = rows.T @ rows + np.eye(6)
    v.skill_value.xty = data.draw(arrays(np.float64, 6, elements=st.floats(-1e4, 1e4)))
    v.quits = Rate(o.weekly_quit, 52.0, data.draw(st.floats(0, 5)), 20.0)
    v.renewals = Rate(o.renewal, 4.0, *sorted(data.draw(st.lists(st.floats(0, 9), min_size=2,
                                                                 max_size=2))))
    strategy = (data.draw(st.floats(0, 0.5)), data.draw(st.floats(0, 1)))
    guaranteed = data.draw(st.one_of(st.just(math.inf), st.floats(0, 400)))
    ends_in = data.draw(st.one_of(st.none(), st.integers(-3, 200)))

    def check(first_review: int) -> None:
        got = v.appraise(o.calls, strategy, guaranteed, first_review, ends_in)
        want, magnitude = reference_appraisal(v, o.calls, strategy, guaranteed, first_review,
                                              ends_in)
        assert_sums_close(got.value, want.value, magnitude.value)
        assert_sums_close(got.ramp_cost, want.ramp_cost, magnitude.ramp_cost)
        assert got.cost == want.cost

    # The later calls read the cached fit, and the last repeats the first's inputs
    for first_review in (o.first_review, o.first_review + 1, o.first_review):
        check(first_review)
    v.renewals.add(1.0, 1.0)  # a verdict: the same call is appraised afresh
    check(o.first_review)
    v.skill_value.observe(rows, rows[:, 5] * 100.0)  # a week's books: the fit is solved afresh
    check(o.first_review)


@settings(max_examples=300, deadline=None)
@given(ridge_systems())
def test_the_moments_fold_in_as_numpys_to_rounding(system):
    """``xtx = memory·xtx + xᵀx`` and ``xty = memory·xty + xᵀy`` in place, to rounding: the
    compiled sums run over the rows in order where numpy's matrix product runs in BLAS's order,
    so each entry is within (rows + 2) eps of its magnitude (1e-13 covers 25 rows with margin);
    ``xtx`` stays exactly symmetric."""
    s = system
    est = SkillValueEstimate(s.memory, s.ridge, s.xtx.copy(), s.xty.copy())
    est.observe(s.x, s.y)
    want_xtx = s.memory * s.xtx + s.x.T @ s.x
    want_xty = s.memory * s.xty + s.x.T @ s.y
    np.testing.assert_array_less(np.abs(est.xtx - want_xtx),
                                 1e-13 * (s.memory * np.abs(s.xtx) + np.abs(s.x).T @ np.abs(s.x))
                                 + 1e-300)
    np.testing.assert_array_less(np.abs(est.xty - want_xty),
                                 1e-13 * (s.memory * np.abs(s.xty) + np.abs(s.x).T @ np.abs(s.y))
                                 + 1e-300)
    np.testing.assert_array_equal(est.xtx, est.xtx.T)
    assert est.version == 1


@settings(max_examples=400, deadline=None)
@given(ridge_systems())
def test_the_ridge_solve_is_numpys_to_its_conditioning(system):
    """The compiled Gaussian elimination solves what ``np.linalg.solve`` (LAPACK's LU with
    partial pivoting) solves: a backward-stable solution (residual within 1e-13 of
    ``‖A‖·‖β‖ + ‖xty‖``, max norms) that agrees with numpy's to 1e-10 relative on a well-conditioned
    system and, as two backward-stable solvers of the same system differ by up to about the
    condition number times a few eps, to 1e-13 times the condition number on an ill-conditioned
    one (nearly collinear rows held apart only by a small ridge)."""
    s = system
    est = SkillValueEstimate(s.memory, s.ridge, s.xtx, s.xty)
    matrix = s.xtx + np.diag([1e-9] + [s.ridge] * 5)
    try:
        want = np.linalg.solve(matrix, s.xty)
    except np.linalg.LinAlgError:  # numerically singular (a tiny ridge on huge, collinear books):
        with pytest.raises(ValueError, match="singular"):  # the same LU meets the same zero pivot
            est.coefficients()
        return
    got = est.coefficients()
    residual = np.abs(matrix @ got - s.xty).max()
    assert residual <= 1e-13 * (np.abs(matrix).sum(axis=1).max() * np.abs(got).max()
                                + np.abs(s.xty).max())
    condition = np.linalg.cond(matrix)
    if np.isfinite(condition):  # (an infinite one bounds nothing: the residual is the check)
        tolerance = 1e-10 + 1e-13 * condition
        assert np.abs(got - want).max() <= tolerance * np.abs(want).max()
    assert est.coefficients() is got  # the moments did not change: the fit is not solved again


def test_a_singular_fit_is_an_error():
    """A ridge of 0 on books that never varied leaves the system singular; the solve says so
    (as numpy's raised LinAlgError) rather than return infinities."""
    est = SkillValueEstimate(ridge=0.0)
    with pytest.raises(ValueError, match="singular"):
        est.coefficients()


def test_the_stored_employed_column_follows_the_hires():
    """``SalesForce.employed`` is kept by hire and vacate; it must always be ``hire_id >= 0``
    (quits, contract ends and successors' hires included)."""
    sc = Scenario.from_dict({"reps": 8, "prospects": 2000, "weeks": 80,
                             "rep.attrition_annual": 0.9, "client.min_roi": 5.0,
                             "contract.minimum_term": 3.0})
    model = SalesModel(sc, 1)
    force, holders = model.sales_force, set()
    for _ in range(sc.weeks):
        model.step()
        holders.add(id(model.outsourcer))
        np.testing.assert_array_equal(force.employed, force.hire_id >= 0)
    assert len(holders) > 1  # a contract ended and a successor hired
