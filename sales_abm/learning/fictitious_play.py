"""Fictitious play, classic and smooth, as learners over a row's own actions.

A fictitious player best-responds to the empirical distribution of what it has faced. Because
expected payoff is linear in that belief, the expected payoff of each own action under the
(weighted) empirical belief equals the (weighted) average of the foregone payoff vectors seen so
far. These learners therefore keep that average and never need to know the opponents' actions,
which makes them usable wherever the model can estimate foregone payoffs.

References:
    Brown, G. W. (1951). Iterative solution of games by fictitious play. In *Activity Analysis
    of Production and Allocation*, 374–376.
    Fudenberg, D. & Levine, D. K. (1998). *The Theory of Learning in Games*. MIT Press
    (ch. 2 weighted/classic fictitious play; ch. 4 smooth fictitious play with logit choice).
    Shapley, L. S. (1964). Some topics in two-person games. *Advances in Game Theory*, 1–28.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sales_abm.learning.base import BaseLearner, ParamSpec, payoff_vectors, softmax

_PARAMETERS = {
    "memory": ParamSpec(
        1.0,
        0.0,
        1.0,
        "Weight phi on the past: 1 is classic fictitious play, < 1 discounts old observations "
        "geometrically (Fudenberg & Levine 1998).",
    ),
    "initial_weight": ParamSpec(
        0.0, 0.0, 1e9, "Prior weight W(0) (pseudo-observations behind initial_value)."
    ),
    "initial_value": ParamSpec(0.0, -1e9, 1e9, "Prior expected payoff of every action."),
}

_SMOOTH_PARAMETERS = {
    **_PARAMETERS,
    "lambda": ParamSpec(
        1.0,
        0.0,
        1e6,
        "Logit payoff sensitivity (Fudenberg & Levine 1998, ch. 4); depends on the payoff "
        "unit, the default assumes payoffs scaled to an average absolute payoff of 1.",
    ),
}


class FictitiousPlay(BaseLearner):
    """Classic (or geometrically weighted) fictitious play.

    With payoff vector ``pi`` (foregone payoffs, realised one at the chosen action)::

        W(t) = phi * W(t-1) + 1
        V(t) = [phi * W(t-1) * V(t-1) + pi] / W(t)

    ``V`` is the expected payoff of each action under the weighted empirical belief; this is
    EWA with ``delta = 1, rho = phi`` and ``N(0) = W(0)``. The row plays a best response to it.
    Ties (e.g. at the start) are broken uniformly at random by :meth:`choose`, so
    :meth:`probabilities` is uniform over the maximisers; this keeps the rule symmetric under
    relabelling actions. Ties are exact float equalities.

    Raises:
        ValueError: From :meth:`update` if ``foregone`` is None.
    """

    name = "fictitious_play"
    display_name = "fictitious play"
    needs_foregone = True
    uses_foregone = True
    uses_graph = False
    PARAMETERS: Mapping[str, ParamSpec] = _PARAMETERS

    def __init__(
        self, n_learners: int, n_actions: int, params: Mapping[str, float] | None = None
    ) -> None:
        super().__init__(n_learners, n_actions, params)
        self.values = np.empty((self.n_learners, self.n_actions))
        self.weight = np.empty(self.n_learners)
        self.reset(np.ones(self.n_learners, dtype=bool))

    def probabilities(self) -> np.ndarray:
        """Uniform over the actions with the highest expected payoff."""
        best = self.values == self.values.max(axis=1, keepdims=True)
        return best / best.sum(axis=1, keepdims=True)

    def reset(self, rows: np.ndarray) -> None:
        """Set the beliefs of ``rows`` back to the prior."""
        mask = self._row_mask(rows)
        self.values[mask] = self.params["initial_value"]
        self.weight[mask] = self.params["initial_weight"]

    def state(self) -> dict[str, np.ndarray]:
        """``{"values": (n, M), "weight": (n,)}``."""
        return {"values": self.values.copy(), "weight": self.weight.copy()}

    def _update(
        self,
        actions: np.ndarray,
        payoffs: np.ndarray,
        foregone: np.ndarray | None,
        active: np.ndarray,
    ) -> None:
        phi = self.params["memory"]
        pi = payoff_vectors(actions[active], payoffs[active], foregone[active])
        w_old = self.weight[active]
        w_new = phi * w_old + 1.0
        self.values[active] = (phi * w_old[:, None] * self.values[active] + pi) / w_new[:, None]
        self.weight[active] = w_new


class SmoothFictitiousPlay(FictitiousPlay):
    """Smooth (stochastic) fictitious play: logit response ``P_j ∝ exp(lambda * V_j)``.

    Same beliefs as :class:`FictitiousPlay`; equals EWA with ``delta = 1, rho = phi``.
    """

    name = "smooth_fictitious_play"
    display_name = "smooth fictitious play"
    PARAMETERS: Mapping[str, ParamSpec] = _SMOOTH_PARAMETERS

    def probabilities(self) -> np.ndarray:
        """Logit of ``lambda * V`` per row."""
        return softmax(self.params["lambda"] * self.values)
