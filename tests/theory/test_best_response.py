"""The rep's best response in the model's own terms, and the contract game.

What is checked, and against what:

* **Quadrature** (``beta_expectation``, the fit moments, the receptivity integral) against
  ``scipy.integrate.quad`` to 1e-8 (absolute) / 1e-7 (relative).
* **The time budget** (``time_budget``, exact by dynamic programming) against a Monte Carlo of the
  model's own call loop (``kernels.book_calls``): 20,000 simulated weeks, within 4 standard
  errors; and the renewal approximation against Wald's bounds on the exact value.
* **The funnel** (``strategy_table``) against a Monte Carlo of ``Market.place_calls`` and
  ``Market.hold_meetings`` in fresh markets (150,000 prospects, 250 identical reps, one week, so
  cooldowns and depletion do not bite): calls, connects, bookings, junk bookings, held and held
  junk meetings and their expected value, each within ``4 * SE + 1% + 1e-6`` of the analytic
  value, SE the standard error of the mean over reps.
* **Best-response properties**, each derived in its docstring, so that what is asserted is a
  theorem of the stationary model, not a hope.
* **The Roth–Erev rest point** (``_perron``) against the model's own ``RothErev`` learner.
* **The contract game**: pass-through, the training decision's mapping onto ``training_npv``, the
  client's argmax.
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

from sales_abm import cli, kernels
from sales_abm.agents import SalesForce
from sales_abm.kernels import RepColumns
from sales_abm.learning import make_learner
from sales_abm.market import Market
from sales_abm.scenario import PRESETS, Scenario, ScenarioError
from sales_abm.strategy import STRATEGY_DIMENSIONS, strategy_levels
from sales_abm.theory import (
    allowed_actions,
    best_response,
    beta_expectation,
    budgets,
    contract_grid,
    credit_shares,
    funnel_rates,
    noise_and_craft,
    pass_through,
    roth_erev_mean_field,
    solve_contract_game,
    strategy_table,
    time_budget,
    training_decision,
    training_npv,
)
from sales_abm.theory.best_response import _fit_moments, _perron, _receptivity_factor
from sales_abm.theory.cli import add_theory_parser

DEFAULT = Scenario.default()


# --------------------------------------------------------------------------------------------------
# quadrature


@pytest.mark.parametrize(("a", "b"), [(0.5, 50.0), (4.0, 8.0), (0.3, 0.7), (2.0, 5.0), (1.0, 1.0)])
def test_beta_expectation_matches_quad(a: float, b: float) -> None:
    dist = stats.beta(a, b)
    for g, breaks in (
        (lambda x: np.ones_like(x), ()),
        (lambda x: x**2, ()),
        (lambda x: (x < 0.1) * x, (0.1,)),
        (lambda x: np.minimum(1.0, 3.0 * x) * x, (1 / 3,)),
    ):
        got = beta_expectation(g, a, b, breaks)
        want = integrate.quad(
            lambda x, g=g: float(g(np.array([x]))[0]) * dist.pdf(x),
            0,
            1,
            points=[0.5, *breaks],
            limit=500,
            epsabs=1e-12,
        )[0]
        assert got == pytest.approx(want, rel=1e-7, abs=1e-8)


@pytest.mark.parametrize(("threshold", "skill"), [(0.0, 0.2), (1 / 6, 0.2), (0.5, 0.9), (0.3, 1.0)])
def test_fit_moments_match_quad(threshold: float, skill: float) -> None:
    m = DEFAULT.market
    noise, _ = noise_and_craft(DEFAULT, skill)
    got = _fit_moments(DEFAULT, threshold, noise)

    def mixture(x: float) -> float:
        return m.good_fit_share * stats.beta.pdf(x, m.good_fit_alpha, m.good_fit_beta) + (
            1 - m.good_fit_share
        ) * stats.beta.pdf(x, m.poor_fit_alpha, m.poor_fit_beta)

    def moment(k: float, hi: float = 1.0) -> float:
        pts = [p for p in (m.qualification_bar, threshold, 0.5) if 0 < p < hi]
        return integrate.quad(
            lambda x: stats.norm.cdf((x - threshold) / noise) * x**k * mixture(x),
            0,
            hi,
            points=pts or None,
            limit=500,
            epsabs=1e-12,
        )[0]

    assert got["m0"] == pytest.approx(moment(0), rel=1e-7, abs=1e-9)
    assert got["m1"] == pytest.approx(moment(1), rel=1e-7, abs=1e-9)
    assert got["m2"] == pytest.approx(moment(2), rel=1e-7, abs=1e-9)
    assert got["j0"] == pytest.approx(moment(0, m.qualification_bar), rel=1e-7, abs=1e-9)
    assert got["j1"] == pytest.approx(moment(1, m.qualification_bar), rel=1e-7, abs=1e-9)


@pytest.mark.parametrize(("pressure", "craft"), [(0.0, 1.0), (1.0, 1.2), (0.5, 0.8)])
def test_receptivity_factor_matches_quad(pressure: float, craft: float) -> None:
    m = DEFAULT.market
    mean = m.receptivity_alpha / (m.receptivity_alpha + m.receptivity_beta)
    gain = m.agree_base * (1 + m.pressure_agree_gain * pressure) * craft / mean
    want = integrate.quad(
        lambda r: (
            m.connect_scale
            * r
            * min(1.0, gain * r)
            * stats.beta.pdf(r, m.receptivity_alpha, m.receptivity_beta)
        ),
        0,
        1,
        points=[min(1 / gain, 0.999)],
        epsabs=1e-13,
    )[0]
    connect, kappa = _receptivity_factor(DEFAULT, pressure, craft)
    assert kappa == pytest.approx(want, rel=1e-8)
    assert connect == pytest.approx(m.connect_scale * mean)


# --------------------------------------------------------------------------------------------------
# the time budget


@pytest.mark.parametrize(
    ("planned", "booking_time", "p_book"),
    [(300, 10.0, 0.03), (200, 10.0, 0.2), (400, 2.5, 0.05), (50, 40.0, 0.1), (120, 7.0, 0.6)],
)
def test_time_budget_matches_the_models_budget_rule(
    planned: int, booking_time: float, p_book: float
) -> None:
    """Exact expectations vs the model's own call loop (``kernels.book_calls``), 4 SE.

    Each simulated week is one "rep" of ``planned`` calls to distinct prospects who all connect
    with probability ``p_connect``, propose (fit 1, no noise, threshold 0) and agree with
    probability ``p_book / p_connect``.
    """
    weeks, p_connect = 20_000, min(1.0, p_book + 0.05)
    rng = np.random.default_rng(1)
    total = weeks * planned
    caller = np.repeat(np.arange(weeks), planned)
    ones, zeros = np.ones(total), np.zeros(weeks)
    reps = kernels.RepColumns(planned=np.full(weeks, planned), threshold=zeros, pressure=zeros,
                              noise_sd=zeros, craft=np.ones(weeks), hire_id=np.arange(weeks))
    prospects = kernels.Prospects(
        fit=ones, deal_value=ones.copy(), receptivity=ones.copy(), base_receptivity=ones.copy(),
        status=np.zeros(total, dtype=np.int8), until=np.zeros(total, dtype=np.int32),
        booked_by=np.zeros(total, dtype=np.int32), booked_hire=np.zeros(total, dtype=np.int64),
        booked_week=np.zeros(total, dtype=np.int32), booked_pressure=np.zeros(total),
        won=np.zeros(total, dtype=bool), answer=ones.copy(), accept=ones.copy(),
    )
    funnel = kernels.Funnel(connect_scale=p_connect, agree_scale=p_book / p_connect,
                            receptivity_scale=1.0, pressure_agree_gain=0.0, qualification_bar=0.0,
                            cooldown_weeks=1, burn=False, pressure_annoyance=0.0,
                            propensity_scale=1.0)
    connected, _, booked, _, _, counts = kernels.book_calls(
        0, rng, caller, np.arange(total), reps, prospects, funnel, booking_time, 0.0)
    made = counts[0]
    connected, booked = connected.reshape(weeks, planned), booked.reshape(weeks, planned)
    got = time_budget(planned, booking_time, p_book, p_connect)
    for value, sample in (
        (got.calls, made),
        (got.connects, connected.sum(axis=1)),
        (got.bookings, booked.sum(axis=1)),
    ):
        se = sample.std() / math.sqrt(weeks)
        assert abs(sample.mean() - value) <= 4 * se + 1e-9, (sample.mean(), value, se)
    # Wald on the first call that does not fit, N + 1 (a stopping time):
    # E / (1 + booking_time b) - 1 < E[N] <= (E + 1 + booking_time) / (1 + booking_time b) - 1
    rate = 1 + booking_time * p_book
    assert planned / rate - 1 < got.calls <= (planned + 1 + booking_time) / rate - 1 + 1e-9


def test_time_budget_edge_cases() -> None:
    assert time_budget(100, 0.0, 0.3, 0.5).calls == 100
    assert time_budget(100, 0.0, 0.3, 0.5).bookings == pytest.approx(30)
    assert time_budget(100, 10.0, 0.0, 0.5).calls == pytest.approx(100)
    assert time_budget(0, 10.0, 0.2, 0.5).calls == 0
    every = time_budget(55, 10.0, 1.0, 1.0)  # every call books: 5 fit (5 x 11 = 55)
    assert every.calls == pytest.approx(5) and every.bookings == pytest.approx(5)
    many = budgets(np.array([100, 200]), 10.0, np.array([0.01, 0.1]), 0.2)
    assert many[0].shape == (2, 2)
    assert many[0][1, 0] == pytest.approx(time_budget(200, 10.0, 0.01, 0.2).calls)


# --------------------------------------------------------------------------------------------------
# the funnel against the market


def _monte_carlo(
    scenario: Scenario, effort: int, threshold: float, pressure: float, skill: float, seed: int
) -> dict[str, np.ndarray]:
    reps, n = 250, 150_000
    sc = scenario.with_overrides({"market.network_degree": 0})
    rng = np.random.default_rng(seed)
    market = Market(sc.market, sc.switches, n, reps, rng)
    noise, craft = noise_and_craft(sc, skill)
    hire = np.arange(reps)
    columns = RepColumns(planned=np.full(reps, effort), threshold=np.full(reps, threshold),
                         pressure=np.full(reps, pressure), noise_sd=np.full(reps, noise),
                         craft=np.full(reps, craft), hire_id=hire)
    out = market.place_calls(0, columns, sc.rep.booking_time, rng)
    meet = market.hold_meetings(1, None, hire, 0, rng)
    return {
        "calls": out.calls,
        "connects": out.connects,
        "booked": out.booked,
        "booked_junk": out.booked_junk,
        "held": meet.held[:reps],
        "held_junk": meet.held_junk[:reps],
        "revenue": meet.expected_value[:reps],
    }


@pytest.mark.parametrize(
    ("effort", "threshold", "pressure", "skill"),
    [(300, 0.0, 1.0, 0.2), (200, 1 / 6, 0.5, 0.2), (400, 0.5, 0.0, 0.9), (300, 1 / 3, 1.0, 1.0)],
)
def test_funnel_matches_market_monte_carlo(
    effort: int, threshold: float, pressure: float, skill: float
) -> None:
    sc = DEFAULT.with_overrides(
        {"rep.calls_min": 200, "rep.calls_max": 400, "rep.effort_levels": 3}
    )
    table = strategy_table(sc, skill=skill)
    levels = strategy_levels(sc)
    row = table.filter(
        (pl.col("effort") == effort)
        & (pl.col("i_threshold") == int(np.argmin(np.abs(levels["threshold"] - threshold))))
        & (pl.col("i_pressure") == int(np.argmin(np.abs(levels["pressure"] - pressure))))
    ).row(0, named=True)
    sample = _monte_carlo(sc, effort, row["threshold"], row["pressure"], skill, seed=effort)
    for key, values in sample.items():
        se = values.std() / math.sqrt(values.size)
        assert abs(values.mean() - row[key]) <= 4 * se + 0.01 * row[key] + 1e-6, (
            key,
            values.mean(),
            row[key],
            se,
        )


# --------------------------------------------------------------------------------------------------
# best-response properties


def _scenario(**overrides: object) -> Scenario:
    return Scenario.from_dict({"contract.preset": "retainer", **overrides})


def test_per_appointment_books_everyone() -> None:
    """Under pay per appointment set (no audit, no commission) the BR threshold is the lowest.

    Derivation: the payoff is ``bonus x bookings - cost(effort)``. For a given effort, expected
    bookings rise with the per-call booking probability ``b`` (more bookings per call, and
    ``E b / (1 + booking_time b)`` rises in ``b``), and ``b`` falls with the threshold and rises
    with pressure. So whatever the effort, threshold 0 and top pressure are best, and the BR
    threshold is at most any other plan's: in particular the retainer's.
    """
    per_app = best_response(Scenario.default("per_appointment"))
    retainer = best_response(Scenario.default("retainer"))
    assert per_app.threshold == 0.0
    assert per_app.pressure == 1.0
    assert per_app.threshold <= retainer.threshold
    assert retainer.threshold > 0.0  # the retainer's audited, clawed-back bonus screens


def _measure(table: pl.DataFrame, index: int, bonus: float) -> float:
    """The pay plan's bonus measure at a row: counted - audited junk x (1 + clawback)."""
    row = table.row(index, named=True)
    return (row["bonus"] - row["clawback"]) / bonus


