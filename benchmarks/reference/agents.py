"""Reference agents: one plain ``mesa.Agent`` per prospect, rep, outsourcer and client.

Every agent keeps its state in ordinary attributes and acts through small methods, one per thing
it does in a week. Nothing here is vectorised: a rep calls its prospects one at a time, the client
holds its meetings one at a time, and each prospect recovers and rests on its own. The mechanics
are those of :mod:`sales_abm.market`, :mod:`sales_abm.agents` and :mod:`sales_abm.model`, restated
per agent (see each method for the line of the fast model it mirrors).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sales_abm.agents import Review, client_learner, contract_label, contract_menu
from sales_abm.contracts import Terms, payment, repriced
from sales_abm.credit import pay_lag
from sales_abm.learning import Learner, make_learner
from sales_abm.market import Status
from sales_abm.relational import quality_fee_factor
from sales_abm.scenario import WEEKS_PER_MONTH, Scenario
from sales_abm.strategy import STRATEGY_DIMENSIONS
from sales_abm.training import TrainingValuation

if TYPE_CHECKING:
    from benchmarks.reference.model import ReferenceModel


@dataclass
class Tally:
    """What one payee's appointments produced this week (a rep, or a bucket for departed reps)."""

    booked: int = 0
    booked_junk: int = 0
    held: int = 0
    held_junk: int = 0
    no_shows: int = 0
    cancelled: int = 0
    opportunities: int = 0
    expected_value: float = 0.0
    expected_closes: float = 0.0
    closes: int = 0
    revenue: float = 0.0
    revenue_by_week: dict[int, float] = field(default_factory=dict)  # by booking week


