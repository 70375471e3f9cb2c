"""The outsourcer's forward-looking valuation of training a hire (issue 13, MODEL.md section 0).

A firm deciding whether to train a new cold caller asks what the training adds over the time it
expects to keep both the rep and the client: the extra weekly contribution a trained rep earns
over an untrained one, summed over the weeks ahead, each weighted by the chance that the rep has
not quit and the contract has not ended, and discounted. It then compares that with what training
costs now (the fee and the calls lost during the ramp).

What the outsourcer knows and what it learns:

* It knows how training works (its own programme): the skill path of a trained and of an untrained
  hire week by week (:func:`skill_paths`, the same arithmetic as the sales force's week).
* It learns what skill is worth from its own books: an exponentially weighted least-squares fit of
  each rep's weekly contribution on ``[1, calls, calls x skill]`` over all its reps
  (:class:`SkillValueEstimate`). The slope on ``calls x skill`` is the money one unit of skill adds
  per call under the current contract and pay plan; under a retainer without quality pricing it is
  about zero (income does not depend on skill), under results pay it is positive.
* It learns its hires' weekly quit hazard from its own quits, and the chance the client renews at a
  review it can lose from the client's verdicts at its reviews (Beta-binomial with an industry
  prior). By default every review's verdict counts, those in the guaranteed term too: a client
  bound by the term still says whether it is satisfied, and an estimate built only from reviews
  past the term would know least where the term is longest (``outsourcer.renewal_evidence``).
* It knows its contract: the guaranteed term left and when the reviews fall. A contract the
  client cannot end (``switches.termination`` off) is guaranteed for good, whatever its reviews
  say.

The pure functions below are the valuation, written as the readable reference;
:class:`TrainingValuation` holds the estimates and appraises in one compiled pass
(:func:`sales_abm.kernels.appraise_training`) that computes :func:`relationship_survival` and
:func:`discounted_value`'s sums in the same law (its powers are running products and its sums
run in order of the weeks, so the last bits differ from numpy's: the tests compare them to a
tolerance).
The fit's moments are folded in and solved in compiled code too
(:func:`sales_abm.kernels.fold_moments`, :func:`sales_abm.kernels.solve_ridge`), and solved
again only when they change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sales_abm import kernels
from sales_abm.scenario import Scenario


def skill_paths(scenario: Scenario, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """Skill at the start of each week since hire, trained and untrained.

    Mirrors :meth:`sales_abm.agents.SalesForce.grow`: each week of work closes ``tenure_learning``
    of the gap to full skill; during the ramp a trained hire also gains
    ``training_gain / ramp_weeks``; skill stays in [0, 1].
    """
    rep, out = scenario.rep, scenario.outsourcer
    trained = np.empty(weeks)
    untrained = np.empty(weeks)
    s_t = s_u = rep.skill_initial
    for t in range(weeks):
        trained[t], untrained[t] = s_t, s_u
        s_t += rep.tenure_learning * (1 - s_t)
        if t < out.ramp_weeks:
            s_t += rep.training_gain / out.ramp_weeks
        s_t = min(max(s_t, 0.0), 1.0)
        s_u = min(max(s_u + rep.tenure_learning * (1 - s_u), 0.0), 1.0)
    return trained, untrained


def relationship_survival(weeks: int, guaranteed_weeks: float, review_weeks: int,
                          first_review: int, renewal: float) -> np.ndarray:
    """Chance the contract still runs in each week ahead.

    The client cannot end the contract in the guaranteed weeks; after them, each review (every
    ``review_weeks``, the first ``first_review`` weeks from now) renews it with chance ``renewal``.

    Args:
        weeks: Weeks ahead to cover.
        guaranteed_weeks: Weeks left of the guaranteed (minimum) term, >= 0 (``math.inf``: the
            contract cannot be ended).
        review_weeks: Weeks between reviews, >= 1.
        first_review: Weeks from now to the next review, >= 0.
        renewal: Chance a review that can end the contract renews it, in [0, 1].
    """
    t = np.arange(weeks)
    reviews = np.arange(first_review, weeks, review_weeks)
    binding = reviews[reviews >= guaranteed_weeks]
    lost = np.searchsorted(binding, t, side="left")  # binding reviews held before week t
    return renewal ** lost.astype(float)


def discounted_value(increment: np.ndarray, hire_survival: float, relationship: np.ndarray,
                     discount: float) -> float:
    """Σ_t d^t · s^t · R_t · Δ_t: the expected discounted sum of a weekly increment.

    Args:
        increment: Δ_t, the extra contribution in week t since hire (USD per week).
        hire_survival: s, the weekly chance the rep stays, in [0, 1].
        relationship: R_t, the chance the contract still runs in week t.
        discount: d, the weekly discount factor, in [0, 1].
    """
    t = np.arange(increment.size)
    weights = (discount * hire_survival) ** t * relationship[: increment.size]
    return float(np.dot(weights, increment))


def weekly_discount(annual_rate: float) -> float:
    """Weekly discount factor of an annual discount rate."""
    return (1.0 + annual_rate) ** (-1.0 / 52.0)


@dataclass
class SkillValueEstimate:
    """Exponentially weighted least squares: what training's extra skill earns per call.

    Model of a rep-week's contribution (calls ``n`` in hundreds)::

        contribution = α + n·(a + c·threshold + e·pressure + d·u + b·(skill − u))

    where ``u`` is the skill an untrained hire of the same tenure has (:func:`untrained_skill`), so
    ``skill − u`` is the skill training added and ``b`` its worth per unit and hundred calls. The
    tenure term ``d·u`` and the strategy terms are controls: reps who have been around longer are
    more skilled, have learned more profitable strategies, and are the ones who did not quit, and
    without the controls the books would credit training with what tenure, learning and survival
    earned. ``b`` is therefore identified by trained against untrained reps of the same tenure,
    which is what the outsourcer's experimentation supplies. A small ridge keeps the fit defined
    before the data vary (it pulls the per-call terms towards 0 until the books say otherwise).
    """

    memory: float = 0.99
    ridge: float = 1.0
    xtx: np.ndarray = field(default_factory=lambda: np.zeros((6, 6)))
    xty: np.ndarray = field(default_factory=lambda: np.zeros(6))
    #: Weeks folded into the moments in place (with their arrays' identity, the solved fit's key)
    version: int = field(default=0, compare=False)
    _solved: tuple[np.ndarray, np.ndarray, int, np.ndarray] | None = field(
        default=None, repr=False, compare=False)

    @staticmethod
    def regressors(calls: np.ndarray, threshold: np.ndarray, pressure: np.ndarray,
                   untrained: np.ndarray, gap: np.ndarray) -> np.ndarray:
        """Design rows ``[1, n, n·threshold, n·pressure, n·u, n·(skill − u)]``."""
        n = np.asarray(calls, dtype=float) / 100.0
        return np.column_stack([np.ones(n.size), n, n * threshold, n * pressure,
                                n * untrained, n * gap])

    def observe(self, x: np.ndarray, contribution: np.ndarray) -> None:
        """Fold one week of design rows (employed reps only) into the moments, in place:
        ``xtx = memory·xtx + xᵀx``, ``xty = memory·xty + xᵀ·contribution``."""
        kernels.fold_moments(self.xtx, self.xty, self.memory, x, contribution)
        self.version += 1

    def coefficients(self) -> np.ndarray:
        """(α, a, c, e, d, b); the per-call terms per hundred calls.

        The solution of ``(xtx + diag(1e-9, ridge, ...)) β = xty``, solved again only when the
        moments changed (folded in, or replaced by new arrays); until then the same array.
        """
        solved = self._solved
        if (solved is None or solved[0] is not self.xtx or solved[1] is not self.xty
                or solved[2] != self.version):
            fit = kernels.solve_ridge(self.xtx, self.xty, _INTERCEPT_PENALTY, self.ridge)
            solved = self._solved = (self.xtx, self.xty, self.version, fit)
        return solved[3]

    def scaled(self, weight: float) -> SkillValueEstimate:
        """A copy whose evidence counts ``weight`` times as much (an industry prior)."""
        return SkillValueEstimate(self.memory, self.ridge, self.xtx * weight, self.xty * weight)


def _same(inputs: tuple, earlier: tuple) -> bool:
    """Whether an appraisal's inputs are those of an earlier one (the fit by identity: a
    changed fit is a new array)."""
    return inputs[-1] is earlier[-1] and inputs[:-1] == earlier[:-1]


#: The ridge's penalty on the intercept: just enough to keep the fit defined before any books.
_INTERCEPT_PENALTY = 1e-9


def untrained_skill(scenario: Scenario, tenure: np.ndarray) -> np.ndarray:
    """Skill of an untrained hire after ``tenure`` weeks of work (the tenure path alone)."""
    rep = scenario.rep
    return 1 - (1 - rep.skill_initial) * (1 - rep.tenure_learning) ** np.asarray(tenure)


@dataclass
class Rate:
    """A Beta-binomial estimate of a chance: ``(events + prior·weight) / (trials + weight)``."""

    prior: float
    weight: float
    events: float = 0.0
    trials: float = 0.0

    @property
    def mean(self) -> float:
        """The posterior mean."""
        return (self.events + self.prior * self.weight) / (self.trials + self.weight)

    def add(self, events: float, trials: float) -> None:
        """Count new trials and events."""
        self.events += events
        self.trials += trials

    def scaled(self, weight: float) -> Rate:
        """A copy whose own evidence counts ``weight`` times as much."""
        return Rate(self.prior, self.weight, self.events * weight, self.trials * weight)


@dataclass(frozen=True)
class Appraisal:
    """One appraisal of training a hire now (USD).

    Attributes:
        value: expected discounted extra contribution of the trained hire's extra skill.
        ramp_cost: expected discounted contribution of the calls lost during the ramp.
        cost: the training fee.
        npv: value − ramp_cost − cost.
    """

    value: float
    ramp_cost: float
    cost: float

    @property
    def npv(self) -> float:
        """Net present value of training the hire."""
        return self.value - self.ramp_cost - self.cost


class TrainingValuation:
    """The outsourcer's estimates and its appraisal of training (see the module docstring).

    Args:
        scenario: The run's scenario.
    """

    def __init__(self, scenario: Scenario) -> None:
        out = scenario.outsourcer
        self.config = scenario
        self.skill_value = SkillValueEstimate(memory=0.5 ** (1 / out.estimate_halflife_weeks))
        weekly_quit = 1 - (1 - scenario.rep.attrition_annual) ** (1 / 52)
        self.quits = Rate(weekly_quit, 52.0)  # prior: the industry's attrition, one rep-year
        self.renewals = Rate(out.renewal_prior, out.renewal_prior_weight)
        self.hires = 0
        self.paths = skill_paths(scenario, out.horizon_weeks)
        self._discount = weekly_discount(out.discount_rate)
        self._ramp = min(out.ramp_weeks, out.horizon_weeks)
        self._appraised: tuple[tuple, Appraisal] | None = None  # the last inputs and result

    def observe_week(self, calls: np.ndarray, skill: np.ndarray, tenure: np.ndarray,
                     strategy: tuple[np.ndarray, np.ndarray], contribution: np.ndarray,
                     quits: int) -> None:
        """Book a week of the employed reps: planned calls, skill, tenure (weeks),
        (threshold, pressure) and contribution before training fees; and the week's quits."""
        untrained = untrained_skill(self.config, tenure)
        x = SkillValueEstimate.regressors(calls, *strategy, untrained, skill - untrained)
        self.observe_design(x, contribution, quits)

    def observe_design(self, design: np.ndarray, contribution: np.ndarray, quits: int) -> None:
        """Book a week of the employed reps as their design rows
        (:meth:`SkillValueEstimate.regressors`, one per rep) and contributions before training
        fees; and the week's quits (the model builds the rows in one compiled pass)."""
        self.skill_value.observe(design, contribution)
        self.quits.add(quits, contribution.size)

    def observe_review(self, renewed: bool) -> None:
        """A review's verdict: whether the client renewed, or would have if free to end."""
        self.renewals.add(float(renewed), 1.0)

    def appraise(self, mean_calls: float, mean_strategy: tuple[float, float],
                 guaranteed_weeks: float, first_review: int,
                 ends_in: int | None = None) -> Appraisal:
        """Appraise training one hire now.

        Args:
            mean_calls: Calls a week a rep plans now (the sales force's mean effort).
            mean_strategy: The sales force's mean (threshold, pressure) now.
            guaranteed_weeks: Weeks left of the guaranteed term.
            first_review: Weeks to the next review (a review ends its week).
            ends_in: Weeks the contract has left when notice has been given, else None.
        """
        fit = self.skill_value.coefficients()
        quit_rate, renewal = self.quits.mean, self.renewals.mean
        inputs = (mean_calls, mean_strategy, guaranteed_weeks, first_review, ends_in,
                  quit_rate, renewal, fit)
        if self._appraised is not None and _same(inputs, self._appraised[0]):
            return self._appraised[1]  # e.g. the week's metric, then the next week's hires
        sc = self.config
        out = sc.outsourcer
        calls = mean_calls / 100.0
        ends_from = out.horizon_weeks if ends_in is None else max(ends_in, 0)
        value, ramp_cost = kernels.appraise_training(
            self.paths, fit, mean_strategy, (calls, out.training_capacity_loss * calls),
            self._discount * (1 - quit_rate), renewal,
            (guaranteed_weeks, sc.client.review_weeks, first_review, ends_from), self._ramp)
        appraisal = Appraisal(value, ramp_cost, out.training_cost)
        self._appraised = (inputs, appraisal)
        return appraisal

    def train_probability(self, npv: float) -> float:
        """Logit choice on the NPV with decaying experimentation.

        ``P = ε/2 + (1 − ε)·σ(npv / τ)``, ``ε = ε₀·k / (k + hires)``: early hires are sometimes
        trained (or not) against the estimate, so the books see both kinds of rep; the
        experimentation fades as hires accumulate, so the policy can commit.
        """
        out = self.config.outsourcer
        k = out.exploration_decay_hires
        eps = out.exploration * k / (k + self.hires)
        z = max(min(npv / out.choice_temperature, 700.0), -700.0)
        return eps / 2 + (1 - eps) / (1 + math.exp(-z))

    def inherited(self, memory: float) -> TrainingValuation:
        """What a replacement outsourcer starts from: this (industry) experience, weighted."""
        heir = TrainingValuation(self.config)
        heir.skill_value = self.skill_value.scaled(memory)
        heir.quits = self.quits.scaled(memory)
        heir.renewals = self.renewals.scaled(memory)
        heir.hires = round(self.hires * memory)
        return heir


__all__ = [
    "Appraisal",
    "Rate",
    "SkillValueEstimate",
    "TrainingValuation",
    "discounted_value",
    "relationship_survival",
    "skill_paths",
    "untrained_skill",
    "weekly_discount",
]