@given(
    pay_on=st.sampled_from(["set", "held", "qualified"]),
    low=st.floats(10.0, 400.0),
    factor=st.floats(1.05, 4.0),
    commission=st.sampled_from([0.0, 0.05]),
    audit=st.sampled_from([0.0, 1.0]),
    skill=st.floats(0.0, 1.0),
)
def test_raising_the_bonus_never_lowers_the_measure(
    pay_on: str, low: float, factor: float, commission: float, audit: float, skill: float
) -> None:
    """Revealed preference: a higher bonus never lowers the measure it pays for.

    If ``s`` is a BR at bonus ``B`` and ``s'`` at ``B' > B``, with ``Q`` the bonus measure
    (counted minus audited junk times ``1 + clawback``) and ``V`` the rest of the payoff:
    ``B'Q(s') + V(s') >= B'Q(s) + V(s)`` and ``BQ(s) + V(s) >= BQ(s') + V(s')``; adding,
    ``(B' - B)(Q(s') - Q(s)) >= 0``. Under ``pay_on = set`` without audit, ``Q`` is bookings.
    """
    base = {
        "pay.pay_on": pay_on,
        "pay.commission": commission,
        "pay.audit_rate": audit,
        "pay.clawback": 0.5,
    }
    lo = best_response(_scenario(**base, **{"pay.bonus_per_appointment": low}), skill=skill)
    hi = best_response(
        _scenario(**base, **{"pay.bonus_per_appointment": low * factor}), skill=skill
    )
    q_lo = _measure(lo.table, lo.index, low)
    q_hi = _measure(hi.table, hi.index, low * factor)
    assert q_hi >= q_lo - 1e-9 * max(1.0, abs(q_lo))