class Prospect(mesa.Agent):
    """A prospect company on one node of the industry network.

    Attributes:
        node: its node in the industry network (a new prospect entering takes over the node).
        fit: true probability of buying after a proper meeting.
        deal_value: revenue if it buys (USD).
        base_receptivity: the receptivity it returns to when left alone.
        receptivity: current receptivity.
        answer: learned propensity to take a cold call.
        accept: learned propensity to accept a meeting.
        status: a :class:`~sales_abm.market.Status`.
        until: the week a cooling, burned or cycle status ends.
        booked_by: the rep who booked its latest meeting.
        booked_week: the week that meeting was set (its appointment cohort).
        booked_pressure: the pressure that rep used.
        won: whether its open opportunity will be won.
    """

    def __init__(self, model: ReferenceModel, node: int) -> None:
        super().__init__(model)
        p, rnd = model.config.market, model.random
        self.node = node
        if rnd.random() < p.good_fit_share:
            self.fit = rnd.betavariate(p.good_fit_alpha, p.good_fit_beta)
        else:
            self.fit = rnd.betavariate(p.poor_fit_alpha, p.poor_fit_beta)
        mu = math.log(p.deal_value_mean) - p.deal_value_sigma**2 / 2  # mean = deal_value_mean
        self.deal_value = rnd.lognormvariate(mu, p.deal_value_sigma)
        self.base_receptivity = rnd.betavariate(p.receptivity_alpha, p.receptivity_beta)
        self.receptivity = self.base_receptivity
        self.answer = self.accept = p.propensity_initial
        self.status = Status.AVAILABLE
        self.until = 0
        self.booked_by: SalesRep | None = None
        self.booked_week = -1
        self.booked_pressure = 0.0
        self.won = False

    @property
    def is_junk(self) -> bool:
        """True fit below the client's qualification bar."""
        return self.fit < self.model.config.market.qualification_bar

    # -- a call --------------------------------------------------------------------------------

    def answers(self) -> bool:
        """The call connects: P = connect_scale x receptivity x answer / prior."""
        p = self.model.config.market
        return self.model.random.random() < p.connect_scale * self.receptivity * (
            self.answer / p.propensity_initial
        )

    def signal(self, noise_sd: float) -> float:
        """What a rep perceives of the fit: fit plus normal noise."""
        return self.fit + noise_sd * self.model.random.gauss(0.0, 1.0)

    def agrees(self, pressure: float, craft: float) -> bool:
        """The prospect says yes to a meeting (Market._agree_probability)."""
        p = self.model.config.market
        mean_base = p.receptivity_alpha / (p.receptivity_alpha + p.receptivity_beta)
        prob = (p.agree_base * (self.receptivity / mean_base)
                * (1 + p.pressure_agree_gain * pressure) * craft
                * (self.accept / p.propensity_initial))
        return self.model.random.random() < min(max(prob, 0.0), 1.0)

    def feel_pressure(self, pressure: float) -> None:
        """A connected call annoys in proportion to its pressure (if the burn channel is on),
        and teaches the prospect that cold callers push (if prospects learn)."""
        sc = self.model.config
        if sc.switches.burn:
            self.receptivity *= 1 - sc.market.pressure_annoyance * pressure
        if sc.switches.prospect_learning:
            step = sc.market.pressure_learning * pressure
            self.answer -= step * self.answer
            self.accept -= step * self.accept

    def learn(self, good: bool, step: float) -> None:
        """One Bush–Mosteller step of both propensities, toward 1 (good) or 0."""
        if good:
            self.answer = 1 - (1 - self.answer) * (1 - step)
            self.accept = 1 - (1 - self.accept) * (1 - step)
        else:
            self.answer *= 1 - step
            self.accept *= 1 - step

    def experience(self, good: bool) -> None:
        """A meeting worth its time (good) or one that wasted it: learn, and tell the
        neighbours, who learn from it too (Market._learn_from_meetings)."""
        sc = self.model.config
        if not sc.switches.prospect_learning:
            return
        self.learn(good, sc.market.experience_rate)
        if sc.switches.word_of_mouth and sc.market.social_learning > 0:
            for neighbour in self.model.neighbours(self):
                neighbour.learn(good, sc.market.social_learning)

    def rest(self, week: int) -> None:
        """Cool down after a contact, a meeting that led nowhere or a lost deal."""
        self.status = Status.COOLING
        self.until = week + self.model.config.market.cooldown_weeks

    def book(self, rep: SalesRep, week: int) -> None:
        """A meeting is set for next week."""
        self.status = Status.BOOKED
        self.booked_by = rep
        self.booked_week = week
        self.booked_pressure = rep.pressure

    # -- a meeting ----------------------------------------------------------------------------

    def shows_up(self) -> bool:
        """Shows up for the meeting: less likely after pressure and for poor fits."""
        p = self.model.config.market
        prob = p.show_max * (1 - p.pressure_show_loss * self.booked_pressure) * (
            p.show_fit_floor + (1 - p.show_fit_floor) * self.fit
        )
        return self.model.random.random() < prob

    def becomes_opportunity(self) -> bool:
        """A held meeting opens an opportunity with probability fit^s."""
        s = self.model.config.market.opportunity_share
        return self.model.random.random() < self.fit**s

    def open_opportunity(self, week: int) -> None:
        """Enter a sales cycle; whether it is won (P = fit^(1-s)) is settled now, paid later."""
        p, rnd = self.model.config.market, self.model.random
        self.won = rnd.random() < self.fit ** (1 - p.opportunity_share)
        self.status = Status.CYCLE
        self.until = week + rnd.randint(p.cycle_min_weeks, p.cycle_max_weeks)

    def annoy(self, week: int, may_burn: bool) -> bool:
        """A junk meeting: lose receptivity, maybe burn (if no opportunity opened), and tell the
        neighbours.

        Returns:
            Whether the prospect was burned.
        """
        sc = self.model.config
        p = sc.market
        if not sc.switches.burn:
            return False
        self.receptivity *= 1 - p.annoyance
        burned = self.model.random.random() < p.burn_probability and may_burn
        if burned:
            self.status = Status.BURNED
            self.until = week + p.burn_weeks
        if sc.switches.word_of_mouth and p.word_of_mouth > 0 and not (
                sc.switches.prospect_learning):  # learning prospects hear it in experience()
            for neighbour in self.model.neighbours(self):
                neighbour.hear_word_of_mouth()
        return burned

    def hear_word_of_mouth(self) -> None:
        """A neighbour had a junk meeting."""
        self.receptivity *= 1 - self.model.config.market.word_of_mouth

    def resolve(self, week: int) -> bool:
        """The sales cycle ends: a customer if won, else back to rest. Returns whether won."""
        if self.won:
            self.status = Status.CUSTOMER
        else:
            self.rest(week)
        return self.won

    # -- the rest of the week -----------------------------------------------------------------

    def step(self, week: int) -> None:
        """End of week (Market.advance): rests and burns end, receptivity recovers, lessons
        fade, and a customer (at ``entry_rate``) or a prospect outside the funnel (at
        ``turnover_rate``, with market entry on) may leave, its node taken by a new prospect."""
        sc = self.model.config
        p = sc.market
        if self.status in (Status.COOLING, Status.BURNED) and self.until <= week + 1:
            self.status = Status.AVAILABLE
        self.receptivity += p.recovery_rate * (self.base_receptivity - self.receptivity)
        if sc.switches.prospect_learning and p.forgetting > 0:
            self.answer += (p.propensity_initial - self.answer) * p.forgetting
            self.accept += (p.propensity_initial - self.accept) * p.forgetting
        if self.status == Status.CUSTOMER:
            if self.model.random.random() < p.entry_rate:
                self.model.enter_market(self.node)
        elif (sc.switches.market_entry and self.status != Status.BOOKED
              and self.status != Status.CYCLE and self.model.random.random() < p.turnover_rate):
            self.model.enter_market(self.node)


