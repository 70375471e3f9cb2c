"""Shared interface and helpers for the learning rules.

Every rule is a vectorised population of independent learners: row ``i`` of every state array
belongs to learner ``i`` (one sales rep, say), and one call updates all rows at once. Rules draw
random numbers only from the generator passed to :meth:`Learner.choose`, so a run is a pure
function of the generator's seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple, Protocol, runtime_checkable

import numpy as np

#: Smallest value a propensity may take. Forgetting can shrink an unreinforced propensity
#: geometrically towards 0; flooring keeps it strictly positive so ``p = q / sum(q)`` is always
#: defined. It is the smallest normal float, so it never changes a probability that is not already
#: 0 to machine precision.
PROPENSITY_FLOOR = float(np.finfo(np.float64).tiny)

#: What every rule declares about itself, with the type of each value (see :class:`BaseLearner`).
METADATA: dict[str, type] = {
    "name": str,
    "display_name": str,
    "needs_foregone": bool,
    "uses_foregone": bool,
    "uses_graph": bool,
}


class ParamSpec(NamedTuple):
    """One tunable parameter of a rule: default and closed admissible range ``[low, high]``."""

    default: float
    low: float
    high: float
    doc: str


@runtime_checkable
class Learner(Protocol):
    """What the model needs from a learning rule.

    Attributes:
        n_learners: Number of rows; each row learns independently.
        n_actions: Number of actions ``M`` available to every row.
        needs_foregone: True if :meth:`update` requires the foregone payoff of every action.
        uses_foregone: True if :meth:`update` reads foregone payoffs when it is given them.
    """

    n_learners: int
    n_actions: int
    needs_foregone: bool
    uses_foregone: bool

    def choose(self, rng: np.random.Generator) -> np.ndarray:
        """Sample one action per row from :meth:`probabilities` (int64, shape ``(n,)``)."""
        ...

    def update(
        self,
        actions: np.ndarray,
        payoffs: np.ndarray,
        foregone: np.ndarray | None = None,
        active: np.ndarray | None = None,
        validate: bool = True,
    ) -> None:
        """Learn from one round.

        Args:
            actions: int ``(n,)``, the action each row played.
            payoffs: float ``(n,)``, realised payoffs. Reinforcement rules (Roth–Erev) need them
                non-negative: the caller shifts them, and those rules also clip at 0.
            foregone: float ``(n, M)``, estimated payoff of every action, or None.
            active: bool ``(n,)``, rows to update; the others are untouched. Default all.
            validate: check shapes, types and ranges (False only for callers whose arrays are
                built to the contract, such as the model's sales force, where the checks would
                cost as much as the update).
        """
        ...

    def probabilities(self) -> np.ndarray:
        """Choice probabilities, shape ``(n, M)``, each row on the simplex."""
        ...

    def reset(self, rows: np.ndarray) -> None:
        """Re-initialise the given rows (indices or boolean mask), e.g. for a new hire."""
        ...

    def state(self) -> dict[str, np.ndarray]:
        """Copies of the arrays that define the learner's state."""
        ...


def resolve_params(
    rule: str, spec: Mapping[str, ParamSpec], params: Mapping[str, float] | None
) -> dict[str, float]:
    """Validate ``params`` against ``spec`` and fill in defaults.

    Args:
        rule: Rule name, used in error messages.
        spec: Admissible parameters of the rule.
        params: User-supplied values; keys must be in ``spec``.

    Returns:
        Every parameter of the rule as a float.

    Raises:
        ValueError: On an unknown key or a value outside its closed range (or not finite).
    """
    params = dict(params or {})
    unknown = sorted(set(params) - set(spec))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {unknown} for rule {rule!r}; allowed: {sorted(spec)}"
        )
    resolved = {}
    for name, ps in spec.items():
        value = float(params.get(name, ps.default))
        if not (np.isfinite(value) and ps.low <= value <= ps.high):
            raise ValueError(
                f"parameter {name!r} of rule {rule!r} must be in [{ps.low}, {ps.high}], got {value}"
            )
        resolved[name] = value
    return resolved


