"""The Mesa model: builds the world from a scenario and runs the week of docs/model.md section 3.

One run is a pure function of (scenario, seed): every draw comes from a generator spawned from one
``numpy.random.SeedSequence(seed)``, one stream per purpose, so switching a mechanism off does not
shift the random numbers of the others (common random numbers across arms).
"""

from __future__ import annotations

import dataclasses
import itertools
import weakref
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import mesa
import numpy as np
import polars as pl

from sales_abm import kernels
from sales_abm.agents import (
    Client,
    Outsourcer,
    Prospect,
    SalesForce,
    SalesRep,
)
from sales_abm.contracts import Terms, draw_audits
from sales_abm.kernels.money import (
    CONTRACT_ROWS,
    MONEY_MEASURES,
    OVERHEAD_ROW,
    PAY_ON_CODES,
    PAY_ROWS,
)
from sales_abm.kernels.recording import WEEK_COHORTS, WEEK_MEASURES
from sales_abm.market import CallOutcome, CloseOutcome, Market, MeetingOutcome, Status
from sales_abm.metrics import MEASURED, Recorder, summarize
from sales_abm.scenario import WEEKS_PER_MONTH, ContractTerms, PayPlan, Scenario
from sales_abm.version import MODEL_VERSION  # re-exported: sales_abm.model.MODEL_VERSION

#: The named random streams of a run, spawned in this order from the run's SeedSequence.
STREAMS = ("mesa", "world", "hiring", "strategy", "calls", "meetings", "market", "audit",
           "attrition", "entry", "triage", "client")