@given(
    low=st.floats(0.0, 400.0),
    factor=st.floats(1.05, 4.0),
    commission=st.sampled_from([0.0, 0.05, 0.2]),
    skill=st.floats(0.0, 1.0),
)
def test_raising_the_set_bonus_never_raises_the_threshold(
    low: float, factor: float, commission: float, skill: float
) -> None:
    """Under ``pay_on = set`` (no audit) a higher bonus never raises the BR threshold.

    Exact for the threshold chosen at each effort and pressure (Topkis): the payoff is
    ``B x bookings(t) + commission x revenue(t) - cost``, and bookings fall with the threshold,
    so the payoff has decreasing differences in (t, B) and the argmax threshold (either
    selection) is non-increasing in B. Jointly with effort and pressure it is not a theorem
    (bookings are not supermodular in (effort, -threshold, pressure) because of the time
    budget); what the joint BR satisfies in general is the revealed-preference result above,
    and on this grid it satisfies the threshold statement too, which is asserted as well.
    """
    base = {"pay.pay_on": "set", "pay.commission": commission, "pay.audit_rate": 0.0}
    lo = best_response(_scenario(**base, **{"pay.bonus_per_appointment": low}), skill=skill)
    hi = best_response(
        _scenario(**base, **{"pay.bonus_per_appointment": low * factor + 1.0}), skill=skill
    )
    for (ie, ip), group in lo.table.group_by(["i_effort", "i_pressure"]):
        other = hi.table.filter((pl.col("i_effort") == ie) & (pl.col("i_pressure") == ip))
        t_lo = group.sort("i_threshold")["threshold"][
            int(group.sort("i_threshold")["payoff"].arg_max())
        ]
        t_hi = other.sort("i_threshold")["threshold"][
            int(other.sort("i_threshold")["payoff"].arg_max())
        ]
        assert t_hi <= t_lo
    assert hi.threshold <= lo.threshold


