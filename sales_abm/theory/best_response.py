"""The rep's static best response, computed from the model's own primitives (docs/model.md 10).

For a pay plan, a skill level and the market's primitives, every strategy of the reps' grid
(:func:`sales_abm.strategy.strategy_levels`: effort x threshold x pressure) gets its expected weekly
outcome and payoff in a **stationary market**:

* no depletion: every call reaches an available prospect, and the prospect is a fresh draw from
  the population (fit from the two-Beta mixture, baseline receptivity from its Beta, deal value
  independent of both with mean ``market.deal_value_mean``);
* no burn, no pressure annoyance, no word of mouth: receptivity stays at its baseline;
* no AE capacity limit, no attrition, no training ramp: the skill is the one given;
* the strategy is played every week, so this week's pay equals the pay the strategy earns even
  when it arrives later (held meetings a week later, commission after the sales cycle).

The funnel is :class:`sales_abm.market.Market`'s, integrated instead of sampled. A call connects
with probability ``connect_scale * rho``; on a connect the signal ``fit + N(0, sd)`` is proposed
to when it clears the threshold, ``P = Phi((fit - t) / sd)``; the prospect agrees with probability
``min(1, agree_base * rho / mean_rho * (1 + gain * pressure) * craft)``. Because fit and
receptivity are independent, P(book | fit, rho) factorises and each call books with probability
``b = kappa(pressure) * E_fit[Phi]`` where ``kappa = E_rho[connect_scale * rho * min(1, A * rho)]``.
A booked meeting is held with ``show_max * (1 - pressure_show_loss * pressure) * (floor + (1 -
floor) * fit)``; a held meeting opens an opportunity with ``fit^s`` and closes won with
``fit^s * fit^(1-s) = fit``, so its expected revenue is ``fit * deal_value_mean``. Junk means
``fit < qualification_bar``. The integrals over fit and receptivity are Gauss–Legendre
quadratures on segments split at every kink (the bar, the threshold, ``1 / A``), with the Beta
densities' endpoint singularities removed by a change of variables; they agree with
``scipy.integrate.quad`` to 1e-7 or better (tests). Calls are treated as independent draws (the
model samples targets without replacement from a pool much larger than a week's calls).

**Time budget, exactly.** A week is a budget of ``E`` call-times (the effort level); a call costs 1
and a booked call ``1 + booking_time``. Calls are made in order while the cumulative cost fits
(:func:`sales_abm.kernels.book_calls`), so call ``n`` is made iff ``n + booking_time * B_n <= E``
with ``B_n ~ Binomial(n, b)`` the bookings among the first ``n`` calls. The expected number of
calls made, connects and bookings are sums of binomial CDFs, computed exactly by a dynamic
programme (:func:`time_budget`). The renewal approximation ``calls ~ E / (1 + booking_time * b)``
is reported beside it (column ``calls_approx``). By Wald's identity applied to the first call that
does not fit, ``E / (1 + booking_time b) - 1 < E[calls] <= (E + 1 + booking_time) / (1 +
booking_time b) - 1``: the approximation is off by less than one booked call's time.

**Payoff.** The payoff a rep's learner is fed (:meth:`SalesModel._learn_and_leave`) is its
variable pay minus its effort cost; the base salary is the same for every strategy and drops
out. Variable pay under a pay plan: bonus per counted appointment (set, held or qualified) not
found unqualified by the audit, minus ``clawback * bonus`` per audited unqualified one, plus
commission on revenue. The learner sees that payoff shifted by ``learning.payoff_shift`` and divided
by ``learning.payoff_scale`` (column ``learning_payoff``); the shift does not change the argmax.

The myopic best response is the argmax of ``payoff`` over the grid (ties go to the lowest grid
index: lowest effort, threshold, pressure); a dimension whose learning is switched off is held at
the action the model fixes for it (:func:`sales_abm.strategy.fixed_actions`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np
import polars as pl

from sales_abm.contracts import Payment, Terms, expected_payment
from sales_abm.scenario import WEEKS_PER_MONTH, ContractTerms, MarketParams, PayPlan, Scenario
from sales_abm.strategy import STRATEGY_DIMENSIONS, fixed_actions, strategy_levels

__all__ = [
    "STRATEGY_DIMENSIONS",
    "BestResponse",
    "Budget",
    "FunnelRates",
    "LearningPrediction",
    "allowed_actions",
    "best_response",
    "beta_expectation",
    "budgets",
    "credit_shares",
    "funnel_rates",
    "noise_and_craft",
    "roth_erev_mean_field",
    "strategy_levels",
    "strategy_table",
    "time_budget",
]

_GL_NODES = 48
_SQRT2 = math.sqrt(2.0)


# --------------------------------------------------------------------------------------------------
# quadrature


@cache
def _gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(n)
    return (x + 1.0) / 2.0, w / 2.0  # on [0, 1]


def _beta_nodes(
    a: float, b: float, breaks: Iterable[float], n: int = _GL_NODES
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights with ``sum(w * g(x)) ~ E[g(X)]`` for ``X ~ Beta(a, b)``.

    ``[0, 1]`` is split at ``breaks`` and at 1/2; each piece gets ``n`` Gauss–Legendre nodes. The
    piece touching 0 is integrated in ``u = x^a`` when ``a < 1`` (and the piece touching 1 in
    ``v = (1 - x)^b`` when ``b < 1``), which turns the density's integrable singularity into a
    smooth integrand.
    """
    pts = sorted({0.0, 0.5, 1.0, *(float(c) for c in breaks if 0.0 < c < 1.0)})
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    gx, gw = _gauss_legendre(n)
    xs: list[np.ndarray] = []
    ws: list[np.ndarray] = []
    for lo, hi in itertools.pairwise(pts):
        if lo == 0.0 and a < 1.0:
            u = gx * hi**a
            x = u ** (1.0 / a)
            w = gw * hi**a / a * np.exp((b - 1.0) * np.log1p(-x) - log_beta)
        elif hi == 1.0 and b < 1.0:
            v = gx * (1.0 - lo) ** b
            y = v ** (1.0 / b)  # 1 - x
            x = 1.0 - y
            w = gw * (1.0 - lo) ** b / b * np.exp((a - 1.0) * np.log1p(-y) - log_beta)
        else:
            x = lo + (hi - lo) * gx
            w = gw * (hi - lo) * np.exp((a - 1.0) * np.log(x) + (b - 1.0) * np.log1p(-x) - log_beta)
        xs.append(x)
        ws.append(w)
    return np.concatenate(xs), np.concatenate(ws)


