"""Docking (issue 7): what learning reps converge to vs the static best response.

The static benchmark (:mod:`sales_abm.theory.best_response`) computes every strategy's expected
weekly payoff in a stationary market and the rep's myopic best response (BR). Here the agent
model is run in a market made stationary and the reps' learned strategies are compared with it.

Making the market stationary (the theory's assumptions):
    ``switches.burn/word_of_mouth/attrition/termination/ae_capacity/prospect_learning/
    market_entry = false`` (prospects who learn would change the connect and agree rates the
    theory takes as given; with the market's turnover on, per-appointment effort's learned mode
    at seed 7 was 300 calls, 0.47 against 0.32 for the best response's 400, and 0.38 against 0.40
    with it off: effort's pull is weak there);
    training off with
    ``rep.training_gain = 0``, ``outsourcer.ramp_weeks = 1``, ``training_capacity_loss = 0`` and
    ``rep.tenure_learning = 0``, so every rep's skill stays at ``rep.skill_initial`` (noise sd
    0.25); ``market.cooldown_weeks = 0`` and ``market.entry_rate = 1``;
    ``market.network_degree = 0`` (no word of mouth, and no graph to build). That is not enough:
    the market is **harvested**. Good fits close, become customers and are replaced by entrants
    drawn from the population, so the pool's mean fit falls (by ~25% over 400 weeks at 20 reps
    and 30,000 prospects; ``python -m tests.docking.test_learning_vs_theory`` prints it), which
    the theory does not have. The test neutralises it by redrawing every available prospect from
    the population every 13 weeks (``Market._draw_rows``), so each call reaches a fresh draw.

What learning converges to. Each rep has one basic Roth–Erev learner per strategy dimension (the
model's default rule), all fed the same weekly payoff. Three things can keep it from the BR, and
:func:`roth_erev_mean_field` models them from the theory's payoff table:

1. **Experimentation and payoff shift.** At a rest point Roth–Erev's probabilities are the Perron
   vector of ``(1-eps-eps/(M-1)) diag(pi) + eps/(M-1) 1 pi^T``. With the rule's own eps = 0.2 and
   payoffs shifted by ``rep.effort_cost`` (the model before issue 14: relative differences
   between actions of a few per cent) that vector is close to uniform. The reps' defaults now
   are eps = 0.05 and no shift (``learning.payoff_shift = 0``): the better action dominates.
2. **One learner per dimension.** Each dimension's learner evaluates its actions against the
   other dimensions' *mixtures*, not at the BR.
3. **Late pay.** Pay for held/qualified meetings arrives one week after the call, commission
   ``1 + cycle`` (5-17) weeks after. Under ``learning.credit = earned`` (the default) each
   payment reinforces the strategy that earned it; under ``paid`` it reinforces whatever the rep
   plays when it arrives (under ``retainer`` threshold and pressure then get no signal at all).

Criteria (per preset; all must hold):
    A. **Mean-field docking** (``MEAN_FIELD``: the rule's own eps = 0.2 and the old shift of
       600, where the learners stay near uniform and the mean field's neglect of finite-memory
       noise costs little; default credit, cadence and sales cycles): the reps' choice
       probabilities, averaged over the 30 reps and the second half of a 260-week run, are
       within total-variation distance ``TV_MAX = 0.1`` of the mean-field rest point, in every
       dimension. Seed 7: largest distance 0.05.
    B. **Best response at the default learning settings** (issue 14): in every *decisive*
       dimension the mode of the averaged probabilities (same runs, default settings) is the
       BR's action. A dimension is decisive when the BR beats each of its other actions (other
       dimensions at the BR) by at least ``DECISIVE = 7.5%`` of the grid's payoff range
       (:meth:`BestResponse.dimension_gaps`): effort, threshold and pressure under
       ``per_appointment`` (gaps 99, 421 and 94 USD a week); effort under ``retainer`` (95);
       effort and threshold under ``per_close`` (125, 129) and ``hybrid`` (100, 264). Not
       decisive: ``retainer``'s threshold and pressure (gaps 1.6 and 6.7 USD a week against
       weekly bonus noise of ~350 USD: telling them apart would take thousands of weeks of any
       learner), and the commission presets' pressure (39 and 15 USD). Seed 7, 260 weeks:
       every decisive mode is the BR's (e.g. per_appointment pressure 0.13/0.31/0.56 over 0,
       0.5, 1) but one: **per_appointment's effort stops short of the BR.** Its learned mode is
       300 calls, the BR's 400 second, in 8 of seeds 1-10 under model version 7 and in all 10
       under version 8 (the probability of 400 calls 0.31 and 0.33 on average over the seeds,
       of 300 calls 0.45 and 0.44; seed 7 happened to be one of version 7's two exceptions,
       0.397 against 0.377): a gap of 99 USD a week is not singled out by 260 weeks of learning
       from weekly pay this noisy. :func:`test_per_appointment_effort_stops_short` pins that,
       over seeds 1-5.
    C. **Payoff.** Under ``MEAN_FIELD`` the normalised regret of the learned mixture,
       ``(pi_BR - E_p[pi]) / (pi_BR - min pi)``, matches the mean field's within 0.1 (so the
       distance to the BR is the one the theory predicts), for every preset.

Run the table by hand with ``python -m tests.docking.test_learning_vs_theory``. Marked ``slow``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from sales_abm.market import Status
from sales_abm.model import SalesModel
from sales_abm.scenario import Scenario
from sales_abm.strategy import STRATEGY_DIMENSIONS
from sales_abm.theory.best_response import best_response, roth_erev_mean_field

PRESETS = ("retainer", "per_appointment", "per_close", "hybrid")
STATIONARY: dict[str, Any] = {
    "reps": 30,
    "prospects": 20000,
    "seed": 7,
    "switches.burn": False,
    "switches.word_of_mouth": False,
    "switches.attrition": False,
    "switches.training": False,
    "switches.termination": False,
    "switches.ae_capacity": False,
    "switches.prospect_learning": False,
    "switches.market_entry": False,
    "market.cooldown_weeks": 0,
    "market.entry_rate": 1.0,
    "market.network_degree": 0,
    "rep.tenure_learning": 0.0,
    "rep.training_gain": 0.0,
    "outsourcer.ramp_weeks": 1,
    "outsourcer.training_capacity_loss": 0.0,
}
WEEKS = 260
TV_MAX = 0.1
REGRET_TOL = 0.1
REFRESH_WEEKS = 13
#: Criteria A and C: where the mean field's neglect of finite-memory noise is small.
MEAN_FIELD = {"learning.experimentation": 0.2, "learning.payoff_shift": 600.0}
DECISIVE = 0.075
#: Decisive dimensions whose learned mode is not the BR's (see criterion B).
STOPS_SHORT = {("per_appointment", "effort")}
DECISIVE_DIMENSIONS = {
    "per_appointment": ["effort", "threshold", "pressure"],
    "retainer": ["effort"],
    "per_close": ["effort", "threshold"],
    "hybrid": ["effort", "threshold"],
}


def stationary(preset: str, **overrides: Any) -> Scenario:
    """The stationary scenario of a preset."""
    return Scenario.from_dict({**STATIONARY, "contract.preset": preset, **overrides})


@dataclass(frozen=True)
class Learned:
    """Reps' choice probabilities averaged over reps and the second half of a run."""

    probabilities: dict[str, np.ndarray]
    fit_drift: float  # relative change of the available pool's mean fit, no refresh