@given(
    bonus=st.floats(20.0, 600.0),
    skill=st.floats(0.0, 1.0),
    booking_time=st.sampled_from([0.0, 5.0, 10.0, 30.0]),
)
def test_paying_on_qualified_books_no_more_junk(
    bonus: float, skill: float, booking_time: float
) -> None:
    """Pay on qualified held meetings with full audit: the BR books no more junk than on set.

    Under ``set`` (no audit) the BR is threshold 0 and top pressure (see
    :func:`test_per_appointment_books_everyone`), which maximises both the junk share of
    proposals (it falls with the threshold: the propose probability ``Phi((f - t)/sd)`` has a
    monotone likelihood ratio in ``f``) and the bookings per call; and the per-call value of
    effort is highest under ``set``, so its BR effort is at least the qualified BR's.
    Junk bookings are ``calls x junk share x b``, each factor largest under ``set``.
    """
    base = {
        "pay.bonus_per_appointment": bonus,
        "pay.commission": 0.0,
        "rep.booking_time": booking_time,
    }
    on_set = best_response(
        _scenario(**base, **{"pay.pay_on": "set", "pay.audit_rate": 0.0}), skill=skill
    )
    qualified = best_response(
        _scenario(
            **base, **{"pay.pay_on": "qualified", "pay.audit_rate": 1.0, "pay.clawback": 1.0}
        ),
        skill=skill,
    )
    assert qualified.row["booked_junk"] <= on_set.row["booked_junk"] + 1e-9
    assert qualified.row["junk_share"] <= on_set.row["junk_share"] + 1e-12