class SalesModel(mesa.Model):
    """Client, outsourcer, reps and prospects under one contract.

    Args:
        scenario: the validated configuration.
        seed: the run's seed; defaults to ``scenario.seed``.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.seed_value = scenario.seed if seed is None else int(seed)
        children = np.random.SeedSequence(self.seed_value).spawn(len(STREAMS))
        self.rngs = {n: np.random.default_rng(s) for n, s in zip(STREAMS, children, strict=True)}
        super().__init__(rng=self.rngs["mesa"])
        self.config = scenario
        self.week = 0
        self.market = Market(scenario.market, scenario.switches, scenario.prospects,
                             scenario.reps, self.rngs["world"])
        self.sales_force = SalesForce(
            scenario, office_seed=self._office_seed(children[STREAMS.index("world")]))
        self.rep_agents: dict[int, SalesRep] = {}
        self.client = Client(self)
        self.outsourcer = Outsourcer(self, epoch_start=0)
        self.recorder = Recorder(scenario.weeks, scenario.market.cycle_max_weeks)
        self._columns = _Columns.of(self.recorder)
        self._label_menu: list[ContractTerms] | None = None  # the label recorded, and of what
        self._label_arm = -1
        self._label = ""
        self._prospects: dict[int, Prospect] = {}
        self._switches = {switch.week: switch for switch in scenario.schedule}
        self._renegotiations_recorded = 0  # the client's renegotiations up to last week
        # the client's prices of a meeting (AE time) and of a deal's margin, as _record takes them
        self._prices = (scenario.client.ae_cost_per_meeting, scenario.client.gross_margin)
        self._no_training = np.zeros(scenario.reps)  # a week without hires' training (read only)
        self._money_arrays = kernels.money_arrays(scenario.reps)  # what _settle writes
        self._money_views = _Money.views(*self._money_arrays, training=self._no_training)
        self._settle_terms: tuple[Any, ...] = ()  # (client's terms, pay plan, their arguments)

    @staticmethod
    def _office_seed(world: np.random.SeedSequence) -> int:
        """The seed of the reps' office network, from a child of the world stream's SeedSequence.

        Spawning a child draws nothing from the world generator, so the market and every other
        stream see the same numbers whatever the office network is.
        """
        return int(np.random.default_rng(world.spawn(1)[0]).integers(2**31))

    def prospect(self, row: int) -> Prospect:
        """The prospect agent of a market row, created when first asked for.

        Prospects live in the market's columns; an agent object per row is made only on demand,
        so a market of a million rows costs nothing until someone looks at one.
        """
        if not 0 <= row < self.market.n:
            raise IndexError(f"prospect row {row} outside 0..{self.market.n - 1}")
        if row not in self._prospects:
            self._prospects[row] = Prospect(self, row)
        return self._prospects[row]

    # -- the week -------------------------------------------------------------------------------

    def step(self) -> None:
        """One week: switch terms, staff, call, meet, close, move money, learn, review, record."""
        w = self.week
        if w in self._switches:
            switch = self._switches[w]
            self.switch_terms(switch.contract, switch.pay)
        hired, trained, training = self._staff(w)
        calls, meetings, closes = self._market_week(w)
        money = self._settle(calls, meetings, closes, training)
        self.sales_force.observe(calls, meetings, closes)
        quits = self._learn_and_leave(w, money, closes)
        self._account(money)
        ended = self._review(w)
        self._record(w, calls, meetings, closes, money, (hired, trained, training), quits)
        if ended:
            self._replace_outsourcer()
        self.week += 1

    def _review(self, w: int) -> bool:
        """The client's review; the outsourcer books its verdict (model.md 7.9)."""
        client, sc = self.client, self.config
        elapsed = w + 1 - client.contract_start
        reviewed = client.notice_ends is None and elapsed % sc.client.review_weeks == 0
        ended = client.review(w, self.rngs["client"])
        evidence = self._renewal_evidence(elapsed) if reviewed else None
        if evidence is not None:
            self.outsourcer.observe_review(renewed=evidence)
        return ended

    def _renewal_evidence(self, elapsed: int) -> bool | None:
        """What the review just held ``elapsed`` weeks into the contract tells the outsourcer
        about renewal (None: nothing).

        ``verdicts``: the client's verdict at every review, whether or not it was free to act on
        it (a firm hears at a review whether its client is satisfied). ``binding``: only reviews
        past the guaranteed term, by whether notice followed (with termination off, always
        renewed).
        """
        client, sc = self.client, self.config
        if sc.outsourcer.renewal_evidence == "verdicts":
            return bool(client.verdict)
        if elapsed >= sc.contract.minimum_term * WEEKS_PER_MONTH:
            return client.notice_ends is None
        return None

    def run_model(self) -> None:
        """Run the scenario's horizon."""
        for _ in range(self.config.weeks - self.week):
            self.step()

    def switch_terms(self, contract: ContractTerms, pay: PayPlan) -> None:
        """Put a new client contract and pay plan in force from this week on.

        Nothing else changes: no draw is made, the reps keep their learners, skill and tenure,
        and the client keeps its review calendar. Money settled from now on, including pay for
        meetings booked earlier, follows the new terms. Every agent reads the new terms from its
        scenario, which is this run's scenario with ``contract`` and ``pay`` replaced.
        """
        self.config = dataclasses.replace(self.config, contract=contract, pay=pay)
        self.sales_force.switch_terms(self.config)
        self.outsourcer.switch_terms(self.config)
        self.client.switch_terms(self.config)

    def _staff(self, w: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fill vacancies; returns the slots hired, whether each was trained, training cost."""
        force = self.sales_force
        hired, train = self.outsourcer.staff(w, self.rngs["hiring"])
        for slot in hired.tolist():
            self.rep_agents[slot] = SalesRep(self, slot, int(force.hire_id[slot]))
        period_start = w % self.config.learning.rep_cadence_weeks == 0
        choosing = force.employed_rows() if period_start else hired
        force.choose(choosing, self.rngs["strategy"])
        if not hired.size:
            return hired, train, self._no_training
        training = np.zeros(self.config.reps)
        training[hired] = self.outsourcer.training_cost(train)
        return hired, train, training

    def _market_week(self, w: int) -> tuple[CallOutcome, MeetingOutcome, CloseOutcome]:
        """Calls, meetings, sales cycles and the market's end of week.

        The week's events are counted by threshold band only for the rules that weigh foregone
        payoffs (other runs do not pay for the counts).
        """
        force, client, market, rngs = self.sales_force, self.client, self.market, self.rngs
        levels = force.levels["threshold"] if force.estimator is not None else None
        bands = 0 if levels is None else levels.size
        hires, epoch_start = force.hire_id, self.outsourcer.epoch_start
        calls = market.place_calls(w, force.call_columns(), self.config.rep.booking_time,
                                   rngs["calls"], threshold_levels=levels)
        meetings = market.hold_meetings(w, client.capacity(), hires, epoch_start,
                                        rngs["meetings"], bands=bands,
                                        triage_noise=client.triage_noise(),
                                        triage_rng=rngs["triage"])
        closes = market.resolve_cycles(w, hires, epoch_start, bands=bands)
        market.advance(w, rngs["market"], rngs["entry"])
        return calls, meetings, closes

    def _settle(self, calls: CallOutcome, meetings: MeetingOutcome, closes: CloseOutcome,
                training: np.ndarray) -> _Money:
        """Money for the week: client to outsourcer by contract, outsourcer to reps by pay plan.

        The client's settlement is computed per owner bucket (each rep slot, plus one for
        appointments of reps who have left), so each hire's contribution can be attributed.
        The audits are drawn here (client's, then the pay plan's: :func:`draw_audits` of the
        counted junk); the rest is one compiled pass (:func:`sales_abm.kernels.settle_week`)
        into the run's money arrays, which every week overwrites (the money is read within
        the week it was settled).
        """
        r = self.config.reps
        client_terms, pay_terms = self.client.terms, self.outsourcer.pay_plan
        contract_on, pay_on, overhead = self._terms_arguments(client_terms, pay_terms)
        parts, sums = self._money_arrays
        kernels.settle_week(
            parts, sums, calls.counts, meetings.counts, closes.revenue, meetings.expected_value,
            meetings.expected_closes, self.sales_force.hire_id, training, *contract_on,
            self._audits(client_terms, calls, meetings, r + 1), *pay_on,
            self._audits(pay_terms, calls, meetings, r), overhead)
        return self._money_views._replace(training=training)

    def _terms_arguments(self, client_terms: Terms, pay_terms: Terms) -> tuple[Any, ...]:
        """What :func:`sales_abm.kernels.settle_week` takes of the contract and the pay plan
        (:func:`_money_terms` and the ``pay_on`` code of each) and the overhead per rep, made
        again only when the terms in force change."""
        cached = self._settle_terms
        if cached and cached[0] is client_terms and cached[1] is pay_terms:
            return cached[2]
        arguments = ((_money_terms(client_terms), PAY_ON_CODES[client_terms.pay_on]),
                     (_money_terms(pay_terms), PAY_ON_CODES[pay_terms.pay_on]),
                     self.outsourcer.overhead_per_rep())
        self._settle_terms = (client_terms, pay_terms, arguments)
        return arguments

    def _audits(self, terms: Terms, calls: CallOutcome, meetings: MeetingOutcome,
                payees: int) -> np.ndarray:
        """The counted junk appointments the audit of ``terms`` finds, per payee (the first
        ``payees`` owner buckets; an array that ends early finds none beyond its end).

        The draws of :func:`draw_audits` on :func:`counted`'s junk: a payee with no junk
        draws nothing, so the departed reps' bucket, which sets no appointments, needs no
        entry, and a contract on qualified meetings (no junk) none at all.
        """
        if terms.audit_rate <= 0.0 or terms.pay_on == "qualified":
            return _NO_AUDITS
        junk = calls.booked_junk if terms.pay_on == "set" else meetings.held_junk[:payees]
        return draw_audits(terms, junk, self.rngs["audit"])

    def _learn_and_leave(self, w: int, money: _Money,
                         closes: CloseOutcome) -> np.ndarray:
        """Pay booked to the reps' and the outsourcer's books, learning, quits and a week of
        skill growth (:meth:`SalesForce.learn_week`); returns the slots whose reps quit."""
        sc, force, outsourcer = self.config, self.sales_force, self.outsourcer
        full, quits, design, booked = force.learn_week(
            w, money.pay, closes, outsourcer.windows, money.contract_total, money.overhead,
            money.training, self.rngs["attrition"])
        if full:
            outsourcer.close_full_windows(w)
        if force.ledger is not None:
            force.credit_earned(w)
        elif (w + 1) % sc.learning.rep_cadence_weeks == 0:
            force.learn(force.employed_rows())
        if (w + 1) % sc.learning.outsourcer_cadence_weeks == 0:
            outsourcer.learn()
        outsourcer.observe_week(design, booked, quits.size)
        for slot in quits:
            self._dismiss(int(slot))
        return quits

    def _dismiss(self, slot: int) -> None:
        self.outsourcer.close_evaluation(slot)
        self.sales_force.vacate(np.array([slot]))
        agent = self.rep_agents.pop(slot, None)
        if agent is not None:
            agent.remove()

    def _replace_outsourcer(self) -> None:
        """The client ends the contract: the outsourcer and its reps go, a new one starts.

        The successor's first hires fill the dismissed reps' slots and, under
        ``learning.successor_habits``, take over their learned habits (docs/model.md 7.9).
        """
        dismissed = np.flatnonzero(self.sales_force.employed)
        for slot in dismissed:
            self._dismiss(int(slot))
        self.sales_force.hand_over(dismissed)
        old = self.outsourcer
        old.learn()  # its closed windows no longer matter to anyone, but keep the books clean
        self.outsourcer = old.successor(epoch_start=old.next_hire)
        old.remove()
        self.client.renew(self.week, self.rngs["client"])

    # -- recording ------------------------------------------------------------------------------

    def _account(self, money: _Money) -> None:
        """The client's review window: expected margin of meetings held, what they cost, and
        the meetings and appointments it judges the outsourcer by."""
        client = self.config.client
        paid = float(money.measures[_CLIENT_PAYMENTS])  # the sum of the client's totals
        value, held, held_junk, closes_expected, booked = money.accounts.tolist()
        self.client.account(client.gross_margin * value,
                            paid + client.ae_cost_per_meeting * int(held), closes_expected,
                            int(booked), int(held), int(held_junk))

    def _record(self, w: int, calls: CallOutcome, meetings: MeetingOutcome,
                closes: CloseOutcome, money: _Money,
                hiring: tuple[np.ndarray, np.ndarray, np.ndarray], quits: np.ndarray) -> None:
        """The week's measured metrics (:data:`sales_abm.metrics.MEASURED`) written into the
        recorder's row, and the week's events into its cohorts; the recorder derives the rest.

        The counts, means and SDs are one compiled pass (:func:`sales_abm.kernels.record_week`),
        the settlements' sums were made when settling; the market's and the agents' figures are
        read here.
        """
        hired, trained, _ = hiring
        force, market, client = self.sales_force, self.market, self.client
        rec, cols = self.recorder, self._columns
        receptivity, good_fit_share, answer, accept = market.measures()
        read = np.array((
            quits.size, hired.size, self.outsourcer.train_probability(), meetings.burned,
            receptivity, client.replacements,
            client.renegotiations - self._renegotiations_recorded,
            good_fit_share, answer, accept,
        ), dtype=np.float64)
        # the week's statuses are final once the market advanced
        given = (money.measures, market.counts.astype(np.float64), read)
        kernels.record_week(rec.row(w), cols.row, w, calls.counts, meetings.counts, closes.closes,
                            closes.revenue, self._prices, force.skill, force.hire_id,
                            force.levels_by_dim(), force.actions_by_dim(), trained, given,
                            rec.cohorts, cols.cohorts, closes.cohort_weeks, closes.deal_values)
        if client.menu is not self._label_menu or client.arm != self._label_arm:
            self._label_menu, self._label_arm = client.menu, client.arm
            self._label = client.label
        rec.label(w, "contract_in_force", self._label)
        self._renegotiations_recorded = client.renegotiations


#: The weekly metric of each status's count, in Status order (iterating an enum is slow).
_STATUS_METRICS = tuple(f"n_{st.name.lower()}" for st in Status)
#: The metrics ``_record`` reads from the agents and the market, in the order it writes them.
_READ_METRICS = ("rep_quits", "hires", "train_probability", "burned_this_week",
                 "mean_receptivity", "contract_holder", "client_renegotiations",
                 "good_fit_share_available", "mean_prospect_answer", "mean_prospect_accept")
#: The client's net payments among the settlement's rows (Settlement's parts, total last).
_CONTRACT_TOTAL = CONTRACT_ROWS.stop - 1
#: Where the client's payments are among the settlement's sums.
_CLIENT_PAYMENTS = MONEY_MEASURES.index("client_payments")
#: What the audit of a contract without audits (or without junk to audit) finds: nothing.
_NO_AUDITS = np.zeros(0, dtype=np.int64)


def _money_terms(terms: Terms) -> tuple[float, float, float, float]:
    """A contract's money terms as :func:`sales_abm.kernels.settle_week` takes them."""
    return (float(terms.fixed_per_week), float(terms.per_appointment), float(terms.clawback),
            float(terms.commission))


