"""Experience-weighted attraction learning (Camerer & Ho 1999).

Reference:
    Camerer, C. & Ho, T.-H. (1999). Experience-weighted attraction learning in normal form games.
    *Econometrica* 67(4), 827–874. Across their data sets the estimates cluster around
    delta ~ 0.5 (weight on foregone payoffs), phi ~ 0.9 (attraction decay) and rho ~ 0.9
    (experience decay); lambda (payoff sensitivity) depends on the payoff unit.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sales_abm.learning.base import BaseLearner, ParamSpec, payoff_vectors, softmax

_PARAMETERS = {
    "delta": ParamSpec(
        0.5, 0.0, 1.0, "Weight on foregone payoffs of unchosen actions (Camerer & Ho 1999)."
    ),
    "phi": ParamSpec(0.9, 0.0, 1.0, "Decay of past attractions (Camerer & Ho 1999)."),
    "rho": ParamSpec(0.9, 0.0, 1.0, "Decay of the experience weight N (Camerer & Ho 1999)."),
    "lambda": ParamSpec(
        1.0,
        0.0,
        1e6,
        "Logit payoff sensitivity; depends on the payoff unit, the default assumes payoffs "
        "scaled to an average absolute payoff of 1.",
    ),
    "initial_attraction": ParamSpec(0.0, -1e9, 1e9, "A_j(0) for every action."),
    "initial_experience": ParamSpec(
        1.0, 0.0, 1e9, "N(0); Camerer & Ho require N(0) <= 1 / (1 - rho)."
    ),
}


class EWA(BaseLearner):
    """Camerer–Ho EWA with parameters delta, phi, rho, lambda.

    With chosen action ``k`` and payoff vector ``pi`` (foregone payoffs, realised one at ``k``)::

        N(t)   = rho * N(t-1) + 1
        A_j(t) = [phi * N(t-1) * A_j(t-1) + (delta + (1 - delta) * 1[j = k]) * pi_j] / N(t)
        P_j    proportional to exp(lambda * A_j)          (stable softmax)

    Special cases: ``delta = 0, rho = 0`` (so ``N = 1``) gives cumulative reinforcement
    ``A_k <- phi * A_k + pi_k``; ``delta = 1, rho = phi`` gives weighted fictitious play
    (``phi = 1``: classic), whose attractions are expected payoffs under the empirical belief.

    When ``foregone`` is None the unchosen payoffs are unknown, so only the chosen action is
    reinforced (weight 1) and unchosen attractions just decay, as if ``delta = 0``.
    """

    name = "ewa"
    display_name = "EWA"
    # EWA can update without foregone payoffs (``delta`` then has no effect), but weighting
    # them is what sets it apart from reinforcement, so it reads them when given.
    needs_foregone = False
    uses_foregone = True
    uses_graph = False
    PARAMETERS: Mapping[str, ParamSpec] = _PARAMETERS

    def __init__(
        self, n_learners: int, n_actions: int, params: Mapping[str, float] | None = None
    ) -> None:
        super().__init__(n_learners, n_actions, params)
        self.attractions = np.empty((self.n_learners, self.n_actions))
        self.experience = np.empty(self.n_learners)
        self.reset(np.ones(self.n_learners, dtype=bool))

    def probabilities(self) -> np.ndarray:
        """Logit of ``lambda * A`` per row."""
        return softmax(self.params["lambda"] * self.attractions)

    def reset(self, rows: np.ndarray) -> None:
        """Set ``A`` and ``N`` of ``rows`` back to their initial values."""
        mask = self._row_mask(rows)
        self.attractions[mask] = self.params["initial_attraction"]
        self.experience[mask] = self.params["initial_experience"]

    def state(self) -> dict[str, np.ndarray]:
        """``{"attractions": (n, M), "experience": (n,)}``."""
        return {"attractions": self.attractions.copy(), "experience": self.experience.copy()}

    def _update(
        self,
        actions: np.ndarray,
        payoffs: np.ndarray,
        foregone: np.ndarray | None,
        active: np.ndarray,
    ) -> None:
        p = self.params
        chosen = actions[active]
        rows = np.arange(chosen.shape[0])
        n_old = self.experience[active]
        n_new = p["rho"] * n_old + 1.0
        weight = np.zeros((chosen.shape[0], self.n_actions))
        if foregone is None:
            pi = np.zeros_like(weight)
            pi[rows, chosen] = payoffs[active]
        else:
            pi = payoff_vectors(chosen, payoffs[active], foregone[active])
            weight[:] = p["delta"]
        weight[rows, chosen] = 1.0
        decayed = p["phi"] * n_old[:, None] * self.attractions[active]
        self.attractions[active] = (decayed + weight * pi) / n_new[:, None]
        self.experience[active] = n_new