def beta_expectation(
    g: Any, a: float, b: float, breaks: Iterable[float] = (), n: int = _GL_NODES
) -> float:
    """``E[g(X)]`` for ``X ~ Beta(a, b)`` by split Gauss–Legendre quadrature.

    Args:
        g: Vectorised function of ``x`` in (0, 1).
        a: Beta shape a > 0.
        b: Beta shape b > 0.
        breaks: Points in (0, 1) where ``g`` has a kink or jump (quadrature pieces end there).
        n: Nodes per piece.

    Returns:
        The expectation.
    """
    x, w = _beta_nodes(a, b, breaks, n)
    return float(np.sum(w * g(x)))


_erfc = np.frompyfunc(math.erfc, 1, 1)


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    return 0.5 * _erfc(-np.asarray(z, dtype=float) / _SQRT2).astype(float)


# --------------------------------------------------------------------------------------------------
# the funnel of one call


def noise_and_craft(scenario: Scenario, skill: float) -> tuple[float, float]:
    """Signal noise sd and conversion craft of a rep of this skill (as :class:`SalesForce`)."""
    rep = scenario.rep
    noise = rep.signal_noise_max - (rep.signal_noise_max - rep.signal_noise_min) * skill
    return noise, 1.0 + rep.craft_gain * (skill - 0.5)


@dataclass(frozen=True)
class FunnelRates:
    """What one call made yields, in expectation (stationary market).

    Attributes:
        connect: P(connect).
        book: P(booked meeting) = b.
        book_junk: P(booked meeting with a prospect below the qualification bar).
        held: P(booked and held).
        held_junk: P(booked and held, below the bar).
        opportunities: expected opportunities opened.
        revenue: expected closed revenue (USD).
        value_sq: expected sum over held meetings of (fit x deal value)^2 (USD^2), the second
            moment the client's review of expected values has.
    """

    connect: float
    book: float
    book_junk: float
    held: float
    held_junk: float
    opportunities: float
    revenue: float
    value_sq: float


