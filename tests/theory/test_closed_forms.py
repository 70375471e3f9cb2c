"""Closed forms of ``sales_abm.theory.closed_forms`` against brute force and EVIDENCE.md.

Each closed form is checked two ways:

* against a brute-force solution of the underlying problem: the agent's best response and the
  principal's optimal contract are found with ``scipy.optimize`` and the agent's CARA certainty
  equivalent is integrated numerically (never the closed-form risk premium), for parameters drawn
  by hypothesis;
* against the worked examples of EVIDENCE.md ("Analytic oracles") as golden values.

Tolerances: optimisers run with tight tolerances; argmax values are compared to 1e-4 (relative to
their scale, since objectives are flat at the optimum), optimal values to 1e-6, exact sums to 1e-9.
Golden values are compared at the rounding EVIDENCE.md states them with.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import optimize

from sales_abm.theory import (
    baker_distortion,
    bonus_is_credible,
    cara_risk_premium,
    effective_discount,
    len_agent_effort,
    len_ce_surplus,
    len_one_task,
    len_optimal_commission,
    max_credible_bonus,
    monthly_survival,
    multitask_ce_surplus,
    multitask_effort_response,
    multitask_optimal_commissions,
    multitask_two_signals,
    multitask_unmeasured_quality,
    survival_weighted_sum,
    training_npv,
)

ARGMAX_TOL = 1e-4
VALUE_TOL = 1e-6

# Nested numerical optimisation is slow-ish: no per-example deadline (example counts come from the
# active hypothesis profile).
brute = settings(deadline=None)


def fl(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def risk(hi: float, lo: float = 0.01) -> st.SearchStrategy[float]:
    """Risk aversion: exactly 0 or in [lo, hi] (the numerical CE loses accuracy as r → 0)."""
    return st.one_of(st.just(0.0), fl(lo, hi))


# --------------------------------------------------------------------------------------------------
# numerical primitives (independent of the closed forms)


def numeric_ce_of_noise(risk_aversion: float, sd: float) -> float:
    """CE of a N(0, sd²) income for a CARA(r) agent, by quadrature: −(1/r)·log E[exp(−r·X)]."""
    if sd == 0.0:
        return 0.0
    if risk_aversion == 0.0:
        return 0.0  # risk neutral: CE = mean
    k = risk_aversion * sd
    # E[exp(−k·Z)], Z ~ N(0, 1), by the trapezoid rule on a grid covering the integrand's mass
    # (spectrally accurate for this smooth, fast-decaying integrand; tails beyond ±14 are < 1e-40)
    z = np.arange(-abs(k) - 14.0, abs(k) + 14.0, 0.125)
    log_integrand = -k * z - 0.5 * z * z - 0.5 * math.log(2.0 * math.pi)
    top = float(log_integrand.max())
    log_mgf = top + math.log(float(np.exp(log_integrand - top).sum()) * 0.125)
    return -log_mgf / risk_aversion


def argmax_vector(
    fun: Callable[[np.ndarray], float], x0: np.ndarray, jac: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    res = optimize.minimize(
        lambda x: -fun(x), x0, jac=lambda x: -jac(x), method="BFGS", options={"gtol": 1e-12}
    )
    return res.x


def argmax_scalar(fun: Callable[[float], float], lo: float, hi: float) -> float:
    res = optimize.minimize_scalar(
        lambda x: -fun(x), bounds=(lo, hi), method="bounded", options={"xatol": 1e-10}
    )
    return float(res.x)


# --------------------------------------------------------------------------------------------------
# Holmström & Milgrom (1987): one task


def len_brute(value: float, cost: float, r: float, s2: float) -> tuple[float, float, float]:
    """(b*, e*, principal's profit at b* with reservation utility 0), all numerically.

    Nested search: Brent over b for the principal; for each b, Brent over e for the agent. The
    agent's CE is a + b·e − c·e²/2 + CE(b·ε), the last term integrated numerically once per b
    (it does not depend on e: CARA with additive noise).
    """
    sd = math.sqrt(s2)

    def effort(b: float) -> float:
        hi = abs(b) / cost + 10.0
        return argmax_scalar(lambda e: b * e - 0.5 * cost * e * e, -hi, hi)

    def profit(b: float) -> float:
        e = effort(b)
        agent_ce0 = b * e - 0.5 * cost * e * e + numeric_ce_of_noise(r, abs(b) * sd)
        a = -agent_ce0  # fixed wage making participation bind (CARA: shift-invariant)
        return value * e - (a + b * e)

    b = argmax_scalar(profit, -1.0, value + 1.0)
    return b, effort(b), profit(b)


@brute
@given(value=fl(0.1, 2.0), cost=fl(0.2, 5.0), r=risk(3.0), s2=fl(0.0, 1.0))
def test_len_matches_brute_force(value: float, cost: float, r: float, s2: float) -> None:
    sol = len_one_task(value, cost, r, s2)
    b, e, profit = len_brute(value, cost, r, s2)
    assert sol.commission == pytest.approx(b, abs=ARGMAX_TOL * (1 + value))
    assert sol.effort == pytest.approx(e, abs=ARGMAX_TOL * (1 + value) / cost)
    assert sol.surplus == pytest.approx(profit, abs=VALUE_TOL)
    assert len_ce_surplus(b, value, cost, r, s2) == pytest.approx(profit, abs=VALUE_TOL)
    fb_effort = argmax_scalar(lambda e: value * e - 0.5 * cost * e * e, -10.0, 10.0 + value / cost)
    fb = value * fb_effort - 0.5 * cost * fb_effort**2
    assert sol.first_best_surplus == pytest.approx(fb, abs=VALUE_TOL)
    assert sol.surplus <= sol.first_best_surplus + 1e-12


@brute
@given(b=fl(-3.0, 3.0), cost=fl(0.2, 5.0))
def test_len_agent_effort_is_best_response(b: float, cost: float) -> None:
    e = argmax_scalar(lambda e: b * e - 0.5 * cost * e * e, -20.0, 20.0)
    assert len_agent_effort(b, cost) == pytest.approx(e, abs=1e-6)


def test_len_golden_example() -> None:
    # EVIDENCE.md: B=1, c=1, r=2, σ²=0.5 → b*=0.5, e=0.5, surplus 0.25 (first best 0.5).
    sol = len_one_task(1.0, 1.0, 2.0, 0.5)
    assert sol.commission == pytest.approx(0.5, abs=1e-12)
    assert sol.effort == pytest.approx(0.5, abs=1e-12)
    assert sol.surplus == pytest.approx(0.25, abs=1e-12)
    assert sol.first_best_surplus == pytest.approx(0.5, abs=1e-12)
    assert sol.surplus_share == pytest.approx(0.5, abs=1e-12)
    assert len_optimal_commission(1.0, 1.0, 2.0, 0.5) == pytest.approx(0.5, abs=1e-12)


def test_len_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        len_one_task(1.0, 0.0, 1.0, 1.0)
    with pytest.raises(ValueError):
        len_one_task(1.0, 1.0, -1.0, 1.0)


# --------------------------------------------------------------------------------------------------
# Holmström & Milgrom (1991): multitask

K_EX = np.array([[1.0, 0.5], [0.5, 1.0]])


@st.composite
def spd_matrix(draw: st.DrawFn, n: int, ridge: float) -> np.ndarray:
    entries = draw(st.lists(fl(-1.0, 1.0), min_size=n * n, max_size=n * n))
    m = np.array(entries).reshape(n, n)
    return m @ m.T + ridge * np.eye(n)


def agent_effort_numeric(alpha: np.ndarray, k: np.ndarray, t0: np.ndarray) -> np.ndarray:
    """The agent's best response found by BFGS on αᵀt − ½(t − t₀)ᵀK(t − t₀)."""

    def utility(t: np.ndarray) -> float:
        d = t - t0
        return float(alpha @ t - 0.5 * d @ k @ d)

    return argmax_vector(utility, t0.copy(), lambda t: alpha - k @ (t - t0))


def multitask_profit(
    alpha: np.ndarray, b: np.ndarray, k: np.ndarray, r: float, sigma: np.ndarray, t0: np.ndarray
) -> float:
    """Principal's expected profit when the fixed wage makes the agent's CE exactly 0.

    The agent's response solves its first-order condition α = K(t − t₀) (the agent's problem is
    solved by BFGS in ``test_multitask_effort_response_is_best_response``); the risk term is
    integrated numerically.
    """
    t = t0 + np.linalg.solve(k, alpha)
    d = t - t0
    pay_sd = math.sqrt(max(float(alpha @ sigma @ alpha), 0.0))  # sd of αᵀε
    agent_ce0 = float(alpha @ t - 0.5 * d @ k @ d) + numeric_ce_of_noise(r, pay_sd)
    fixed = -agent_ce0
    return float(b @ t) - (fixed + float(alpha @ t))


def multitask_brute(
    b: np.ndarray, k: np.ndarray, r: float, sigma: np.ndarray, t0: np.ndarray
) -> tuple[np.ndarray, float]:
    """Optimal commissions by BFGS (finite-difference gradient) on the principal's profit."""
    res = optimize.minimize(
        lambda a: -multitask_profit(a, b, k, r, sigma, t0),
        np.zeros_like(b),
        method="BFGS",
        options={"gtol": 1e-8},
    )
    return res.x, -float(res.fun)


@brute
@given(
    data=st.data(),
    n=st.integers(2, 3),
    r=risk(2.0),
)
def test_multitask_general_matches_brute_force(data: st.DataObject, n: int, r: float) -> None:
    k = data.draw(spd_matrix(n, 0.5), label="K")
    sigma = data.draw(spd_matrix(n, 0.0), label="Sigma")
    b = np.array(data.draw(st.lists(fl(-2.0, 2.0), min_size=n, max_size=n), label="B"))
    t0 = np.array(data.draw(st.lists(fl(0.0, 1.0), min_size=n, max_size=n), label="t0"))
    alpha = multitask_optimal_commissions(b, k, r, sigma)
    alpha_num, profit = multitask_brute(b, k, r, sigma, t0)
    scale = 1.0 + float(np.abs(alpha).max())
    np.testing.assert_allclose(alpha, alpha_num, atol=1e-3 * scale)
    # the optimal value is insensitive to argmax error: compare tightly
    expected = multitask_ce_surplus(alpha, b, k, r, sigma) + float(b @ t0)
    assert expected == pytest.approx(profit, abs=1e-6 * scale**2)
    assert expected >= multitask_profit(alpha_num, b, k, r, sigma, t0) - 1e-8


@brute
@given(data=st.data(), n=st.integers(1, 3))
def test_multitask_effort_response_is_best_response(data: st.DataObject, n: int) -> None:
    k = data.draw(spd_matrix(n, 0.3), label="K")
    alpha = np.array(data.draw(st.lists(fl(-2.0, 2.0), min_size=n, max_size=n), label="alpha"))
    t0 = np.array(data.draw(st.lists(fl(-1.0, 1.0), min_size=n, max_size=n), label="t0"))
    np.testing.assert_allclose(
        multitask_effort_response(alpha, k, t0), agent_effort_numeric(alpha, k, t0), atol=1e-6
    )


def unmeasured_brute(b: np.ndarray, k: np.ndarray, r: float, s1: float) -> tuple[float, float]:
    """Best α₁ >= 0 with α₂ = 0 (quality unmeasured) by bounded Brent search."""
    sigma = np.diag([s1, 0.0])  # α₂ = 0, so task 2's noise never enters pay
    t0 = np.zeros(2)

    def profit(a1: float) -> float:
        return multitask_profit(np.array([a1, 0.0]), b, k, r, sigma, t0)

    hi = abs(b[0]) + abs(b[1]) * abs(k[0, 1]) / k[1, 1] + 1.0
    a1 = argmax_scalar(profit, 0.0, hi)  # commissions restricted to α₁ >= 0
    return a1, profit(a1)


@st.composite
def two_by_two_cost(draw: st.DrawFn) -> np.ndarray:
    k11, k22 = draw(fl(0.3, 3.0)), draw(fl(0.3, 3.0))
    corr = draw(fl(-0.9, 0.9))
    k12 = corr * math.sqrt(k11 * k22)
    return np.array([[k11, k12], [k12, k22]])


@brute
@given(k=two_by_two_cost(), b1=fl(0.1, 2.0), b2=fl(0.0, 3.0), r=risk(3.0), s1=fl(0.0, 2.0))
def test_multitask_unmeasured_matches_brute_force(
    k: np.ndarray, b1: float, b2: float, r: float, s1: float
) -> None:
    b = np.array([b1, b2])
    sol = multitask_unmeasured_quality(b, k, r, s1)
    a1, profit = unmeasured_brute(b, k, r, s1)
    assert sol.alpha == pytest.approx(a1, abs=ARGMAX_TOL * (1 + b1 + b2))
    assert sol.alpha >= 0.0
    assert sol.fixed_fee_optimal == (sol.alpha_unconstrained <= 0.0)
    expected = multitask_ce_surplus([sol.alpha, 0.0], b, k, r, np.diag([s1, 0.0]))
    assert expected == pytest.approx(profit, abs=VALUE_TOL)
    # effort change per unit of α₁: slope of the agent's (numerical, BFGS) best response
    t_up = agent_effort_numeric(np.array([1.0, 0.0]), k, np.zeros(2))
    t_dn = agent_effort_numeric(np.array([-1.0, 0.0]), k, np.zeros(2))
    np.testing.assert_allclose(sol.effort_per_alpha, (t_up - t_dn) / 2.0, rtol=1e-6, atol=1e-6)


@brute
@given(
    k=two_by_two_cost(),
    b1=fl(0.1, 2.0),
    b2=fl(0.0, 2.0),
    r=risk(2.0),
    s1=fl(0.0, 2.0),
    s2=fl(0.0, 20.0),
)
def test_multitask_two_signals_matches_brute_force(
    k: np.ndarray, b1: float, b2: float, r: float, s1: float, s2: float
) -> None:
    b = np.array([b1, b2])
    sigma = np.diag([s1, s2])
    sol = multitask_two_signals(b, k, r, s1, s2)
    alpha_num, profit = multitask_brute(b, k, r, sigma, np.zeros(2))
    scale = 1.0 + b1 + b2
    np.testing.assert_allclose(sol.as_tuple(), alpha_num, atol=1e-3 * scale)
    expected = multitask_ce_surplus(sol.as_tuple(), b, k, r, sigma)
    assert expected == pytest.approx(profit, abs=1e-6 * scale**2)


@brute
@given(k=two_by_two_cost(), b1=fl(0.1, 2.0), b2=fl(0.0, 3.0), r=fl(0.01, 3.0), s1=fl(0.01, 2.0))
def test_two_signals_tends_to_unmeasured_case(
    k: np.ndarray, b1: float, b2: float, r: float, s1: float
) -> None:
    b = np.array([b1, b2])
    limit = multitask_unmeasured_quality(b, k, r, s1)
    far = multitask_two_signals(b, k, r, s1, 1e9)
    assert far.alpha_volume == pytest.approx(limit.alpha_unconstrained, abs=1e-6)
    assert far.alpha_close == pytest.approx(0.0, abs=1e-6)
    inf = multitask_two_signals(b, k, r, s1, math.inf)
    assert inf.as_tuple() == (limit.alpha, 0.0)
    assert inf.floored == limit.fixed_fee_optimal


@pytest.mark.parametrize(
    ("b2", "alpha", "floored"),
    [(0.0, 0.571, False), (1.0, 0.286, False), (2.0, 0.0, True), (3.0, 0.0, True)],
)
def test_multitask_unmeasured_golden(b2: float, alpha: float, floored: bool) -> None:
    # EVIDENCE.md: K = [[1, .5], [.5, 1]], r·σ₁² = 1, B₁ = 1; B₂ = 3 → −0.286, floored at 0.
    sol = multitask_unmeasured_quality([1.0, b2], K_EX, 1.0, 1.0)
    assert sol.alpha == pytest.approx(alpha, abs=5e-4)
    assert sol.fixed_fee_optimal is floored
    assert sol.effort_per_alpha == pytest.approx((1.333, -0.667), abs=5e-4)
    if b2 == 3.0:
        assert sol.alpha_unconstrained == pytest.approx(-0.286, abs=5e-4)


def test_multitask_fixed_fee_threshold() -> None:
    # α₁* <= 0 iff B₂/B₁ >= K₂₂/K₁₂ (= 2 in the example)
    assert not multitask_unmeasured_quality([1.0, 1.999], K_EX, 1.0, 1.0).fixed_fee_optimal
    assert multitask_unmeasured_quality([1.0, 2.001], K_EX, 1.0, 1.0).fixed_fee_optimal


@pytest.mark.parametrize(
    ("s2", "expected"),
    [(1.0, (0.40, 0.40)), (4.0, (0.333, 0.167)), (16.0, (0.30, 0.05)), (math.inf, (0.286, 0.0))],
)
def test_multitask_two_signals_golden(s2: float, expected: tuple[float, float]) -> None:
    # EVIDENCE.md: same K, B = (1, 1), r = 1, σ₁² = 1, close-signal variance σ₂².
    sol = multitask_two_signals([1.0, 1.0], K_EX, 1.0, 1.0, s2)
    assert sol.as_tuple() == pytest.approx(expected, abs=5e-4)


def test_multitask_matrix_form_golden() -> None:
    alpha = multitask_optimal_commissions([1.0, 1.0], K_EX, 1.0, np.eye(2))
    np.testing.assert_allclose(alpha, [0.4, 0.4], atol=1e-12)
    np.testing.assert_allclose(multitask_effort_response([1.0, 0.0], K_EX), [4 / 3, -2 / 3])


def test_multitask_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        multitask_optimal_commissions([1.0, 1.0], [[1.0, 2.0], [2.0, 1.0]], 1.0, np.eye(2))
    with pytest.raises(ValueError):
        multitask_optimal_commissions([1.0, 1.0], K_EX, 1.0, [[1.0, 0.0], [0.0, -1.0]])
    with pytest.raises(ValueError):
        multitask_two_signals([1.0, 1.0], K_EX, 1.0, 1.0, -1.0)


# --------------------------------------------------------------------------------------------------
# Baker (2002)


def baker_action_numeric(b: float, g: np.ndarray) -> np.ndarray:
    return argmax_vector(
        lambda a: float(b * g @ a - 0.5 * a @ a), np.zeros_like(g), lambda a: b * g - a
    )


def baker_brute(f: np.ndarray, g: np.ndarray, r: float, s2: float) -> tuple[float, float, float]:
    """(b*, profit at b*, first-best surplus): Brent over b, agent's action a = b·g (checked
    against BFGS in ``test_baker_action_is_best_response``), risk term integrated numerically."""
    sd = math.sqrt(s2)

    def profit(b: float) -> float:
        a = b * g
        agent_ce0 = float(b * g @ a - 0.5 * a @ a) + numeric_ce_of_noise(r, abs(b) * sd)
        return float(f @ a) - (-agent_ce0 + float(b * g @ a))

    hi = float(np.linalg.norm(f)) / max(float(np.linalg.norm(g)), 0.1) + 1.0
    b = argmax_scalar(profit, -hi, hi)
    a_fb = argmax_vector(lambda a: float(f @ a - 0.5 * a @ a), np.zeros_like(f), lambda a: f - a)
    first_best = float(f @ a_fb - 0.5 * a_fb @ a_fb)
    return b, profit(b), first_best


@brute
@given(b=fl(-3.0, 3.0), g=st.lists(fl(-2.0, 2.0), min_size=1, max_size=3))
def test_baker_action_is_best_response(b: float, g: list[float]) -> None:
    gv = np.array(g)
    sol = baker_distortion(np.ones_like(gv), gv, 1.0, 1.0)
    np.testing.assert_allclose(sol.action, sol.commission * gv, atol=1e-12)
    np.testing.assert_allclose(b * gv, baker_action_numeric(b, gv), atol=1e-6)


@brute
@given(
    data=st.data(),
    n=st.integers(1, 3),
    r=risk(3.0),
    s2=fl(0.0, 1.0),
)
def test_baker_matches_brute_force(data: st.DataObject, n: int, r: float, s2: float) -> None:
    vec = st.lists(fl(-2.0, 2.0), min_size=n, max_size=n)
    f = np.array(data.draw(vec, label="f"))
    g = np.array(data.draw(vec, label="g"))
    assume(f @ f > 0.01 and g @ g + r * s2 > 0.05)
    sol = baker_distortion(f, g, r, s2)
    b, profit, first_best = baker_brute(f, g, r, s2)
    scale = 1.0 + abs(sol.commission)
    assert sol.commission == pytest.approx(b, abs=ARGMAX_TOL * scale)
    np.testing.assert_allclose(sol.action, b * g, atol=ARGMAX_TOL * scale * (1 + np.abs(g).max()))
    assert sol.surplus == pytest.approx(profit, abs=VALUE_TOL)
    assert sol.first_best_surplus == pytest.approx(first_best, abs=VALUE_TOL)
    assert sol.share == pytest.approx(profit / first_best, abs=1e-5)
    assert 0.0 <= sol.share <= 1.0 + 1e-12


@pytest.mark.parametrize(
    ("g", "b", "share", "action"),
    [((1.0, 0.0), 0.8, 0.40, (0.8, 0.0)), ((1.0, -0.5), 1 / 3, 0.083, (0.33, -0.17))],
)
def test_baker_golden(
    g: tuple[float, float], b: float, share: float, action: tuple[float, float]
) -> None:
    # EVIDENCE.md: f = (1, 1), r·σ² = 0.25.
    sol = baker_distortion((1.0, 1.0), g, 1.0, 0.25)
    assert sol.commission == pytest.approx(b, abs=1e-12)
    assert sol.share == pytest.approx(share, abs=5e-4)
    assert sol.action == pytest.approx(action, abs=5e-3)


# --------------------------------------------------------------------------------------------------
# relational contracts


def credible_bonus_brute(delta: float, s_rel: float, s_out: float) -> float:
    """Largest b with  −b + Σ_t δ^t s_rel >= Σ_t δ^t s_out  (explicit sums, root-found)."""
    t = np.arange(1, 5000)
    weights = delta**t
    honour_future, renege_future = float(weights.sum() * s_rel), float(weights.sum() * s_out)

    def slack(b: float) -> float:
        return (-b + honour_future) - renege_future

    if slack(0.0) <= 0.0:
        return 0.0
    return optimize.brentq(slack, 0.0, 1e6, xtol=1e-12, rtol=1e-12)


@brute
@given(discount=fl(0.5, 0.99), cont=fl(0.5, 1.0), s_rel=fl(-5.0, 5.0), s_out=fl(-5.0, 5.0))
def test_relational_matches_brute_force(
    discount: float, cont: float, s_rel: float, s_out: float
) -> None:
    delta = effective_discount(discount, cont)
    assume(delta < 0.995)
    bound = max_credible_bonus(delta, s_rel, s_out)
    assert bound == pytest.approx(credible_bonus_brute(delta, s_rel, s_out), rel=1e-9, abs=1e-9)
    if bound > 0.0:
        assert bonus_is_credible(bound * (1 - 1e-9), delta, s_rel, s_out)
        assert not bonus_is_credible(bound * (1 + 1e-6) + 1e-9, delta, s_rel, s_out)


def test_relational_golden() -> None:
    # δ = 0.9 → δ/(1−δ) = 9: a gain of 1 a period supports a bonus of 9.
    assert max_credible_bonus(0.9, 3.0, 2.0) == pytest.approx(9.0)
    assert bonus_is_credible(9.0, 0.9, 3.0, 2.0)
    assert not bonus_is_credible(9.01, 0.9, 3.0, 2.0)
    assert max_credible_bonus(0.9, 1.0, 2.0) == 0.0  # a worthless relationship supports no bonus
    assert bonus_is_credible(0.0, 0.9, 1.0, 2.0)
    assert not bonus_is_credible(0.01, 0.9, 1.0, 2.0)
    assert effective_discount(0.99, 0.5) == pytest.approx(0.495)
    with pytest.raises(ValueError):
        max_credible_bonus(1.0, 1.0, 0.0)


# --------------------------------------------------------------------------------------------------
# training hold-up

EX = {"cost": 20_000.0, "margin": 3_000.0, "ramp_months": 3, "delta": 0.99, "quit_hazard": 0.05}


def month_weights(delta: float, q: float, h: float, guaranteed: int, horizon: int) -> np.ndarray:
    """Probability the rep still earns in month t times δ^t, built month by month."""
    w = np.empty(horizon + 1)
    alive = 1.0
    w[0] = 1.0
    for t in range(1, horizon + 1):
        churn = 0.0 if t <= guaranteed else h
        alive *= (1.0 - q) * (1.0 - churn)
        w[t] = alive * delta**t
    return w


@brute
@given(
    cost=fl(0.0, 50_000.0),
    margin=fl(0.0, 10_000.0),
    ramp=st.integers(0, 12),
    delta=fl(0.9, 0.999),
    q=fl(0.01, 0.2),
    h=fl(0.0, 0.3),
    share=fl(0.0, 1.0),
    guaranteed=st.integers(0, 24),
    a=risk(1e-3, lo=1e-6),
    sd=fl(0.0, 5_000.0),
)
def test_training_npv_matches_month_by_month(
    cost: float,
    margin: float,
    ramp: int,
    delta: float,
    q: float,
    h: float,
    share: float,
    guaranteed: int,
    a: float,
    sd: float,
) -> None:
    res = training_npv(
        cost,
        margin,
        ramp,
        delta,
        q,
        h,
        share=share,
        guaranteed_months=guaranteed,
        risk_aversion=a,
        income_sd=sd,
    )
    w = month_weights(delta, q, h, guaranteed, horizon=5000)[ramp + 1 :]
    value = share * margin * float(w.sum())
    # CARA premium on the NPV = Σ w_t·X_t, X_t iid N(m, s²): numerical CE of its noise part
    premium = -numeric_ce_of_noise(a, sd * math.sqrt(float((w * w).sum())))
    assert res.value == pytest.approx(value, rel=1e-9, abs=1e-6)
    assert res.risk_premium == pytest.approx(premium, rel=1e-6, abs=1e-6)
    assert res.npv == pytest.approx(value - premium - cost, rel=1e-6, abs=1e-5)
    assert res.invest == (res.npv >= 0.0)


def test_training_npv_monte_carlo() -> None:
    """Simulated separations (quit or churn each month) reproduce the expected PV."""
    rng = np.random.default_rng(20240601)
    n, horizon, delta, q, h, ramp, g = 40_000, 400, 0.99, 0.05, 0.08, 3, 12
    months = np.arange(1, horizon + 1)
    hazard = np.where(months <= g, q, 1.0 - (1.0 - q) * (1.0 - h))
    alive = np.cumprod(rng.random((n, horizon)) >= hazard, axis=1)
    pv = (alive * (months > ramp) * delta**months).sum(axis=1)
    res = training_npv(0.0, 1.0, ramp, delta, q, h, guaranteed_months=g)
    se = pv.std() / math.sqrt(n)
    assert res.value == pytest.approx(pv.mean(), abs=4 * se)


def test_training_golden_month_to_month() -> None:
    # EVIDENCE.md: pay per appointment, month to month (h = 0.08) → NPV ≈ −$7.5k: do not train.
    res = training_npv(**EX, churn_hazard=0.08)
    assert res.survival == pytest.approx(0.99 * 0.95 * 0.92)
    assert res.npv == pytest.approx(-7_500.0, abs=50.0)
    assert not res.invest


def test_training_golden_retainer() -> None:
    # EVIDENCE.md: 12-month guaranteed retainer → +$6.0k (train); convention: no churn in months
    # 1..12, h = 0.08 afterwards.
    res = training_npv(**EX, churn_hazard=0.08, guaranteed_months=12)
    assert res.npv == pytest.approx(6_000.0, abs=50.0)
    assert res.invest


def test_training_golden_retainer_with_holdup() -> None:
    # EVIDENCE.md: the same retainer with hold-up λ = ½ → −$7.0k.
    res = training_npv(**EX, churn_hazard=0.08, guaranteed_months=12, share=0.5)
    assert res.npv == pytest.approx(-7_000.0, abs=50.0)
    assert not res.invest


def test_training_golden_risk_premium() -> None:
    # EVIDENCE.md: risk premium ~$141 at CARA 1e-4 and monthly income sd $1.5k (month to month):
    # ½·a·s²·ρ^(2(R+1))/(1−ρ²) = 140.6. It moves the NPV by ~2% of the gap only.
    res = training_npv(**EX, churn_hazard=0.08, risk_aversion=1e-4, income_sd=1_500.0)
    assert res.risk_premium == pytest.approx(141.0, abs=1.0)
    assert res.npv == pytest.approx(-7_661.0, abs=1.0)
    assert not res.invest


def test_training_helpers() -> None:
    assert monthly_survival(0.99, 0.05, 0.08) == pytest.approx(0.86526)
    rho = 0.8
    assert survival_weighted_sum(rho, 4) == pytest.approx(rho**4 / (1 - rho))
    assert cara_risk_premium(2.0, 3.0) == pytest.approx(3.0)
    assert cara_risk_premium(0.5, 4.0) == pytest.approx(-numeric_ce_of_noise(0.5, 2.0), rel=1e-9)
    with pytest.raises(ValueError):
        training_npv(1.0, 1.0, 0, 1.0, 0.0, 0.0)  # ρ = 1: infinite NPV
    with pytest.raises(ValueError):
        survival_weighted_sum(0.5, 1, guaranteed_months=3)
