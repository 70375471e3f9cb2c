"""The reps' strategy space: its dimensions, each dimension's grid of levels, and fixed actions.

A rep's strategy is one level per dimension (calls planned, perceived-fit threshold, pressure),
each learned by its own learner. The model (:mod:`sales_abm.agents`), the theory
(:mod:`sales_abm.theory.best_response`) and the reference model build the same grid from here.
It needs nothing but the scenario and numpy, so the theory imports it without Mesa.
"""

from __future__ import annotations

import numpy as np

from sales_abm.scenario import Scenario

#: The strategy dimensions, in the order learners, tables and records use.
STRATEGY_DIMENSIONS = ("effort", "threshold", "pressure")


def strategy_levels(scenario: Scenario) -> dict[str, np.ndarray]:
    """The action grid of each strategy dimension (one learner per dimension).

    With threshold learning off the threshold "grid" is ``rep.initial_threshold`` alone, so reps
    use exactly that value (a grid level nearest to it could be far from it).
    """
    r = scenario.rep
    threshold = (np.linspace(0.0, r.threshold_max, r.threshold_levels)
                 if scenario.switches.threshold_learning else np.array([r.initial_threshold]))
    return {
        "effort": np.linspace(r.calls_min, r.calls_max, r.effort_levels).round(),
        "threshold": threshold,
        "pressure": np.linspace(0.0, 1.0, r.pressure_levels),
    }


def nearest(levels: np.ndarray, value: float) -> int:
    """Index of the level closest to ``value``."""
    return int(np.abs(levels - value).argmin())


def fixed_actions(scenario: Scenario, levels: dict[str, np.ndarray]) -> dict[str, int | None]:
    """The level a switched-off dimension is held at, per dimension (None: it is learned).

    Effort is held at the grid level nearest the middle of the call range, the threshold at
    ``rep.initial_threshold`` (the only level of its grid then), pressure at none (level 0).

    Args:
        scenario: The switches and the reps' parameters.
        levels: :func:`strategy_levels` of the scenario.
    """
    sw, rep = scenario.switches, scenario.rep
    return {
        "effort": None if sw.effort_learning else nearest(
            levels["effort"], (rep.calls_min + rep.calls_max) / 2),
        "threshold": None if sw.threshold_learning else nearest(
            levels["threshold"], rep.initial_threshold),
        "pressure": None if sw.pressure else 0,
    }
