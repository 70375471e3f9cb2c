"""The market: prospects as numpy columns, their industry network, and the vectorised funnel.

Each prospect is one row. A week's calls, meetings and sales cycles are computed for all rows at
once; no Python loop runs over prospects or calls. Statuses partition the rows (see
:class:`Status`), and every status that ends does so at the week stored in ``until``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import networkx as nx
import numpy as np

from sales_abm.scenario import MarketParams, Switches


class Status(IntEnum):
    """Where a prospect stands; every row has exactly one."""

    AVAILABLE = 0
    COOLING = 1  # resting after a contact or a lost deal, until ``until``
    BOOKED = 2  # a meeting is set for next week
    CYCLE = 3  # an opportunity in its sales cycle, resolving at ``until``
    CUSTOMER = 4
    BURNED = 5  # refuses contact until ``until``


@dataclass
class CallOutcome:
    """Per-rep counts of one week's calls (arrays of length n_reps).

    The optional fields are filled only when :meth:`Market.place_calls` is given threshold levels
    (for the reps' foregone-payoff estimates); otherwise they are None. A booking's *band* is the
    highest threshold level its signal reached.
    """

    calls: np.ndarray
    connects: np.ndarray
    booked: np.ndarray
    booked_junk: np.ndarray
    proposed: np.ndarray | None = None  # connects whose signal cleared the rep's own threshold
    connects_above: np.ndarray | None = None  # (n_reps, K): connects with signal >= level k
    booked_by_band: np.ndarray | None = None  # (n_reps, K)
    booked_junk_by_band: np.ndarray | None = None  # (n_reps, K)


@dataclass
class MeetingOutcome:
    """Counts of one week's meetings by owner (length n_reps + 2, see :meth:`Market.owner`)."""

    held: np.ndarray
    held_junk: np.ndarray
    no_shows: np.ndarray
    cancelled: np.ndarray
    opportunities: np.ndarray
    expected_value: np.ndarray  # sum of fit x deal value of the held meetings
    burned: int
    held_by_band: np.ndarray | None = None  # (n_reps + 2, K), when asked for by band
    held_junk_by_band: np.ndarray | None = None


@dataclass
class CloseOutcome:
    """Deals won this week by owner (arrays of length n_reps + 2, see :meth:`Market.owner`)."""

    closes: np.ndarray
    revenue: np.ndarray
    cohort_weeks: np.ndarray  # cohort (week the appointment was set) of each won deal
    deal_values: np.ndarray  # value of each won deal
    revenue_by_band: np.ndarray | None = None  # (n_reps + 2, K), when asked for by band


def industry_network(n: int, degree: int, rewiring: float, seed: int) -> nx.Graph:
    """The prospects' industry network: a small world (Watts–Strogatz) over the rows."""
    if degree < 2 or n <= degree:
        return nx.empty_graph(n)
    return nx.watts_strogatz_graph(n, degree, rewiring, seed=seed)


def band_counts(
    owner: np.ndarray,
    band: np.ndarray,
    n_owners: int,
    n_bands: int,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """A 2-D histogram ``(n_owners, n_bands)`` of events by owner and band, in one bincount."""
    flat = np.bincount(owner * n_bands + band, weights=weights, minlength=n_owners * n_bands)
    return flat.reshape(n_owners, n_bands)


def levels_cleared(signal: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """How many threshold levels each signal reaches (``levels`` ascending, ties allowed).

    ``signal >= levels[k]`` is exactly the test a rep at level ``k`` applies, so a signal with
    ``c`` levels cleared would be proposed by a rep at any level below ``c``.
    """
    return np.searchsorted(levels, signal, side="right")


def connects_above(
    caller: np.ndarray, signal: np.ndarray, levels: np.ndarray, n_reps: int
) -> np.ndarray:
    """Per rep, how many connects had a signal at or above each level.

    A histogram by rep and levels cleared, then a reversed cumulative sum over levels. Column
    ``k`` at the rep's own level equals its proposals.

    Args:
        caller: Rep of each connect.
        signal: Perceived fit of each connect.
        levels: Threshold levels, ascending (ties allowed).
        n_reps: Number of reps.

    Returns:
        int array ``(n_reps, len(levels))``, non-increasing along each row.
    """
    hist = band_counts(caller, levels_cleared(signal, levels), n_reps, levels.size + 1)
    return np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:]


def to_csr(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour lists as CSR arrays (indptr, indices) for vectorised word of mouth."""
    n = graph.number_of_nodes()
    edges = np.array(graph.edges(), dtype=np.int64).reshape(-1, 2)
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, dst[order]


class Market:
    """All prospects, as columns.

    Attributes:
        fit: true probability of buying after a proper meeting.
        deal_value: revenue if the prospect buys (USD).
        base_receptivity: the receptivity a prospect returns to when left alone.
        receptivity: current chance-weight of taking a call and agreeing.
        status: a :class:`Status` per row.
        until: week at which a cooling, burned or cycle status ends.
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
        self.fit = np.empty(n)
        self.deal_value = np.empty(n)
        self.base_receptivity = np.empty(n)
        self._draw_rows(np.arange(n), rng)
        self.receptivity = self.base_receptivity.copy()
        self.status = np.zeros(n, dtype=np.int8)
        self.until = np.zeros(n, dtype=np.int32)
        self.booked_by = np.full(n, -1, dtype=np.int32)  # rep slot
        self.booked_hire = np.full(n, -1, dtype=np.int64)  # rep hire id (slots are reused)
        self.booked_week = np.full(n, -1, dtype=np.int32)
        self.booked_pressure = np.zeros(n)
        self.booked_band = np.zeros(n, dtype=np.int8)  # written only when bands are tracked
        self.won = np.zeros(n, dtype=bool)
        seed = int(rng.integers(2**31))
        self.graph = industry_network(n, params.network_degree, params.network_rewiring, seed)
        self.indptr, self.indices = to_csr(self.graph)
        self.mean_base_receptivity = params.receptivity_alpha / (
            params.receptivity_alpha + params.receptivity_beta
        )

    def _draw_rows(self, rows: np.ndarray, rng: np.random.Generator) -> None:
        """Fresh prospects in these rows (at start, and when new prospects enter)."""
        p, k = self.p, rows.size
        good = rng.random(k) < p.good_fit_share
        self.fit[rows] = np.where(
            good,
            rng.beta(p.good_fit_alpha, p.good_fit_beta, k),
            rng.beta(p.poor_fit_alpha, p.poor_fit_beta, k),
        )
        mu = np.log(p.deal_value_mean) - p.deal_value_sigma**2 / 2  # so the mean is deal_value_mean
        self.deal_value[rows] = rng.lognormal(mu, p.deal_value_sigma, k)
        self.base_receptivity[rows] = rng.beta(p.receptivity_alpha, p.receptivity_beta, k)

    def junk(self, rows: np.ndarray) -> np.ndarray:
        """Rows whose true fit is below the client's qualification bar."""
        return self.fit[rows] < self.p.qualification_bar

    def owner(self, rows: np.ndarray, current_hires: np.ndarray, epoch_start: int) -> np.ndarray:
        """Who an event of these rows belongs to: its rep's slot if that hire still holds it,
        ``n_reps`` if the rep has left but the contract holder is the same, ``n_reps + 1`` if it was
        booked under an earlier contract holder.
        """
        slot = self.booked_by[rows]
        hire = self.booked_hire[rows]
        own = np.where(hire == current_hires[slot], slot, self.n_reps)
        return np.where(hire >= epoch_start, own, self.n_reps + 1)

    def status_counts(self) -> np.ndarray:
        """How many rows are in each status (they partition the market)."""
        return np.bincount(self.status, minlength=len(Status))

    # -- step 2: calls --------------------------------------------------------------------------

    def place_calls(
        self,
        week: int,
        planned: np.ndarray,
        threshold: np.ndarray,
        pressure: np.ndarray,
        noise_sd: np.ndarray,
        craft: np.ndarray,
        hire_id: np.ndarray,
        booking_time: float,
        rng: np.random.Generator,
        threshold_levels: np.ndarray | None = None,
    ) -> CallOutcome:
        """Turn each rep's planned calls into connects and booked meetings.

        A rep's week is a budget of ``planned[r]`` call-times; a booked meeting takes
        ``booking_time`` more, so calls after the budget runs out are not made.

        Args:
            threshold_levels: The reps' threshold grid (ascending). When given, the outcome also
                counts, per rep, the proposals made, the connects whose signal reached each
                level and the bookings by band, and each booking's band is stored for its
                meeting and close: what a rep saw that tells it what another threshold would have
                brought. It draws no random numbers, so results are unchanged.
        """
        r = self.n_reps
        caller = np.repeat(np.arange(r), planned)
        total = caller.size
        available = np.flatnonzero(self.status == Status.AVAILABLE)
        reach = min(total, available.size)
        if reach < total:  # not enough prospects: a random subset of calls reaches someone
            caller = rng.permutation(caller)[:reach]
            caller.sort(kind="stable")
        target = available[rng.choice(available.size, reach, replace=False)]
        connect = rng.random(reach) < self.p.connect_scale * self.receptivity[target]
        signal = self.fit[target] + noise_sd[caller] * rng.standard_normal(reach)
        propose = connect & (signal >= threshold[caller])
        agree = self._agree_probability(target, pressure[caller], craft[caller])
        booked = propose & (rng.random(reach) < agree)
        made = self._within_budget(caller, booked, planned, booking_time)
        connect &= made
        booked &= made
        self._apply_calls(week, target, caller, connect, booked, pressure, hire_id)
        junk = booked & self.junk(target)
        outcome = CallOutcome(
            calls=np.bincount(caller[made], minlength=r),
            connects=np.bincount(caller[connect], minlength=r),
            booked=np.bincount(caller[booked], minlength=r),
            booked_junk=np.bincount(caller[junk], minlength=r),
        )
        if threshold_levels is not None:
            self._count_bands(outcome, threshold_levels, target, caller, signal,
                              propose & made, connect, booked, junk)
        return outcome

    def _count_bands(
        self,
        outcome: CallOutcome,
        levels: np.ndarray,
        target: np.ndarray,
        caller: np.ndarray,
        signal: np.ndarray,
        proposed: np.ndarray,
        connect: np.ndarray,
        booked: np.ndarray,
        junk: np.ndarray,
    ) -> None:
        """Fill the by-level counts of a call outcome and remember each booking's band."""
        r, k = self.n_reps, levels.size
        outcome.proposed = np.bincount(caller[proposed], minlength=r)
        outcome.connects_above = connects_above(caller[connect], signal[connect], levels, r)
        # A booking's signal reached its rep's level, so it cleared at least one level.
        band = levels_cleared(signal, levels) - 1
        self.booked_band[target[booked]] = band[booked]
        outcome.booked_by_band = band_counts(caller[booked], band[booked], r, k)
        outcome.booked_junk_by_band = band_counts(caller[junk], band[junk], r, k)

    def _agree_probability(
        self, target: np.ndarray, pressure: np.ndarray, craft: np.ndarray
    ) -> np.ndarray:
        rel = self.receptivity[target] / (2 * self.mean_base_receptivity)
        p = self.p.agree_base * 2 * rel * (1 + self.p.pressure_agree_gain * pressure) * craft
        return np.clip(p, 0.0, 1.0)

    @staticmethod
    def _within_budget(
        caller: np.ndarray, booked: np.ndarray, planned: np.ndarray, booking_time: float
    ) -> np.ndarray:
        """Calls that fit in each rep's time budget, in call order (callers are sorted)."""
        cost = 1.0 + booking_time * booked
        used = np.cumsum(cost)
        start = np.concatenate([[0], np.cumsum(np.bincount(caller, minlength=planned.size))])
        before = np.concatenate([[0.0], used])[start[:-1]]  # time used before each rep's first call
        return used - before[caller] <= planned[caller]

    def _apply_calls(
        self,
        week: int,
        target: np.ndarray,
        caller: np.ndarray,
        connect: np.ndarray,
        booked: np.ndarray,
        pressure: np.ndarray,
        hire_id: np.ndarray,
    ) -> None:
        pressured = target[connect]
        if self.switches.burn:
            self.receptivity[pressured] *= 1 - self.p.pressure_annoyance * pressure[caller[connect]]
        rested = target[connect & ~booked]
        self.status[rested] = Status.COOLING
        self.until[rested] = week + self.p.cooldown_weeks
        rows, reps = target[booked], caller[booked]
        self.status[rows] = Status.BOOKED
        self.booked_by[rows] = reps
        self.booked_hire[rows] = hire_id[reps]
        self.booked_week[rows] = week
        self.booked_pressure[rows] = pressure[reps]

    # -- step 3-4: meetings, opportunities, annoyance ------------------------------------------

    def hold_meetings(
        self,
        week: int,
        capacity: int | None,
        current_hires: np.ndarray,
        epoch_start: int,
        rng: np.random.Generator,
        bands: int = 0,
    ) -> MeetingOutcome:
        """Hold last week's meetings: show-ups, AE capacity, opportunities, junk annoyance.

        With ``bands > 0`` (the number of threshold levels, when place_calls tracks bands), held
        and held junk meetings are also counted by owner and booking band.
        """
        p, r = self.p, self.n_reps + 2
        rows = np.flatnonzero((self.status == Status.BOOKED) & (self.booked_week < week))
        fit = self.fit[rows]
        p_show = (
            p.show_max
            * (1 - p.pressure_show_loss * self.booked_pressure[rows])
            * (p.show_fit_floor + (1 - p.show_fit_floor) * fit)
        )
        show = rng.random(rows.size) < p_show
        held = show.copy()
        if capacity is not None and show.sum() > capacity:
            shown = np.flatnonzero(show)
            held[:] = False
            held[rng.choice(shown, capacity, replace=False)] = True
        opportunity = held & (rng.random(rows.size) < fit**p.opportunity_share)
        won = rng.random(rows.size) < fit ** (1 - p.opportunity_share)
        cycle = rng.integers(p.cycle_min_weeks, p.cycle_max_weeks + 1, rows.size)
        junk_held = held & (fit < p.qualification_bar)
        burned = self._annoy(week, rows[junk_held], ~opportunity[junk_held], rng)
        rest = rows[~opportunity]
        rest = rest[self.status[rest] == Status.BOOKED]  # burned rows stay burned
        self.status[rest] = Status.COOLING
        self.until[rest] = week + p.cooldown_weeks
        opened = rows[opportunity]
        self.status[opened] = Status.CYCLE
        self.until[opened] = week + cycle[opportunity]
        self.won[opened] = won[opportunity]
        by = self.owner(rows, current_hires, epoch_start)
        outcome = MeetingOutcome(
            held=np.bincount(by[held], minlength=r),
            held_junk=np.bincount(by[junk_held], minlength=r),
            no_shows=np.bincount(by[~show], minlength=r),
            cancelled=np.bincount(by[show & ~held], minlength=r),
            opportunities=np.bincount(by[opportunity], minlength=r),
            expected_value=np.bincount(
                by[held], weights=(fit * self.deal_value[rows])[held], minlength=r
            ),
            burned=burned,
        )
        if bands:
            band = self.booked_band[rows].astype(np.int64)
            outcome.held_by_band = band_counts(by[held], band[held], r, bands)
            outcome.held_junk_by_band = band_counts(by[junk_held], band[junk_held], r, bands)
        return outcome

    def _annoy(self, week: int, junk_rows: np.ndarray, may_burn: np.ndarray,
               rng: np.random.Generator) -> int:
        """A junk meeting annoys its prospect and spreads by word of mouth; one that opened no
        opportunity may also burn the prospect (one in a sales cycle stays in it).
        """
        if not self.switches.burn or junk_rows.size == 0:
            return 0
        p = self.p
        self.receptivity[junk_rows] *= 1 - p.annoyance
        burn = junk_rows[may_burn & (rng.random(junk_rows.size) < p.burn_probability)]
        self.status[burn] = Status.BURNED
        self.until[burn] = week + p.burn_weeks
        if self.switches.word_of_mouth and p.word_of_mouth > 0:
            starts, ends = self.indptr[junk_rows], self.indptr[junk_rows + 1]
            lengths = ends - starts
            offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
            neighbours = self.indices[np.arange(lengths.sum()) + offsets]
            hits = np.bincount(neighbours, minlength=self.n)
            touched = np.flatnonzero(hits)
            self.receptivity[touched] *= (1 - p.word_of_mouth) ** hits[touched]
        return int(burn.size)

    # -- sales cycles -----------------------------------------------------------------------------

    def resolve_cycles(
        self, week: int, current_hires: np.ndarray, epoch_start: int, bands: int = 0
    ) -> CloseOutcome:
        """Close the opportunities whose cycle ends this week, credited by owner.

        With ``bands > 0``, revenue is also summed by owner and booking band.
        """
        rows = np.flatnonzero((self.status == Status.CYCLE) & (self.until <= week))
        won = rows[self.won[rows]]
        lost = rows[~self.won[rows]]
        self.status[won] = Status.CUSTOMER
        self.status[lost] = Status.COOLING
        self.until[lost] = week + self.p.cooldown_weeks
        by = self.owner(won, current_hires, epoch_start)
        r = self.n_reps + 2
        outcome = CloseOutcome(
            closes=np.bincount(by, minlength=r),
            revenue=np.bincount(by, weights=self.deal_value[won], minlength=r),
            cohort_weeks=self.booked_week[won].copy(),
            deal_values=self.deal_value[won].copy(),
        )
        if bands:
            band = self.booked_band[won].astype(np.int64)
            outcome.revenue_by_band = band_counts(by, band, r, bands, self.deal_value[won])
        return outcome

    # -- step 4: recovery and entry ---------------------------------------------------------------

    def advance(self, week: int, rng: np.random.Generator) -> None:
        """End rests and burns, let receptivity recover, and let new prospects enter."""
        resting = (self.status == Status.COOLING) | (self.status == Status.BURNED)
        self.status[resting & (self.until <= week + 1)] = Status.AVAILABLE
        self.receptivity += self.p.recovery_rate * (self.base_receptivity - self.receptivity)
        customers = np.flatnonzero(self.status == Status.CUSTOMER)
        leaving = rng.binomial(customers.size, self.p.entry_rate)
        if leaving:
            rows = rng.choice(customers, leaving, replace=False)
            rows.sort()
            self._draw_rows(rows, rng)
            self.receptivity[rows] = self.base_receptivity[rows]
            self.status[rows] = Status.AVAILABLE