class _Money(NamedTuple):
    """The week's money (:meth:`SalesModel._settle`), per rep slot unless said otherwise."""

    contract_total: np.ndarray  # the client's net payment per owner bucket (slots, departed)
    pay: tuple[np.ndarray, ...]  # the pay plan's total, fixed, appointments, clawbacks, commission
    overhead: np.ndarray
    training: np.ndarray  # the fee of each hire's training
    measures: np.ndarray  # the sums of MONEY_MEASURES
    accounts: np.ndarray  # the sums of REVIEW_MEASURES: the client's review window's

    @classmethod
    def views(cls, parts: np.ndarray, sums: np.ndarray, training: np.ndarray) -> _Money:
        """The week's money as views of the arrays :func:`sales_abm.kernels.settle_week`
        writes (:func:`sales_abm.kernels.money_arrays`), made once a run (each week's money is
        these views with that week's ``training``)."""
        reps = parts.shape[1] - 1
        fixed, appointments, clawbacks, commission, total = parts[PAY_ROWS, :reps]
        return cls(parts[_CONTRACT_TOTAL], (total, fixed, appointments, clawbacks, commission),
                   parts[OVERHEAD_ROW, :reps], training, sums[:len(MONEY_MEASURES)],
                   sums[len(MONEY_MEASURES):])