@given(
    preset=st.sampled_from(sorted(PRESETS)),
    bonus=st.floats(0.0, 2000.0),
    pay_on=st.sampled_from(["set", "held", "qualified"]),
    commission=st.floats(0.0, 1.0),
    audit=st.floats(0.0, 1.0),
    clawback=st.floats(0.0, 3.0),
    skill=st.floats(0.0, 1.0),
    threshold_learning=st.booleans(),
    pressure=st.booleans(),
)
def test_payoff_table_is_finite_and_the_br_is_in_the_grid(
    preset: str,
    bonus: float,
    pay_on: str,
    commission: float,
    audit: float,
    clawback: float,
    skill: float,
    threshold_learning: bool,
    pressure: bool,
) -> None:
    sc = Scenario.from_dict(
        {
            "contract.preset": preset,
            "pay.bonus_per_appointment": bonus,
            "pay.pay_on": pay_on,
            "pay.commission": commission,
            "pay.audit_rate": audit,
            "pay.clawback": clawback,
            "switches.threshold_learning": threshold_learning,
            "switches.pressure": pressure,
        }
    )
    br = best_response(sc, skill=skill)
    table = br.table
    levels = strategy_levels(sc)
    assert len(table) == math.prod(levels[d].size for d in STRATEGY_DIMENSIONS)
    numeric = table.select(pl.col(pl.Float64)).to_numpy()
    assert np.isfinite(numeric).all()
    assert table["allowed"][br.index]
    assert br.payoff == pytest.approx(table.filter(pl.col("allowed"))["payoff"].max())
    for dim in STRATEGY_DIMENSIONS:
        assert getattr(br, dim) in levels[dim]
    if not pressure:
        assert br.pressure == 0.0
    if not threshold_learning:
        assert (
            br.threshold
            == levels["threshold"][
                int(np.abs(levels["threshold"] - sc.rep.initial_threshold).argmin())
            ]
        )
    assert (table["booked_junk"] <= table["booked"] + 1e-12).all()
    assert (table["held"] <= table["booked"] + 1e-12).all()
    assert (table["calls"] <= table["effort"] + 1e-9).all()
    gaps = br.dimension_gaps()
    assert all(g >= -1e-9 for g in gaps.values())


