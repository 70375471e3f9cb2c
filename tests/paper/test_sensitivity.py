"""The sensitivity estimator (analysis.pce): Sobol indices from a polynomial-chaos surrogate, its
run-noise shares and its bootstrap intervals, on functions whose indices are known."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import pce

# Ishigami (a = 7, b = 0.1) on [-pi, pi]^3: the textbook indices (Sobol & Levitan 1999)
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])


def ishigami(u: np.ndarray) -> np.ndarray:
    x = np.pi * u
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_the_basis_is_orthonormal_under_the_uniform_law() -> None:
    u = np.random.default_rng(0).uniform(-1, 1, (200_000, 3))
    phi = pce.basis(u, pce.multi_indices(3, 3))
    gram = phi.T @ phi / len(u)
    assert gram.shape == (20, 20) and pce.terms(3, 3) == 20
    assert np.abs(gram - np.eye(20)).max() < 0.03


def test_the_surrogate_recovers_the_ishigami_indices() -> None:
    """Degree 8 on 800 random points: every index within 0.01 of the analytic value."""
    u = np.random.default_rng(1).uniform(-1, 1, (800, 3))
    alphas = pce.multi_indices(3, 8)
    s1, st, variance = pce.indices(pce.fit(u, ishigami(u), alphas), alphas)
    assert np.abs(s1 - ISHIGAMI_S1).max() < 0.01
    assert np.abs(st - ISHIGAMI_ST).max() < 0.01
    assert variance == pytest.approx(13.84, rel=0.02)  # a²/8 + b π⁴/5 + b² π⁸/18 + 1/2


def test_the_bootstrap_interval_covers_the_ishigami_indices_under_noise() -> None:
    """Noisy runs (sd 1, two replicates) of the Ishigami function: the 95% intervals over
    design points contain every analytic index, and the noise shares are those the noise
    implies (point: σ²/R over the variance of the point means)."""
    rng = np.random.default_rng(2)
    u = rng.uniform(-1, 1, (700, 3))
    y = ishigami(u)[:, None] + rng.normal(0, 1, (700, 2))
    s = pce.analyse(u, y, 8, resamples=200, seed=3)
    assert np.all((s.s1_ci[:, 0] <= ISHIGAMI_S1) & (s.s1_ci[:, 1] >= ISHIGAMI_S1))
    assert np.all((s.st_ci[:, 0] <= ISHIGAMI_ST) & (s.st_ci[:, 1] >= ISHIGAMI_ST))
    assert s.point_noise_share == pytest.approx(0.5 / (13.84 + 0.5), abs=0.015)
    assert s.cv_r2 > 0.9


def _linear(u: np.ndarray) -> np.ndarray:
    """Orthonormal terms with known coefficients: variance 1 + 0.25 = 1.25."""
    return np.sqrt(3) * u[:, 0] + 0.5 * np.sqrt(3) * u[:, 1]


def test_noise_shares_on_independent_noise() -> None:
    """Run noise independent across points and seeds (variance 4, R = 4): the point share is
    (4/4)/(1.25 + 4/4); a degree-1 surrogate on 2,000 points carries (P−1)·σ²/(N·R) of noise
    variance, about 0.003, against 1.25 it explains."""
    rng = np.random.default_rng(4)
    u = rng.uniform(-1, 1, (2000, 4))
    y = _linear(u)[:, None] + rng.normal(0, 2, (2000, 4))
    assert pce.point_noise_share(y) == pytest.approx(1 / 2.25, abs=0.02)
    share = pce.surrogate_noise_share(u, y, pce.multi_indices(4, 1))
    assert share == pytest.approx(4 * 4 / (2000 * 4) / 1.25, rel=0.5)
    assert pce.point_noise_share(y[:, :1]) is None


def test_noise_shared_by_a_seed_across_points_is_counted() -> None:
    """With common random numbers a seed can tilt the output at every point alike (here a
    random slope b_r in the first input, sd 0.5). Averaging over points cannot remove it: the
    surrogate's noise share is Var(b)/R over its variance, about 0.25/4/1.31, at any number
    of points; a seed's constant offset (sd 3) is absorbed by the constant term."""
    rng = np.random.default_rng(5)
    shares = []
    for points in (500, 4000):
        u = rng.uniform(-1, 1, (points, 4))
        slope = rng.normal(0, 0.5, 4)
        offset = rng.normal(0, 3, 4)
        y = (_linear(u)[:, None] + np.sqrt(3) * u[:, :1] * slope + offset
             + rng.normal(0, 0.1, (points, 4)))
        shares.append(pce.surrogate_noise_share(u, y, pce.multi_indices(4, 2)))
    for share in shares:
        assert 0.01 < share < 0.25  # Var(b)/R = 0.0625 against ~1.3, up to sampling of 4 seeds
    assert shares[1] > 0.3 * shares[0]  # not the 1/N shrinkage of independent noise