@dataclass
class Evaluation:
    """A hire whose contribution rewards the training choice made for it."""

    action: int
    start_week: int
    contribution: float = 0.0


class SalesRep(mesa.Agent):
    """A cold caller with its own skill, strategy, learners and earnings.

    Each strategy dimension (effort, threshold, pressure) is learned by its own one-row learner;
    a switched-off dimension keeps a fixed level.

    Attributes:
        outsourcer: its employer.
        employed: False once it has quit or been let go.
        skill: precision of judging fit and craft of converting, in [0, 1].
        tenure: weeks worked.
        ramp_left: weeks of training ramp left.
        trained: whether the outsourcer trained it.
        earnings: trailing (exponential) average weekly pay.
        action: the chosen level index per strategy dimension.
        tally: this week's appointments and their outcomes credited to it.
        evaluation: the open evaluation of its training choice, if any.
    """

    def __init__(self, model: ReferenceModel, outsourcer: Outsourcer, trained: bool,
                 week: int) -> None:
        super().__init__(model)
        sc = model.config
        self.outsourcer = outsourcer
        self.employed = True
        self.skill = sc.rep.skill_initial
        self.tenure = 0
        self.trained = trained
        self.ramp_left = sc.outsourcer.ramp_weeks if trained else 0
        self.earnings = sc.rep.outside_option / WEEKS_PER_MONTH
        self.payoff_sum = 0.0
        self.payoff_weeks = 0
        self.tally = Tally()
        self.evaluation: Evaluation | None = Evaluation(int(trained), week)
        lp = sc.learning
        self.learners: dict[str, Learner | None] = {
            dim: None if model.fixed_action[dim] is not None else make_learner(
                lp.rule, 1, model.levels[dim].size, lp.rule_params())
            for dim in STRATEGY_DIMENSIONS
        }
        self.action = {dim: 0 for dim in STRATEGY_DIMENSIONS}
        # learning.credit = earned: per week worked, the strategy played and the learning payoff
        # credited to it; and the periods awaiting their pay (start, end, week it is all in)
        self.earned: dict[int, list] = {}
        self.awaiting: list[tuple[int, int, int]] = []

    # -- strategy -------------------------------------------------------------------------------

    def level(self, dim: str) -> float:
        """Current level of one strategy dimension."""
        return float(self.model.levels[dim][self.action[dim]])

    @property
    def effort(self) -> float:
        """Calls per week it aims for."""
        return self.level("effort")

    @property
    def threshold(self) -> float:
        """Perceived fit a prospect must clear to be offered a meeting."""
        return self.level("threshold")

    @property
    def pressure(self) -> float:
        """How hard it sells (0-1)."""
        return self.level("pressure")

    def choose_strategy(self) -> None:
        """Draw this period's level of each dimension from its learner (or the fixed one)."""
        for dim, learner in self.learners.items():
            fixed = self.model.fixed_action[dim]
            self.action[dim] = fixed if learner is None else int(learner.choose(self.model.rng)[0])

    # -- calling --------------------------------------------------------------------------------

    def working_effort(self) -> float:
        """Effort it can spend calling: its effort, less what training takes during the ramp."""
        loss = self.model.config.outsourcer.training_capacity_loss
        return self.effort * ((1 - loss) if self.ramp_left > 0 else 1.0)

    def planned_calls(self) -> int:
        """Call-times in its week: its working effort at its skill's pace."""
        pace = 1 + self.model.config.rep.call_speed_gain * (self.skill - 0.5)
        return round(self.working_effort() * pace)

    @property
    def noise_sd(self) -> float:
        """Sd of its fit signal: falls linearly with skill."""
        rep = self.model.config.rep
        return rep.signal_noise_max - (rep.signal_noise_max - rep.signal_noise_min) * self.skill

    @property
    def craft(self) -> float:
        """Multiplier on a prospect's chance of agreeing."""
        return 1 + self.model.config.rep.craft_gain * (self.skill - 0.5)

    def work_the_phones(self, prospects: list[Prospect], week: int) -> dict[str, int]:
        """Call these prospects in turn until the week's time runs out.

        A call takes one call-time and a booked meeting ``booking_time`` more; a call whose
        cost would overrun the budget is not made, and nor is any after it.

        Returns:
            Counts of calls made, connects, bookings and junk bookings.
        """
        budget = self.planned_calls()
        booking_time = self.model.config.rep.booking_time
        threshold, pressure, noise, craft = self.threshold, self.pressure, self.noise_sd, self.craft
        used = 0.0
        out = {"calls": 0, "connects": 0, "booked": 0, "booked_junk": 0}
        for prospect in prospects:
            connect = prospect.answers()
            booked = (connect and prospect.signal(noise) >= threshold
                      and prospect.agrees(pressure, craft))
            cost = 1.0 + booking_time * booked
            if used + cost > budget:
                break
            used += cost
            out["calls"] += 1
            if not connect:
                continue
            out["connects"] += 1
            prospect.feel_pressure(pressure)
            if booked:
                prospect.book(self, week)
                self.model.client.calendar.append(prospect)
                out["booked"] += 1
                out["booked_junk"] += prospect.is_junk
            else:
                prospect.rest(week)
        self.tally.booked += out["booked"]
        self.tally.booked_junk += out["booked_junk"]
        return out

    # -- pay, learning, leaving ---------------------------------------------------------------

    def effort_cost(self) -> float:
        """Weekly disutility of its effort, convex in calls."""
        rep = self.model.config.rep
        return rep.effort_cost * (self.effort / rep.calls_max) ** 2

    def receive_pay(self, total: float, variable: float) -> None:
        """Fold a week's pay into trailing earnings, and its variable part (net of the effort
        cost, shifted to be non-negative at zero pay) into the learning payoff."""
        rep, lp = self.model.config.rep, self.model.config.learning
        self.earnings += 2 / (rep.earnings_window + 1) * (total - self.earnings)
        self.payoff_sum += (variable - self.effort_cost() + lp.payoff_shift) / lp.payoff_scale
        self.payoff_weeks += 1

    def earn(self, week: int, payoff: float, appointments: float, tally: Tally) -> None:
        """``learning.credit = earned``: credit the week's pay to the weeks that earned it
        (SalesForce.credit_earned), then learn from the periods whose pay is all in.

        Args:
            week: this week.
            payoff: the week's learning payoff (variable pay less effort cost, shifted, scaled).
            appointments: pay for counted appointments less clawbacks (USD).
            tally: this week's events credited to the rep (its closes by booking week).
        """
        sc = self.model.config
        scale, k, pay = sc.learning.payoff_scale, sc.learning.rep_cadence_weeks, sc.pay
        on_set = pay.pay_on == "set"
        terms = self.outsourcer.pay_plan
        by_week = {booked: payment(terms, 0, 0, revenue).commission
                   for booked, revenue in tally.revenue_by_week.items()}
        now = payoff - sum(by_week.values()) / scale - (0.0 if on_set else appointments / scale)
        self.earned[week] = [now, dict(self.action)]
        if not on_set:
            self._credit(week - 1, appointments / scale)
        for booked, earned in by_week.items():
            self._credit(booked, earned / scale)
        if (week + 1) % k == 0:
            self.awaiting.append((week + 1 - k, week, week + pay_lag(pay, sc.market)))
        for start, end, _ in sorted(p for p in self.awaiting if p[2] <= week):
            self._learn_period(start, end)
        self.awaiting = [p for p in self.awaiting if p[2] > week]

    def _credit(self, week: int, amount: float) -> None:
        if week in self.earned:
            self.earned[week][0] += amount

    def _learn_period(self, start: int, end: int) -> None:
        weeks = [w for w in range(start, end + 1) if w in self.earned]
        if end not in self.earned:
            return
        payoff = np.array([sum(self.earned[w][0] for w in weeks) / len(weeks)])
        played = self.earned[end][1]
        for dim, learner in self.learners.items():
            if learner is not None:
                learner.update(np.array([played[dim]]), payoff)
        for w in weeks:  # learned from: later pay for these weeks is credited to nobody
            del self.earned[w]

    def learn(self) -> None:
        """Reinforce this period's levels with the mean payoff since the last update."""
        if self.payoff_weeks == 0:
            return
        payoff = np.array([self.payoff_sum / self.payoff_weeks])
        for dim, learner in self.learners.items():
            if learner is not None:
                learner.update(np.array([self.action[dim]]), payoff)
        self.payoff_sum = 0.0
        self.payoff_weeks = 0

    def quits(self) -> bool:
        """Base attrition, plus an extra hazard while trailing earnings trail the option."""
        sc = self.model.config
        if not sc.switches.attrition:
            return False
        rep = sc.rep
        hazard = 1 - (1 - rep.attrition_annual) ** (1 / 52)
        if self.earnings < rep.outside_option / WEEKS_PER_MONTH:
            hazard += rep.quit_hazard_below
        return self.model.random.random() < hazard

    def grow(self) -> None:
        """A week of work: skill grows with tenure, and with training during the ramp."""
        rep, out = self.model.config.rep, self.model.config.outsourcer
        self.skill += rep.tenure_learning * (1 - self.skill)
        if self.ramp_left > 0:
            self.skill += rep.training_gain / out.ramp_weeks
            self.ramp_left -= 1
        self.skill = min(max(self.skill, 0.0), 1.0)
        self.tenure += 1


