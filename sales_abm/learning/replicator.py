"""Replicator dynamics: the mean-field reference for reinforcement and imitation.

For a symmetric game with payoff matrix ``A`` (``A[i, j]`` = payoff of strategy ``i`` against
``j``) and population shares ``x``::

    dx_i/dt = x_i * ((A x)_i - x' A x)

Nash equilibria are rest points and strictly dominated strategies vanish from interior starts
(Weibull 1995, *Evolutionary Game Theory*, ch. 3; Hofbauer & Sigmund 1998, *Evolutionary Games
and Population Dynamics*). Reinforcement learning with Cross's rule and imitation with
proportional switching have these dynamics as their mean field (Börgers & Sarin 1997, *JET*
77, 1–14; Schlag 1998, *JET* 78, 130–156).

The discrete step is explicit Euler. It preserves the sum of shares exactly (up to rounding)
and keeps them non-negative whenever ``dt * (max_i f_i - min_i f_i) < 1``; larger steps are
clipped at 0 and renormalised, which can make strategies extinct.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sales_abm.learning.base import BaseLearner, ParamSpec, payoff_vectors


def _euler(x: np.ndarray, fitness: np.ndarray, dt: float) -> np.ndarray:
    """One Euler step of ``x_i' = x_i (f_i - x.f)`` along the last axis, kept on the simplex."""
    mean = (x * fitness).sum(axis=-1, keepdims=True)
    x_new = np.maximum(x + dt * x * (fitness - mean), 0.0)
    return x_new / x_new.sum(axis=-1, keepdims=True)


def replicator_velocity(x: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Right-hand side ``x_i ((A x)_i - x' A x)``; ``x`` has shape ``(..., M)``."""
    fitness = x @ np.asarray(A, dtype=np.float64).T
    return x * (fitness - (x * fitness).sum(axis=-1, keepdims=True))


def replicator_step(x: np.ndarray, A: np.ndarray, dt: float) -> np.ndarray:
    """One Euler step of the replicator dynamics.

    Args:
        x: Population shares, shape ``(M,)`` or ``(..., M)`` for a batch of populations.
        A: Payoff matrix ``(M, M)``.
        dt: Step size.

    Returns:
        New shares, same shape as ``x``, on the simplex.
    """
    x = np.asarray(x, dtype=np.float64)
    return _euler(x, x @ np.asarray(A, dtype=np.float64).T, dt)


class ReplicatorDynamics:
    """Replicator dynamics of a fixed symmetric game.

    Args:
        A: Payoff matrix ``(M, M)``.
        dt: Euler step size.
    """

    def __init__(self, A: np.ndarray, dt: float = 0.01) -> None:
        self.A = np.asarray(A, dtype=np.float64)
        if self.A.ndim != 2 or self.A.shape[0] != self.A.shape[1]:
            raise ValueError(f"A must be square, got shape {self.A.shape}")
        self.dt = float(dt)

    def velocity(self, x: np.ndarray) -> np.ndarray:
        """Continuous-time vector field at ``x``."""
        return replicator_velocity(np.asarray(x, dtype=np.float64), self.A)

    def step(self, x: np.ndarray) -> np.ndarray:
        """One Euler step from ``x``."""
        return replicator_step(x, self.A, self.dt)

    def trajectory(self, x0: np.ndarray, steps: int) -> np.ndarray:
        """Shares after 0..steps Euler steps, shape ``(steps + 1, *x0.shape)``."""
        path = [np.asarray(x0, dtype=np.float64)]
        for _ in range(steps):
            path.append(self.step(path[-1]))
        return np.stack(path)


class ReplicatorLearner(BaseLearner):
    """Each row holds mixed-strategy shares moved by the replicator step of its payoff vector.

    ``x <- x + dt * x * (pi - x . pi)``, with ``pi`` the foregone payoff vector (realised payoff
    at the chosen action); the deterministic mean of Cross (1973) reinforcement learning.
    Starts uniform. An action whose share reaches 0 never returns.
    """

    name = "replicator"
    display_name = "replicator"
    PARAMETERS: Mapping[str, ParamSpec] = {
        "dt": ParamSpec(
            0.1,
            0.0,
            1e6,
            "Euler step; keep dt * payoff range < 1 so shares stay positive without clipping.",
        ),
    }
    needs_foregone = True
    uses_foregone = True
    uses_graph = False

    def __init__(
        self, n_learners: int, n_actions: int, params: Mapping[str, float] | None = None
    ) -> None:
        super().__init__(n_learners, n_actions, params)
        self.shares = np.empty((self.n_learners, self.n_actions))
        self.reset(np.ones(self.n_learners, dtype=bool))

    def probabilities(self) -> np.ndarray:
        """The shares themselves."""
        return self.shares.copy()

    def reset(self, rows: np.ndarray) -> None:
        """Set ``rows`` back to uniform shares."""
        self.shares[self._row_mask(rows)] = 1.0 / self.n_actions

    def state(self) -> dict[str, np.ndarray]:
        """``{"shares": (n, M)}``."""
        return {"shares": self.shares.copy()}

    def _update(
        self,
        actions: np.ndarray,
        payoffs: np.ndarray,
        foregone: np.ndarray | None,
        active: np.ndarray,
    ) -> None:
        pi = payoff_vectors(actions[active], payoffs[active], foregone[active])
        self.shares[active] = _euler(self.shares[active], pi, self.params["dt"])
