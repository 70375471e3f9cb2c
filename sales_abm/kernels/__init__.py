"""Compiled loops of the market's hot paths (numba), by domain.

Each kernel replaces a chain of whole-column numpy calls by one pass, so a week touches each row
or call once instead of once per operation. A kernel that draws random numbers is passed the
run's ``numpy.random.Generator`` and draws with numpy's algorithms (:mod:`.draws` where numba
has none); every floating-point expression is written in the order numpy evaluated it. Most
kernels draw exactly the numbers the vectorised code drew, in the same order and sizes, so their
results are bit-identical to the code they replace (the golden-output tests pin this). Since
model version 8 some draw only what they use, a different draw from the same law: the calls
(a call's perception and agreement numbers only when it connects and proposes) and the entrants
(a fit from its own class's Beta only); and some compute in the compiler's arithmetic, which may
differ from numpy's in the last bits: the meetings' chances (the C library's ``pow``) and the
market's end-of-week means (:func:`~.status.market_measures`).
``NUMBA_DISABLE_JIT=1`` runs them as plain Python for debugging. Every kernel is compiled with
``nogil=True`` (same machine code, results unchanged): it releases the GIL, so that runs in
threads overlap their kernels with each other's Python (a new kernel should too;
``benchmarks/bench_batch.py`` measures threads over replicates).

Modules: :mod:`.calls` (the week's calls, drawn and booked), :mod:`.meetings` (meetings held,
annoyance and the prospects' learning from them; sales cycles resolved), :mod:`.learning` (the
learning phase: pay booked, the credit ledger, Roth–Erev learning, quits, skill growth; the training
appraisal), :mod:`.recovery` (the end-of-week pass: recovery, forgetting, customers leaving,
turnover, and the draws of new prospects), :mod:`.status` (status codes, row selections and the
market's end-of-week measures), :mod:`.network` (word of mouth, the Watts–Strogatz rewiring),
:mod:`.recording` (numpy-exact sums, means and SDs; the week's measures and cohorts), :mod:`.money`
(the week's settlements), :mod:`.staffing` (strategies drawn, the reps' call columns), :mod:`.draws`
(numpy's sampling without replacement), :mod:`.streams` (the run's random streams passed to kernels
by address, at a tenth of a Generator argument's cost). Kernels with many arguments take them
bundled by name (:mod:`.bundles`).

numba's disk cache is checked against the kernels' sources before they load
(:mod:`._cache`): a kernel whose callee in another file changed is recompiled, not reused.
"""

from sales_abm.kernels import _cache  # noqa: F401 - checks the cache first (on import)
from sales_abm.kernels.bundles import (
    Csr,
    Entrants,
    Evaluations,
    Funnel,
    LedgerArrays,
    MeetingRules,
    Owners,
    Prospects,
    Renewal,
    RepBooks,
    RepColumns,
)
from sales_abm.kernels.calls import book_calls, place_calls, place_calls_by_level
from sales_abm.kernels.learning import (
    add_pending,
    appraise_training,
    close_due,
    close_period,
    credit_events,
    credit_week,
    end_period_sums,
    fold_moments,
    learn_due,
    learn_week,
    open_ledger_week,
    solve_ridge,
    strategy_means,
)
from sales_abm.kernels.meetings import hold_meetings, resolve_cycles, triage
from sales_abm.kernels.money import money_arrays, settle_week
from sales_abm.kernels.network import learn_from_neighbours, neighbour_hits, rewire_ring
from sales_abm.kernels.recording import (
    add_in_order,
    masked_mean_sd,
    pairwise_sum,
    record_week,
    sums,
)
from sales_abm.kernels.recovery import advance_market, draw_prospects
from sales_abm.kernels.staffing import call_columns, sample_actions, sample_proportional
from sales_abm.kernels.status import (
    AVAILABLE,
    BOOKED,
    BURNED,
    COOLING,
    CUSTOMER,
    CYCLE,
    N_STATUSES,
    market_measures,
    rows_due,
    rows_with_status,
    status_counts,
)
from sales_abm.kernels.streams import StreamHandles, generator_from, stream_handle

__all__ = [
    "AVAILABLE", "BOOKED", "BURNED", "COOLING", "CUSTOMER", "CYCLE", "N_STATUSES", "Csr",
    "Entrants", "Evaluations", "Funnel", "LedgerArrays", "MeetingRules", "Owners", "Prospects",
    "Renewal", "RepBooks", "RepColumns", "StreamHandles", "add_in_order", "add_pending",
    "advance_market", "appraise_training", "book_calls", "call_columns", "close_due",
    "close_period", "credit_events", "credit_week", "draw_prospects", "end_period_sums",
    "fold_moments", "generator_from", "hold_meetings", "learn_due", "learn_from_neighbours",
    "learn_week", "market_measures", "masked_mean_sd",
    "money_arrays", "neighbour_hits", "open_ledger_week", "pairwise_sum", "place_calls",
    "place_calls_by_level", "record_week", "resolve_cycles", "rewire_ring", "rows_due",
    "rows_with_status", "sample_actions", "sample_proportional", "settle_week", "solve_ridge",
    "status_counts", "strategy_means", "stream_handle", "sums", "triage",
]