class _Columns(NamedTuple):
    """Where ``_record`` writes in the recorder's row, and in its cohorts."""

    row: np.ndarray  # kernels.WEEK_MEASURES, MONEY_MEASURES, _STATUS_METRICS, _READ_METRICS
    cohorts: np.ndarray  # rows of kernels.WEEK_COHORTS

    @classmethod
    def of(cls, recorder: Recorder) -> _Columns:
        """The positions in this recorder; every measured metric is written exactly once.

        Raises:
            KeyError: when the parts do not cover :data:`sales_abm.metrics.MEASURED` once.
        """
        written = [*WEEK_MEASURES, *MONEY_MEASURES, *_STATUS_METRICS, *_READ_METRICS]
        if sorted(written) != sorted(MEASURED):
            missing, twice = set(MEASURED) - set(written), len(written) - len(set(written))
            raise KeyError(f"_record writes {sorted(set(written) - set(MEASURED))} not measured,"
                           f" misses {sorted(missing)}, writes {twice} twice")
        return cls(recorder.columns(tuple(written)), recorder.cohort_rows(WEEK_COHORTS))


@dataclass(frozen=True)
class RunResult:
    """Everything a run returns: plain values, no live model."""

    scenario: Scenario
    seed: int
    weekly: pl.DataFrame
    cohorts: pl.DataFrame
    summary: dict[str, Any]


