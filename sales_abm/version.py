"""The model's version: which mechanics produced a stored result.

Kept apart from :mod:`sales_abm.model` so that the runner, the analysis and the paper read it
without importing the model (and Mesa and the compiled kernels with it).
"""

#: Bump when the model's mechanics change, so stored results are known to be stale (it is part
#: of every run key, :mod:`sales_abm.runner.identity`).
MODEL_VERSION = "8"
# 8: draws only what is used (a call's perception normal only on a connect, its agreement uniform
# only on a proposal, an entrant's fit from its own class's Beta only) and numerics the compiler
# reproduces (meeting chances, the market's means, the training appraisal compiled): the same
# laws as 7, different random numbers; docked with 7 (benchmarks/dock_versions.py,
# benchmarks/dock_results.py).
