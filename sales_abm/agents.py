"""The model's agents: Client, Outsourcer, SalesRep and Prospect (all ``mesa.Agent``).

Reps and prospects keep their state in columns so that a week is computed for all of them at once:
:class:`SalesForce` holds one row per rep slot, :class:`~sales_abm.market.Market` one row per
prospect, and :class:`SalesRep` and :class:`Prospect` are agents that view their row.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sales_abm import kernels
from sales_abm.contracts import Terms, payment, repriced, scaled
from sales_abm.credit import CreditLedger, pay_lag
from sales_abm.foregone import ForegoneEstimator
from sales_abm.kernels import Evaluations, RepBooks, RepColumns
from sales_abm.learning import RULES, Learner, make_learner
from sales_abm.learning.base import PROPENSITY_FLOOR
from sales_abm.learning.roth_erev import RothErev
from sales_abm.market import CallOutcome, CloseOutcome, MeetingOutcome, Status
from sales_abm.relational import quality_fee_factor
from sales_abm.scenario import PAY_ON, WEEKS_PER_MONTH, ContractTerms, RepParams, Scenario
from sales_abm.strategy import STRATEGY_DIMENSIONS, fixed_actions, strategy_levels
from sales_abm.training import Appraisal, TrainingValuation

if TYPE_CHECKING:  # networkx is loaded only where a graph object is built
    import networkx as nx

    from sales_abm.model import SalesModel

def uses_foregone(rule: str) -> bool:
    """Whether the model estimates foregone payoffs for reps learning by ``rule``.

    Read from the rule's metadata (:attr:`~sales_abm.learning.BaseLearner.uses_foregone`): runs
    with rules that never read them do not pay for the estimate.
    """
    return RULES[rule].uses_foregone


def office_network(n: int, rep: RepParams, seed: int) -> nx.Graph:
    """Whom each rep slot sees (and can imitate): a graph on nodes ``0..n-1``.

    ``isolated``: nobody. ``complete``: everyone. ``ring``: the ``rep.office_degree`` nearest
    desks (half on each side; an odd degree is rounded down). ``small_world``: that ring with each
    tie rewired with probability ``rep.office_rewiring`` (Watts & Strogatz 1998). For a ring or a
    small world, a degree of at least ``n - 1`` gives everyone, and otherwise one below 2 gives no
    ties. The graph belongs to the desks, so a replacement hire and a new outsourcer's reps sit in
    the same places.

    Args:
        n: Number of rep slots.
        rep: The reps' parameters.
        seed: Seed of the small world's rewiring.
    """
    import networkx as nx

    kind, degree = rep.office_network, rep.office_degree
    if kind == "isolated" or (kind != "complete" and degree == 0):
        return nx.empty_graph(n)
    if kind == "complete" or degree >= n - 1:
        return nx.complete_graph(n)
    if degree < 2:
        return nx.empty_graph(n)
    rewiring = rep.office_rewiring if kind == "small_world" else 0.0
    return nx.watts_strogatz_graph(n, degree, rewiring, seed=seed)


def _imitable(payoff: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Payoffs as peers see them: a desk with nothing to show pays below everyone.

    A vacant slot (or one without a week in the period) keeps its last action and a payoff of 0.
    Rather than let it be imitated, it gets a finite payoff far below every active rep's, which
    imitate-the-best never copies and the Fermi rule adopts with probability 0.
    """
    if not active.any():
        return payoff
    return np.where(active, payoff, payoff[active].min() - 1e9)


def _week_rates(sc: Scenario) -> tuple[float | int, ...]:
    """The scenario's constants :func:`sales_abm.kernels.learn_week` takes (its ``rates``)."""
    rep, lp, out = sc.rep, sc.learning, sc.outsourcer
    return (float(rep.effort_cost), float(rep.calls_max), float(lp.payoff_shift),
            float(lp.payoff_scale), 2 / (rep.earnings_window + 1), int(out.evaluation_weeks),
            1 - (1 - rep.attrition_annual) ** (1 / 52), float(rep.quit_hazard_below),
            rep.outside_option / WEEKS_PER_MONTH, float(out.training_capacity_loss),
            float(rep.skill_initial), float(rep.tenure_learning),
            rep.training_gain / out.ramp_weeks)


