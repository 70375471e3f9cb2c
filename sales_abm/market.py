"""The market: prospects as numpy columns, their industry network, and the vectorised funnel.

Each prospect is one row. A week's calls, meetings and sales cycles are computed for all rows at
once: random numbers are drawn in bulk here, and the per-call and per-row passes run as compiled
loops (:mod:`sales_abm.kernels`); no Python loop runs over prospects or calls. Statuses
partition the rows (see :class:`Status`), and every status that ends does so at the week stored
in ``until``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from sales_abm import kernels
from sales_abm.kernels import Entrants, Funnel, MeetingRules, Prospects, Renewal, RepColumns
from sales_abm.kernels.network import csr, ring_edges
from sales_abm.scenario import MarketParams, Switches

if TYPE_CHECKING:  # networkx is loaded only where a graph object is built
    import networkx as nx


class Status(IntEnum):
    """Where a prospect stands; every row has exactly one."""

    AVAILABLE = 0
    COOLING = 1  # resting after a contact or a lost deal, until ``until``
    BOOKED = 2  # a meeting is set for next week
    CYCLE = 3  # an opportunity in its sales cycle, resolving at ``until``
    CUSTOMER = 4
    BURNED = 5  # refuses contact until ``until``


_STATUS_VALUES = tuple(int(s) for s in Status)  # iterating the enum itself is slow


@dataclass
class CallOutcome:
    """Per-rep counts of one week's calls.

    ``counts`` holds, per rep, the calls made, connects, bookings and junk bookings (one row
    each, also readable by name). The optional fields are filled only when
    :meth:`Market.place_calls` is given threshold levels (for the reps' foregone-payoff
    estimates); otherwise they are None. A booking's *band* is the highest threshold level its
    signal reached.
    """

    counts: np.ndarray  # (4, n_reps): calls, connects, booked, booked_junk
    proposed: np.ndarray | None = None  # connects whose signal cleared the rep's own threshold
    connects_above: np.ndarray | None = None  # (n_reps, K): connects with signal >= level k
    booked_by_band: np.ndarray | None = None  # (n_reps, K)
    booked_junk_by_band: np.ndarray | None = None  # (n_reps, K)

    calls = property(lambda self: self.counts[0])
    connects = property(lambda self: self.counts[1])
    booked = property(lambda self: self.counts[2])
    booked_junk = property(lambda self: self.counts[3])

    @cached_property  # read by the cohort recorder and the weekly metrics
    def totals(self) -> list[int]:
        """The week's calls, connects, bookings and junk bookings over all reps."""
        return np.add.reduce(self.counts, axis=1).tolist()


@dataclass
class MeetingOutcome:
    """Counts of one week's meetings by owner (length n_reps + 2, see
    :func:`kernels.meetings.owner`).

    ``counts`` holds the meetings held, held junk meetings, no-shows, cancelled meetings and
    opportunities opened (one row each, also readable by name).
    """

    counts: np.ndarray  # (5, n_reps + 2): held, held_junk, no_shows, cancelled, opportunities
    expected_value: np.ndarray  # sum of fit x deal value of the held meetings
    burned: int
    expected_closes: np.ndarray | None = None  # sum of fit of the held meetings, by owner
    held_by_band: np.ndarray | None = None  # (n_reps + 2, K), when asked for by band
    held_junk_by_band: np.ndarray | None = None

    held = property(lambda self: self.counts[0])
    held_junk = property(lambda self: self.counts[1])
    no_shows = property(lambda self: self.counts[2])
    cancelled = property(lambda self: self.counts[3])
    opportunities = property(lambda self: self.counts[4])

    @cached_property  # read by the cohort recorder and the weekly metrics
    def totals(self) -> list[int]:
        """The week's held, held junk, no-show, cancelled meetings and opportunities."""
        return np.add.reduce(self.counts, axis=1).tolist()


@dataclass
class CloseOutcome:
    """Deals won this week by owner (arrays of length n_reps + 2, see
    :func:`kernels.meetings.owner`)."""

    closes: np.ndarray
    revenue: np.ndarray
    cohort_weeks: np.ndarray  # cohort (week the appointment was set) of each won deal
    deal_values: np.ndarray  # value of each won deal
    revenue_by_band: np.ndarray | None = None  # (n_reps + 2, K), when asked for by band
    owners: np.ndarray | None = None  # owner (see Market.owner) of each won deal