@pytest.mark.parametrize(
    "switched_off", [(), ("effort_learning", "threshold_learning", "pressure")]
)
def test_grid_and_fixed_actions_are_the_models(switched_off: tuple[str, ...]) -> None:
    sc = DEFAULT.with_overrides({f"switches.{s}": False for s in switched_off})
    force = SalesForce(sc)
    allowed = allowed_actions(sc)
    for dim in STRATEGY_DIMENSIONS:
        assert np.array_equal(force.levels[dim], strategy_levels(sc)[dim])
        fixed = force.fixed_action[dim]
        want = np.arange(force.levels[dim].size) if fixed is None else np.array([fixed])
        assert np.array_equal(allowed[dim], want)
    assert all(force.fixed_action[d] is not None for d in STRATEGY_DIMENSIONS) == bool(switched_off)


def test_payoff_is_variable_pay_minus_effort_cost() -> None:
    sc = Scenario.default("hybrid")
    t = strategy_table(sc)
    pay = sc.pay
    assert np.allclose(t["bonus"], pay.bonus_per_appointment * t["booked"])  # set, no audit
    assert np.allclose(t["commission"], pay.commission * t["revenue"])
    assert np.allclose(t["payoff"], t["variable_pay"] - t["effort_cost"])
    assert np.allclose(
        t["learning_payoff"], (t["payoff"] + sc.learning.payoff_shift) / sc.learning.payoff_scale
    )
    assert np.allclose(t["effort_cost"], sc.rep.effort_cost * (t["effort"] / sc.rep.calls_max) ** 2)
    rates = funnel_rates(sc, 0.0, 0.0, sc.rep.skill_initial)
    assert 0 < rates.book_junk < rates.book < rates.connect


# --------------------------------------------------------------------------------------------------
# learning predictions


@pytest.mark.parametrize("payoffs", [[1.0, 1.2], [2.0, 2.1, 2.3], [0.5, 1.5, 1.0, 0.8]])
def test_perron_is_the_rest_point_of_the_models_roth_erev(payoffs: list[float]) -> None:
    """2,000 RothErev learners with fixed payoffs settle, on average, near ``_perron``.

    The rest point is that of the expected dynamics. A learner's finite memory (forgetting 0.1)
    makes its probabilities fluctuate, which pulls their average a little towards uniform
    (0.03 for the strongest payoff contrast here), hence the tolerance of 0.04.
    """
    pi = np.array(payoffs)
    learner = make_learner("roth_erev", 2000, pi.size, {"forgetting": 0.1, "experimentation": 0.2})
    rng = np.random.default_rng(3)
    total = np.zeros(pi.size)
    for step in range(600):
        actions = learner.choose(rng)
        learner.update(actions, pi[actions])
        if step >= 300:
            total += learner.probabilities().mean(axis=0)
    assert np.allclose(total / 300, _perron(pi, 0.2), atol=0.04)


def test_credit_shares() -> None:
    for preset in ("per_appointment", "retainer", "per_close"):  # earned: all pay is credited
        assert credit_shares(Scenario.default(preset)) == {"appointments": 1.0, "commission": 1.0}
    paid = {"learning.credit": "paid"}
    assert credit_shares(Scenario.default("per_appointment").with_overrides(paid)) == {
        "appointments": 1.0,
        "commission": 0.0,
    }
    assert credit_shares(Scenario.default("retainer").with_overrides(paid))["appointments"] == 0.0
    four = Scenario.default("retainer").with_overrides({"learning.rep_cadence_weeks": 4, **paid})
    assert credit_shares(four)["appointments"] == 0.75
    short = Scenario.default("per_close").with_overrides(
        {"learning.rep_cadence_weeks": 4, "market.cycle_min_weeks": 1, "market.cycle_max_weeks": 1,
         **paid}
    )
    assert credit_shares(short)["commission"] == 0.5


def test_mean_field_is_a_distribution_favouring_better_actions() -> None:
    sc = Scenario.default("per_appointment")
    mf = roth_erev_mean_field(sc)
    for dim, p in mf.probabilities.items():
        assert p.sum() == pytest.approx(1.0) and (p >= 0).all(), dim
    assert mf.modal["threshold"] == best_response(sc).actions["threshold"]
    with pytest.raises(ValueError, match="roth_erev"):
        roth_erev_mean_field(sc.with_overrides({"learning.rule": "ewa"}))


# --------------------------------------------------------------------------------------------------
# the contract game