def _fit_moments(scenario: Scenario, threshold: float, noise: float) -> dict[str, float]:
    """``E[P(propose | fit) * fit^k]`` over the fit mixture, in total and below the bar."""
    return dict(_fit_moments_cached(scenario.market, float(threshold), float(noise)))


@lru_cache(maxsize=4096)
def _fit_moments_cached(
    m: MarketParams, threshold: float, noise: float
) -> tuple[tuple[str, float], ...]:
    """The moments, cached per market (the contract game re-uses them across contracts)."""
    bar, s = m.qualification_bar, m.opportunity_share
    if noise > 0:
        breaks = [bar, threshold, threshold - 3 * noise, threshold + 3 * noise]

        def propose(f: np.ndarray) -> np.ndarray:
            return _normal_cdf((f - threshold) / noise)
    else:
        breaks = [bar, threshold]

        def propose(f: np.ndarray) -> np.ndarray:
            return (f >= threshold).astype(float)

    out = dict.fromkeys(("m0", "m1", "m2", "m3", "ms", "ms1", "j0", "j1"), 0.0)
    for share, a, b in (
        (m.good_fit_share, m.good_fit_alpha, m.good_fit_beta),
        (1.0 - m.good_fit_share, m.poor_fit_alpha, m.poor_fit_beta),
    ):
        if share <= 0.0:
            continue
        x, w = _beta_nodes(a, b, breaks)
        pw = share * w * propose(x)
        junk = x < bar
        out["m0"] += pw.sum()
        out["m1"] += (pw * x).sum()
        out["m2"] += (pw * x * x).sum()
        out["m3"] += (pw * x**3).sum()
        out["ms"] += (pw * x**s).sum()
        out["ms1"] += (pw * x ** (1.0 + s)).sum()
        out["j0"] += pw[junk].sum()
        out["j1"] += (pw * x)[junk].sum()
    return tuple((k, float(v)) for k, v in out.items())


def _receptivity_factor(scenario: Scenario, pressure: float, craft: float) -> tuple[float, float]:
    """``(E[connect], kappa)``: ``kappa = E[connect_scale * rho * min(1, A * rho)]``."""
    return _receptivity_cached(scenario.market, float(pressure), float(craft))


@lru_cache(maxsize=4096)
def _receptivity_cached(m: MarketParams, pressure: float, craft: float) -> tuple[float, float]:
    """The receptivity integral, cached per market."""
    mean_rho = m.receptivity_alpha / (m.receptivity_alpha + m.receptivity_beta)
    gain = m.agree_base * (1.0 + m.pressure_agree_gain * pressure) * craft / mean_rho
    connect = m.connect_scale * mean_rho
    if gain <= 0.0:
        return connect, 0.0
    kink = [1.0 / gain] if gain > 1.0 else []
    kappa = beta_expectation(
        lambda r: m.connect_scale * r * np.clip(gain * r, 0.0, 1.0),
        m.receptivity_alpha,
        m.receptivity_beta,
        kink,
    )
    return connect, kappa


def funnel_rates(
    scenario: Scenario, threshold: float, pressure: float, skill: float
) -> FunnelRates:
    """Expected yield of one call made, for a threshold, a pressure and a skill.

    Args:
        scenario: Supplies the market primitives and the rep's noise and craft parameters.
        threshold: Perceived-fit threshold for proposing a meeting.
        pressure: Pressure level in [0, 1].
        skill: The rep's skill in [0, 1].

    Returns:
        The per-call rates.
    """
    m = scenario.market
    noise, craft = noise_and_craft(scenario, skill)
    mom = _fit_moments(scenario, threshold, noise)
    connect, kappa = _receptivity_factor(scenario, pressure, craft)
    show = m.show_max * (1.0 - m.pressure_show_loss * pressure)
    floor = m.show_fit_floor
    return FunnelRates(
        connect=connect,
        book=kappa * mom["m0"],
        book_junk=kappa * mom["j0"],
        held=kappa * show * (floor * mom["m0"] + (1 - floor) * mom["m1"]),
        held_junk=kappa * show * (floor * mom["j0"] + (1 - floor) * mom["j1"]),
        opportunities=kappa * show * (floor * mom["ms"] + (1 - floor) * mom["ms1"]),
        revenue=m.deal_value_mean * kappa * show * (floor * mom["m1"] + (1 - floor) * mom["m2"]),
        value_sq=m.deal_value_mean**2
        * math.exp(m.deal_value_sigma**2)
        * kappa
        * show
        * (floor * mom["m2"] + (1 - floor) * mom["m3"]),
    )