class SalesForce:
    """The reps' state as columns, one row per head-count slot.

    A slot is vacant (``hire_id == -1``) between a quit and the next hire. Each strategy
    dimension is learned by its own :class:`~sales_abm.learning.Learner`, one row per slot; a
    switched-off dimension keeps a fixed action. All learners use ``learning.rule``. Rules that
    weigh foregone payoffs get the estimates of :mod:`sales_abm.foregone`; imitation rules copy
    each dimension separately from the peers ``office`` links a slot to, comparing learning
    payoffs (a rep sees its peers' pay and strategy, docs/model.md section 4). Under
    ``learning.credit = earned`` (:mod:`sales_abm.credit`) a period is learned from once its
    pay is in, each payment credited to the week its meeting was booked (:meth:`credit_earned`);
    under ``paid`` as soon as it ends (:meth:`learn`).

    Args:
        scenario: The run's scenario.
        office_seed: Seed of the office network's rewiring (:func:`office_network`, built
            when :attr:`office` is first read, by imitation rules or the explore page: other
            runs never load networkx).
    """

    def __init__(self, scenario: Scenario, office_seed: int = 0) -> None:
        n = scenario.reps
        self.config = scenario
        self.levels = strategy_levels(scenario)
        self.hire_id = np.full(n, -1, dtype=np.int64)
        self.employed = np.zeros(n, dtype=bool)  # slots with a rep in them (hire_id >= 0)
        self.skill = np.zeros(n)
        self.tenure = np.zeros(n, dtype=np.int64)
        self.ramp_left = np.zeros(n, dtype=np.int64)
        self.trained = np.zeros(n, dtype=bool)
        self.earnings = np.zeros(n)  # trailing average weekly pay (exponential window)
        self.action = {dim: np.zeros(n, dtype=np.int64) for dim in STRATEGY_DIMENSIONS}
        self.payoff_sum = np.zeros(n)
        self.payoff_weeks = np.zeros(n, dtype=np.int64)
        # Slots whose next hire takes over the learner state left there (successor_habits)
        self.handed_over = np.zeros(n, dtype=bool)
        self.fixed_action = fixed_actions(scenario, self.levels)
        self._learned = tuple(dim for dim in STRATEGY_DIMENSIONS
                              if self.fixed_action[dim] is None)
        lp = scenario.learning
        self._office: nx.Graph | None = None  # built when first read (see office)
        self._office_seed = office_seed
        self.imitates = RULES[lp.rule].uses_graph
        peers = self.office if self.imitates else None  # other rules never build the graph
        self.learners: dict[str, Learner] = {
            dim: make_learner(lp.rule, n, self.levels[dim].size, lp.rule_params(), peers)
            for dim in STRATEGY_DIMENSIONS
        }
        self.estimator = (
            ForegoneEstimator(scenario, self.levels) if uses_foregone(lp.rule) else None
        )
        depth = 2 + scenario.market.cycle_max_weeks + lp.rep_cadence_weeks + 1
        self.ledger = (CreditLedger(n, STRATEGY_DIMENSIONS, depth) if lp.credit == "earned"
                       else None)
        # The columns the learning phase's kernels read and write: the arrays above, which are
        # only ever updated in place, so the bundle is built once.
        self.books = RepBooks(
            self.employed, self.levels["effort"], self.action["effort"],
            self.levels["threshold"], self.action["threshold"], self.levels["pressure"],
            self.action["pressure"], self.skill, self.tenure, self.ramp_left, self.earnings,
            self.payoff_sum, self.payoff_weeks)
        # Without a ledger the kernel is given an empty one (it never touches it)
        self._ledger = self.ledger if self.ledger is not None else CreditLedger(
            n, STRATEGY_DIMENSIONS, 1)
        self._untrained_decay = self._decay_powers(scenario.weeks + 2)  # by weeks of tenure
        self._rates = _week_rates(scenario)
        self._lag = pay_lag(scenario.pay, scenario.market)
        self._no_events = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64),
                           np.empty(0))
        self._learns_in_kernel, self._kernel_learners = self._reinforcement(n)
        self._no_draw = np.empty(0)
        # What the week's kernels take, built once: every array here is only updated in place
        self._book_columns = tuple(self.books)
        self._ledger_columns = tuple(self._ledger.arrays)
        self._levels_by_dim = tuple(self.levels[dim] for dim in STRATEGY_DIMENSIONS)
        self._actions_by_dim = tuple(self.action[dim] for dim in STRATEGY_DIMENSIONS)
        learners = [self.learners[dim] for dim in self._learned]
        self._learned_actions = tuple(self.action[dim] for dim in self._learned)
        # Roth–Erev's probabilities are its propensities over their sum, computed in the kernel
        self._learned_propensities = (
            tuple(learner.propensities for learner in learners)
            if all(type(learner).probabilities is RothErev.probabilities for learner in learners)
            else None)
        self._fixed_columns = tuple((self.action[dim], self.fixed_action[dim])
                                    for dim in STRATEGY_DIMENSIONS
                                    if self.fixed_action[dim] is not None)
        self._employed_rows: np.ndarray | None = None  # flatnonzero(employed), until it changes

    def _reinforcement(self, n: int) -> tuple[bool, tuple]:
        """Whether :meth:`learn_week`'s kernel learns from the due periods (Roth–Erev
        learners under earned credit), and the learners' arrays and constants it takes
        (:func:`sales_abm.kernels.learn_due`; placeholders of the same types otherwise)."""
        learners = [self.learners[dim] for dim in STRATEGY_DIMENSIONS]
        fused = (self.ledger is not None and not self.imitates
                 and all(isinstance(learner, RothErev) for learner in learners))
        learned = np.array([self.fixed_action[dim] is None for dim in STRATEGY_DIMENSIONS])
        if not fused:
            none = np.zeros(len(learners))
            return False, ((np.zeros((n, 1)),) * len(learners), learned, none, none, 1.0,
                           False, PROPENSITY_FLOOR)
        constants = [learner.reinforcement() for learner in learners]
        decay, _, _, modified = constants[0]  # the rule's, the same in every dimension
        return True, (tuple(learner.propensities for learner in learners), learned,
                      np.array([c[1] for c in constants]), np.array([c[2] for c in constants]),
                      decay, modified, PROPENSITY_FLOOR)

    @property
    def office(self) -> nx.Graph:
        """Whom each slot sees: the office network, built when first read."""
        if self._office is None:
            self._office = office_network(self.config.reps, self.config.rep, self._office_seed)
        return self._office

    def levels_by_dim(self) -> tuple[np.ndarray, ...]:
        """Each strategy dimension's levels, in :data:`STRATEGY_DIMENSIONS` order."""
        return self._levels_by_dim

    def actions_by_dim(self) -> tuple[np.ndarray, ...]:
        """Each slot's level index of each dimension, in :data:`STRATEGY_DIMENSIONS` order."""
        return self._actions_by_dim

    def employed_rows(self) -> np.ndarray:
        """The slots with a rep in them, in order (kept until a hire or a departure; do not
        write into it)."""
        if self._employed_rows is None:
            self._employed_rows = np.flatnonzero(self.employed)
        return self._employed_rows

    def value(self, dim: str) -> np.ndarray:
        """Each slot's current level of a strategy dimension."""
        return self.levels[dim][self.action[dim]]

    def choose(self, rows: np.ndarray, rng: np.random.Generator) -> None:
        """Draw new actions for these slots (learned or fixed).

        Each learned dimension draws one uniform per slot, chosen or not, in dimension order
        (as its learner's ``choose`` would), all in one ``rng.random`` call; the chosen slots'
        actions are sampled from their rows of the learner's probabilities in one compiled pass
        (:func:`sales_abm.kernels.sample_actions`, :func:`~sales_abm.learning.base.sample_rows`
        bit for bit; Roth–Erev's probabilities, its propensities over their sum, are computed
        in that pass: :func:`sales_abm.kernels.sample_proportional`).
        """
        learned = self._learned
        if learned:
            uniforms = rng.random(len(learned) * self.hire_id.size)
            actions = self._learned_actions
            if self._learned_propensities is not None:
                kernels.sample_proportional(self._learned_propensities, uniforms, rows, actions)
            else:
                probs = tuple(np.ascontiguousarray(self.learners[dim].probabilities(), dtype=float)
                              for dim in learned)
                kernels.sample_actions(probs, uniforms, rows, actions)
        for action, fixed in self._fixed_columns:
            action[rows] = fixed

    def learn(self, rows: np.ndarray) -> None:
        """Update the learners of these slots from their mean payoff since their last update.

        Slots without a week in the period are left alone. Rules that weigh foregone payoffs
        get the estimator's (:mod:`sales_abm.foregone`); imitation rules see the period's
        payoffs of their peers, and never copy a peer that has no period to show.
        """
        active = np.zeros(self.hire_id.size, dtype=bool)
        active[rows] = True
        active &= self.payoff_weeks > 0
        payoff = self.payoff_sum / np.maximum(self.payoff_weeks, 1)
        foregone: dict[str, np.ndarray | None] = dict.fromkeys(STRATEGY_DIMENSIONS)
        if self.estimator is not None:
            foregone.update(self.estimator.foregone(self.action, payoff, self.payoff_weeks))
            self.estimator.end_period(active)
        self._update_learners(self.action, payoff, foregone, active)
        self.payoff_sum[active] = 0.0
        self.payoff_weeks[active] = 0

    def _update_learners(self, actions: Mapping[str, np.ndarray], payoff: np.ndarray,
                         foregone: Mapping[str, np.ndarray | None], active: np.ndarray) -> None:
        if self.imitates:
            payoff = _imitable(payoff, active)
        for dim in STRATEGY_DIMENSIONS:
            if self.fixed_action[dim] is None:
                self.learners[dim].update(actions[dim], payoff, foregone[dim], active,
                                          validate=False)

    def credit_earned(self, week: int) -> None:
        """Learn from the periods whose pay is all in (``learning.credit = earned``,
        :mod:`sales_abm.credit`), for the rules :meth:`learn_week` does not learn for.

        Of the week's learning payoff (variable pay less effort's cost, shifted and scaled),
        effort's cost and pay on appointments set belong to this week; pay on held or qualified
        meetings (and its clawbacks) to last week, when they were booked; a commission to the
        week its deal was booked (all booked by :meth:`learn_week`). With nothing paid late
        the ledger holds exactly the payoff ``paid`` credit learns from, so the two agree bit
        for bit. A period of a rule that weighs foregone payoffs is queued here, with the
        estimated differences made at its end.
        """
        sc, ledger = self.config, self.ledger
        assert ledger is not None
        k = sc.learning.rep_cadence_weeks
        if (week + 1) % k == 0 and self.estimator is not None:
            ledger.close_period(week + 1 - k, week, self._lag, self._period_deltas())
        if self._learns_in_kernel:
            return
        for period in ledger.due(week):
            foregone: dict[str, np.ndarray | None] = dict.fromkeys(STRATEGY_DIMENSIONS)
            if period.deltas is not None:
                foregone.update({dim: period.payoff[:, None] + delta
                                 for dim, delta in period.deltas.items()})
            self._update_learners(period.actions, period.payoff, foregone,
                                  period.active & self.employed)

    def _period_deltas(self) -> dict[str, np.ndarray]:
        """At a period's end: each level's estimated foregone payoff minus the realised one.

        Belief rules learn from a period only once its pay is in; the estimates of what the
        other levels would have paid are made now, from the period's counts, and added then to
        the payoff the period earned (rules that use them only).
        """
        assert self.estimator is not None
        active = self.employed & (self.payoff_weeks > 0)
        payoff = self.payoff_sum / np.maximum(self.payoff_weeks, 1)
        estimates = self.estimator.foregone(self.action, payoff, self.payoff_weeks)
        deltas = {dim: f - payoff[:, None] for dim, f in estimates.items()}
        self.estimator.end_period(active)
        kernels.end_period_sums(self.books)
        return deltas

    def observe(self, calls: CallOutcome, meetings: MeetingOutcome, closes: CloseOutcome) -> None:
        """Record what the foregone-payoff estimates need from the week (no-op without them)."""
        if self.estimator is not None:
            self.estimator.observe(self.employed, calls, meetings, closes)

    def switch_terms(self, scenario: Scenario) -> None:
        """Read the pay plan of a scenario whose terms changed mid-run (nothing else changes)."""
        self.config = scenario
        self._rates = _week_rates(scenario)
        self._lag = pay_lag(scenario.pay, scenario.market)
        if self.estimator is not None:
            self.estimator.terms = Terms.from_pay_plan(scenario.pay)

    def call_columns(self) -> RepColumns:
        """What the week's calls read of each slot, in one compiled pass
        (:func:`sales_abm.kernels.call_columns`).

        Calls planned: its effort, at its skill's pace, less training time. A skilled caller gets
        through more dials in the same working hours (preparation, dialler use, shorter dead
        calls): effort x (1 + call_speed_gain x (skill - 1/2)), rounded, where the effort is 0
        for a vacancy and loses ``training_capacity_loss`` of a trainee's time during its ramp.
        Its threshold and pressure. The SD of its signal of fit, falling linearly with skill,
        and its conversion craft, a multiplier of a prospect's chance of agreeing that grows
        with skill.
        """
        rep = self.config.rep
        planned, threshold, pressure, noise_sd, craft = kernels.call_columns(
            self._book_columns, self.config.outsourcer.training_capacity_loss,
            rep.call_speed_gain, rep.signal_noise_max, rep.signal_noise_min, rep.craft_gain)
        return RepColumns(planned, threshold, pressure, noise_sd, craft, self.hire_id)

    def hire(self, rows: np.ndarray, first_id: int, train: np.ndarray) -> None:
        """Put new hires (untrained, or starting their training ramp) in these slots."""
        rep, out = self.config.rep, self.config.outsourcer
        self.hire_id[rows] = np.arange(first_id, first_id + rows.size)
        self.employed[rows] = True
        self._employed_rows = None
        self.skill[rows] = rep.skill_initial
        self.tenure[rows] = 0
        self.trained[rows] = train
        self.ramp_left[rows] = np.where(train, out.ramp_weeks, 0)
        self.earnings[rows] = rep.outside_option / WEEKS_PER_MONTH
        self.payoff_sum[rows] = 0.0
        self.payoff_weeks[rows] = 0
        fresh = rows[~self.handed_over[rows]]
        self.handed_over[rows] = False
        for learner in self.learners.values():
            learner.reset(fresh)
        if self.estimator is not None:
            self.estimator.reset(rows)
        if self.ledger is not None:
            self.ledger.forget(rows)

    def vacate(self, rows: np.ndarray) -> None:
        """Reps in these slots leave."""
        self.hire_id[rows] = -1
        self.employed[rows] = False
        self._employed_rows = None
        self.ramp_left[rows] = 0

    def hand_over(self, rows: np.ndarray) -> None:
        """The contract changes hands: the next hires in these (vacated) slots keep the
        learner state their dismissed reps left there (``learning.successor_habits``).

        Every rule keeps its state per row (propensities, attractions and experience, beliefs,
        shares, an imitation distribution), and a vacant row is never updated, so keeping a
        slot's row at its next hire hands that rep's habits to its successor. Only the
        learners' rows pass on: the foregone-payoff estimator's trailing counts measure the
        rep's own calls at its own skill, and skill, tenure and training start fresh.
        """
        if self.config.learning.successor_habits:
            self.handed_over[rows] = True

    def learn_week(self, week: int, pay: tuple[np.ndarray, ...], closes: CloseOutcome,
                    evaluations: Evaluations, contract_total: np.ndarray, overhead: np.ndarray,
                    training: np.ndarray, rng: np.random.Generator
                    ) -> tuple[bool, np.ndarray, np.ndarray, np.ndarray]:
        """The reps' week after the money moved, in one compiled pass
        (:func:`sales_abm.kernels.learn_week`).

        Each slot's contribution (contract income less pay, overhead and training) goes to the
        outsourcer's open evaluation windows; the reps' pay to their trailing earnings and their
        learning payoff (variable pay less effort's cost, convex in planned calls, shifted and
        scaled) to the period's sums and, under earned credit, to the ledger, where Roth–Erev
        learners also learn from the periods whose pay is all in (other rules in
        :meth:`credit_earned`); reps quit (base attrition plus low trailing earnings); and those
        who stay grow a week: skill with tenure, and with training during the ramp.

        Args:
            pay: The week's pay per slot: its total, then the parts of
                :class:`~sales_abm.contracts.Settlement` (fixed, appointments, clawbacks,
                commission).

        Returns:
            Whether an evaluation window is full, the quitting slots, and the employed reps'
            week for the outsourcer's books: their design rows
            (:meth:`sales_abm.training.SkillValueEstimate.regressors`; calls are the effort
            each can spend calling, the training ramp taking ``training_capacity_loss`` of a
            trainee's) and contributions before training.
        """
        sc, rates = self.config, self._rates
        draw = rng.random(self.hire_id.size) if sc.switches.attrition else self._no_draw
        if week + 1 >= self._untrained_decay.size:  # tenure never exceeds the weeks run
            self._untrained_decay = self._decay_powers(2 * (week + 1))
        k = sc.learning.rep_cadence_weeks
        earned = self.ledger is not None
        period_ends = earned and self.estimator is None and (week + 1) % k == 0
        credit = (earned, sc.pay.pay_on != "set", period_ends, week + 1 - k, self._lag,
                  self._learns_in_kernel)
        events = self._commissions(closes) if earned else self._no_events
        return kernels.learn_week(
            self._book_columns, tuple(evaluations), pay, contract_total, overhead,
            training, week, rates, draw, self._untrained_decay, self._ledger_columns,
            credit, events, self._kernel_learners)

    def _commissions(self, closes: CloseOutcome) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The week's commissions as learning payoff, with the week each deal was booked and
        the slot that booked it (none unless the pay plan pays a commission)."""
        sc = self.config
        if closes.owners is None or sc.pay.commission <= 0:
            return self._no_events
        own = closes.owners < self.hire_id.size
        none = np.zeros(int(own.sum()))
        deals = payment(Terms.from_pay_plan(sc.pay), none, none, closes.deal_values[own])
        earned = deals.commission  # USD per deal
        return (closes.cohort_weeks[own].astype(np.int64), closes.owners[own].astype(np.int64),
                earned / sc.learning.payoff_scale)

    def _decay_powers(self, weeks: int) -> np.ndarray:
        """``(1 - tenure_learning) ** t`` for t below ``weeks``, as numpy computes each power
        (:func:`sales_abm.training.untrained_skill`)."""
        return (1 - self.config.rep.tenure_learning) ** np.arange(weeks)


class SalesRep(mesa.Agent):
    """A cold caller: a view of one slot of the :class:`SalesForce`.

    Attributes:
        slot: the row of the sales force this rep occupies.
        hire_id: unique id of this hire (slots are reused by replacements).
    """

    def __init__(self, model: SalesModel, slot: int, hire_id: int) -> None:
        super().__init__(model)
        self.slot = slot
        self.hire_id = hire_id

    @property
    def _force(self) -> SalesForce:
        return self.model.sales_force

    @property
    def skill(self) -> float:
        """Precision of judging fit and craft of converting, in [0, 1]."""
        return float(self._force.skill[self.slot])

    @property
    def strategy(self) -> dict[str, float]:
        """Current effort (calls per week), threshold (perceived fit) and pressure (0-1)."""
        return {dim: float(self._force.value(dim)[self.slot]) for dim in STRATEGY_DIMENSIONS}

    @property
    def tenure(self) -> int:
        """Weeks worked."""
        return int(self._force.tenure[self.slot])

    @property
    def trained(self) -> bool:
        """Whether the outsourcer paid for this rep's training."""
        return bool(self._force.trained[self.slot])