def industry_network(n: int, degree: int, rewiring: float, seed: int) -> nx.Graph:
    """The prospects' industry network: a small world (Watts–Strogatz) over the rows.

    The same graph as ``networkx.watts_strogatz_graph(n, degree, rewiring, seed=seed)``, built from
    :func:`watts_strogatz_edges` (much faster for large ``n``).
    """
    import networkx as nx

    graph = nx.empty_graph(n)
    graph.add_edges_from(zip(*(a.tolist() for a in watts_strogatz_edges(n, degree, rewiring, seed)),
                             strict=True))
    return graph


def watts_strogatz_edges(n: int, degree: int, rewiring: float,
                         seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The edges ``(u, v)`` of ``networkx.watts_strogatz_graph(n, degree, rewiring, seed=seed)``.

    Exactly the same edge set as networkx (tests compare them), so results do not depend on which
    builds the network, but without networkx's Python-level graph: for a million prospects
    networkx takes tens of seconds and over a gigabyte, this about a second.

    networkx walks the ring's edges in order and draws ``random.random()`` for each; an edge whose
    draw is below ``rewiring`` is moved to a node drawn by ``random.choice`` (redrawn while it
    would make a self-loop or a double edge). We replay the same Mersenne Twister stream: numpy's
    MT19937 is given the state of ``random.Random(seed)`` and produces its 32-bit words in bulk,
    and a compiled loop (:func:`sales_abm.kernels.rewire_ring`) walks the ring's edges, making
    each uniform from its two words, and keeps the graph as the ring (implicit) plus the sets of
    ring edges removed and edges added.

    Empty when ``degree < 2`` or ``n <= degree`` (as before). Falls back to networkx if ``n``
    needs more than 32 random bits (``random.choice`` then draws several words per node).
    """
    half = degree // 2
    if degree < 2 or n <= degree:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy()
    bits = n.bit_length()
    if bits > 32:
        import networkx as nx

        edges = np.array(nx.watts_strogatz_graph(n, degree, rewiring, seed=seed).edges(),
                         dtype=np.int64).reshape(-1, 2)
        return edges[:, 0], edges[:, 1]
    size = 2 * half * n + int(half * n * rewiring * 4) + 64
    while True:
        words = _python_random_words(seed, size)
        removed, added, enough = kernels.rewire_ring(words, rewiring, n, half, 32 - bits)
        if enough:
            break
        size *= 2
    return ring_edges(n, half, removed, added)


def _python_random_words(seed: int, size: int) -> np.ndarray:
    """The first ``size`` 32-bit words of ``random.Random(seed)``, generated in bulk by numpy's
    MT19937."""
    state = random.Random(seed).getstate()[1]
    bits = np.random.MT19937()
    bits.state = {"bit_generator": "MT19937",
                  "state": {"key": np.array(state[:624], dtype=np.uint32), "pos": state[624]}}
    return bits.random_raw(size)


def to_csr(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour lists as CSR arrays (indptr, indices) for vectorised word of mouth."""
    edges = np.array(graph.edges(), dtype=np.int64).reshape(-1, 2)
    return edges_to_csr(graph.number_of_nodes(), edges[:, 0], edges[:, 1])


def edges_to_csr(n: int, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR arrays (indptr, indices) of the undirected graph with edges ``(u[i], v[i])``: each
    node's neighbours in edge-list order (see :func:`sales_abm.kernels.network.csr`)."""
    return csr(n, np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64))


class Market:
    """All prospects, as columns.

    Attributes:
        fit: true probability of buying after a proper meeting.
        deal_value: revenue if the prospect buys (USD).
        base_receptivity: the receptivity a prospect returns to when left alone.
        receptivity: current chance-weight of taking a call and agreeing.
        answer: learned propensity to take a cold call, in [0, 1].
        accept: learned propensity to accept a meeting, in [0, 1].
        status: a :class:`Status` per row.
        until: week at which a cooling, burned or cycle status ends.
        counts: rows per status (in :class:`Status` order) as of the last :meth:`advance`.
    """

    def __init__(
        self,
        params: MarketParams,
        switches: Switches,
        n: int,
        n_reps: int,
        rng: np.random.Generator,
    ) -> None:
        self.p = params
        self.switches = switches
        self.n = n
        self.n_reps = n_reps
        self.entrants = Entrants(
            good_fit_share=params.good_fit_share, good_fit_alpha=params.good_fit_alpha,
            good_fit_beta=params.good_fit_beta, poor_fit_alpha=params.poor_fit_alpha,
            poor_fit_beta=params.poor_fit_beta,
            # so that the mean deal value is deal_value_mean
            deal_value_mu=float(np.log(params.deal_value_mean) - params.deal_value_sigma**2 / 2),
            deal_value_sigma=params.deal_value_sigma, receptivity_alpha=params.receptivity_alpha,
            receptivity_beta=params.receptivity_beta,
            propensity_initial=params.propensity_initial,
        )
        self.renewal = Renewal(
            recovery_rate=params.recovery_rate,
            forgetting=params.forgetting if switches.prospect_learning else 0.0,
            entry_rate=params.entry_rate, turnover_rate=params.turnover_rate,
        )
        self.fit = np.empty(n)
        self.deal_value = np.empty(n)
        self.base_receptivity = np.empty(n)
        self.receptivity = np.empty(n)
        self.answer = np.full(n, params.propensity_initial)
        self.accept = np.full(n, params.propensity_initial)
        self.status = np.zeros(n, dtype=np.int8)
        self.until = np.zeros(n, dtype=np.int32)
        self.booked_by = np.full(n, -1, dtype=np.int32)  # rep slot
        self.booked_hire = np.full(n, -1, dtype=np.int64)  # rep hire id (slots are reused)
        self.booked_week = np.full(n, -1, dtype=np.int32)
        self.booked_pressure = np.zeros(n)
        self.booked_band = np.zeros(n, dtype=np.int8)  # written only when bands are tracked
        self.won = np.zeros(n, dtype=bool)
        self._draw_rows(np.arange(n), rng)
        self.receptivity[:] = self.base_receptivity
        seed = int(rng.integers(2**31))
        # Word of mouth needs only the neighbour lists; the networkx graph is built on demand.
        edges = watts_strogatz_edges(n, params.network_degree, params.network_rewiring, seed)
        self.indptr, self.indices = edges_to_csr(n, *edges)
        self._graph: nx.Graph | None = None
        self._hits = np.zeros(n, dtype=np.int64)  # work space of word of mouth, kept zero
        self._streams = kernels.StreamHandles()  # the streams' handles for the kernels
        self.counts = self.status_counts()
        self.mean_base_receptivity = params.receptivity_alpha / (
            params.receptivity_alpha + params.receptivity_beta
        )
        self.funnel = Funnel(
            connect_scale=params.connect_scale, agree_scale=params.agree_base * 2,
            receptivity_scale=2 * self.mean_base_receptivity,
            pressure_agree_gain=params.pressure_agree_gain,
            qualification_bar=params.qualification_bar, cooldown_weeks=params.cooldown_weeks,
            burn=switches.burn, pressure_annoyance=params.pressure_annoyance,
            propensity_scale=1.0 / params.propensity_initial,
        )
        # plain tuples: numba types them in C, named ones in Python (microseconds a call)
        # The columns are never replaced, only written in place, so their bundle is built once.
        self._columns = tuple(self.columns)
        self._funnel = tuple(self.funnel)
        self._renewal_rules = (tuple(self.entrants), tuple(self.renewal))
        self._network = (self.indptr, self.indices)
        self._meeting_rules = tuple(self.meeting_rules())

    def meeting_rules(self) -> MeetingRules:
        """The meetings kernel's parameters, with the factor a junk meeting's neighbours'
        receptivity takes by how many junk meetings they neighbour (numpy's power, as before)."""
        p, switches = self.p, self.switches
        neighbours_annoyed = (switches.word_of_mouth and p.word_of_mouth > 0
                              and not switches.prospect_learning)
        most_hits = int(np.diff(self.indptr).max(initial=0)) if neighbours_annoyed else -1
        return MeetingRules(
            show_max=float(p.show_max), pressure_show_loss=float(p.pressure_show_loss),
            show_fit_floor=float(p.show_fit_floor), cycle_min_weeks=int(p.cycle_min_weeks),
            cycle_max_weeks=int(p.cycle_max_weeks), cooldown_weeks=int(p.cooldown_weeks),
            qualification_bar=float(p.qualification_bar), burn=bool(switches.burn),
            annoyance=float(p.annoyance), burn_probability=float(p.burn_probability),
            burn_weeks=int(p.burn_weeks), neighbours_annoyed=bool(neighbours_annoyed),
            word_of_mouth_factor=(1 - p.word_of_mouth) ** np.arange(most_hits + 1),
            prospect_learning=bool(switches.prospect_learning),
            experience_rate=float(p.experience_rate),
            social_learning_on=bool(switches.word_of_mouth and p.social_learning > 0),
            social_learning=float(p.social_learning),
        )

    @property
    def columns(self) -> Prospects:
        """The market's columns, bundled by name for the kernels (the arrays themselves)."""
        return Prospects(
            fit=self.fit, deal_value=self.deal_value, receptivity=self.receptivity,
            base_receptivity=self.base_receptivity, status=self.status, until=self.until,
            booked_by=self.booked_by, booked_hire=self.booked_hire, booked_week=self.booked_week,
            booked_pressure=self.booked_pressure, won=self.won, answer=self.answer,
            accept=self.accept,
        )

    @property
    def graph(self) -> nx.Graph:
        """The industry network as a networkx graph (built from the CSR arrays when first used)."""
        if self._graph is None:
            import networkx as nx

            graph = nx.empty_graph(self.n)
            src = np.repeat(np.arange(self.n), np.diff(self.indptr))
            keep = src < self.indices  # each undirected edge once
            graph.add_edges_from(zip(src[keep].tolist(), self.indices[keep].tolist(),
                                     strict=True))
            self._graph = graph
        return self._graph

    def _draw_rows(self, rows: np.ndarray, rng: np.random.Generator) -> None:
        """Draw the fit, deal value and base receptivity of the prospects in these rows (at
        start; new prospects are drawn the same way when they enter, see :meth:`advance`)."""
        kernels.draw_prospects(self.columns, self.entrants, rows, rng)

    def junk(self, rows: np.ndarray) -> np.ndarray:
        """Rows whose true fit is below the client's qualification bar."""
        return self.fit[rows] < self.p.qualification_bar

    def status_counts(self) -> np.ndarray:
        """How many rows are in each status (they partition the market)."""
        return kernels.status_counts(self.status)

    # -- step 2: calls --------------------------------------------------------------------------

    def place_calls(
        self,
        week: int,
        reps: RepColumns,
        booking_time: float,
        rng: np.random.Generator,
        threshold_levels: np.ndarray | None = None,
    ) -> CallOutcome:
        """Turn each rep's planned calls into connects and booked meetings.

        A rep's week is a budget of ``reps.planned[r]`` call-times; a booked meeting takes
        ``booking_time`` more, so calls after the budget runs out are not made. Each call goes to a
        different available prospect; when too few are available, a random subset of the planned
        calls reaches someone. A call draws only the numbers it uses, as it is made (callers in slot
        order): a connect uniform, a perception normal if it connects, an agreement uniform if the
        rep proposes; a rep whose budget ran out draws no more. The stream's position thus depends
        on outcomes, but each call's law is the one of drawing all three numbers for every call
        (model version 8; before, every call drew all three). With ``switches.prospect_learning``, a
        connect teaches its prospect that cold callers push (a Bush–Mosteller step toward 0 of both
        propensities, of size ``pressure_learning`` x the pressure used). One compiled pass draws,
        books, learns and counts (:func:`sales_abm.kernels.place_calls`, or
        ``place_calls_by_level``).

        Args:
            week: the current week.
            reps: the reps' strategies this week, one entry per slot.
            booking_time: call-times a booked meeting takes.
            rng: the calls' random stream.
            threshold_levels: The reps' threshold grid (ascending). When given, the outcome also
                counts, per rep, the proposals made, the connects whose signal reached each
                level and the bookings by band, and each booking's band is stored for its
                meeting and close: what a rep saw that tells it what another threshold would have
                brought. It draws no random numbers, so results are unchanged.
        """
        calls = (week, self._streams(rng), tuple(reps), self._columns, self._funnel, booking_time,
                 self.switches.prospect_learning, self.p.pressure_learning)
        if threshold_levels is None:
            return CallOutcome(kernels.place_calls(*calls))
        return CallOutcome(*kernels.place_calls_by_level(*calls, threshold_levels,
                                                         self.booked_band))

    # -- step 3-4: meetings, opportunities, annoyance ------------------------------------------

    def hold_meetings(
        self,
        week: int,
        capacity: int | None,
        current_hires: np.ndarray,
        epoch_start: int,
        rng: np.random.Generator,
        bands: int = 0,
        triage_noise: float | None = None,
        triage_rng: np.random.Generator | None = None,
    ) -> MeetingOutcome:
        """Hold last week's meetings: show-ups, AE capacity, opportunities, junk annoyance and
        the prospects' learning from them (one compiled call, :func:`kernels.hold_meetings`).

        When more prospects show up than the AEs can meet, the AEs triage (``triage_noise``
        given: see :func:`kernels.triage`, with the read's noise from ``triage_rng``) or, without
        triage, hold a random subset. A held junk meeting annoys its prospect and spreads by
        word of mouth; one that opened no opportunity may also burn the prospect (one in a
        sales cycle stays in it).

        With ``bands > 0`` (the number of threshold levels, when place_calls tracks bands), held
        and held junk meetings are also counted by owner and booking band.
        """
        stream = self._streams(rng)
        if triage_noise is None:
            triage_stream, triage_noise = stream, -1.0  # (not drawn from)
        else:
            assert triage_rng is not None
            triage_stream = self._streams(triage_rng)
        counts, expected, burned, by_band = kernels.hold_meetings(
            week, self.p.opportunity_share, stream, triage_stream, float(triage_noise),
            -1 if capacity is None else capacity, self._columns, self.booked_band,
            (current_hires, epoch_start, self.n_reps), self._meeting_rules, bands, self._network,
            self._hits,
        )
        outcome = MeetingOutcome(counts, expected[0], burned, expected[1])
        if bands:
            outcome.held_by_band, outcome.held_junk_by_band = by_band
        return outcome

    # -- sales cycles -----------------------------------------------------------------------------

    def resolve_cycles(
        self, week: int, current_hires: np.ndarray, epoch_start: int, bands: int = 0
    ) -> CloseOutcome:
        """Close the opportunities whose cycle ends this week, credited by owner (one compiled
        call, :func:`kernels.resolve_cycles`).

        With ``bands > 0``, revenue is also summed by owner and booking band.
        """
        closes, revenue, cohort_weeks, deal_values, owners, by_band = kernels.resolve_cycles(
            week, self._columns, self.booked_band, (current_hires, epoch_start, self.n_reps),
            self.p.cooldown_weeks, bands,
        )
        return CloseOutcome(closes=closes, revenue=revenue, cohort_weeks=cohort_weeks,
                            deal_values=deal_values, owners=owners,
                            revenue_by_band=by_band if bands else None)

    # -- step 4: recovery and entry ---------------------------------------------------------------

    def advance(self, week: int, rng: np.random.Generator,
                entry_rng: np.random.Generator | None = None) -> None:
        """End rests and burns, let receptivity recover, and let new prospects enter.

        Rests and burns due by next week end; receptivity drifts back to its base at
        ``recovery_rate``; with the ``prospect_learning`` switch, the learned propensities drift
        back to the prior at ``forgetting``. Customers leave at ``entry_rate`` (their rows drawn
        from ``rng``, and new prospects drawn in them). With an ``entry_rng`` and the
        ``market_entry`` switch on, a share ``turnover_rate`` of the prospects outside the funnel
        (available, resting or burned) also leave and new ones take their rows, all drawn from
        ``entry_rng``: firms are founded and close, buyers change jobs, so the market renews
        itself whatever the reps close, and its good-fit share stays put unless the reps use it
        up faster than it renews. Rows booked or in a sales cycle are left alone (their meeting
        or deal is pending). One compiled pass (:func:`sales_abm.kernels.advance_market`).

        Also updates :attr:`counts`, the rows per status at the end of the week, which the
        recovery pass counts as it goes (a separate pass would cost as much again).
        """
        turn_over = entry_rng is not None and self.switches.market_entry
        market = self._streams(rng)
        entry = self._streams(entry_rng) if entry_rng is not None and turn_over else market
        self.counts = kernels.advance_market(self._columns, self._renewal_rules, week, market,
                                             entry, turn_over)

    # -- what the recorder reads ----------------------------------------------------------------

    def measures(self) -> tuple[float, float, float, float]:
        """The market's end-of-week measures: the mean receptivity, the share of the available
        prospects whose fit clears the client's qualification bar (NaN when none is available),
        and the mean propensities to answer and to accept (one compiled pass,
        :func:`kernels.market_measures`)."""
        return kernels.market_measures(self.receptivity, self.answer, self.accept, self.status,
                                       self.fit, self.p.qualification_bar)