# --------------------------------------------------------------------------------------------------
# the time budget


@dataclass(frozen=True)
class Budget:
    """Expected calls, connects and bookings made within a week's time budget.

    Attributes:
        calls: E[calls made] (exact).
        connects: E[connects among them] (exact).
        bookings: E[bookings among them] (exact).
        calls_approx: renewal approximation ``E / (1 + booking_time * b)``.
    """

    calls: float
    connects: float
    bookings: float
    calls_approx: float


def time_budget(planned: int, booking_time: float, p_book: float, p_connect: float) -> Budget:
    """Exact expectations of the calls a week's budget allows (see the module docstring).

    Call ``n`` (1-based) is made iff ``n + booking_time * B_n <= planned``. For a call that does
    not book this is ``B_{n-1} <= (planned - n) / booking_time``; for one that books,
    ``B_{n-1} <= (planned - n) / booking_time - 1``. Summing these probabilities (binomial CDFs of
    ``B_{n-1}``, by dynamic programming) over ``n`` gives the exact expectations.

    Args:
        planned: Planned calls = the budget in call-times.
        booking_time: Extra call-times a booked meeting takes.
        p_book: P(a call books), ``b``.
        p_connect: P(a call connects), ``>= b``.

    Returns:
        The expectations.
    """
    calls, connects, bookings = budgets(
        np.array([int(planned)]), booking_time, np.array([float(p_book)]), p_connect
    )
    b = min(max(float(p_book), 0.0), 1.0)
    approx = int(planned) / (1.0 + booking_time * b) if planned > 0 else 0.0
    return Budget(float(calls[0, 0]), float(connects[0, 0]), float(bookings[0, 0]), approx)