class Prospect(mesa.Agent):
    """A prospect company: a view of one row of the market's columns."""

    def __init__(self, model: SalesModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def fit(self) -> float:
        """True probability of buying after a proper meeting."""
        return float(self.model.market.fit[self.row])

    @property
    def receptivity(self) -> float:
        """Current receptivity to calls."""
        return float(self.model.market.receptivity[self.row])

    @property
    def answer_propensity(self) -> float:
        """Learned propensity to take a cold call, in [0, 1]."""
        return float(self.model.market.answer[self.row])

    @property
    def accept_propensity(self) -> float:
        """Learned propensity to accept a meeting, in [0, 1]."""
        return float(self.model.market.accept[self.row])

    @property
    def status(self) -> Status:
        """Where the prospect stands in the funnel."""
        return Status(int(self.model.market.status[self.row]))

    @property
    def deal_value(self) -> float:
        """Revenue if it buys (USD)."""
        return float(self.model.market.deal_value[self.row])


@dataclass
class _Evaluation:
    """A hire whose profit rewards the training choice made for it."""

    action: int
    start_week: int
    contribution: float = 0.0


#: What :meth:`Outsourcer.staff` returns when every slot is filled (read, never written).
_NO_HIRES = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))


class Outsourcer(mesa.Agent):
    """The sales-outsourcing firm: hires, trains (or not), pays reps, learns its training policy.

    Training is a per-hire decision made by ``outsourcer.decision``:

    * ``forward`` (default): the firm appraises training a hire now by the expected extra
      contribution of the trained rep's extra skill over the remaining relationship (guaranteed
      term left, the renewal chance learned from its review history, the hire's survival), less
      the fee and the calls lost in the ramp (:mod:`sales_abm.training`), and trains with a logit
      chance of that NPV with experimentation that fades with hires. A firm invests by appraising
      the investment's return over the time it expects to keep it; a realised 26-week window
      instead credits termination to whoever is discarded and cuts the return at an arbitrary
      point, so the forward appraisal is the default.
    * ``window``: a learner (``learning.outsourcer_rule``) rewarded by each hire's mean weekly
      contribution (contract income attributed to its slot, less pay, overhead and training) over
      ``evaluation_weeks``; a quit or the contract's end truncates the window. It sees only the
      reward of the choice made, so the scenario admits only rules that learn from that.
    * ``always`` / ``never``: a fixed policy (the benchmark's "all trained" and "none trained").

    A replacement outsourcer starts from what the outsourcers before it learned (see
    :meth:`successor`).
    """

    def __init__(self, model: SalesModel, epoch_start: int) -> None:
        super().__init__(model)
        sc = model.config
        self.config = sc
        self.epoch_start = epoch_start
        self.next_hire = epoch_start
        self.pay_plan = Terms.from_pay_plan(sc.pay)
        lp = sc.learning
        self.training_learner = make_learner(lp.outsourcer_rule, 1, 2, lp.outsourcer_params())
        self.valuation = TrainingValuation(sc)
        # Open evaluation windows, as columns by slot (a loop over a dict of them cost a Python
        # iteration per rep per week). ``_ev_order`` keeps the order windows were opened in, which
        # is the order full windows are reinforced in.
        n = sc.reps
        self._ev_open = np.zeros(n, dtype=bool)
        self._ev_action = np.zeros(n, dtype=np.int64)
        self._ev_start = np.zeros(n, dtype=np.int64)
        self._ev_contribution = np.zeros(n)
        self._ev_order = np.zeros(n, dtype=np.int64)
        self._ev_opened = 0
        self.windows = Evaluations(self._ev_open, self._ev_start, self._ev_contribution)
        self.finished: list[tuple[int, float]] = []  # (action, reward) awaiting an update

    def switch_terms(self, scenario: Scenario) -> None:
        """Pay reps by the pay plan of a scenario whose terms changed mid-run."""
        self.config = scenario
        self.pay_plan = Terms.from_pay_plan(scenario.pay)

    def successor(self, epoch_start: int) -> Outsourcer:
        """The outsourcer that replaces this one, starting from the industry's experience.

        The industry prior is what the outsourcers before it learned in this run (the value of
        skill from their books, their hires' quit rate, the client's renewals, and how far their
        experimentation has faded), weighted by ``outsourcer.industry_memory``: a new firm serving
        the same client in the same market hires managers and reads benchmarks from firms that
        did, and it knows why the last one was let go. Under ``window`` it takes over the
        learner's state when the memory is positive.
        """
        heir = Outsourcer(self.model, epoch_start)
        memory = self.config.outsourcer.industry_memory
        heir.valuation = self.valuation.inherited(memory)
        if memory > 0:
            heir.training_learner = copy.deepcopy(self.training_learner)
        return heir

    def staff(self, week: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Fill vacant slots; return the slots filled and whether each hire is trained."""
        force = self.model.sales_force
        if force.employed_rows().size == force.employed.size:
            return _NO_HIRES
        vacant = np.flatnonzero(~force.employed)
        train = rng.random(vacant.size) < self.train_probability(week)
        self.valuation.hires += vacant.size
        force.hire(vacant, self.next_hire, train)
        self._ev_open[vacant] = True
        self._ev_action[vacant] = train
        self._ev_start[vacant] = week
        self._ev_contribution[vacant] = 0.0
        self._ev_order[vacant] = self._ev_opened + np.arange(vacant.size)
        self._ev_opened += vacant.size
        self.next_hire += vacant.size
        return vacant, train

    def appraisal(self, week: int) -> Appraisal:
        """Appraise training a hire at the start of ``week`` (see :mod:`sales_abm.training`)."""
        sc, force, client = self.config, self.model.sales_force, self.model.client
        calls, threshold, pressure, employed = kernels.strategy_means(force.books[:7])
        strategy = (threshold, pressure)
        if not employed:
            calls, strategy = (sc.rep.calls_min + sc.rep.calls_max) / 2, (0.0, 0.0)
        elapsed = week - client.contract_start  # whole weeks of the contract before this one
        # A contract the client cannot end (termination switched off) is guaranteed for good:
        # its reviews' verdicts say nothing about whether it goes on.
        guaranteed = (math.inf if not sc.switches.termination else
                      max(0.0, sc.contract.minimum_term * WEEKS_PER_MONTH - elapsed - 1))
        first_review = (-(elapsed + 1)) % sc.client.review_weeks
        ends_in = None if client.notice_ends is None else client.notice_ends - week + 1
        return self.valuation.appraise(float(calls), strategy, guaranteed, first_review, ends_in)

    def observe_week(self, design: np.ndarray, contribution: np.ndarray, quits: int) -> None:
        """Book a week of the employed reps: their design rows (calls, strategy, skill; see
        :meth:`SalesForce.learn_week`), contributions before training fees, and the week's
        quits."""
        self.valuation.observe_design(design, contribution, quits)

    def observe_review(self, renewed: bool) -> None:
        """The client's verdict at a review (``outsourcer.renewal_evidence``, model.md 7.9)."""
        self.valuation.observe_review(renewed)

    def training_cost(self, train: np.ndarray) -> np.ndarray:
        """Cost of the training given to each new hire."""
        return train * self.config.outsourcer.training_cost

    def overhead_per_rep(self) -> float:
        """Weekly overhead of an employed rep (a vacant slot costs none)."""
        return self.config.outsourcer.overhead / WEEKS_PER_MONTH

    @property
    def evaluations(self) -> dict[int, _Evaluation]:
        """The open evaluation windows by slot, in the order they were opened."""
        slots = np.flatnonzero(self._ev_open)
        slots = slots[np.argsort(self._ev_order[slots])]
        return {int(s): _Evaluation(int(self._ev_action[s]), int(self._ev_start[s]),
                                    float(self._ev_contribution[s])) for s in slots}

    def close_full_windows(self, week: int) -> None:
        """Close the evaluation windows that are full at the end of ``week``, in the order
        they were opened (each slot's weekly contribution is added to its hire's window by
        :meth:`SalesForce.learn_week`)."""
        horizon = self.config.outsourcer.evaluation_weeks
        full = np.flatnonzero(self._ev_open & (week + 1 - self._ev_start >= horizon))
        self._close(full[np.argsort(self._ev_order[full])] if full.size > 1 else full)

    def close_evaluation(self, slot: int) -> None:
        """End a hire's evaluation window (full, or cut short by a quit or the contract's end)."""
        if self._ev_open[slot]:
            self._close(np.array([slot]))

    def _close(self, slots: np.ndarray) -> None:
        self._ev_open[slots] = False
        self.finished.extend(zip(self._ev_action[slots].tolist(),
                                 self._ev_contribution[slots].tolist(), strict=True))

    def learn(self) -> None:
        """``window``: reinforce the training choices whose windows closed, one hire at a time.

        The reward is the hire's mean weekly contribution over the full window (weeks after a
        quit count as zero), shifted by the weekly cost of an idle trained hire so that it is
        non-negative for the reinforcement rules, and divided by ``learning.payoff_scale``.
        """
        if self.config.outsourcer.decision != "window" or not self.config.switches.training:
            self.finished.clear()
            return
        sc = self.config
        horizon = sc.outsourcer.evaluation_weeks
        floor = (sc.pay.base_salary + sc.outsourcer.overhead) / WEEKS_PER_MONTH + (
            sc.outsourcer.training_cost / horizon
        )
        for action, total in self.finished:
            reward = (total / horizon + floor) / sc.learning.payoff_scale
            # No counterfactual is observed: no foregone payoffs (see the class docstring).
            self.training_learner.update(np.array([action]), np.array([reward]))
        self.finished.clear()

    def train_probability(self, week: int | None = None) -> float:
        """Chance that a hire made at the start of ``week`` (default: the next) is trained."""
        decision = self.config.outsourcer.decision
        if not self.config.switches.training or decision == "always":
            return 1.0
        if decision == "never":
            return 0.0
        if decision == "window":
            return float(self.training_learner.probabilities()[0, 1])
        week = self.model.week + 1 if week is None else week
        return self.valuation.train_probability(self.appraisal(week).npv)


def contract_menu(scenario: Scenario) -> list[ContractTerms]:
    """The contracts the client can choose from: the scenario's, priced up and down, audited
    and billed on stricter measures (MODEL.md section 0; the ``client.*`` menu keys).

    Every money term (fixed fee, appointment price, commission) is scaled by each of the
    ``client.price_levels`` factors from ``1 - price_spread`` to ``1 + price_spread`` (and 1, so
    the scenario's own contract is always on the menu, first); the audit is the contract's or
    ``client.audit_max`` with a clawback of at least 1x; billing is on the contract's measure or,
    with ``client.menu_pay_on``, any stricter one.
    """
    base, c = scenario.contract, scenario.client
    spread = np.linspace(1 - c.price_spread, 1 + c.price_spread, c.price_levels)
    factors = [1.0]
    if c.price_levels > 1:
        factors += sorted({round(float(f), 12) for f in spread} - {1.0})
    audits = [(base.audit_rate, base.clawback)]
    if c.audit_max > base.audit_rate:
        audits.append((c.audit_max, max(base.clawback, 1.0)))
    stricter = PAY_ON[PAY_ON.index(base.pay_on):]
    pay_ons = stricter if c.menu_pay_on else (base.pay_on,)
    return [
        dataclasses.replace(scaled(base, f), audit_rate=audit, clawback=clawback, pay_on=pay_on)
        for f in factors for audit, clawback in audits for pay_on in pay_ons
    ]


def contract_label(terms: ContractTerms, base: ContractTerms) -> str:
    """A short label of a contract on the menu: its preset and how it departs from ``base``."""
    parts = [terms.preset]
    money = (base.fixed_fee, base.price_per_appointment, base.commission)
    mine = (terms.fixed_fee, terms.price_per_appointment, terms.commission)
    factor = next((m / b for m, b in zip(mine, money, strict=True) if b > 0), 1.0)
    if abs(factor - 1.0) > 1e-9:
        parts.append(f"x{factor:.3g}")
    if terms.audit_rate != base.audit_rate:
        parts.append(f"audit {terms.audit_rate:g}")
    if terms.pay_on != base.pay_on:
        parts.append(f"on {terms.pay_on}")
    return " ".join(parts)


@dataclass(frozen=True)
class Review:
    """What the client measured over one review window and what it decided.

    ``decision`` is ``renew``, ``renegotiate`` (new terms from next week), ``notice`` (it
    terminates; a new outsourcer starts when the notice ends) or ``wait`` (a review before
    the minimum term's end that found a reason to leave).
    """

    week: int
    roi: float
    close_rate: float
    cost_per_close: float
    profit: float
    arm: int
    decision: str


class Client(mesa.Agent):
    """The client: pays by the contract, holds meetings, and reviews the contract each quarter.

    At each review (every ``client.review_weeks`` of a contract) it measures, over the window:
    the ROI of its spending (payments and AE time) on the expected margin of the meetings held,
    the close rate of the appointments set for it and the cost per closed deal, both on
    expected closes (the fit of the meetings held: an AE learns a prospect's fit in the
    meeting, while deals close only after a sales cycle that can outlast a quarter, so judging
    by closed deals alone would end every contract at its first review). After the minimum term
    it terminates when the ROI falls below ``client.min_roi`` (the price is too high for what
    it gets) or the close rate below ``client.min_close_rate`` (the outsourcer books meetings
    that do not close), and re-tenders to a new outsourcer once the notice has run.

    With ``switches.client_choice`` it also chooses its contract from a menu
    (:func:`contract_menu`) with a learning rule (``client.rule``) whose payoff is its profit
    over the window: at a review it renews when the rule picks the terms in force and otherwise
    renegotiates them (the outsourcer accepts; its pay plan stays); a re-tender goes out on the
    terms the rule picks then. Without it the client keeps the scenario's contract throughout.
    """

    def __init__(self, model: SalesModel) -> None:
        super().__init__(model)
        sc = model.config
        self.config = sc
        self.contract_start = 0
        self.notice_ends: int | None = None
        self.replacements = 0
        self.renegotiations = 0
        self.window = _empty_window()
        self.verdict: bool | None = None  # the last review's: did the window meet the bars?
        self.menu = contract_menu(sc)
        self.arm = 0  # the scenario's own contract
        self.terms = Terms.from_contract(self.menu[0], headcount=1)  # fixed fee per slot
        self.learner: Learner | None = None
        if sc.switches.client_choice:
            self.learner = client_learner(sc, len(self.menu))
        self.reviews: list[Review] = []

    @property
    def label(self) -> str:
        """The label of the contract in force."""
        return contract_label(self.menu[self.arm], self.menu[0])

    def capacity(self) -> int | None:
        """Meetings the AEs can hold this week (None: unlimited)."""
        sc = self.config
        if not sc.switches.ae_capacity:
            return None
        return round(sc.client.ae_capacity * sc.reps)

    def triage_noise(self) -> float | None:
        """Noise of the AEs' read of fit when they triage meetings (None: no triage)."""
        sc = self.config
        return sc.client.triage_noise if sc.switches.ae_triage else None

    def account(self, margin: float, cost: float, expected_closes: float = 0.0,
                appointments: int = 0, held: int = 0, held_junk: int = 0) -> None:
        """Add a week's expected margin, cost (payments and AE time), expected closes (the fit
        of the meetings held), appointments set, and meetings held and held junk to the review
        window."""
        w = self.window
        w["margin"] += margin
        w["cost"] += cost
        w["closes"] += expected_closes
        w["set"] += appointments
        w["held"] += held
        w["held_junk"] += held_junk

    def review(self, week: int, rng: np.random.Generator | None = None) -> bool:
        """Quarterly review; returns True when the contract ends this week.

        Every review reaches a verdict (:attr:`verdict`: the window met both bars, ROI and close
        rate); it ends the contract only when the client is free to end it.

        Args:
            week: The week ending.
            rng: The client's stream, drawn from only when it chooses contracts.
        """
        if self.notice_ends is not None:
            return week >= self.notice_ends
        sc = self.config
        elapsed = week + 1 - self.contract_start
        if elapsed % sc.client.review_weeks:
            return False
        w = self.window
        self.window = _empty_window()
        profit = w["margin"] - w["cost"]
        roi = profit / w["cost"] if w["cost"] > 0 else np.inf
        close_rate = w["closes"] / w["set"] if w["set"] else np.nan
        cost_per_close = w["cost"] / w["closes"] if w["closes"] > 0 else np.inf
        if self.learner is not None:
            reward = max(profit, 0.0) / sc.client.payoff_scale
            self.learner.update(np.array([self.arm]), np.array([reward]))
        bad = roi < sc.client.min_roi or close_rate < sc.client.min_close_rate
        self.verdict = not bad  # what the outsourcer hears at the review (model.md 7.9)
        may_end = sc.switches.termination and elapsed >= sc.contract.minimum_term * WEEKS_PER_MONTH
        decision = "renew"
        ended = False
        if bad and may_end:
            self.notice_ends = week + round(sc.contract.notice_period * WEEKS_PER_MONTH)
            decision, ended = "notice", week >= self.notice_ends
        elif bad and sc.switches.termination:
            decision = "wait"
        elif self.learner is not None and rng is not None:
            pick = int(self.learner.choose(rng)[0])
            if pick != self.arm:
                self._adopt(pick)
                self.renegotiations += 1
                decision = "renegotiate"
        self._reprice(w["held"], w["held_junk"])
        self.reviews.append(Review(week, float(roi), float(close_rate), float(cost_per_close),
                                   float(profit), self.arm, decision))
        return ended

    def _reprice(self, held: int, held_junk: int) -> None:
        """The relational fee: the contract in force, its fee and price scaled by the window's
        measured quality (:func:`sales_abm.relational.quality_fee_factor`; factor 1 unless
        ``contract.quality_fee_adjustment`` is set), until the next review."""
        terms = self.menu[self.arm]
        factor = quality_fee_factor(held, held_junk, terms)
        self.terms = repriced(Terms.from_contract(terms, headcount=1), factor)

    def switch_terms(self, scenario: Scenario) -> None:
        """Put a scheduled contract in force: the menu is rebuilt around it (a choosing client
        keeps what it learned when the menu keeps its size, and starts afresh otherwise)."""
        self.config = scenario
        self.menu = contract_menu(scenario)
        if self.learner is not None and self.learner.probabilities().shape[1] != len(self.menu):
            self.learner = client_learner(scenario, len(self.menu))
        self._adopt(0)

    def _adopt(self, arm: int) -> None:
        """Put the menu's contract ``arm`` in force from next week."""
        self.arm = arm
        self.terms = Terms.from_contract(self.menu[arm], headcount=1)

    def renew(self, week: int, rng: np.random.Generator | None = None) -> None:
        """Start a contract with a new outsourcer (on the terms the rule picks, if it chooses)."""
        self.contract_start = week + 1
        self.notice_ends = None
        self.replacements += 1
        self.window = _empty_window()
        arm = self.arm
        if self.learner is not None and rng is not None:
            arm = int(self.learner.choose(rng)[0])
        self._adopt(arm)  # a new outsourcer starts at the contract's base price


def client_learner(scenario: Scenario, n_contracts: int) -> Learner:
    """The client's learner over a menu of contracts: its rule at the rule's defaults."""
    rule = scenario.client.rule
    params = {name: entry[0] for name, entry in RULES[rule].PARAMETERS.items()}
    return make_learner(rule, 1, n_contracts, params)


def _empty_window() -> dict[str, float]:
    return {"margin": 0.0, "cost": 0.0, "closes": 0.0, "set": 0, "held": 0, "held_junk": 0}


__all__ = ["Client", "Outsourcer", "Prospect", "Review", "SalesForce", "SalesRep", "Status",
           "contract_menu"]
