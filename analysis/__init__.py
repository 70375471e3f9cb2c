"""The paper's analysis: reads the experiments' results on disk, writes figures and numbers.

Entry points: ``python -m analysis.paper`` (the whole paper build, which ``sales-abm paper`` runs;
see :mod:`analysis.paper`), ``python -m analysis --scale quick`` (figures, numbers and fragments
only; see :mod:`analysis.__main__`), :func:`analysis.pipeline.write_paper_inputs` and
:func:`analysis.pipeline.run_all` (runs the experiments that are missing, through the runner).
"""

from analysis.pipeline import REQUIRED_EXPERIMENTS, run_all, write_paper_inputs

__all__ = ["REQUIRED_EXPERIMENTS", "run_all", "write_paper_inputs"]
