"""Learning rules for boundedly rational agents: pure numpy, vectorised over learners.

Each rule implements :class:`Learner`; build one by name with :func:`make_learner` and look up
its tunable parameters (default, range, source) in :data:`RULE_PARAMETERS` and what it declares
about itself (name, display name, whether it reads foregone payoffs or a peer graph) with
``RULES[name].metadata()``.
"""

from sales_abm.learning.base import (
    METADATA,
    PROPENSITY_FLOOR,
    BaseLearner,
    Learner,
    ParamSpec,
)
from sales_abm.learning.ewa import EWA
from sales_abm.learning.fictitious_play import FictitiousPlay, SmoothFictitiousPlay
from sales_abm.learning.games import PlayRecord, play, shift_nonnegative
from sales_abm.learning.imitation import Fermi, ImitateBest
from sales_abm.learning.registry import RULE_PARAMETERS, RULES, make_learner
from sales_abm.learning.replicator import (
    ReplicatorDynamics,
    ReplicatorLearner,
    replicator_step,
    replicator_velocity,
)
from sales_abm.learning.roth_erev import ModifiedRothErev, RothErev

__all__ = [
    "EWA",
    "METADATA",
    "PROPENSITY_FLOOR",
    "RULES",
    "RULE_PARAMETERS",
    "BaseLearner",
    "Fermi",
    "FictitiousPlay",
    "ImitateBest",
    "Learner",
    "ModifiedRothErev",
    "ParamSpec",
    "PlayRecord",
    "ReplicatorDynamics",
    "ReplicatorLearner",
    "RothErev",
    "SmoothFictitiousPlay",
    "make_learner",
    "play",
    "replicator_step",
    "replicator_velocity",
    "shift_nonnegative",
]