def run(scenario: Scenario, seed: int | None = None) -> RunResult:
    """Run one scenario with one seed and return its frames and summary.

    A ``seed`` other than the scenario's is written into the returned scenario, so that running
    ``result.scenario`` again reproduces the result.
    """
    if seed is not None and seed != scenario.seed:
        scenario = scenario.with_overrides({"seed": seed})
    model = SalesModel(scenario)
    model.run_model()
    weekly = model.recorder.weekly_frame()
    cohorts = model.recorder.cohort_frame()
    summary = {"contract": scenario.contract.preset, "seed": model.seed_value,
               "weeks": scenario.weeks, "model_version": MODEL_VERSION,
               **summarize(weekly, cohorts)}
    return RunResult(scenario, model.seed_value, weekly, cohorts, summary)


class _WeakIdCounters(weakref.WeakKeyDictionary):
    """Mesa's per-model agent id counters (``Agent._ids``), holding each model weakly.

    Mesa 3.3 keeps them in a class-level ``defaultdict`` keyed by the model, a strong reference
    that keeps every model that ever had an agent alive (about 2 MiB for a default model); Mesa
    fixed this upstream after 3.3 (mesa/mesa#3179). Counting is unchanged: ids start at 1 per
    model, so runs are bit-identical.
    """

    def __getitem__(self, model: Any) -> Any:
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


def hold_models_weakly() -> None:
    """Make Mesa forget a model once nothing else holds it (done when this module is imported).

    The one remedy for Mesa 3.3's model registry: ``run``, the runner's workers, the explore page
    and a ``SalesModel`` built directly all rely on it. Idempotent; live models keep their
    counters. Does nothing on a Mesa without the registry.
    """
    registry = getattr(mesa.Agent, "_ids", None)
    if isinstance(registry, MutableMapping) and not isinstance(registry, _WeakIdCounters):
        weak = _WeakIdCounters()
        weak.update(registry)
        mesa.Agent._ids = weak


hold_models_weakly()