def test_pass_through_follows_the_presets() -> None:
    base = Scenario.default()
    same = pass_through(base, "per_appointment")
    assert same.contract == Scenario.default("per_appointment").contract
    assert same.pay == Scenario.default("per_appointment").pay
    double = pass_through(base, "per_appointment", 2.0, 0.5)
    assert double.contract.price_per_appointment == 1200.0
    assert double.pay.bonus_per_appointment == 300.0
    assert double.contract.audit_rate == 0.5 and double.contract.clawback == 1.0
    assert double.pay.audit_rate == 0.5 and double.pay.clawback == 1.0
    retainer = pass_through(base, "retainer", 0.5)
    assert retainer.contract.fixed_fee == 4000.0
    assert retainer.pay.bonus_per_appointment == 250.0  # the outsourcer's own bonus
    close = pass_through(base, "per_close", 1.5)
    assert close.contract.commission == pytest.approx(0.6)
    assert close.pay.commission == pytest.approx(0.15)
    with pytest.raises(ValueError):
        pass_through(base, "nonsense")


def test_training_decision_is_the_closed_form_with_the_models_primitives() -> None:
    sc = Scenario.default("per_close")
    d = training_decision(sc, churn_hazard=0.08)
    gain = (
        (d.trained.row["outsourcer_contribution"] - d.untrained.row["outsourcer_contribution"])
        * 52
        / 12
    )
    assert d.margin_gain == pytest.approx(gain)
    q = 1 - (1 - (1 - (1 - sc.rep.attrition_annual) ** (1 / 52))) ** (52 / 12)
    assert d.quit_hazard == pytest.approx(q)
    assert d.ramp_months == 3 and d.guaranteed_months == 3
    ref = training_npv(sc.outsourcer.training_cost, gain, 3, 0.99, q, 0.08, guaranteed_months=3)
    assert d.investment.npv == pytest.approx(ref.npv)
    assert d.train == (ref.npv >= 0)
    assert d.trained.skill == pytest.approx(sc.rep.skill_initial + sc.rep.training_gain)
    longer = training_decision(
        sc.with_overrides({"contract.minimum_term": 12.0}), churn_hazard=0.08
    )
    assert longer.investment.npv >= d.investment.npv  # a longer guarantee never hurts
    calm = training_decision(
        sc.with_overrides({"switches.attrition": False, "switches.termination": False})
    )
    assert calm.quit_hazard == 0.0 and calm.churn_hazard == 0.0


def test_contract_game_picks_the_clients_best_feasible_contract() -> None:
    grid = contract_grid(("per_appointment", "hybrid"), (0.75, 1.0), (0.0, 1.0))
    game = solve_contract_game(DEFAULT, grid)
    table = game.table
    assert len(table) == len(grid)
    best = game.best_row
    assert best is not None and best["feasible"]
    assert best["client_profit"] == table.filter(pl.col("feasible"))["client_profit"].max()
    for row in table.to_dicts():
        sc = pass_through(DEFAULT, row["preset"], row["scale"], row["audit_rate"])
        br = best_response(sc, skill=row["skill"])
        assert row["client_profit"] == pytest.approx(
            sc.client.gross_margin * br.row["revenue"]
            - br.row["client_payment"]
            - br.row["ae_cost"]
        )
        assert row["effort"] == br.effort and row["threshold"] == br.threshold


# --------------------------------------------------------------------------------------------------
# command line


_BUILD_PARSER = cli.build_parser


def _parser() -> argparse.ArgumentParser:
    parser = _BUILD_PARSER()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "theory" not in sub.choices:  # until sales_abm.cli registers it itself
        add_theory_parser(sub)
    return parser


def test_cli_prints_the_best_response(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["theory", "--contract", "per_appointment", "--top", "3"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "best response: effort 400 calls, threshold 0.000, pressure 1.00" in out
    assert len([line for line in out.splitlines() if line.strip().startswith("400")]) >= 1


def test_cli_bad_input_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "build_parser", _parser)
    assert cli.main(["theory", "--set", "pay.bonus=3"]) == 2
    assert "did you mean" in capsys.readouterr().err
    assert cli.main(["theory", "--skill", "2"]) == 2
    args = _parser().parse_args(["theory", "--set", "pay.clawback=9"])
    with pytest.raises(ScenarioError):
        args.func(args)