class Outsourcer(mesa.Agent):
    """The outsourcing firm: keeps its head count, trains (or not), and learns its policy.

    Attributes:
        reps: its employed reps.
        departed: the week's tally of appointments booked by its reps who have left.
        finished: (training action, total contribution) of closed evaluation windows.
    """

    def __init__(self, model: ReferenceModel) -> None:
        super().__init__(model)
        sc = model.config
        self.headcount = sc.reps
        self.pay_plan = Terms.from_pay_plan(sc.pay)
        lp = sc.learning
        self.training_learner = make_learner(lp.outsourcer_rule, 1, 2, lp.outsourcer_params())
        self.valuation = TrainingValuation(sc)
        self.reps: list[SalesRep] = []
        # learner sets of the reps its predecessor let go, for its first hires
        self.habits: list[dict[str, Learner | None]] = []
        self.departed = Tally()
        self.finished: list[tuple[int, float]] = []

    def successor(self, dismissed: list[SalesRep]) -> Outsourcer:
        """The next outsourcer, starting from this one's (the industry's) experience; under
        ``learning.successor_habits`` its first hires take over the learners of the reps
        ``dismissed`` with the contract, one each."""
        heir = Outsourcer(self.model)
        memory = self.model.config.outsourcer.industry_memory
        heir.valuation = self.valuation.inherited(memory)
        if memory > 0:
            heir.training_learner = copy.deepcopy(self.training_learner)
        if self.model.config.learning.successor_habits:
            heir.habits = [rep.learners for rep in dismissed]
        return heir

    def staff(self, week: int) -> list[SalesRep]:
        """Fill the vacancies; each hire is trained with the policy's probability."""
        vacancies = self.headcount - len(self.reps)
        if vacancies <= 0:
            return []
        chance = self.train_probability(week)
        hires = [SalesRep(self.model, self, self.model.random.random() < chance, week)
                 for _ in range(vacancies)]
        for rep, learners in zip(hires, self.habits, strict=False):
            rep.learners = learners
        self.habits = []
        self.valuation.hires += vacancies
        self.reps.extend(hires)
        return hires

    def train_probability(self, week: int | None = None) -> float:
        """Chance that a hire made at the start of ``week`` (default: the next) is trained."""
        sc = self.model.config
        decision = sc.outsourcer.decision
        if not sc.switches.training or decision == "always":
            return 1.0
        if decision == "never":
            return 0.0
        if decision == "window":
            return float(self.training_learner.probabilities()[0, 1])
        week = self.model.week + 1 if week is None else week
        return self.valuation.train_probability(self.appraise(week))

    def appraise(self, week: int) -> float:
        """NPV of training a hire at the start of ``week`` (Outsourcer.appraisal)."""
        sc, client = self.model.config, self.model.client
        if self.reps:
            calls = sum(r.effort for r in self.reps) / len(self.reps)
            strategy = (sum(r.threshold for r in self.reps) / len(self.reps),
                        sum(r.pressure for r in self.reps) / len(self.reps))
        else:
            calls, strategy = (sc.rep.calls_min + sc.rep.calls_max) / 2, (0.0, 0.0)
        elapsed = week - client.contract_start
        guaranteed = (math.inf if not sc.switches.termination else  # cannot be ended: for good
                      max(0.0, sc.contract.minimum_term * WEEKS_PER_MONTH - elapsed - 1))
        first_review = (-(elapsed + 1)) % sc.client.review_weeks
        ends_in = None if client.notice_ends is None else client.notice_ends - week + 1
        return self.valuation.appraise(calls, strategy, guaranteed, first_review, ends_in).npv

    def book_week(self, reps: list[SalesRep], contributions: list[float], quits: int) -> None:
        """Book the week's effort, skill, tenure, strategy and contribution of these reps."""
        self.valuation.observe_week(
            np.array([r.working_effort() for r in reps]), np.array([r.skill for r in reps]),
            np.array([r.tenure for r in reps]),
            (np.array([r.threshold for r in reps]), np.array([r.pressure for r in reps])),
            np.array(contributions), quits)

    def overhead_per_rep(self) -> float:
        """Weekly overhead of one employed rep."""
        return self.model.config.outsourcer.overhead / WEEKS_PER_MONTH

    def attribute(self, week: int, rep: SalesRep, contribution: float) -> None:
        """Add a rep's weekly contribution to its evaluation; close a full window."""
        ev = rep.evaluation
        if ev is None:
            return
        ev.contribution += contribution
        if week + 1 - ev.start_week >= self.model.config.outsourcer.evaluation_weeks:
            self.close_evaluation(rep)

    def close_evaluation(self, rep: SalesRep) -> None:
        """End a hire's evaluation (full window, or cut short by a quit or the contract's end)."""
        if rep.evaluation is not None:
            self.finished.append((rep.evaluation.action, rep.evaluation.contribution))
            rep.evaluation = None

    def dismiss(self, rep: SalesRep) -> None:
        """A rep leaves (quits, or the contract ends)."""
        self.close_evaluation(rep)
        rep.employed = False
        self.reps.remove(rep)
        rep.remove()

    def learn(self) -> None:
        """Reinforce the training choice of each closed window with its mean weekly
        contribution over the full window, shifted to be non-negative and scaled. The other
        choice's reward is never observed, so no foregone payoffs are given."""
        sc = self.model.config
        if sc.outsourcer.decision != "window" or not sc.switches.training:
            self.finished.clear()
            return
        horizon = sc.outsourcer.evaluation_weeks
        floor = (sc.pay.base_salary + sc.outsourcer.overhead) / WEEKS_PER_MONTH + (
            sc.outsourcer.training_cost / horizon
        )
        for action, total in self.finished:
            reward = (total / horizon + floor) / sc.learning.payoff_scale
            self.training_learner.update(np.array([action]), np.array([reward]))
        self.finished.clear()