def test_the_interval_covers_a_known_index_at_its_level() -> None:
    """Coverage: 40 noisy designs of a degree-2 function with known indices; the bootstrap's
    95% intervals contain the true total index of the first input in at least 85% of them."""
    true_st = (1 + 0.25) / (1 + 0.25 + 0.5)  # x1 alone (1), x1·x2 (0.25); x2 alone 0.5
    alphas = pce.multi_indices(2, 2)
    rng = np.random.default_rng(6)
    hits = 0
    for trial in range(40):
        u = rng.uniform(-1, 1, (150, 2))
        f = (np.sqrt(3) * u[:, 0] + np.sqrt(0.5) * np.sqrt(3) * u[:, 1]
             + 0.5 * 3 * u[:, 0] * u[:, 1])
        y = f[:, None] + rng.normal(0, 0.5, (150, 2))
        s = pce.analyse(u, y, 2, resamples=150, seed=trial)
        hits += s.st_ci[0, 0] <= true_st <= s.st_ci[0, 1]
        assert len(alphas) == s.terms
    assert hits >= 34


def test_degrees_need_enough_points_per_term() -> None:
    assert pce.feasible_degrees(64, 9, (1, 2, 3)) == [1]
    assert pce.feasible_degrees(512, 9, (1, 2, 3)) == [1, 2, 3]
    assert pce.feasible_degrees(300, 9, (1, 2, 3)) == [1, 2]
    rng = np.random.default_rng(7)
    u = rng.uniform(-1, 1, (400, 3))
    y = (3 * u[:, 0] ** 2 + u[:, 1])[:, None] + rng.normal(0, 0.1, (400, 2))
    degree, scores, shares = pce.choose_degree(u, y, (1, 2, 3))
    assert degree >= 2 and scores[2] > scores[1] + 0.3
    # noisy runs (sd 3, R = 8): both degrees explain the same function, degree 3's 19
    # non-constant terms carry about twice the noise of degree 2's 9, and a noise limit
    # between the two keeps degree 2
    noisy = (3 * u[:, 0] ** 2 + u[:, 1])[:, None] + rng.normal(0, 3, (400, 8))
    _, _, shares = pce.choose_degree(u, noisy, (2, 3))
    assert 1.4 < shares[3] / shares[2] < 3
    limit = (shares[2] + shares[3]) / 2
    assert pce.choose_degree(u, noisy, (2, 3), max_noise=limit)[0] == 2
    assert pce.choose_degree(u, noisy, (2, 3), max_noise=shares[2] / 2)[0] == 2  # the lowest


def test_surrogate_indices_are_shares_by_construction() -> None:
    """From any coefficients the indices are shares of a sum of squares: 0 <= S1 <= ST <= 1 and
    the first-order indices sum to at most 1 (so nothing ever needs clipping); a constant
    surrogate has no variance to apportion (NaN, not 0)."""
    alphas = pce.multi_indices(4, 3)
    rng = np.random.default_rng(8)
    for _ in range(50):
        s1, st, _ = pce.indices(rng.normal(0, 1, len(alphas)) * rng.uniform(0, 2, len(alphas)),
                                alphas)
        assert np.all((s1 >= 0) & (s1 <= st + 1e-12) & (st <= 1 + 1e-12))
        assert s1.sum() <= 1 + 1e-12
    s1, st, variance = pce.indices(np.r_[1.0, np.zeros(len(alphas) - 1)], alphas)
    assert variance == 0 and np.isnan(s1).all() and np.isnan(st).all()


def _sobol_numbers(scale: str, noise: float | None, low: float):
    from analysis.numbers import Numbers

    n = Numbers("robustness", scale=scale)
    n.set("sobol.index.a", {"name": "a", "S1": 0.5, "S1_low": 0.4, "S1_high": 0.6, "ST": 0.6,
                            "ST_low": low, "ST_high": 0.7})
    n.set("sobol.index.b", {"name": "b", "S1": 0.0, "S1_low": -0.01, "S1_high": 0.0,
                            "ST": 0.01, "ST_low": -0.02, "ST_high": 0.03})
    n.set("sobol.noise_share", noise)
    n.set("sobol.floor", 0.05)
    from analysis.robustness import _sobol_verdicts

    _sobol_verdicts(n, np.array([0.6, 0.01]), np.array([[low, 0.7], [-0.02, 0.03]]), ["a", "b"])
    return n


def test_the_ranking_sentence_is_a_verdict_of_the_paper_scale_and_of_little_noise() -> None:
    """Which parameters matter is said only from paper-scale numbers with a noise share of at
    most 0.2, and names exactly those whose total index's interval clears the floor."""
    from analysis.robustness import _sobol_ranking
    from analysis.typst import NO_VERDICT

    paper = _sobol_ranking(_sobol_numbers("paper", 0.05, 0.5))
    assert "matter" in paper and "`a`" in paper and "`b`" not in paper.split("matter")[1]
    assert NO_VERDICT not in paper
    quick = _sobol_ranking(_sobol_numbers("quick", 0.05, 0.5))
    assert NO_VERDICT in quick and "matter" not in quick
    noisy = _sobol_ranking(_sobol_numbers("paper", 0.5, 0.5))
    assert "do not rank" in noisy and "matter" not in noisy
    assert "No parameter" in _sobol_ranking(_sobol_numbers("paper", 0.05, 0.01))
    unknown = _sobol_ranking(_sobol_numbers("paper", None, 0.5))
    assert "one run per point" in unknown and "matter" not in unknown
    assert _sobol_numbers("paper", 0.05, 0.5).get("sobol.ends_outside_unit") == 2