def simulate(scenario: Scenario, *, refresh: bool = True) -> Learned:
    """Run the model, refreshing the prospect pool, and average the learners' probabilities."""
    model = SalesModel(scenario)
    rng = np.random.default_rng(scenario.seed + 1)
    market = model.market
    start_fit = float(market.fit.mean())
    total = {dim: np.zeros(model.sales_force.levels[dim].size) for dim in STRATEGY_DIMENSIONS}
    counted = 0
    for week in range(scenario.weeks):
        model.step()
        if refresh and week % REFRESH_WEEKS == REFRESH_WEEKS - 1:
            rows = np.flatnonzero(market.status == Status.AVAILABLE)
            market._draw_rows(rows, rng)
            market.receptivity[rows] = market.base_receptivity[rows]
        if week >= scenario.weeks // 2:
            for dim in STRATEGY_DIMENSIONS:
                total[dim] += model.sales_force.learners[dim].probabilities().mean(axis=0)
            counted += 1
    available = market.status == Status.AVAILABLE
    drift = float(market.fit[available].mean()) / start_fit - 1.0
    return Learned({dim: total[dim] / counted for dim in STRATEGY_DIMENSIONS}, drift)


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Total-variation distance of two distributions on the same grid."""
    return 0.5 * float(np.abs(p - q).sum())


def normalised_regret(scenario: Scenario, probabilities: dict[str, np.ndarray]) -> float:
    """``(pi_BR - E_p[pi]) / (pi_BR - min pi)`` for independent per-dimension mixtures."""
    br = best_response(scenario)
    shape = tuple(probabilities[d].size for d in STRATEGY_DIMENSIONS)
    payoff = br.table["payoff"].to_numpy().reshape(shape)
    joint = np.einsum("i,j,k->ijk", *(probabilities[d] for d in STRATEGY_DIMENSIONS))
    mixed = float((joint * payoff).sum())
    return (br.payoff - mixed) / (br.payoff - float(payoff.min()))


@pytest.fixture(scope="module")
def mean_field_runs() -> dict[str, tuple[Scenario, Learned]]:
    """One 260-week run per preset under ``MEAN_FIELD`` (seed 7)."""
    runs = {}
    for preset in PRESETS:
        scenario = stationary(preset, weeks=WEEKS, **MEAN_FIELD)
        runs[preset] = (scenario, simulate(scenario))
    return runs


@pytest.mark.slow
@pytest.mark.parametrize("preset", PRESETS)
def test_learning_matches_mean_field(
    preset: str, mean_field_runs: dict[str, tuple[Scenario, Learned]]
) -> None:
    """Criterion A: the learned probabilities are the Roth–Erev mean field's."""
    scenario, learned = mean_field_runs[preset]
    predicted = roth_erev_mean_field(scenario).probabilities
    for dim in STRATEGY_DIMENSIONS:
        tv = total_variation(learned.probabilities[dim], predicted[dim])
        assert tv <= TV_MAX, (
            f"{preset} {dim}: learned {learned.probabilities[dim].round(3)} vs mean field "
            f"{predicted[dim].round(3)} (TV {tv:.3f})"
        )


