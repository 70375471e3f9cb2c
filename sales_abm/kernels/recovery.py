"""The end-of-week pass over the market: rests and burns end, receptivity recovers."""

from __future__ import annotations

import numpy as np
from numba import njit

from sales_abm.kernels.status import AVAILABLE, BURNED, COOLING, CUSTOMER, N_STATUSES


@njit(cache=True, nogil=True)
def recover(prospects, week, recovery_rate):  # pragma: no cover - compiled
    """End the rests and burns due by next week and let receptivity drift back to its base.

    One pass over the market; returns the customers' rows (ascending) and how many rows are
    in each status afterwards.

    Args:
        prospects: the market's columns (:class:`~.bundles.Prospects`); status and
            receptivity are written.
        week: the current week.
        recovery_rate: share of the gap to the base receptivity recovered.
    """
    status, until = prospects.status, prospects.until
    receptivity, base_receptivity = prospects.receptivity, prospects.base_receptivity
    customers = np.empty(status.size, dtype=np.int64)
    counts = np.zeros(N_STATUSES, dtype=np.int64)
    k = 0
    for row in range(status.size):
        st = status[row]
        if st in (COOLING, BURNED) and until[row] <= week + 1:
            st = AVAILABLE
            status[row] = st
        elif st == CUSTOMER:
            customers[k] = row
            k += 1
        counts[st] += 1
        rec = receptivity[row]
        receptivity[row] = rec + (base_receptivity[row] - rec) * recovery_rate
    return customers[:k], counts