class Client(mesa.Agent):
    """The client: keeps the meeting calendar and the pipeline, and reviews the contract
    (sales_abm.agents.Client: the same measures, termination rule and contract menu).

    Attributes:
        calendar: prospects with a meeting booked.
        pipeline: prospects with an open opportunity.
        earlier: the week's tally of appointments booked under earlier contract holders.
    """

    def __init__(self, model: ReferenceModel) -> None:
        super().__init__(model)
        sc = model.config
        self.menu = contract_menu(sc)
        self.arm = 0
        self.contract = Terms.from_contract(self.menu[0], headcount=1)  # per rep
        self.learner = client_learner(sc, len(self.menu)) if sc.switches.client_choice else None
        self.calendar: list[Prospect] = []
        self.pipeline: list[Prospect] = []
        self.earlier = Tally()
        self.contract_start = 0
        self.notice_ends: int | None = None
        self.replacements = 0
        self.renegotiations = 0
        self.window = {"margin": 0.0, "cost": 0.0, "closes": 0.0, "set": 0, "held": 0,
                       "held_junk": 0}
        self.verdict: bool | None = None  # the last review's: did the window meet the bars?
        self.reviews: list[Review] = []

    @property
    def label(self) -> str:
        """The label of the contract in force."""
        return contract_label(self.menu[self.arm], self.menu[0])

    def _meets(self, shown: list[Prospect], due: list[Prospect]) -> set[Prospect]:
        """Whom the AEs meet: everyone who showed up, unless capacity binds; then the best
        reads of fit (triage) or a random subset."""
        sc = self.model.config
        triage = sc.switches.ae_triage
        read = {}
        if triage:  # every due prospect draws its read, as the fast model does
            read = {p: p.fit + sc.client.triage_noise * self.model.random.gauss(0.0, 1.0)
                    for p in due}
        capacity = round(sc.client.ae_capacity * sc.reps) if sc.switches.ae_capacity else None
        if capacity is None or len(shown) <= capacity:
            return set(shown)
        if triage:
            return set(sorted(shown, key=lambda p: -read[p])[:capacity])
        return set(self.model.random.sample(shown, capacity))

    def hold_meetings(self, week: int) -> int:
        """Hold the meetings booked before this week (Market.hold_meetings).

        Returns:
            How many prospects were burned.
        """
        due = [p for p in self.calendar if p.booked_week < week]
        self.calendar = [p for p in self.calendar if p.booked_week >= week]
        shown = [p for p in due if p.shows_up()]
        held = self._meets(shown, due)
        shown_set = set(shown)
        burned = 0
        for prospect in due:
            tally = self.model.credit(prospect)
            if prospect not in shown_set:
                tally.no_shows += 1
                prospect.rest(week)
                continue
            if prospect not in held:
                tally.cancelled += 1
                prospect.rest(week)
                prospect.experience(good=False)
                continue
            tally.held += 1
            tally.expected_value += prospect.fit * prospect.deal_value
            tally.expected_closes += prospect.fit
            junk = prospect.is_junk
            tally.held_junk += junk
            if prospect.becomes_opportunity():
                tally.opportunities += 1
                prospect.open_opportunity(week)
                self.pipeline.append(prospect)
                if junk:
                    prospect.annoy(week, may_burn=False)
                prospect.experience(good=not junk)
                continue
            if junk:
                burned += prospect.annoy(week, may_burn=True)
                prospect.experience(good=False)
            if prospect.status == Status.BOOKED:  # a burned prospect stays burned
                prospect.rest(week)
        return burned

    def close_deals(self, week: int) -> list[tuple[int, float]]:
        """Resolve the opportunities whose cycle ends now; credit each win to its owner.

        Returns:
            (cohort week, deal value) of each deal won.
        """
        due = [p for p in self.pipeline if p.until <= week]
        self.pipeline = [p for p in self.pipeline if p.until > week]
        won = []
        for prospect in due:
            if prospect.resolve(week):
                tally = self.model.credit(prospect)
                tally.closes += 1
                tally.revenue += prospect.deal_value
                week_booked = prospect.booked_week
                tally.revenue_by_week[week_booked] = (
                    tally.revenue_by_week.get(week_booked, 0.0) + prospect.deal_value)
                won.append((prospect.booked_week, prospect.deal_value))
        return won

    def account(self, margin: float, cost: float, expected_closes: float,
                appointments: int, held: int, held_junk: int) -> None:
        """Add a week's expected margin, cost, expected closes, appointments set, and meetings
        held and held junk."""
        w = self.window
        w["margin"] += margin
        w["cost"] += cost
        w["closes"] += expected_closes
        w["set"] += appointments
        w["held"] += held
        w["held_junk"] += held_junk

    def review(self, week: int) -> bool:
        """Quarterly review (Client.review); True when the contract ends this week."""
        if self.notice_ends is not None:
            return week >= self.notice_ends
        sc = self.model.config
        elapsed = week + 1 - self.contract_start
        if elapsed % sc.client.review_weeks:
            return False
        w = self.window
        self.window = {"margin": 0.0, "cost": 0.0, "closes": 0.0, "set": 0, "held": 0,
                       "held_junk": 0}
        profit = w["margin"] - w["cost"]
        roi = profit / w["cost"] if w["cost"] > 0 else math.inf
        close_rate = w["closes"] / w["set"] if w["set"] else math.nan
        cost_per_close = w["cost"] / w["closes"] if w["closes"] > 0 else math.inf
        if self.learner is not None:
            reward = max(profit, 0.0) / sc.client.payoff_scale
            self.learner.update(np.array([self.arm]), np.array([reward]))
        bad = roi < sc.client.min_roi or close_rate < sc.client.min_close_rate
        self.verdict = not bad  # what the outsourcer hears at the review (model.md 7.9)
        may_end = sc.switches.termination and (
            elapsed >= sc.contract.minimum_term * WEEKS_PER_MONTH
        )
        decision, ended = "renew", False
        if bad and may_end:
            self.notice_ends = week + round(sc.contract.notice_period * WEEKS_PER_MONTH)
            decision, ended = "notice", week >= self.notice_ends
        elif bad and sc.switches.termination:
            decision = "wait"
        elif self.learner is not None:
            pick = int(self.learner.choose(self.model.rng)[0])
            if pick != self.arm:
                self.adopt(pick)
                self.renegotiations += 1
                decision = "renegotiate"
        terms = self.menu[self.arm]  # the relational fee (Client._reprice)
        factor = quality_fee_factor(w["held"], w["held_junk"], terms)
        self.contract = repriced(Terms.from_contract(terms, headcount=1), factor)
        self.reviews.append(Review(week, roi, close_rate, cost_per_close, profit, self.arm,
                                   decision))
        return ended

    def adopt(self, arm: int) -> None:
        """Put the menu's contract ``arm`` in force."""
        self.arm = arm
        self.contract = Terms.from_contract(self.menu[arm], headcount=1)

    def switch_terms(self, scenario: Scenario) -> None:
        """A scheduled contract: the menu is rebuilt around it (Client.switch_terms)."""
        self.menu = contract_menu(scenario)
        if self.learner is not None and self.learner.probabilities().shape[1] != len(self.menu):
            self.learner = client_learner(scenario, len(self.menu))
        self.adopt(0)

    def renew(self, week: int) -> None:
        """Start over with a new outsourcer (on the terms the rule picks, if it chooses)."""
        self.contract_start = week + 1
        self.notice_ends = None
        self.replacements += 1
        self.window = {"margin": 0.0, "cost": 0.0, "closes": 0.0, "set": 0, "held": 0,
                       "held_junk": 0}
        arm = self.arm
        if self.learner is not None:
            arm = int(self.learner.choose(self.model.rng)[0])
        self.adopt(arm)  # a new outsourcer starts at the contract's base price