def sample_rows(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw one index per row of ``probs`` with a single ``rng.random(n)`` call.

    Comparing one uniform per row with the row's cumulative sums (inverse CDF) makes the draw
    deterministic given the generator and independent of how many actions have zero
    probability. Scaling by the row total absorbs rounding so an action whose probability is 0
    is never chosen.

    Args:
        probs: Non-negative weights, shape ``(n, M)``, rows with a positive sum.
        rng: Source of randomness.

    Returns:
        int64 array of shape ``(n,)`` with values in ``[0, M)``.
    """
    cum = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cum[:, -1]
    return (cum[:, :-1] <= u[:, None]).sum(axis=1).astype(np.int64)


def payoff_vectors(actions: np.ndarray, payoffs: np.ndarray, foregone: np.ndarray) -> np.ndarray:
    """Foregone payoff vectors with each chosen entry replaced by the realised payoff.

    ``foregone`` is an estimate; where the learner actually played, it knows the payoff, so
    belief- and attraction-based rules use the realised value there.
    """
    vectors = foregone.copy()
    vectors[np.arange(actions.shape[0]), actions] = payoffs
    return vectors


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large logits (subtracts the row maximum)."""
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


class BaseLearner:
    """Common machinery: parameter validation, argument checks, sampling, row masks.

    A rule is a subclass that declares its metadata (:data:`METADATA`: ``name``,
    ``display_name``, ``needs_foregone``, ``uses_foregone``, ``uses_graph``) and its
    ``PARAMETERS`` as class attributes, and implements ``probabilities``, ``reset``, ``state``
    and ``_update`` (which receives validated arrays and a boolean mask of the rows to update).
    The base class declares no metadata values, so a rule that forgets one fails at
    registration (:mod:`sales_abm.learning.registry`) instead of inheriting a wrong default.

    Attributes:
        name: Registry name, the value of the scenario's ``learning.rule``.
        display_name: How prose, tables and figures name the rule.
        needs_foregone: :meth:`update` raises without the foregone payoff of every action.
        uses_foregone: :meth:`update` reads foregone payoffs when given them (so the model
            estimates them for reps learning by the rule); true whenever ``needs_foregone`` is.
        uses_graph: The constructor takes a peer ``graph`` keyword (imitation rules).

    Args:
        n_learners: Number of independent rows.
        n_actions: Number of actions per row (at least 1).
        params: Rule parameters; missing ones take their defaults from ``PARAMETERS``.
    """

    name: ClassVar[str]
    display_name: ClassVar[str]
    needs_foregone: ClassVar[bool]
    uses_foregone: ClassVar[bool]
    uses_graph: ClassVar[bool]
    PARAMETERS: ClassVar[Mapping[str, ParamSpec]] = {}

    @classmethod
    def metadata(cls) -> dict[str, Any]:
        """The rule's metadata, ``{attribute: value}`` for every :data:`METADATA` attribute
        (like Axelrod's ``classifier``); raises AttributeError if one is not declared."""
        return {key: getattr(cls, key) for key in METADATA}

    def __init__(
        self, n_learners: int, n_actions: int, params: Mapping[str, float] | None = None
    ) -> None:
        if int(n_learners) < 0 or int(n_actions) < 1:
            raise ValueError(
                f"need n_learners >= 0 and n_actions >= 1, got {n_learners}, {n_actions}"
            )
        self.n_learners = int(n_learners)
        self.n_actions = int(n_actions)
        self.params = resolve_params(self.name, self.PARAMETERS, params)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n_learners={self.n_learners}, "
            f"n_actions={self.n_actions}, params={self.params})"
        )

    def choose(self, rng: np.random.Generator) -> np.ndarray:
        """Sample one action per row from :meth:`probabilities` with one vectorised draw."""
        return sample_rows(self.probabilities(), rng)

    def update(
        self,
        actions: np.ndarray,
        payoffs: np.ndarray,
        foregone: np.ndarray | None = None,
        active: np.ndarray | None = None,
        validate: bool = True,
    ) -> None:
        """Learn from one round; see :class:`Learner`. Inactive rows are left untouched.

        Raises:
            ValueError: On wrong shapes, out-of-range actions, non-finite payoffs, or missing
                ``foregone`` for a rule that needs it.
        """
        if not validate:
            self._update(actions, payoffs, foregone, active)
            return
        n, m = self.n_learners, self.n_actions
        actions = np.asarray(actions)
        if actions.shape != (n,) or not np.issubdtype(actions.dtype, np.integer):
            raise ValueError(f"actions must be an integer array of shape ({n},)")
        if n and (actions.min() < 0 or actions.max() >= m):
            raise ValueError(f"actions must lie in [0, {m})")
        payoffs = np.asarray(payoffs, dtype=np.float64)
        if payoffs.shape != (n,) or not np.all(np.isfinite(payoffs)):
            raise ValueError(f"payoffs must be a finite float array of shape ({n},)")
        if foregone is not None:
            foregone = np.asarray(foregone, dtype=np.float64)
            if foregone.shape != (n, m) or not np.all(np.isfinite(foregone)):
                raise ValueError(f"foregone must be a finite float array of shape ({n}, {m})")
        elif self.needs_foregone:
            raise ValueError(f"rule {self.name!r} needs foregone payoffs of shape ({n}, {m})")
        mask = np.ones(n, dtype=bool) if active is None else np.asarray(active)
        # An index array must not be mistaken for a mask, so insist on booleans.
        if mask.shape != (n,) or mask.dtype != bool:
            raise ValueError(f"active must be a boolean array of shape ({n},)")
        self._update(actions.astype(np.int64), payoffs, foregone, mask)

    def _update(
        self,
        actions: np.ndarray,
        payoffs: np.ndarray,
        foregone: np.ndarray | None,
        active: np.ndarray,
    ) -> None:
        raise NotImplementedError

    def probabilities(self) -> np.ndarray:
        """Choice probabilities, shape ``(n, M)``."""
        raise NotImplementedError

    def reset(self, rows: np.ndarray) -> None:
        """Re-initialise ``rows`` (indices or boolean mask)."""
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        """Copies of the state arrays."""
        raise NotImplementedError

    def _row_mask(self, rows: np.ndarray) -> np.ndarray:
        """Boolean mask of shape ``(n,)`` from an index array or a boolean mask."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            if rows.shape != (self.n_learners,):
                raise ValueError(f"boolean rows must have shape ({self.n_learners},)")
            return rows.copy()
        mask = np.zeros(self.n_learners, dtype=bool)
        mask[rows.astype(np.int64).ravel()] = True
        return mask