@pytest.mark.slow
@pytest.mark.parametrize("preset", PRESETS)
def test_regret_is_the_predicted_one(
    preset: str, mean_field_runs: dict[str, tuple[Scenario, Learned]]
) -> None:
    """Criterion C: the learned mixture is as far from the BR (in payoff) as theory predicts."""
    scenario, learned = mean_field_runs[preset]
    predicted = roth_erev_mean_field(scenario).probabilities
    got = normalised_regret(scenario, learned.probabilities)
    want = normalised_regret(scenario, predicted)
    assert abs(got - want) <= REGRET_TOL, f"{preset}: regret {got:.3f} vs predicted {want:.3f}"


@pytest.mark.slow
@pytest.mark.parametrize("preset", PRESETS)
def test_learning_reaches_best_response(preset: str) -> None:
    """Criterion B: at the default learning settings each decisive dimension's mode is the BR."""
    scenario = stationary(preset, weeks=WEEKS)
    br = best_response(scenario)
    learned = simulate(scenario).probabilities
    decisive = decisive_dimensions(scenario)
    assert decisive == DECISIVE_DIMENSIONS[preset]
    for dim in decisive:
        if (preset, dim) in STOPS_SHORT:
            continue  # see test_per_appointment_effort_stops_short
        assert int(np.argmax(learned[dim])) == br.actions[dim], (
            f"{preset} {dim}: learned {learned[dim].round(3)}, BR action {br.actions[dim]}"
        )


@pytest.mark.slow
def test_per_appointment_effort_stops_short() -> None:
    """The one decisive dimension learning does not reach at 260 weeks (criterion B): averaged
    over seeds 1-5, per_appointment's learned effort puts most weight on the level below the
    BR's, and more on the BR's than on the lowest."""
    scenario = stationary("per_appointment", weeks=WEEKS)
    best = best_response(scenario).actions["effort"]
    mean = np.mean([simulate(stationary("per_appointment", weeks=WEEKS, seed=seed))
                    .probabilities["effort"] for seed in range(1, 6)], axis=0)
    assert best == mean.size - 1
    assert int(np.argmax(mean)) == best - 1, f"learned effort {mean.round(3)}"
    assert mean[best] > mean[0], f"learned effort {mean.round(3)}"


def decisive_dimensions(scenario: Scenario) -> list[str]:
    """Dimensions whose BR action beats the alternatives by ``DECISIVE`` of the payoff range."""
    br = best_response(scenario)
    payoff = br.table["payoff"]
    spread = float(payoff.max() - payoff.min())
    return [dim for dim, gap in br.dimension_gaps().items() if gap >= DECISIVE * spread]


def _table() -> None:  # pragma: no cover - manual report
    for preset in PRESETS:
        scenario = stationary(preset, weeks=WEEKS, **MEAN_FIELD)
        br = best_response(scenario)
        mf = roth_erev_mean_field(scenario)
        learned = simulate(scenario)
        print(
            f"{preset}: BR effort {br.effort:.0f} threshold {br.threshold:.3f} pressure "
            f"{br.pressure:.1f} payoff {br.payoff:.1f}; regret learned "
            f"{normalised_regret(scenario, learned.probabilities):.3f} mean field "
            f"{normalised_regret(scenario, mf.probabilities):.3f}"
        )
        for dim in STRATEGY_DIMENSIONS:
            print(
                f"  {dim:9} learned {learned.probabilities[dim].round(3)} mean field "
                f"{mf.probabilities[dim].round(3)} TV "
                f"{total_variation(learned.probabilities[dim], mf.probabilities[dim]):.3f}"
            )
    for preset in PRESETS:
        scenario = stationary(preset, weeks=WEEKS)
        learned = simulate(scenario)
        print(
            f"default {preset}: BR {best_response(scenario).actions}, decisive "
            f"{decisive_dimensions(scenario)}"
        )
        for dim in STRATEGY_DIMENSIONS:
            print(f"  {dim:9} learned {learned.probabilities[dim].round(3)}")
    unrefreshed = simulate(
        stationary("per_appointment", weeks=400, prospects=30000, reps=20), refresh=False
    )
    print(f"harvest drift without refresh: {unrefreshed.fit_drift:+.1%}")


if __name__ == "__main__":  # pragma: no cover
    _table()
    sys.exit(0)
