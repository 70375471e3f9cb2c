"""The reference model: the week of docs/model.md section 3, one agent at a time.

:class:`ReferenceModel` follows :meth:`sales_abm.model.SalesModel.step` step for step (staff, call,
meet, close, record cohorts, advance the market, settle, learn and leave, review, record), but
every step is a loop over agents. Who an event is credited to follows ``Market.owner``: the rep
who booked it while that rep is still employed, else a bucket for the current outsourcer's
departed reps, else a bucket for earlier contract holders.

Random numbers: one :class:`numpy.random.SeedSequence` per run seeds the Mesa model; the model's
:attr:`random` (Python's :mod:`random`) draws the per-agent events, and its :attr:`rng` (numpy)
drives the learners, the audits and the network. A run is a pure function of (scenario, seed).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import mesa
import networkx as nx
import numpy as np

from benchmarks.reference.agents import Client, Outsourcer, Prospect, SalesRep, Tally
from sales_abm.contracts import Settlement, Terms, counted, draw_audits, settle
from sales_abm.learning import RULES
from sales_abm.market import Status
from sales_abm.metrics import Recorder, ratio, summarize
from sales_abm.model import RunResult
from sales_abm.scenario import WEEKS_PER_MONTH, ContractTerms, PayPlan, Scenario
from sales_abm.strategy import STRATEGY_DIMENSIONS, fixed_actions, strategy_levels
from sales_abm.version import MODEL_VERSION


class ReferenceModel(mesa.Model):
    """Client, outsourcer, reps and prospects as plain Mesa agents.

    Args:
        scenario: the validated configuration.
        seed: the run's seed; defaults to ``scenario.seed``.

    Raises:
        NotImplementedError: for learning rules the reference does not implement: imitation
            (it has no office network) and rules that weigh foregone payoffs (it has no
            foregone-payoff estimator). Reinforcement rules (Roth–Erev, basic and modified)
            are supported.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        rule = RULES[scenario.learning.rule]
        if rule.uses_graph or rule.uses_foregone:
            raise NotImplementedError(
                f"the reference model implements reinforcement rules only, not "
                f"{scenario.learning.rule!r} (no office network, no foregone payoffs)")
        self.seed_value = scenario.seed if seed is None else int(seed)
        super().__init__(rng=np.random.default_rng(np.random.SeedSequence(self.seed_value)))
        self.config = scenario
        self.week = 0
        self.levels = strategy_levels(scenario)
        self.fixed_action = fixed_actions(scenario, self.levels)
        m = scenario.market
        self.prospects: list[Prospect] = [Prospect(self, node)
                                          for node in range(scenario.prospects)]
        if m.network_degree < 2 or scenario.prospects <= m.network_degree:
            self.network = nx.empty_graph(scenario.prospects)
        else:
            self.network = nx.watts_strogatz_graph(scenario.prospects, m.network_degree,
                                                   m.network_rewiring,
                                                   seed=int(self.rng.integers(2**31)))
        self.client = Client(self)
        self.outsourcer = Outsourcer(self)
        self.recorder = Recorder(scenario.weeks, m.cycle_max_weeks)
        self.switches = {switch.week: switch for switch in scenario.schedule}
        self.renegotiations_recorded = 0  # the client's renegotiations up to last week

    # -- helpers used by the agents --------------------------------------------------------------

    def neighbours(self, prospect: Prospect) -> list[Prospect]:
        """The prospects next to this one in the industry network."""
        return [self.prospects[node] for node in self.network.neighbors(prospect.node)]

    def enter_market(self, node: int) -> None:
        """A customer leaves; a new prospect takes its node."""
        self.prospects[node].remove()
        self.prospects[node] = Prospect(self, node)

    def credit(self, prospect: Prospect) -> Tally:
        """Whose tally an event of this prospect's latest appointment goes to."""
        rep = prospect.booked_by
        assert rep is not None
        if rep.employed:
            return rep.tally
        if rep.outsourcer is self.outsourcer:
            return self.outsourcer.departed
        return self.client.earlier

    # -- the week -------------------------------------------------------------------------------

    def step(self) -> None:
        """One week, in the fast model's order."""
        w = self.week
        if w in self.switches:  # 0. the schedule's new terms, before anything else
            self.switch_terms(self.switches[w].contract, self.switches[w].pay)
        sc = self.config
        self.outsourcer.departed = Tally()
        self.client.earlier = Tally()
        for rep in self.outsourcer.reps:
            rep.tally = Tally()
        # 1. staff and choose strategies
        hires = self.outsourcer.staff(w)
        choosing = self.outsourcer.reps if w % sc.learning.rep_cadence_weeks == 0 else hires
        for rep in choosing:
            rep.choose_strategy()
        # 2. calls
        calls = self._calls(w)
        # 3-4. meetings, then sales cycles
        burned = self.client.hold_meetings(w)
        won = self.client.close_deals(w)
        tallies = self._tallies()
        self._record_cohorts(w, calls, tallies, won)
        # 4. the market moves on
        for prospect in list(self.prospects):
            prospect.step(w)
        # 5. money
        money = self._settle(hires)
        # 6. learning, quits, growth
        quits = self._learn_and_leave(w, money)
        contract_paid = money["contract"]["total"]
        self.client.account(
            self.config.client.gross_margin * money["expected_value_own"],
            contract_paid + self.config.client.ae_cost_per_meeting * money["held_own"],
            money["expected_closes_own"], calls["booked"], money["held_own"],
            money["held_junk_own"],
        )
        ended = self._review(w)
        # 7. metrics
        self._record(w, calls, tallies, money, hires, quits, burned)
        if ended:
            self._replace_outsourcer()
        self.week += 1

    def _review(self, w: int) -> bool:
        """The client's review; the outsourcer books what it learns of renewal (SalesModel)."""
        client, sc = self.client, self.config
        elapsed = w + 1 - client.contract_start
        reviewed = client.notice_ends is None and elapsed % sc.client.review_weeks == 0
        past_term = elapsed >= sc.contract.minimum_term * WEEKS_PER_MONTH
        ended = client.review(w)
        if reviewed and sc.outsourcer.renewal_evidence == "verdicts":
            self.outsourcer.valuation.observe_review(client.verdict)
        elif reviewed and past_term:
            self.outsourcer.valuation.observe_review(client.notice_ends is None)
        return ended

    def run_model(self) -> None:
        """Run the scenario's horizon."""
        for _ in range(self.config.weeks - self.week):
            self.step()

    def switch_terms(self, contract: ContractTerms, pay: PayPlan) -> None:
        """New client contract and pay plan from this week on (SalesModel.switch_terms)."""
        self.config = dataclasses.replace(self.config, contract=contract, pay=pay)
        self.client.switch_terms(self.config)
        self.outsourcer.pay_plan = Terms.from_pay_plan(pay)

    def _calls(self, w: int) -> dict[str, int]:
        """Every rep calls distinct available prospects, drawn at random.

        If the market has fewer available prospects than the reps plan calls, a random subset
        of the planned calls reaches someone (as in ``Market.place_calls``).
        """
        reps = self.outsourcer.reps
        plans = [rep.planned_calls() for rep in reps]
        available = [p for p in self.prospects if p.status == Status.AVAILABLE]
        total = sum(plans)
        reach = min(total, len(available))
        reached = plans
        if reach < total:
            slots = [i for i, n in enumerate(plans) for _ in range(n)]
            reached = [0] * len(reps)
            for i in self.random.sample(slots, reach):
                reached[i] += 1
        targets = self.random.sample(available, reach)
        week_calls = {"calls": 0, "connects": 0, "booked": 0, "booked_junk": 0}
        start = 0
        for rep, n in zip(reps, reached, strict=True):
            out = rep.work_the_phones(targets[start:start + n], w)
            start += n
            for key, value in out.items():
                week_calls[key] += value
        return week_calls

    def _tallies(self) -> dict[str, float]:
        """The week's meeting and close counts, summed over every owner."""
        owners = [rep.tally for rep in self.outsourcer.reps]
        owners += [self.outsourcer.departed, self.client.earlier]
        keys = ("held", "held_junk", "no_shows", "cancelled", "opportunities", "closes",
                "revenue")
        return {k: sum(getattr(t, k) for t in owners) for k in keys}

    def _record_cohorts(self, w: int, calls: dict[str, int], tallies: dict[str, float],
                        won: list[tuple[int, float]]) -> None:
        rec = self.recorder
        rec.add_to_cohort("appointments_set", w, calls["booked"])
        rec.add_to_cohort("appointments_junk", w, calls["booked_junk"])
        if w > 0:
            rec.add_to_cohort("meetings_held", w - 1, tallies["held"])
        for cohort, value in won:
            rec.add_to_cohort("closes", cohort)
            rec.add_to_cohort("revenue", cohort, value)

    # -- money ----------------------------------------------------------------------------------

    def _settle_one(self, terms: Terms, tally: Tally, fixed: bool) -> Settlement:
        """One payee's settlement under a contract (the library's pure contract functions)."""
        count, junk = counted(terms.pay_on, np.array([tally.booked]),
                              np.array([tally.booked_junk]), np.array([tally.held]),
                              np.array([tally.held_junk]))
        audited = draw_audits(terms, junk, self.rng)
        return settle(terms, count, audited, np.array([tally.revenue]), np.array([fixed]))

    def _settle(self, hires: list[SalesRep]) -> dict[str, Any]:
        """The client pays for each rep and for the departed reps' appointments; the
        outsourcer pays each rep by the pay plan, its overhead and its training."""
        sc = self.config
        outsourcer, client = self.outsourcer, self.client
        per_rep: dict[SalesRep, dict[str, Settlement | float]] = {}
        contract_parts: list[Settlement] = []
        pay_parts: list[Settlement] = []
        for rep in outsourcer.reps:
            from_client = self._settle_one(client.contract, rep.tally, fixed=True)
            to_rep = self._settle_one(outsourcer.pay_plan, rep.tally, fixed=True)
            training = sc.outsourcer.training_cost if (rep in hires and rep.trained) else 0.0
            per_rep[rep] = {"contract": from_client, "pay": to_rep, "training": training,
                            "overhead": outsourcer.overhead_per_rep()}
            contract_parts.append(from_client)
            pay_parts.append(to_rep)
        contract_parts.append(self._settle_one(client.contract, outsourcer.departed,
                                               fixed=False))
        own = [rep.tally for rep in outsourcer.reps] + [outsourcer.departed]
        return {
            "per_rep": per_rep,
            "contract": _sum_settlements(contract_parts),
            "pay": _sum_settlements(pay_parts),
            "training": sum(float(v["training"]) for v in per_rep.values()),
            "overhead": sum(float(v["overhead"]) for v in per_rep.values()),
            "expected_value_own": sum(t.expected_value for t in own),
            "expected_closes_own": sum(t.expected_closes for t in own),
            "held_own": sum(t.held for t in own),
            "held_junk_own": sum(t.held_junk for t in own),
        }

    def _learn_and_leave(self, w: int, money: dict[str, Any]) -> list[SalesRep]:
        sc = self.config
        outsourcer = self.outsourcer
        before_fees: list[float] = []
        for rep, parts in money["per_rep"].items():
            contract, pay = parts["contract"], parts["pay"]
            contribution = (_total(contract) - _total(pay) - parts["overhead"]
                            - parts["training"])
            before_fees.append(contribution + parts["training"])
            outsourcer.attribute(w, rep, contribution)
            rep.receive_pay(_total(pay), _total(pay) - float(pay.fixed[0]))
            if sc.learning.credit == "earned":
                learning_payoff = (_total(pay) - float(pay.fixed[0]) - rep.effort_cost()
                                   + sc.learning.payoff_shift) / sc.learning.payoff_scale
                rep.earn(w, learning_payoff, float(pay.appointments[0] - pay.clawbacks[0]),
                         rep.tally)
        if sc.learning.credit == "paid" and (w + 1) % sc.learning.rep_cadence_weeks == 0:
            for rep in outsourcer.reps:
                rep.learn()
        if (w + 1) % sc.learning.outsourcer_cadence_weeks == 0:
            outsourcer.learn()
        working = list(money["per_rep"])
        quits = [rep for rep in list(outsourcer.reps) if rep.quits()]
        outsourcer.book_week(working, before_fees, len(quits))
        for rep in quits:
            outsourcer.dismiss(rep)
        for rep in outsourcer.reps:
            rep.grow()
        return quits

    def _replace_outsourcer(self) -> None:
        """The client ends the contract: the outsourcer and its reps go; a new one starts."""
        old = self.outsourcer
        dismissed = list(old.reps)
        for rep in dismissed:
            old.dismiss(rep)
        old.learn()
        self.outsourcer = old.successor(dismissed)
        old.remove()
        self.client.renew(self.week)

    # -- recording ------------------------------------------------------------------------------

    def _record(self, w: int, calls: dict[str, int], tallies: dict[str, float],
                money: dict[str, Any], hires: list[SalesRep], quits: list[SalesRep],
                burned: int) -> None:
        sc = self.config
        contract: dict[str, float] = money["contract"]
        pay: dict[str, float] = money["pay"]
        revenue = tallies["revenue"]
        held = tallies["held"]
        reps = self.outsourcer.reps
        status_counts = dict.fromkeys(Status, 0)
        receptivity = answer = accept = 0.0
        good_available = 0
        for prospect in self.prospects:
            status_counts[prospect.status] += 1
            receptivity += prospect.receptivity
            answer += prospect.answer
            accept += prospect.accept
            good_available += prospect.status == Status.AVAILABLE and not prospect.is_junk
        n = len(self.prospects)
        values: dict[str, float] = {
            "calls": calls["calls"], "connects": calls["connects"],
            "appointments_set": calls["booked"], "appointments_junk": calls["booked_junk"],
            "meetings_held": held, "meetings_held_junk": tallies["held_junk"],
            "no_shows": tallies["no_shows"], "meetings_cancelled": tallies["cancelled"],
            "opportunities": tallies["opportunities"], "closes": tallies["closes"],
            "revenue": revenue,
            "client_fees": contract["fixed"],
            "client_appointment_payments": contract["appointments"],
            "client_clawbacks": contract["clawbacks"],
            "client_commission": contract["commission"],
            "client_payments": contract["total"],
            "rep_base_pay": pay["fixed"], "rep_bonus": pay["appointments"],
            "rep_clawbacks": pay["clawbacks"], "rep_commission": pay["commission"],
            "rep_pay": pay["total"], "training_spend": money["training"],
            "overhead": money["overhead"],
            "ae_cost": sc.client.ae_cost_per_meeting * held,
            "client_margin": sc.client.gross_margin * revenue,
            "mean_skill": _mean([rep.skill for rep in reps]),
            "reps_employed": len(reps), "rep_quits": len(quits), "hires": len(hires),
            "trained_hires": sum(rep.trained for rep in hires),
            "train_probability": self.outsourcer.train_probability(),
            "burned_this_week": burned,
            "mean_receptivity": receptivity / n,
            "contract_holder": self.client.replacements,
            "client_renegotiations": self.client.renegotiations - self.renegotiations_recorded,
            "good_fit_share_available": ratio(good_available, status_counts[Status.AVAILABLE]),
            "mean_prospect_answer": answer / n,
            "mean_prospect_accept": accept / n,
        }
        for dim in STRATEGY_DIMENSIONS:
            levels = [rep.level(dim) for rep in reps]
            values[f"mean_{dim}"] = _mean(levels)
            values[f"sd_{dim}"] = float(np.std(levels)) if levels else np.nan
        for st in Status:
            values[f"n_{st.name.lower()}"] = status_counts[st]
        self.recorder.record(w, values)
        self.recorder.label(w, "contract_in_force", self.client.label)
        self.renegotiations_recorded = self.client.renegotiations


def _total(s: Settlement) -> float:
    return float(s.total[0])


def _sum_settlements(parts: list[Settlement]) -> dict[str, float]:
    """Totals of each part of a list of one-payee settlements."""
    keys = ("fixed", "appointments", "clawbacks", "commission", "total")
    return {k: float(sum(float(getattr(s, k)[0]) for s in parts)) for k in keys}


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else np.nan


def run(scenario: Scenario, seed: int | None = None) -> RunResult:
    """Run the reference model; same frames and summary as :func:`sales_abm.model.run`."""
    model = ReferenceModel(scenario, seed)
    model.run_model()
    weekly = model.recorder.weekly_frame()
    cohorts = model.recorder.cohort_frame()
    summary = {"contract": scenario.contract.preset, "seed": model.seed_value,
               "weeks": scenario.weeks, "model_version": MODEL_VERSION,
               **summarize(weekly, cohorts)}
    return RunResult(scenario, model.seed_value, weekly, cohorts, summary)
