"""The end-of-week kernel's Beta sampler draws numpy's numbers, branch by branch, and the
entrants are drawn in model version 8's order from the model's law."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from scipy import stats

from sales_abm.kernels import Entrants
from sales_abm.kernels.recovery import _beta, _beta_constants, _draw
from sales_abm.kernels.streams import generator_from, stream_handle
from sales_abm.market import Market
from sales_abm.scenario import Scenario


@njit  # not cached: a cache would outlive a change to the kernels it calls
def _betas(handle, a, b, k):
    rng = generator_from(handle)
    constants = _beta_constants(a, b)
    out = np.empty(k)
    for i in range(k):
        out[i] = _beta(rng.bit_generator, constants)
    return out


@pytest.mark.parametrize(("a", "b"), [
    (4.0, 8.0), (0.5, 50.0), (2.0, 5.0),  # the defaults: Marsaglia–Tsang, and a shape below 1
    (0.3, 0.9), (1.0, 1.0), (0.05, 0.05),  # Johnk's algorithm
    (1.0, 3.0), (50.0, 0.05), (1.0 + 1e-12, 7.5),  # a shape of 1 (exponential), extremes
])
def test_beta_draws_numpys_numbers_and_leaves_the_stream_where_numpy_does(a, b):
    for seed in range(3):
        mine, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        np.testing.assert_array_equal(_betas(stream_handle(mine), a, b, 2000),
                                      theirs.beta(a, b, 2000))
        assert mine.random() == theirs.random()


def _entrants(**overrides) -> Entrants:
    sc = Scenario.from_dict({"prospects": 10, "reps": 1, **overrides})
    return Market(sc.market, sc.switches, 10, 1, np.random.default_rng(0)).entrants


@pytest.mark.parametrize("overrides", [{}, {"market.poor_fit_alpha": 0.5,
                                            "market.poor_fit_beta": 0.9}])
def test_entrants_draw_numpys_numbers_in_model_version_8s_order(overrides):
    """The k class uniforms, then each entrant's fit from its own class's Beta only (entrant
    order), the k lognormal deal values, the k receptivity Betas; the stream left as numpy's."""
    e = _entrants(**overrides)
    for seed in range(3):
        mine, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        fit, deal_value, receptivity = _draw(e, 3000, mine)
        good = theirs.random(3000) < e.good_fit_share
        want = [theirs.beta(e.good_fit_alpha, e.good_fit_beta) if g
                else theirs.beta(e.poor_fit_alpha, e.poor_fit_beta) for g in good]
        np.testing.assert_array_equal(fit, want)
        np.testing.assert_array_equal(
            deal_value, theirs.lognormal(e.deal_value_mu, e.deal_value_sigma, 3000))
        np.testing.assert_array_equal(
            receptivity, theirs.beta(e.receptivity_alpha, e.receptivity_beta, 3000))
        assert mine.random() == theirs.random()


def test_entrants_fit_follows_the_beta_mixture():
    """The law is version 7's (both Betas drawn, one kept): 200,000 entrants (seed 11) have the
    mixture's mean within 4 standard errors, pass a KS test against the mixture's CDF
    (p > 0.001)."""
    e = _entrants()
    k = 200_000
    fit, _, _ = _draw(e, k, np.random.default_rng(11))
    good, poor = (stats.beta(e.good_fit_alpha, e.good_fit_beta),
                  stats.beta(e.poor_fit_alpha, e.poor_fit_beta))
    share = e.good_fit_share
    mean = share * good.mean() + (1 - share) * poor.mean()
    sd = np.sqrt(share * good.var() + (1 - share) * poor.var()
                 + share * (1 - share) * (good.mean() - poor.mean()) ** 2)
    assert abs(fit.mean() - mean) < 4 * sd / np.sqrt(k)
    assert stats.kstest(fit, lambda x: share * good.cdf(x) + (1 - share) * poor.cdf(x)).pvalue \
        > 0.001
