"""Closed-form benchmarks from contract theory (the analytic oracles of EVIDENCE.md).

Every function here is a textbook formula, stated in the notation of its source, written with
plain numpy and checked in ``tests/theory/test_closed_forms.py`` against brute-force numerical
optimisation of the underlying problem. Nothing here knows about the agent-based model: these
are the static benchmarks the simulated agents are compared with.

Conventions shared by all the LEN (linear contract, exponential utility, normal noise) results: the
agent has CARA utility with coefficient ``r``, so a wage with variance ``v`` costs a risk premium
``r·v/2``; the principal is risk neutral; the fixed part of pay makes the agent's participation
constraint bind, so the principal's profit equals the total certainty-equivalent (CE) surplus minus
the agent's reservation utility. "Surplus" below always means that total CE surplus.

Sources:
    Holmström, B. and Milgrom, P. (1987). Aggregation and linearity in the provision of
        intertemporal incentives. Econometrica 55(2), 303–328.
    Holmström, B. and Milgrom, P. (1991). Multitask principal–agent analyses: incentive contracts,
        asset ownership, and job design. Journal of Law, Economics, & Organization 7, 24–52.
    Baker, G. (2002). Distortion and risk in optimal incentive contracts. Journal of Human
        Resources 37(4), 728–751.
    Baker, G., Gibbons, R. and Murphy, K. J. (1994). Subjective performance measures in optimal
        incentive contracts. QJE 109(4), 1125–1156; (2002) Relational contracts and the theory of
        the firm. QJE 117(1), 39–84. Levin, J. (2003). Relational incentive contracts. AER 93(3),
        835–857.
    Becker, G. S. (1964). Human Capital. Williamson, O. E. (1985). The Economic Institutions of
        Capitalism. Acemoglu, D. and Pischke, J.-S. (1998). Why do firms train? QJE 113(1), 79–119.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "BakerSolution",
    "LENSolution",
    "TrainingInvestment",
    "TwoSignalSolution",
    "UnmeasuredTaskSolution",
    "baker_distortion",
    "bonus_is_credible",
    "cara_risk_premium",
    "effective_discount",
    "len_agent_effort",
    "len_ce_surplus",
    "len_one_task",
    "len_optimal_commission",
    "max_credible_bonus",
    "monthly_survival",
    "multitask_ce_surplus",
    "multitask_effort_response",
    "multitask_optimal_commissions",
    "multitask_two_signals",
    "multitask_unmeasured_quality",
    "survival_weighted_sum",
    "training_npv",
]


# --------------------------------------------------------------------------------------------------
# validation helpers


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _positive(name: str, value: float) -> float:
    value = float(value)
    _require(math.isfinite(value) and value > 0.0, f"{name} must be finite and > 0, got {value}")
    return value


def _nonnegative(name: str, value: float) -> float:
    value = float(value)
    _require(math.isfinite(value) and value >= 0.0, f"{name} must be finite and >= 0, got {value}")
    return value


def _probability(name: str, value: float) -> float:
    value = float(value)
    _require(0.0 <= value <= 1.0, f"{name} must lie in [0, 1], got {value}")
    return value


def _vector(name: str, value: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(value, dtype=float)
    _require(arr.ndim == 1 and arr.size > 0, f"{name} must be a non-empty 1-d vector")
    _require(bool(np.all(np.isfinite(arr))), f"{name} must be finite")
    return arr


def _spd(name: str, value: ArrayLike, n: int, *, definite: bool) -> NDArray[np.float64]:
    arr = np.asarray(value, dtype=float)
    _require(arr.shape == (n, n), f"{name} must have shape ({n}, {n}), got {arr.shape}")
    _require(bool(np.all(np.isfinite(arr))), f"{name} must be finite")
    _require(bool(np.allclose(arr, arr.T)), f"{name} must be symmetric")
    eig_min = float(np.linalg.eigvalsh(arr).min())
    scale = max(1.0, float(np.abs(arr).max()))
    if definite:
        _require(eig_min > 0.0, f"{name} must be positive definite")
    else:
        _require(eig_min >= -1e-12 * scale, f"{name} must be positive semi-definite")
    return arr


# --------------------------------------------------------------------------------------------------
# Holmström & Milgrom (1987): LEN, one task


@dataclass(frozen=True)
class LENSolution:
    """Optimal linear contract in the one-task LEN model.

    Attributes:
        commission: optimal piece rate b* = B / (1 + r·c·σ²).
        effort: the agent's effort at b*, e = b*/c.
        risk_premium: the agent's risk premium at b*, r·b*²·σ²/2.
        surplus: total certainty-equivalent surplus at b*, B²/(2c·(1 + r·c·σ²)).
        first_best_surplus: surplus with contractible effort, B²/(2c) (at e = B/c).
    """

    commission: float
    effort: float
    risk_premium: float
    surplus: float
    first_best_surplus: float

    @property
    def surplus_share(self) -> float:
        """Second-best surplus as a share of first best, 1/(1 + r·c·σ²)."""
        return self.surplus / self.first_best_surplus


def len_agent_effort(commission: float, cost: float) -> float:
    """Agent's optimal effort under pay w = a + b·x, x = e + ε, cost c·e²/2.

    Holmström & Milgrom (1987): the CARA agent's certainty equivalent is
    a + b·e − c·e²/2 − r·b²·σ²/2, maximised at e = b/c (noise and risk aversion do not enter).

    Args:
        commission: piece rate b on measured output.
        cost: effort-cost curvature c > 0.

    Returns:
        The effort b/c.
    """
    return float(commission) / _positive("cost", cost)


def len_optimal_commission(
    value: float, cost: float, risk_aversion: float, noise_var: float
) -> float:
    """Optimal piece rate b* = B / (1 + r·c·σ²) (Holmström & Milgrom 1987).

    Args:
        value: the principal's value B per unit of effort.
        cost: effort-cost curvature c > 0 (cost c·e²/2).
        risk_aversion: the agent's CARA coefficient r >= 0.
        noise_var: variance σ² >= 0 of the output noise.

    Returns:
        b*.
    """
    c = _positive("cost", cost)
    r = _nonnegative("risk_aversion", risk_aversion)
    s2 = _nonnegative("noise_var", noise_var)
    return float(value) / (1.0 + r * c * s2)


def len_ce_surplus(
    commission: float, value: float, cost: float, risk_aversion: float, noise_var: float
) -> float:
    """Total certainty-equivalent surplus of the linear contract with piece rate b.

    S(b) = B·e − c·e²/2 − r·b²·σ²/2 with e = b/c (Holmström & Milgrom 1987). With the fixed wage
    set so the agent's participation binds, the principal's profit is S(b) minus the reservation
    utility.

    Args:
        commission: piece rate b.
        value: value B per unit of effort.
        cost: effort-cost curvature c > 0.
        risk_aversion: CARA coefficient r >= 0.
        noise_var: output-noise variance σ² >= 0.

    Returns:
        S(b).
    """
    c = _positive("cost", cost)
    r = _nonnegative("risk_aversion", risk_aversion)
    s2 = _nonnegative("noise_var", noise_var)
    b = float(commission)
    e = b / c
    return float(value) * e - 0.5 * c * e * e - 0.5 * r * b * b * s2


def len_one_task(value: float, cost: float, risk_aversion: float, noise_var: float) -> LENSolution:
    """Solve the one-task LEN model of Holmström & Milgrom (1987).

    Output x = e + ε, ε ~ N(0, σ²); pay w = a + b·x; agent CARA(r) with effort cost c·e²/2;
    principal risk neutral with value B per unit of effort. Then e = b/c, b* = B/(1 + r·c·σ²),
    surplus at b* is B²/(2c(1 + r·c·σ²)) and the first best (effort contractible) is B²/(2c).

    Example (EVIDENCE.md): B=1, c=1, r=2, σ²=0.5 → b*=0.5, e=0.5, surplus 0.25, first best 0.5.

    Args:
        value: value B per unit of effort.
        cost: effort-cost curvature c > 0.
        risk_aversion: CARA coefficient r >= 0.
        noise_var: output-noise variance σ² >= 0.

    Returns:
        The solution, with surplus and first-best surplus.
    """
    b = len_optimal_commission(value, cost, risk_aversion, noise_var)
    c = float(cost)
    return LENSolution(
        commission=b,
        effort=len_agent_effort(b, c),
        risk_premium=0.5 * float(risk_aversion) * b * b * float(noise_var),
        surplus=len_ce_surplus(b, value, cost, risk_aversion, noise_var),
        first_best_surplus=float(value) ** 2 / (2.0 * c),
    )


# --------------------------------------------------------------------------------------------------
# Holmström & Milgrom (1991): multitask


def multitask_effort_response(
    commissions: ArrayLike, cost_matrix: ArrayLike, base_effort: ArrayLike | None = None
) -> NDArray[np.float64]:
    """Agent's effort vector t = t₀ + K⁻¹·α under linear pay on x = t + ε.

    Holmström & Milgrom (1991): cost ½(t − t₀)ᵀK(t − t₀), pay αᵀx; the first-order condition is
    α = K(t − t₀).

    Args:
        commissions: piece rates α, one per measured signal/task.
        cost_matrix: effort-cost matrix K (symmetric positive definite).
        base_effort: t₀, the effort the agent supplies unpaid (default zero).

    Returns:
        The effort vector t.
    """
    alpha = _vector("commissions", commissions)
    k = _spd("cost_matrix", cost_matrix, alpha.size, definite=True)
    t0 = np.zeros_like(alpha) if base_effort is None else _vector("base_effort", base_effort)
    _require(t0.shape == alpha.shape, "base_effort must match commissions")
    return t0 + np.linalg.solve(k, alpha)


def multitask_ce_surplus(
    commissions: ArrayLike,
    benefit: ArrayLike,
    cost_matrix: ArrayLike,
    risk_aversion: float,
    noise_cov: ArrayLike,
) -> float:
    """Total CE surplus of linear pay α (net of the surplus at α = 0) in the HM (1991) model.

    S(α) = Bᵀ(t − t₀) − ½(t − t₀)ᵀK(t − t₀) − (r/2)·αᵀΣα with t − t₀ = K⁻¹α, i.e.
    S(α) = BᵀK⁻¹α − ½αᵀK⁻¹α − (r/2)αᵀΣα. (Bᵀt₀ is a constant and is left out.)

    Args:
        commissions: piece rates α.
        benefit: the principal's marginal benefits B per task.
        cost_matrix: K, symmetric positive definite.
        risk_aversion: the agent's CARA coefficient r >= 0.
        noise_cov: Σ, covariance of the signal noise (positive semi-definite).

    Returns:
        S(α).
    """
    alpha = _vector("commissions", commissions)
    b = _vector("benefit", benefit)
    _require(b.shape == alpha.shape, "benefit must match commissions")
    k = _spd("cost_matrix", cost_matrix, alpha.size, definite=True)
    sigma = _spd("noise_cov", noise_cov, alpha.size, definite=False)
    r = _nonnegative("risk_aversion", risk_aversion)
    dt = np.linalg.solve(k, alpha)
    return float(b @ dt - 0.5 * alpha @ dt - 0.5 * r * alpha @ sigma @ alpha)


def multitask_optimal_commissions(
    benefit: ArrayLike, cost_matrix: ArrayLike, risk_aversion: float, noise_cov: ArrayLike
) -> NDArray[np.float64]:
    """Optimal linear commissions α* = (I + r·K·Σ)⁻¹·B (Holmström & Milgrom 1991).

    Every task has its own signal x = t + ε, ε ~ N(0, Σ); the optimum maximises
    :func:`multitask_ce_surplus`. The solution is unconstrained: entries may be negative.

    Args:
        benefit: marginal benefits B per task.
        cost_matrix: K, symmetric positive definite.
        risk_aversion: CARA coefficient r >= 0.
        noise_cov: Σ, positive semi-definite (finite; for an unmeasured task use
            :func:`multitask_unmeasured_quality`).

    Returns:
        α* as a float vector.
    """
    b = _vector("benefit", benefit)
    k = _spd("cost_matrix", cost_matrix, b.size, definite=True)
    sigma = _spd("noise_cov", noise_cov, b.size, definite=False)
    r = _nonnegative("risk_aversion", risk_aversion)
    return np.linalg.solve(np.eye(b.size) + r * k @ sigma, b)


@dataclass(frozen=True)
class UnmeasuredTaskSolution:
    """Two tasks (volume, quality), only volume measured (Holmström & Milgrom 1991).

    Attributes:
        alpha: the optimal commission on the volume signal, floored at 0.
        alpha_unconstrained: (B₁ − B₂K₁₂/K₂₂)/(1 + rσ₁²(K₁₁ − K₁₂²/K₂₂)), possibly negative.
        fixed_fee_optimal: True when the unconstrained optimum is <= 0, so a flat fee (α = 0) is
            optimal; this happens iff B₁ − B₂·K₁₂/K₂₂ <= 0.
        effort_per_alpha: (Δvolume, Δquality) per unit of α, the first column of K⁻¹
            (K₂₂/det K, −K₁₂/det K).
    """

    alpha: float
    alpha_unconstrained: float
    fixed_fee_optimal: bool
    effort_per_alpha: tuple[float, float]


def _two_by_two(cost_matrix: ArrayLike) -> NDArray[np.float64]:
    return _spd("cost_matrix", cost_matrix, 2, definite=True)


def multitask_unmeasured_quality(
    benefit: ArrayLike, cost_matrix: ArrayLike, risk_aversion: float, noise_var: float
) -> UnmeasuredTaskSolution:
    """Optimal commission when task 2 (quality) is unmeasured (Holmström & Milgrom 1991).

    Only x₁ = t₁ + ε₁, ε₁ ~ N(0, σ₁²) is contractible, so pay is α·x₁. The agent's response is
    Δt = K⁻¹(α, 0) and the optimum is

        α₁* = (B₁ − B₂·K₁₂/K₂₂) / (1 + r·σ₁²·(K₁₁ − K₁₂²/K₂₂)),

    which is <= 0 whenever B₂/B₁ >= K₂₂/K₁₂ (for B₁ > 0, K₁₂ > 0); a fixed fee is then optimal and
    ``alpha`` is floored at 0 with ``fixed_fee_optimal`` set.

    Example (EVIDENCE.md): K = [[1, .5], [.5, 1]], r·σ₁² = 1, B₁ = 1: B₂ = 0 → 0.571; 1 → 0.286;
    2 → 0; 3 → −0.286 (floored at 0); per unit of α volume effort +1.333, quality effort −0.667.

    Args:
        benefit: (B₁, B₂), marginal benefits of volume and quality effort.
        cost_matrix: 2×2 K, symmetric positive definite (K₁₂ > 0: the tasks are substitutes).
        risk_aversion: CARA coefficient r >= 0.
        noise_var: σ₁² >= 0, the variance of the volume signal.

    Returns:
        The solution (floored α, unconstrained α, flag, effort changes per unit α).
    """
    b = _vector("benefit", benefit)
    _require(b.size == 2, "benefit must have two entries (volume, quality)")
    k = _two_by_two(cost_matrix)
    r = _nonnegative("risk_aversion", risk_aversion)
    s2 = _nonnegative("noise_var", noise_var)
    k11, k12, k22 = k[0, 0], k[0, 1], k[1, 1]
    det = k11 * k22 - k12 * k12
    alpha = (b[0] - b[1] * k12 / k22) / (1.0 + r * s2 * (k11 - k12 * k12 / k22))
    return UnmeasuredTaskSolution(
        alpha=max(float(alpha), 0.0),
        alpha_unconstrained=float(alpha),
        fixed_fee_optimal=bool(alpha <= 0.0),
        effort_per_alpha=(float(k22 / det), float(-k12 / det)),
    )


@dataclass(frozen=True)
class TwoSignalSolution:
    """Commissions on a volume signal and a noisy close (quality) signal.

    Attributes:
        alpha_volume: commission α₁ on x₁ = t₁ + ε₁.
        alpha_close: commission α₂ on x₂ = t₂ + ε₂ (0 when σ₂² = ∞).
        floored: True only in the σ₂² = ∞ case when α₁ was floored at 0 (see
            :func:`multitask_unmeasured_quality`).
    """

    alpha_volume: float
    alpha_close: float
    floored: bool = False

    def as_tuple(self) -> tuple[float, float]:
        """(α₁, α₂)."""
        return (self.alpha_volume, self.alpha_close)


def multitask_two_signals(
    benefit: ArrayLike,
    cost_matrix: ArrayLike,
    risk_aversion: float,
    noise_var_volume: float,
    noise_var_close: float,
) -> TwoSignalSolution:
    """Optimal pay on volume plus a noisy close signal (Holmström & Milgrom 1991).

    Independent signals: Σ = diag(σ₁², σ₂²), α* = (I + r·K·Σ)⁻¹·B. As σ₂² → ∞, α₂* → 0 and α₁*
    tends to the unmeasured-quality optimum; ``noise_var_close=math.inf`` returns exactly that case
    (via :func:`multitask_unmeasured_quality`, including its floor at 0). For finite σ₂² the result
    is the unconstrained optimum (entries may be negative), so when α₁* < 0 in the limit the result
    jumps from (α₁*, ~0) to (0, 0) at σ₂² = ∞.

    Example (EVIDENCE.md): K = [[1, .5], [.5, 1]], B = (1, 1), r = 1, σ₁² = 1:
    σ₂² = 1 → (0.40, 0.40); 4 → (0.333, 0.167); 16 → (0.30, 0.05); ∞ → (0.286, 0).

    Args:
        benefit: (B₁, B₂).
        cost_matrix: 2×2 K, symmetric positive definite.
        risk_aversion: CARA coefficient r >= 0.
        noise_var_volume: σ₁² >= 0.
        noise_var_close: σ₂² >= 0, or ``math.inf`` for an unmeasured quality task.

    Returns:
        The two commissions.
    """
    s2 = float(noise_var_close)
    _require(s2 >= 0.0 and not math.isnan(s2), f"noise_var_close must be >= 0, got {s2}")
    if math.isinf(s2):
        sol = multitask_unmeasured_quality(benefit, cost_matrix, risk_aversion, noise_var_volume)
        return TwoSignalSolution(sol.alpha, 0.0, floored=sol.fixed_fee_optimal)
    s1 = _nonnegative("noise_var_volume", noise_var_volume)
    alpha = multitask_optimal_commissions(
        benefit, _two_by_two(cost_matrix), risk_aversion, np.diag([s1, s2])
    )
    return TwoSignalSolution(float(alpha[0]), float(alpha[1]))


# --------------------------------------------------------------------------------------------------
# Baker (2002): distortion


@dataclass(frozen=True)
class BakerSolution:
    """Optimal linear pay on a distorted, noisy measure (Baker 2002).

    Attributes:
        commission: b* = f·g / (|g|² + r·σ_φ²).
        action: the induced action a = b*·g.
        surplus: total CE surplus at b*, (f·g)² / (2(|g|² + r·σ_φ²)).
        first_best_surplus: |f|²/2, at a = f.
        cos2_theta: cos²θ = (f·g)² / (|f|²|g|²) (0 if g = 0).
        share: surplus / first best = cos²θ · |g|² / (|g|² + r·σ_φ²).
    """

    commission: float
    action: tuple[float, ...]
    surplus: float
    first_best_surplus: float
    cos2_theta: float
    share: float


def baker_distortion(
    value_weights: ArrayLike, measure_weights: ArrayLike, risk_aversion: float, noise_var: float
) -> BakerSolution:
    """Solve Baker's (2002) distortion model.

    Value V = f·a + ε, performance measure P = g·a + φ, φ ~ N(0, σ_φ²), effort cost ½|a|², pay
    s + b·P. The agent picks a = b·g; total CE surplus b·(f·g) − ½b²|g|² − ½r·b²σ_φ² is maximised at
    b* = f·g/(|g|² + r·σ_φ²), giving the share cos²θ·|g|²/(|g|² + r·σ_φ²) of the first best |f|²/2.

    Example (EVIDENCE.md): f = (1, 1), r·σ² = 0.25: g = (1, 0) → b* = 0.8, 40% of first best;
    g = (1, −0.5) → b* = 1/3, 8.3%, a = (0.33, −0.17).

    Args:
        value_weights: f, the marginal product of each action dimension (not all zero).
        measure_weights: g, the marginal effect of each action on the measure.
        risk_aversion: the agent's CARA coefficient r >= 0.
        noise_var: σ_φ² >= 0, the measure's noise variance (|g|² + r·σ_φ² must be > 0).

    Returns:
        The solution.
    """
    f = _vector("value_weights", value_weights)
    g = _vector("measure_weights", measure_weights)
    _require(f.shape == g.shape, "value_weights and measure_weights must have the same length")
    r = _nonnegative("risk_aversion", risk_aversion)
    s2 = _nonnegative("noise_var", noise_var)
    ff, gg, fg = float(f @ f), float(g @ g), float(f @ g)
    _require(ff > 0.0, "value_weights must not be all zero")
    denom = gg + r * s2
    _require(denom > 0.0, "|g|² + r·σ² must be > 0")
    b = fg / denom
    surplus = fg * fg / (2.0 * denom)
    cos2 = fg * fg / (ff * gg) if gg > 0.0 else 0.0
    return BakerSolution(
        commission=b,
        action=tuple(float(x) for x in b * g),
        surplus=surplus,
        first_best_surplus=0.5 * ff,
        cos2_theta=cos2,
        share=cos2 * gg / denom,
    )


# --------------------------------------------------------------------------------------------------
# Relational contracts


def effective_discount(discount: float, continuation: float = 1.0) -> float:
    """δ = discount factor × probability the relationship continues another period.

    Args:
        discount: per-period time discount factor in [0, 1].
        continuation: per-period probability the relationship survives, in [0, 1].

    Returns:
        δ.
    """
    return _probability("discount", discount) * _probability("continuation", continuation)


def max_credible_bonus(delta: float, surplus_relationship: float, surplus_outside: float) -> float:
    """Largest discretionary bonus the payer will honour (BGM 1994, 2002; Levin 2003).

    Paying b today and continuing is worth −b + δ/(1−δ)·s_rel; reneging ends the relationship and
    is worth δ/(1−δ)·s_out (per-period surpluses, from next period on). Hence b is credible iff
    b <= δ/(1−δ)·(s_rel − s_out). A non-positive gain from the relationship supports no bonus
    (returns 0 rather than a negative number).

    Args:
        delta: effective discount δ in [0, 1) (see :func:`effective_discount`).
        surplus_relationship: per-period surplus s_rel the payer gets while the relationship lasts.
        surplus_outside: per-period surplus s_out after a breakdown.

    Returns:
        max(0, δ/(1−δ)·(s_rel − s_out)).
    """
    d = _probability("delta", delta)
    _require(d < 1.0, "delta must be < 1")
    return max(0.0, d / (1.0 - d) * (float(surplus_relationship) - float(surplus_outside)))


def bonus_is_credible(
    bonus: float, delta: float, surplus_relationship: float, surplus_outside: float
) -> bool:
    """Whether a promised bonus b satisfies b <= δ/(1−δ)·(s_rel − s_out) (Levin 2003).

    Consistent with :func:`max_credible_bonus`: b is credible iff b <= max_credible_bonus(...), so
    a zero bonus is (vacuously) credible even when the relationship is worth nothing.

    Args:
        bonus: the promised discretionary bonus b.
        delta: effective discount δ in [0, 1).
        surplus_relationship: per-period surplus while the relationship lasts.
        surplus_outside: per-period surplus after a breakdown.

    Returns:
        True when the payer prefers paying b to reneging.
    """
    return float(bonus) <= max_credible_bonus(delta, surplus_relationship, surplus_outside)


# --------------------------------------------------------------------------------------------------
# Training hold-up


def monthly_survival(delta: float, quit_hazard: float, churn_hazard: float = 0.0) -> float:
    """Monthly survival-discount factor ρ = δ(1 − q)(1 − h).

    Args:
        delta: monthly time discount factor δ in [0, 1].
        quit_hazard: monthly probability q that the trained rep quits.
        churn_hazard: monthly probability h that the client ends the contract.

    Returns:
        ρ.
    """
    return (
        _probability("delta", delta)
        * (1.0 - _probability("quit_hazard", quit_hazard))
        * (1.0 - _probability("churn_hazard", churn_hazard))
    )


def survival_weighted_sum(
    survival: float,
    start: int,
    guaranteed_months: int = 0,
    guaranteed_survival: float | None = None,
) -> float:
    """Σ_{t >= start} w_t with w_t = ρ₀^min(t, G) · ρ^max(t − G, 0).

    The weight of month t is the probability-and-discount factor of still earning in month t when
    the factor is ρ₀ in the guaranteed months 1..G and ρ afterwards. With G = 0 this is
    ρ^start/(1 − ρ).

    Args:
        survival: ρ in [0, 1), the factor after the guaranteed term.
        start: first month counted (>= 1).
        guaranteed_months: G >= 0.
        guaranteed_survival: ρ₀ in [0, 1] during the guaranteed term (required if G > 0).

    Returns:
        The sum.
    """
    rho = float(survival)
    _require(0.0 <= rho < 1.0, f"survival must lie in [0, 1), got {rho}")
    _require(int(start) == start and start >= 1, "start must be an integer >= 1")
    _require(
        int(guaranteed_months) == guaranteed_months and guaranteed_months >= 0,
        "guaranteed_months must be an integer >= 0",
    )
    g = int(guaranteed_months)
    start = int(start)
    if g == 0:
        return rho**start / (1.0 - rho)
    if guaranteed_survival is None:
        raise ValueError("guaranteed_survival is required when guaranteed_months > 0")
    rho0 = _probability("guaranteed_survival", guaranteed_survival)
    head = 0.0
    if start <= g:  # Σ_{t=start}^{G} ρ₀^t
        n = g - start + 1
        head = rho0**start * (n if rho0 == 1.0 else (1.0 - rho0**n) / (1.0 - rho0))
    first_tail = max(1, start - g)  # tail months t = G + k, k >= first_tail
    tail = rho0**g * rho**first_tail / (1.0 - rho)
    return head + tail


def cara_risk_premium(risk_aversion: float, variance: float) -> float:
    """CARA risk premium of a normal income, a·Var/2 (exact for normal; Arrow–Pratt otherwise).

    Args:
        risk_aversion: absolute risk aversion a >= 0 (per dollar).
        variance: variance of the income (dollars²) >= 0.

    Returns:
        The premium in dollars.
    """
    return 0.5 * _nonnegative("risk_aversion", risk_aversion) * _nonnegative("variance", variance)


@dataclass(frozen=True)
class TrainingInvestment:
    """NPV of training one rep (Becker 1964; Williamson 1985; Acemoglu & Pischke 1998).

    Attributes:
        survival: ρ = δ(1−q)(1−h) after the guaranteed term.
        guaranteed_survival: ρ₀ = δ(1−q) during the guaranteed term (equal to ρ if G = 0).
        value: λ·m·Σ_{t>R} w_t, the investor's expected discounted share of the margin.
        risk_premium: ½·a·s²·Σ_{t>R} w_t², the CARA premium on the NPV's variance.
        cost: the sunk training cost K.
        npv: value − risk_premium − cost.
    """

    survival: float
    guaranteed_survival: float
    value: float
    risk_premium: float
    cost: float
    npv: float

    @property
    def invest(self) -> bool:
        """Train iff the NPV is non-negative."""
        return self.npv >= 0.0


def training_npv(
    cost: float,
    margin: float,
    ramp_months: int,
    delta: float,
    quit_hazard: float,
    churn_hazard: float,
    *,
    share: float = 1.0,
    guaranteed_months: int = 0,
    risk_aversion: float = 0.0,
    income_sd: float = 0.0,
) -> TrainingInvestment:
    """NPV of sinking a training cost K into a rep, with hold-up and contract horizon.

    The investor pays K at month 0. The rep ramps for R months, then earns a margin m a month from
    month R+1 on, of which the investor keeps the share λ after renegotiation. Each month the stream
    survives with probability (1−q)(1−h) (rep quits; client churns) and is discounted by δ; with no
    guarantee this gives ρ = δ(1−q)(1−h) and value λ·m·ρ^(R+1)/(1−ρ).

    Guaranteed term convention: a contract guaranteed for G months cannot be ended by the client in
    months 1..G, so churn hazard is 0 then (factor ρ₀ = δ(1−q)) and h applies from month G+1 on; the
    month-t weight is w_t = ρ₀^min(t,G)·ρ^max(t−G,0). Quits and discounting apply throughout.

    Risk premium convention: the monthly margin has i.i.d. normal noise with standard deviation s
    (dollars, on the investor's income), so the NPV has variance s²·Σ_{t>R} w_t² (the survival
    weights are treated as deterministic weights; the risk of separation itself is not priced), and
    the CARA(a) premium is ½·a·s²·Σ_{t>R} w_t² = ½·a·s²·ρ^(2(R+1))/(1−ρ²) when G = 0.

    Invest iff λ·m·Σ w_t − risk premium − K >= 0.

    Example (EVIDENCE.md): K = 20k, m = 3k, R = 3, δ = 0.99, q = 0.05. Month to month (h = 0.08):
    NPV = −7.52k. Guaranteed for 12 months, h = 0.08 thereafter: +5.96k; with λ = ½: −7.02k. The
    risk premium at a = 1e-4, s = 1.5k, h = 0.08 is 140.6 (EVIDENCE's "~$141"); the headline NPVs
    above exclude it (with it the month-to-month NPV is −7.66k).

    Args:
        cost: training cost K >= 0 (dollars, sunk at month 0).
        margin: monthly margin m after ramp (dollars).
        ramp_months: R >= 0 months without margin.
        delta: monthly discount factor δ in [0, 1].
        quit_hazard: monthly quit hazard q in [0, 1].
        churn_hazard: monthly client churn hazard h in [0, 1].
        share: investor's surplus share λ in [0, 1] after renegotiation (1 = no hold-up).
        guaranteed_months: G >= 0 months during which the client cannot churn.
        risk_aversion: investor's CARA coefficient a >= 0 (per dollar).
        income_sd: s >= 0, standard deviation of the investor's monthly income (dollars).

    Returns:
        The investment appraisal; ``.invest`` is the decision.
    """
    k = _nonnegative("cost", cost)
    lam = _probability("share", share)
    _require(int(ramp_months) == ramp_months and ramp_months >= 0, "ramp_months must be int >= 0")
    a = _nonnegative("risk_aversion", risk_aversion)
    s = _nonnegative("income_sd", income_sd)
    rho = monthly_survival(delta, quit_hazard, churn_hazard)
    rho0 = monthly_survival(delta, quit_hazard, 0.0) if guaranteed_months else rho
    _require(rho < 1.0, "δ(1−q)(1−h) must be < 1 for a finite NPV")
    start = int(ramp_months) + 1
    value = lam * float(margin) * survival_weighted_sum(rho, start, guaranteed_months, rho0)
    variance_weight = survival_weighted_sum(rho * rho, start, guaranteed_months, rho0 * rho0)
    premium = cara_risk_premium(a, s * s * variance_weight)
    return TrainingInvestment(
        survival=rho,
        guaranteed_survival=rho0,
        value=value,
        risk_premium=premium,
        cost=k,
        npv=value - premium - k,
    )