def budgets(
    planned: np.ndarray, booking_time: float, p_book: np.ndarray, p_connect: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`time_budget` for several budgets and booking probabilities at once.

    One dynamic programme over the number of calls serves every budget (a budget only decides
    which CDF cell each call reads) and every booking probability (a row each).

    Args:
        planned: Budgets (int, any order).
        booking_time: Extra call-times a booked meeting takes.
        p_book: Booking probabilities per call.
        p_connect: Connect probability per call (the same for all).

    Returns:
        ``(calls, connects, bookings)``, each ``(len(planned), len(p_book))``.
    """
    e = np.asarray(planned, dtype=np.int64)
    b = np.clip(np.asarray(p_book, dtype=float), 0.0, 1.0)
    shape = (e.size, b.size)
    if booking_time <= 0.0:
        calls = np.broadcast_to(np.maximum(e, 0)[:, None].astype(float), shape).copy()
        return calls, calls * p_connect, calls * b[None, :]
    e_max = int(max(e.max(initial=0), 0))
    k_max = int(np.floor(e_max / booking_time + 1e-9)) + 1
    pmf = np.zeros((b.size, k_max + 1))  # pmf of B_{n-1} (last cell: >= k_max)
    pmf[:, 0] = 1.0
    # which CDF cell call n = i + 1 reads under each budget, and whether it is within the budget
    room = (e[None, :] - np.arange(1, e_max + 1)[:, None]) / booking_time  # (e_max, n_budgets)
    plain = np.floor(room + 1e-9).astype(np.int64)
    booked = np.floor(room - 1.0 + 1e-9).astype(np.int64)
    plain_ok = plain >= 0
    booked_ok = booked >= 0
    plain = np.clip(plain, 0, k_max)
    booked = np.clip(booked, 0, k_max)
    made_plain = np.zeros((b.size, e.size))
    made_booked = np.zeros((b.size, e.size))
    for i in range(e_max):  # call n = i + 1 reads the CDF of B_i
        cdf = np.cumsum(pmf, axis=1)
        made_plain += cdf[:, plain[i]] * plain_ok[i]
        made_booked += cdf[:, booked[i]] * booked_ok[i]
        nxt = pmf * (1.0 - b)[:, None]
        nxt[:, 1:] += pmf[:, :-1] * b[:, None]
        nxt[:, -1] += pmf[:, -1] * b  # the top cell absorbs
        pmf = nxt
    made_plain = made_plain.T
    made_booked = made_booked.T
    calls = (1.0 - b) * made_plain + b * made_booked
    connects = (p_connect - b) * made_plain + b * made_booked
    return calls, connects, b * made_booked


# --------------------------------------------------------------------------------------------------
# the strategy table


def allowed_actions(scenario: Scenario) -> dict[str, np.ndarray]:
    """Indices of each dimension's actions a rep can choose (a switched-off one is fixed)."""
    levels = strategy_levels(scenario)
    fixed = fixed_actions(scenario, levels)
    return {
        dim: np.arange(levels[dim].size) if fixed[dim] is None else np.array([fixed[dim]])
        for dim in STRATEGY_DIMENSIONS
    }


def _expected_pay(terms: Terms, row: Mapping[str, float]) -> Payment:
    """What ``terms`` pays in expectation for a row's weekly events (plain floats)."""
    pay = expected_payment(terms, row["booked"], row["booked_junk"], row["held"],
                           row["held_junk"], row["revenue"])
    return Payment(*(float(part) for part in pay))


def strategy_table(
    scenario: Scenario,
    skill: float | None = None,
    pay: PayPlan | None = None,
    contract: ContractTerms | None = None,
) -> pl.DataFrame:
    """Every strategy's expected weekly outcome and payoff for one rep (stationary market).

    Args:
        scenario: Market, rep, client and learning primitives (and the default pay plan and
            contract).
        skill: The rep's skill; default ``rep.skill_initial`` (an untrained hire).
        pay: The rep's pay plan; default ``scenario.pay``.
        contract: The client contract, for the client's and outsourcer's columns; default
            ``scenario.contract``.

    Returns:
        One row per grid strategy, in grid order (effort slowest, pressure fastest). Columns:
        the strategy (``effort``, ``threshold``, ``pressure`` and their indices ``i_*``),
        ``allowed`` (the switches permit it), the funnel per week (``calls``, ``calls_approx``,
        ``connects``, ``booked``, ``booked_junk``, ``junk_share``, ``held``, ``held_junk``,
        ``qualified``, ``opportunities``, ``revenue``, ``value_sq``), the rep's money (``bonus``,
        ``clawback``, ``commission``, ``variable_pay``, ``effort_cost``, ``payoff`` = variable
        pay - effort cost, ``learning_payoff``), and per rep-week the client's payment
        (``client_payment``), AE cost, profit, and the outsourcer's contribution before
        training (``outsourcer_contribution`` = client payment - base - variable pay -
        overhead).
    """
    skill = scenario.rep.skill_initial if skill is None else float(skill)
    if not 0.0 <= skill <= 1.0:
        raise ValueError(f"skill must lie in [0, 1], got {skill}")
    pay = scenario.pay if pay is None else pay
    contract = scenario.contract if contract is None else contract
    pay_terms = Terms.from_pay_plan(pay)
    contract_terms = Terms.from_contract(contract, headcount=1)  # the fixed fee per rep
    levels = strategy_levels(scenario)
    allowed = allowed_actions(scenario)
    rep, cl = scenario.rep, scenario.client
    combos = [
        (it, ip) for it in range(levels["threshold"].size) for ip in range(levels["pressure"].size)
    ]
    rates = {
        (it, ip): funnel_rates(
            scenario, float(levels["threshold"][it]), float(levels["pressure"][ip]), skill
        )
        for it, ip in combos
    }
    efforts = np.array([round(e) for e in levels["effort"]], dtype=np.int64)
    p_book = np.array([rates[c].book for c in combos])
    connect = rates[combos[0]].connect
    calls, connects, bookings = budgets(efforts, rep.booking_time, p_book, connect)
    column = {c: k for k, c in enumerate(combos)}
    rows: list[dict[str, Any]] = []
    for ie, e in enumerate(levels["effort"]):
        cost = rep.effort_cost * (e / rep.calls_max) ** 2
        for it, t in enumerate(levels["threshold"]):
            for ip, x in enumerate(levels["pressure"]):
                r = rates[(it, ip)]
                k = column[(it, ip)]
                bud = Budget(
                    float(calls[ie, k]),
                    float(connects[ie, k]),
                    float(bookings[ie, k]),
                    efforts[ie] / (1.0 + rep.booking_time * r.book),
                )
                per_booking = bud.bookings / r.book if r.book > 0 else 0.0
                row: dict[str, Any] = {
                    "effort": float(e),
                    "threshold": float(t),
                    "pressure": float(x),
                    "i_effort": ie,
                    "i_threshold": it,
                    "i_pressure": ip,
                    "allowed": bool(
                        ie in allowed["effort"]
                        and it in allowed["threshold"]
                        and ip in allowed["pressure"]
                    ),
                    "calls": bud.calls,
                    "calls_approx": bud.calls_approx,
                    "connects": bud.connects,
                    "booked": bud.bookings,
                    "booked_junk": r.book_junk * per_booking,
                    "held": r.held * per_booking,
                    "held_junk": r.held_junk * per_booking,
                    "opportunities": r.opportunities * per_booking,
                    "revenue": r.revenue * per_booking,
                    "value_sq": r.value_sq * per_booking,
                }
                row["junk_share"] = r.book_junk / r.book if r.book > 0 else 0.0
                row["qualified"] = row["held"] - row["held_junk"]
                money = _expected_pay(pay_terms, row)
                row["bonus"] = money.appointments
                row["clawback"] = money.clawbacks
                row["commission"] = money.commission
                row["variable_pay"] = money.net()
                row["effort_cost"] = cost
                row["payoff"] = row["variable_pay"] - cost
                row["learning_payoff"] = (
                    row["payoff"] + scenario.learning.payoff_shift
                ) / scenario.learning.payoff_scale
                client_pay = _expected_pay(contract_terms, row).net(contract_terms.fixed_per_week)
                row["client_payment"] = client_pay
                row["ae_cost"] = cl.ae_cost_per_meeting * row["held"]
                row["client_profit"] = (
                    cl.gross_margin * row["revenue"] - client_pay - row["ae_cost"]
                )
                row["outsourcer_contribution"] = (
                    client_pay
                    - pay_terms.fixed_per_week
                    - row["variable_pay"]
                    - scenario.outsourcer.overhead / WEEKS_PER_MONTH
                )
                rows.append(row)
    return pl.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# the best response


@dataclass(frozen=True)
class BestResponse:
    """The rep's myopic best response to a pay plan.

    Attributes:
        table: :func:`strategy_table`'s rows, in grid order.
        index: row of the best response in ``table``.
        effort: calls per week planned.
        threshold: perceived-fit threshold.
        pressure: pressure level.
        payoff: expected variable pay - effort cost per week (USD).
        skill: the skill it was computed for.
        gap: payoff of the best response minus the best other allowed strategy (0 on ties).
    """

    table: pl.DataFrame
    index: int
    effort: float
    threshold: float
    pressure: float
    payoff: float
    skill: float
    gap: float

    @property
    def row(self) -> dict[str, Any]:
        """The best response's row of the table."""
        return self.table.row(self.index, named=True)

    @property
    def actions(self) -> dict[str, int]:
        """Grid index of each dimension's best-response action."""
        row = self.row
        return {dim: int(row[f"i_{dim}"]) for dim in STRATEGY_DIMENSIONS}

    def dimension_gaps(self) -> dict[str, float]:
        """Per dimension, how much the BR beats that dimension's best alternative action.

        The other dimensions are held at the BR; a dimension with a single allowed action has
        gap ``inf``. A small gap means the BR is hard to identify by trial and error.
        """
        best = self.actions
        gaps: dict[str, float] = {}
        for dim in STRATEGY_DIMENSIONS:
            rows = self.table.filter(pl.col("allowed"))
            for other in STRATEGY_DIMENSIONS:
                if other != dim:
                    rows = rows.filter(pl.col(f"i_{other}") == best[other])
            alternatives = rows.filter(pl.col(f"i_{dim}") != best[dim])["payoff"]
            gaps[dim] = self.payoff - float(alternatives.max()) if len(alternatives) else np.inf
        return gaps

    def ranked(self, top: int | None = None) -> pl.DataFrame:
        """The allowed strategies sorted by payoff, best first (ties in grid order)."""
        ranked = (
            self.table.with_row_index("row")
            .filter(pl.col("allowed"))
            .sort(["payoff", "row"], descending=[True, False])
        )
        return ranked if top is None else ranked.head(top)


def best_response(
    scenario: Scenario,
    skill: float | None = None,
    pay: PayPlan | None = None,
    contract: ContractTerms | None = None,
) -> BestResponse:
    """The argmax of the expected payoff over the strategies the switches allow.

    Args:
        scenario: The primitives.
        skill: Rep skill; default ``rep.skill_initial``.
        pay: Pay plan; default ``scenario.pay``.
        contract: Client contract (only for the table's client columns).

    Returns:
        The best response with the full table.
    """
    table = strategy_table(scenario, skill, pay, contract)
    payoff = table["payoff"].to_numpy()
    allowed = table["allowed"].to_numpy()
    masked = np.where(allowed, payoff, -np.inf)
    best = int(np.argmax(masked))  # first maximum: lowest grid index
    others = np.delete(masked, best)
    gap = float(payoff[best] - others.max()) if others.size and np.isfinite(others.max()) else 0.0
    row = table.row(best, named=True)
    return BestResponse(
        table=table,
        index=best,
        effort=row["effort"],
        threshold=row["threshold"],
        pressure=row["pressure"],
        payoff=row["payoff"],
        skill=scenario.rep.skill_initial if skill is None else float(skill),
        gap=max(gap, 0.0),
    )


# --------------------------------------------------------------------------------------------------
# what reinforcement learning should converge to


def credit_shares(scenario: Scenario, pay: PayPlan | None = None) -> dict[str, float]:
    """Share of each pay component credited to the strategy that earned it.

    A rep keeps a strategy for ``k = learning.rep_cadence_weeks`` weeks and learns from the mean
    payoff of those weeks. Pay for appointments set arrives in the week of the call; pay for
    held or qualified meetings one week later (meetings are held the week after they are set);
    commission ``1 + c`` weeks later, ``c`` the sales cycle (uniform on
    ``cycle_min_weeks..cycle_max_weeks``). Of the ``k`` weeks' pay a strategy earns, only what
    arrives before the next update is credited to it: ``max(0, k - lag) / k``. The rest is
    credited to whatever strategy the rep plays then.

    Args:
        scenario: Learning cadence and sales-cycle lengths.
        pay: Pay plan; default ``scenario.pay``.

    Returns:
        ``{"appointments": share, "commission": share}``.
    """
    pay = scenario.pay if pay is None else pay
    if scenario.learning.credit == "earned":  # every payment reinforces what earned it
        return {"appointments": 1.0, "commission": 1.0}
    k = scenario.learning.rep_cadence_weeks
    m = scenario.market
    lag = 0 if pay.pay_on == "set" else 1
    cycles = np.arange(m.cycle_min_weeks, m.cycle_max_weeks + 1)
    commission = float(np.mean(np.maximum(0, k - 1 - cycles) / k))
    return {"appointments": max(0, k - lag) / k, "commission": commission}


@dataclass(frozen=True)
class LearningPrediction:
    """Mean-field prediction of basic Roth–Erev learning, one learner per strategy dimension.

    Attributes:
        probabilities: per dimension, the stationary choice probabilities over its grid.
        modal: per dimension, the grid index with the highest probability.
        mean: per dimension, the expected level.
        iterations: fixed-point iterations used.
    """

    probabilities: dict[str, np.ndarray]
    modal: dict[str, int]
    mean: dict[str, float]
    iterations: int


_MARGINAL = ("ijk,j,k->i", "ijk,i,k->j", "ijk,i,j->k")


def _perron(payoffs: np.ndarray, eps: float) -> np.ndarray:
    """Stationary Roth–Erev probabilities of one learner facing expected payoffs ``payoffs``.

    In expectation ``q_j' = (1 - phi) q_j + p_j (1 - eps) pi_j + sum_{k != j} p_k eps/(M-1) pi_k``;
    at a rest point ``q = E/phi`` so ``p`` is the Perron vector of
    ``A = (1 - eps - eps/(M-1)) diag(pi) + eps/(M-1) 1 pi^T`` (independent of ``phi``).
    """
    m = payoffs.size
    if m == 1:
        return np.ones(1)
    spill = eps / (m - 1)
    pi = np.maximum(payoffs, 1e-12)
    a = (1.0 - eps - spill) * np.diag(pi) + spill * np.outer(np.ones(m), pi)
    vals, vecs = np.linalg.eig(a)
    v = np.abs(np.real(vecs[:, int(np.argmax(np.real(vals)))]))
    return v / v.sum()


def roth_erev_mean_field(
    scenario: Scenario,
    skill: float | None = None,
    pay: PayPlan | None = None,
    *,
    max_iter: int = 500,
    tol: float = 1e-10,
) -> LearningPrediction:
    """Rest point of the mean-field dynamics of the model's Roth–Erev reps.

    The model gives each strategy dimension its own basic Roth–Erev learner, all fed the same
    realised payoff (``learning_payoff``). In expectation, the payoff dimension ``d``'s learner
    sees for action ``j`` is the table's payoff averaged over the other dimensions' current
    mixtures, with the late-arriving pay of :func:`credit_shares` replaced by the payoff of an
    independent draw from the current mixture (it is credited to whatever the rep plays when it
    arrives). Each learner's rest point given those payoffs is a Perron vector (:func:`_perron`);
    the joint rest point is found by damped fixed-point iteration from uniform choice.

    Not modelled: the clipping of negative realised payoffs at 0, and the noise of the finite
    memory (forgetting ``phi``), which spreads the learners around this rest point.

    Args:
        scenario: Primitives; ``learning.rule`` must be ``roth_erev``.
        skill: Rep skill; default ``rep.skill_initial``.
        pay: Pay plan; default ``scenario.pay``.
        max_iter: Iteration cap.
        tol: Convergence tolerance on probabilities (max abs change).

    Returns:
        The prediction.
    """
    if scenario.learning.rule != "roth_erev":
        raise ValueError(f"the mean field is derived for roth_erev, not {scenario.learning.rule}")
    pay = scenario.pay if pay is None else pay
    eps = scenario.learning.rule_params()["experimentation"]
    table = strategy_table(scenario, skill, pay)
    levels = strategy_levels(scenario)
    allowed = allowed_actions(scenario)
    shape = tuple(levels[d].size for d in STRATEGY_DIMENSIONS)
    scale = scenario.learning.payoff_scale
    appointments = (table["bonus"] - table["clawback"]).to_numpy().reshape(shape)
    commission = table["commission"].to_numpy().reshape(shape)
    cost = table["effort_cost"].to_numpy().reshape(shape)
    share = credit_shares(scenario, pay)
    probs = {
        d: np.isin(np.arange(n), allowed[d]) / allowed[d].size
        for d, n in zip(STRATEGY_DIMENSIONS, shape, strict=True)
    }
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        joint = np.einsum("i,j,k->ijk", *(probs[d] for d in STRATEGY_DIMENSIONS))
        late = (1 - share["appointments"]) * float((joint * appointments).sum()) + (
            1 - share["commission"]
        ) * float((joint * commission).sum())
        now = share["appointments"] * appointments + share["commission"] * commission
        reward = np.maximum(now + late - cost + scenario.learning.payoff_shift, 0.0) / scale
        change = 0.0
        for axis, d in enumerate(STRATEGY_DIMENSIONS):
            marginal = np.einsum(
                _MARGINAL[axis],
                reward,
                *(probs[o] for o in STRATEGY_DIMENSIONS if o != d),
            )
            idx = allowed[d]
            target = np.zeros(shape[axis])
            target[idx] = _perron(marginal[idx], eps)
            new = 0.5 * probs[d] + 0.5 * target
            change = max(change, float(np.abs(new - probs[d]).max()))
            probs[d] = new
        if change < tol:
            break
    return LearningPrediction(
        probabilities=probs,
        modal={d: int(np.argmax(p)) for d, p in probs.items()},
        mean={d: float(probs[d] @ levels[d]) for d in STRATEGY_DIMENSIONS},
        iterations=it,
    )
