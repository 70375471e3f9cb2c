"""Interactive exploration: a Solara page (Mesa's SolaraViz) that runs two contracts side by side.

Needs the optional ``viz`` extra (``pip install 'sales_abm[viz]'``). Only :mod:`sales_abm.viz.app`
and :mod:`sales_abm.viz.charts` import Solara or Altair; :mod:`sales_abm.viz.cli` imports nothing
heavy, so ``sales-abm --help`` stays fast.
"""
