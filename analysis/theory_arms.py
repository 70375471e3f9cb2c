"""What the static best response says about an experiment's arms: is an arm a falsification arm?

A falsification arm is one where pay-for-performance should *not* bring gaming. The theory module
(:func:`sales_abm.theory.best_response`) tells, per arm, the rep's myopic best response in the
arm's own scenario (as the experiment resolves it at the analysed scale; an arm that switches
terms through a ``[[schedule]]`` is read under its last terms), at the mean skill the arm's reps
reach in the runs' last quarter (:data:`LAST_WEEKS`). An arm is one the theory
supports as a falsification arm when its best response books no more junk than the control's
(junk share of the appointments booked no higher, up to :data:`TOLERANCE`): then gaming is not
what pays there, and harm in the runs would point elsewhere. An arm whose best response books
everyone (threshold 0) is not such an arm, whatever its name suggests. Where the claim is about
the client's return rather than gaming (the horizon), the criterion is the client's weekly
profit at the rep's best response instead: no lower than under the control.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import polars as pl

from analysis.data import Results
from analysis.numbers import Numbers
from analysis.typst import num

#: Junk shares closer than this are the same (the best response's grid is coarse).
TOLERANCE = 1e-9
#: The best response of an arm is taken at the reps' mean skill over its runs' last weeks: the
#: long-run close rate is made by reps at that skill, and what pays depends on it (a skilled rep
#: reads fit better, so screening pays more).
LAST_WEEKS = 13


def arm_scenario(results: Results, name: str, where: Mapping[str, Any]) -> tuple[int, Any]:
    """The index and scenario of the experiment's first design point whose factors match
    ``where``.

    Raises:
        KeyError: no point of the design matches.
    """
    from sales_abm.scenario import Scenario

    plan = results.spec(name).resolve(results.scale)
    for index, point in enumerate(plan.points):
        if all(point.factors.get(k) == v for k, v in where.items()):
            scenario = Scenario.from_dict(dict(point.overrides))
            if scenario.schedule:  # the terms in force after the last switch
                last = scenario.schedule[-1]
                scenario = dataclasses.replace(scenario, contract=last.contract, pay=last.pay)
            return index, scenario
    raise KeyError(f"{name}: no design point with {dict(where)}")


def reached_skill(results: Results, name: str, point: int) -> float:
    """The reps' mean skill over the last :data:`LAST_WEEKS` weeks of a design point's runs,
    averaged over its seeds."""
    weekly = results.weekly(name, ["mean_skill"])
    last = int(weekly["week"].max())
    rows = weekly.filter((pl.col("point") == point) & (pl.col("week") > last - LAST_WEEKS))
    return float(rows["mean_skill"].mean())


def best_response_row(scenario: Any, skill: float) -> dict[str, float]:
    """The best response's threshold, junk share, pressure, effort and the client's profit (per
    rep and week) in ``scenario``, at ``skill``."""
    from sales_abm.theory import best_response

    br = best_response(scenario, skill=skill)
    return {"threshold": float(br.threshold), "junk_share": float(br.row["junk_share"]),
            "pressure": float(br.pressure), "effort": float(br.effort),
            "client_profit": float(br.row["client_profit"]), "skill": float(skill)}


def arm_row(results: Results, name: str, where: Mapping[str, Any]) -> dict[str, float]:
    """:func:`best_response_row` of a design point at the skill its reps reach."""
    point, scenario = arm_scenario(results, name, where)
    return best_response_row(scenario, reached_skill(results, name, point))


def supports(arm: Mapping[str, float], control: Mapping[str, float],
             criterion: str = "junk_share") -> bool:
    """Whether the theory supports ``arm`` as a falsification arm against ``control``: its best
    response books no larger junk share (``criterion="junk_share"``) or leaves the client no
    less profit (``"client_profit"``)."""
    if criterion == "client_profit":
        return arm["client_profit"] >= control["client_profit"] - TOLERANCE
    return arm["junk_share"] <= control["junk_share"] + TOLERANCE


def put_theory_arms(n: Numbers, results: Results, name: str, arms: Mapping[str, Mapping],
                    control: Mapping[str, Any], prefix: str = "theory",
                    criterion: str = "junk_share") -> None:
    """``<prefix>.<arm>.{<best_response_row keys>,supported}`` per arm, ``<prefix>.control.*`` and
    ``<prefix>.criterion``: the best responses of the arms (factor filters) and the control."""
    base = arm_row(results, name, control)
    n.set(f"{prefix}.criterion", criterion)
    for key, value in base.items():
        n.set(f"{prefix}.control.{key}", value)
    for label, where in arms.items():
        row = arm_row(results, name, where)
        for key, value in row.items():
            n.set(f"{prefix}.{label}.{key}", value)
        n.set(f"{prefix}.{label}.supported", supports(row, base, criterion))


def theory_arm_text(n: Numbers, label: str, what: str, control: str,
                    prefix: str = "theory") -> str:
    """One sentence: the arm's best response against the control's and what it makes of the arm.

    Args:
        n: numbers holding :func:`put_theory_arms`' output.
        label: the arm's key under ``prefix``.
        what: the arm in words ("per-appointment pay on qualified meetings").
        control: the control in words ("the retainer").
        prefix: where :func:`put_theory_arms` stored the rows.
    """
    p = f"{prefix}.{label}"
    if n.get(f"{prefix}.criterion") == "client_profit":
        return _profit_text(n, p, what, control, prefix)
    text = (f"By the static best response at the skill its reps reach "
            f"({num(n, p + '.skill')}), {what} sets a threshold of "
            f"{num(n, p + '.threshold')} (junk share of bookings {num(n, p + '.junk_share')}) "
            f"against {num(n, prefix + '.control.threshold')} "
            f"({num(n, prefix + '.control.junk_share')}) under {control}")
    if n.get(p + ".supported"):
        return text + ": it books no more junk, so it is a falsification arm."
    zero = n.get(p + ".threshold") == 0
    return text + (": " + ("it books everyone, " if zero else "it books more junk, ")
                   + "so gaming pays there and it cannot be a falsification arm.")


def _profit_text(n: Numbers, p: str, what: str, control: str, prefix: str) -> str:
    """:func:`theory_arm_text` for the client-profit criterion."""
    text = (f"At the rep's static best response at the skill its reps reach "
            f"({num(n, p + '.skill')}), {what} leaves the client "
            f'{usd(n, p + ".client_profit")} per rep and week (threshold '
            f"{num(n, p + '.threshold')}) against {usd(n, prefix + '.control.client_profit')} "
            f"under {control}")
    if n.get(p + ".supported"):
        return text + ": it should keep paying off, so it is a falsification arm."
    return text + ": it pays off less even in theory, so it cannot be a falsification arm."


def usd(n: Numbers, path: str) -> str:
    """``#usd("slot.path")``: a dollar amount through the paper's helper."""
    return f'#usd("{n.key(path)}")' if n.get(path) is not None else "n/a"
