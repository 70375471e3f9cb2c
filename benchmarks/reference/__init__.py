"""A plain, one-agent-per-prospect Mesa implementation of the sales_abm mechanics.

It exists to dock the fast, vectorised model (:func:`sales_abm.model.run`) against an
implementation written for clarity: every prospect, rep, the outsourcer and the client is a
``mesa.Agent`` with its own attributes, and a week is a set of Python loops over agents, calls and
meetings. It reuses only the library's pure components (the scenario, contract settlement, the
learning rules, the recorder and the summary), so the funnel, the market dynamics and the week's
order are implemented independently. Random numbers are drawn in a different order (and mostly
from Python's :mod:`random`), so runs never match the fast model byte for byte; their
distributions must agree (``tests/docking``).
"""

from benchmarks.reference.model import ReferenceModel, run

__all__ = ["ReferenceModel", "run"]
