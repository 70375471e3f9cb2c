"""Roth–Erev reinforcement learning, basic and modified.

References:
    Erev, I. & Roth, A. E. (1998). Predicting how people play games: reinforcement learning in
    experimental games with unique, mixed strategy equilibria. *American Economic Review* 88(4),
    848–881. Three-parameter model, estimates: forgetting (recency) phi = 0.1, experimentation
    epsilon = 0.2, initial strength s(1) = 9 with ``q_j(1) = s(1) * X / M`` (X = average absolute
    payoff).

    Nicolaisen, J., Petrov, V. & Tesfatsion, L. (2001). Market power and efficiency in a
    computational electricity market with discriminatory double-auction pricing. *IEEE
    Transactions on Evolutionary Computation* 5(5), 504–523. Modified rule: unchosen actions are
    updated from their own propensity, so zero payoffs still move probabilities.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numba import njit

from sales_abm.learning.base import PROPENSITY_FLOOR, BaseLearner, ParamSpec

_PARAMETERS = {
    "forgetting": ParamSpec(
        0.1, 0.0, 1.0, "phi: share of every propensity forgotten per update (Erev & Roth 1998)."
    ),
    "experimentation": ParamSpec(
        0.2,
        0.0,
        1.0,
        "epsilon: share of the reinforcement spread over unchosen actions (Erev & Roth 1998).",
    ),
    "initial_propensity": ParamSpec(
        9.0,
        1e-9,
        1e9,
        "s(1)*X: total initial propensity, split equally so q_j(1) = value / M. Erev & Roth "
        "(1998) estimate s(1) = 9 in units of the average absolute payoff X, so the default "
        "assumes payoffs scaled to X = 1; multiply by X otherwise.",
    ),
}


class RothErev(BaseLearner):
    """Basic Roth–Erev with forgetting and experimentation (Erev & Roth 1998).

    With chosen action ``k`` and payoff ``pi`` (clipped at 0)::

        q_j <- (1 - phi) * q_j + E_j,
        E_k = (1 - eps) * pi,   E_j = eps * pi / (M - 1) for j != k,
        p_j = q_j / sum(q).

    With ``M = 1`` there is nothing to experiment with and ``E_k = pi``. Payoffs must be
    non-negative: the caller shifts them (subtracts a lower bound), and this class also clips
    at 0 as a guard. Propensities are floored at :data:`PROPENSITY_FLOOR` so that ``phi = 1``
    with zero payoffs, or long runs of forgetting, cannot drive a row to all zeros.

    Note:
        With ``eps > 0`` the dominant action's probability tends to ``1 - eps`` rather than 1:
        unchosen actions keep receiving ``eps * pi / (M - 1)`` each round.
    """

    name = "roth_erev"
    display_name = "Roth–Erev"
    needs_foregone = False
    uses_foregone = False
    uses_graph = False
    PARAMETERS: Mapping[str, ParamSpec] = _PARAMETERS

    def __init__(
        self, n_learners: int, n_actions: int, params: Mapping[str, float] | None = None
    ) -> None:
        super().__init__(n_learners, n_actions, params)
        self.propensities = np.empty((self.n_learners, self.n_actions))
        self.reset(np.ones(self.n_learners, dtype=bool))

    def probabilities(self) -> np.ndarray:
        """``p_j = q_j / sum_k q_k`` per row."""
        return self.propensities / self.propensities.sum(axis=1, keepdims=True)

    def reset(self, rows: np.ndarray) -> None:
        """Set the propensities of ``rows`` back to ``initial_propensity / M``."""
        self.propensities[self._row_mask(rows)] = self.params["initial_propensity"] / self.n_actions

    def state(self) -> dict[str, np.ndarray]:
        """``{"propensities": (n, M)}``."""
        return {"propensities": self.propensities.copy()}

    #: Unchosen actions are reinforced from their own propensity (the modified rule).
    modified = False

    def _spillover(self) -> float:
        """``eps / (M - 1)``, or 0 when there is no other action."""
        m = self.n_actions
        return self.params["experimentation"] / (m - 1) if m > 1 else 0.0

    def reinforcement(self) -> tuple[float, float, float, bool]:
        """The constants of :func:`reinforce`: ``(1 - phi, E_k / pi, E_j / pi or the modified
        rule's share, modified)``."""
        keep = 1.0 - self.params["experimentation"] if self.n_actions > 1 else 1.0
        return 1.0 - self.params["forgetting"], keep, self._spillover(), self.modified

    def _update(
        self,
        actions: np.ndarray,
        payoffs: np.ndarray,
        foregone: np.ndarray | None,
        active: np.ndarray,
    ) -> None:
        decay, keep, spillover, modified = self.reinforcement()
        reinforce(self.propensities, actions, payoffs, active, decay, keep, spillover, modified,
                  PROPENSITY_FLOOR)


@njit(cache=True, nogil=True)
def reinforce(q, actions, payoffs, active, decay, keep, spillover, modified,
              floor):  # pragma: no cover - compiled
    """``q_j <- max((1 - phi) q_j + E_j, floor)`` in place for the active rows, one pass.

    ``E_k = keep * pi`` for the chosen action; an unchosen one gets ``spillover * pi``, or
    ``q_j * spillover`` under the modified rule.
    """
    n, m = q.shape
    for i in range(n):
        if not active[i]:
            continue
        pi = max(payoffs[i], 0.0)
        for j in range(m):
            old = q[i, j]
            if j == actions[i]:
                reinforcement = keep * pi
            elif modified:
                reinforcement = old * spillover
            else:
                reinforcement = spillover * pi
            q[i, j] = max(decay * old + reinforcement, floor)


class ModifiedRothErev(RothErev):
    """Modified Roth–Erev (Nicolaisen, Petrov & Tesfatsion 2001).

    As :class:`RothErev` except that unchosen actions get ``E_j = q_j * eps / (M - 1)`` (their
    own pre-update propensity), so learning continues when payoffs are zero.

    Note:
        An unchosen propensity is multiplied by ``1 - phi + eps / (M - 1)`` per round. It decays
        only if ``eps / (M - 1) < phi``; at the Erev–Roth values (phi = 0.1, eps = 0.2) it stays
        constant for ``M = 3`` and *grows* for ``M = 2``. NPT used many actions, where the
        spillover is small.
    """

    name = "modified_roth_erev"
    display_name = "modified Roth–Erev"
    modified = True
