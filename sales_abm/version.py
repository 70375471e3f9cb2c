"""The model's version: which mechanics produced a stored result.

Kept apart from :mod:`sales_abm.model` so that the runner, the analysis and the paper read it
without importing the model (and Mesa and the compiled kernels with it).
"""

#: Bump when the model's mechanics change, so stored results are known to be stale (it is part
#: of every run key, :mod:`sales_abm.runner.identity`).
MODEL_VERSION = "7"
