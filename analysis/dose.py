"""Experiment 2 — dose–response (price × audit, hybrid weight): numbers and fragment."""

from __future__ import annotations

import polars as pl

from analysis import stats
from analysis.common import Section, outcome_frame, put_run_info
from analysis.data import Results
from analysis.numbers import Numbers, keyify
from analysis.theory_arms import put_theory_arms, theory_arm_text
from analysis.typst import Fragment, ci, num, verb, verdict

GRID, HYBRID = "dose_response", "dose_hybrid"
OUTS = ("close_rate_last", "gaming_last", "client_roi", "appointments_last", "outsourcer_profit")
#: A price is past the switch when it raises the gaming index by at least this much (paired,
#: against price 0 at the same audit rate) with a 95% interval above zero.
SWITCH_DELTA = 0.05


def grid_frame(results: Results) -> pl.DataFrame:
    """Summaries of the price × audit grid (labels ``price``, ``audit``; numbers
    ``price_value``, ``audit_value`` from the design table)."""
    return outcome_frame(results.summaries(GRID))


def hybrid_frame(results: Results) -> pl.DataFrame:
    """Summaries of the hybrid-weight design (label ``weight``, number ``weight_value``)."""
    return outcome_frame(results.summaries(HYBRID))


def compute(results: Results) -> Numbers:
    """Cell means, the switch price per audit rate, the audit effect and the hybrid slope."""
    n = Numbers("dose_response")
    put_run_info(n, results, GRID, "grid.")
    put_run_info(n, results, HYBRID, "hybrid.")
    grid = grid_frame(results)
    _cells(n, grid)
    _switch(n, grid)
    _audit_effect(n, grid)
    _lowest_price(n, grid)
    _hybrid(n, hybrid_frame(results))
    n.set("switch_delta", SWITCH_DELTA)
    _theory(n, results)
    close = "hybrid.diff.close_rate_last.{}.mean"
    on_set = n.get(close.format("set"))
    n.set("hybrid.qualified_over_set_close_rate",
          n.get(close.format("qualified")) / on_set if on_set else None)
    return n


def _extremes(results: Results, name: str, factor: str) -> tuple[str, str]:
    """The labels of a factor's lowest and highest level in the design at this scale."""
    points = results.spec(name).resolve(results.scale).points
    levels = sorted({(p.factors[f"{factor}_value"], p.factors[factor]) for p in points})
    return levels[0][1], levels[-1][1]


def _theory(n: Numbers, results: Results) -> None:
    """The falsification arms against the rep's best response: under full audit, the highest
    price against the lowest (``theory_audit``); billed on qualified meetings, the highest hybrid
    weight against the lowest (``theory_hybrid``). Each is one only if the move books no more
    junk (:mod:`analysis.theory_arms`)."""
    low, high = _extremes(results, GRID, "price")
    full = _extremes(results, GRID, "audit")[1]
    put_theory_arms(n, results, GRID, {"full_audit": {"price": high, "audit": full}},
                    {"price": low, "audit": full}, prefix="theory_audit")
    w0, w1 = _extremes(results, HYBRID, "weight")
    put_theory_arms(n, results, HYBRID, {"qualified": {"weight": w1, "basis": "qualified"}},
                    {"weight": w0, "basis": "qualified"}, prefix="theory_hybrid")


def _sorted_levels(frame: pl.DataFrame, label: str, value: str) -> list[tuple[str, float]]:
    pairs = frame.select(label, value).unique().sort(value)
    return list(zip(pairs[label].to_list(), pairs[value].to_list(), strict=True))


def _cells(n: Numbers, grid: pl.DataFrame) -> None:
    for a, _ in _sorted_levels(grid, "audit", "audit_value"):
        for p, _ in _sorted_levels(grid, "price", "price_value"):
            cell = grid.filter((pl.col("audit") == a) & (pl.col("price") == p))
            for out in OUTS:
                n.set(f"grid.{out}.a{keyify(a)}.p{keyify(p)}", stats.mean_ci(cell[out]).as_dict())


def switch_price(grid: pl.DataFrame, audit: str) -> tuple[float | None, list[stats.Paired]]:
    """The lowest price past the switch to gaming at one audit rate (None if none is).

    Returns:
        The switch price and the paired gaming differences against price 0, by price.
    """
    rows = grid.filter(pl.col("audit") == audit)
    prices = _sorted_levels(rows, "price", "price_value")
    base = prices[0][0]
    diffs = [stats.paired(rows, "price", "gaming_last", p, base) for p, _ in prices]
    for (_, value), d in zip(prices, diffs, strict=True):
        if d.diff.mean >= SWITCH_DELTA and d.diff.ci_low > 0:
            return value, diffs
    return None, diffs


def _switch(n: Numbers, grid: pl.DataFrame) -> None:
    found = 0
    for a, value in _sorted_levels(grid, "audit", "audit_value"):
        price, diffs = switch_price(grid, a)
        n.set(f"switch.by_audit.a{keyify(a)}.audit", value)
        n.set(f"switch.by_audit.a{keyify(a)}.price", price)
        n.set(f"switch.by_audit.a{keyify(a)}.gaming_gap_max_price", diffs[-1].as_dict())
        found += price is not None
    n.set("switch.audit_levels_with_switch", found)
    n.set("switch.audit_levels", int(grid["audit"].n_unique()))


def _audit_effect(n: Numbers, grid: pl.DataFrame) -> None:
    """Full audit against none, at the highest price (the falsification row)."""
    top = _sorted_levels(grid, "price", "price_value")[-1]
    audits = _sorted_levels(grid, "audit", "audit_value")
    rows = grid.filter(pl.col("price") == top[0])
    n.set("audit_effect.price", top[1])
    for out in OUTS:
        d = stats.paired(rows, "audit", out, audits[-1][0], audits[0][0])
        n.set(f"audit_effect.{out}", d.as_dict())


def _lowest_price(n: Numbers, grid: pl.DataFrame) -> None:
    """The cell with the lowest price and no audit: where the client pays least for most."""
    price = _sorted_levels(grid, "price", "price_value")[0]
    audit = _sorted_levels(grid, "audit", "audit_value")[0]
    cell = grid.filter((pl.col("price") == price[0]) & (pl.col("audit") == audit[0]))
    n.set("lowest_price.price", price[1])
    for out in ("client_roi", "outsourcer_profit"):
        n.set(f"lowest_price.{out}", stats.mean_ci(cell[out]).as_dict())


def _hybrid(n: Numbers, hybrid: pl.DataFrame) -> None:
    weights = _sorted_levels(hybrid, "weight", "weight_value")
    for basis in hybrid["basis"].unique(maintain_order=True).to_list():
        rows = hybrid.filter(pl.col("basis") == basis)
        for w, _ in weights:
            cell = rows.filter(pl.col("weight") == w)
            for out in OUTS:
                n.set(f"hybrid.{out}.{basis}.w{keyify(w)}", stats.mean_ci(cell[out]).as_dict())
        for out in OUTS:
            d = stats.paired(rows, "weight", out, weights[-1][0], weights[0][0])
            n.set(f"hybrid.diff.{out}.{basis}", d.as_dict())


# -- fragment ----------------------------------------------------------------------------------


def fragment(n: Numbers) -> Fragment:
    """The results text of experiment 2."""
    f = Fragment("dose_response", "Dose–response")
    f.para(
        f"Over the price × audit grid ({num(n, 'grid.points')} design points, "
        f"{num(n, 'grid.seeds')} seeds each), a price is counted past the switch to gaming when "
        f"it raises the long-run gaming index by at least {num(n, 'switch_delta')} over price 0 "
        f"at the same audit rate (paired by seed, 95% interval above zero).",
        _switch_sentence(n),
        f"At the highest price ({num(n, 'audit_effect.price')} USD) a full audit with clawback "
        f"{verb(n, 'audit_effect.gaming_last', 'raises', 'lowers', 'does not change')} the "
        f"gaming index (paired difference {ci(n, 'audit_effect.gaming_last')}) and "
        f"{verb(n, 'audit_effect.close_rate_last', 'raises', 'lowers', 'does not change')} "
        f"the close rate ({ci(n, 'audit_effect.close_rate_last')}); client ROI changes by "
        f"{ci(n, 'audit_effect.client_roi')}.",
        participation_caveat(n),
        theory_arm_text(n, "full_audit", "the highest price under full audit", "the lowest "
                        "price under full audit", prefix="theory_audit"),
    )
    f.figure("dose_heatmaps",
             "Long-run cohort close rate, gaming index and client ROI over price per "
             "appointment and audit rate (means over seeds; the outsourcer passes a fixed share "
             "of the price to its reps as a bonus). The outlined cell in each row is the switch "
             "to gaming. The client's ROI assumes an outsourcer with no participation "
             "constraint: it works at any price, even at a loss, so the ROI of cheap cells is "
             "not one a client could buy.")
    f.para(
        f"Moving the hybrid weight from a pure retainer to pure per-appointment pay, billed on "
        f"appointments set, "
        f"{verb(n, 'hybrid.diff.gaming_last.set', 'raises', 'lowers', 'does not change')} the "
        f"gaming index (paired difference {ci(n, 'hybrid.diff.gaming_last.set')}) and changes "
        f"the close rate by "
        f"{ci(n, 'hybrid.diff.close_rate_last.set')}. Paid only on qualified held meetings "
        f"the same move changes the gaming index by "
        f"{ci(n, 'hybrid.diff.gaming_last.qualified')} and the close rate by "
        f"{ci(n, 'hybrid.diff.close_rate_last.qualified')}.",
        theory_arm_text(n, "qualified", "the highest weight billed on qualified meetings",
                        "the lowest", prefix="theory_hybrid"),
        verdict(falsification_verdict(n), n))
    f.figure("dose_hybrid",
             "Hybrid weight from retainer to per-appointment pay, billed on appointments "
             "set or on qualified held meetings: close rate, gaming index and client ROI "
             "(means over seeds with 95% intervals).")
    return f


def falsification_verdict(n: Numbers) -> str:
    """What the two falsification arms show, for each arm the theory supports: under full audit
    no price may switch reps to gaming; billed on qualified meetings a higher hybrid weight may
    not lower the close rate (an interval below zero is harm where the theory predicts none)."""
    said = []
    if n.get("theory_audit.full_audit.supported"):
        full = max(n.get("switch.by_audit"), key=lambda k: n.get(f"switch.by_audit.{k}.audit"))
        switched = n.get(f"switch.by_audit.{full}.price") is not None
        said.append("under full audit a higher price switches reps to gaming after all, so "
                    "that arm shows harm the theory does not predict" if switched else
                    "under full audit no price switches reps to gaming, as the theory predicts")
    if n.get("theory_hybrid.qualified.supported"):
        close = "hybrid.diff.close_rate_last.{}"
        high = n.get(close.format("qualified") + ".ci_high")
        if high is not None and high < 0:
            ratio = n.get("hybrid.qualified_over_set_close_rate")
            size = "a smaller" if ratio is not None and 0 <= ratio < 1 else "a"
            said.append(f"billed on qualified meetings a higher hybrid weight still lowers the "
                        f"close rate, by {num(n, 'hybrid.qualified_over_set_close_rate')} "
                        f"times the fall when billed on appointments set: that arm shows "
                        f"{size} harm the theory does not predict, so not all of the hybrid's "
                        f"effect comes from what is billed")
        else:
            said.append("billed on qualified meetings a higher hybrid weight does not lower the "
                        "close rate, as the theory predicts")
    if not said:
        return "The theory supports neither arm as a falsification arm."
    text = "; ".join(said)
    return text[:1].upper() + text[1:] + "."


def participation_caveat(n: Numbers) -> str:
    """The client ROI of the cheap cells, beside what they leave the outsourcer."""
    roi, profit = "lowest_price.client_roi", "lowest_price.outsourcer_profit"
    text = (
        f"These client returns come from an outsourcer with no participation constraint (it "
        f"cannot refuse or leave a contract): at a price of {num(n, 'lowest_price.price')} USD "
        f"and no audit the client's ROI is {ci(n, roi)}")
    if (n.get(profit + ".ci_high") or 0) < 0:
        return text + (f" while the outsourcer loses money ({ci(n, profit)} USD), a contract no "
                       f"outsourcer would sign.")
    return text + f" and the outsourcer's profit {ci(n, profit)} USD."


def _switch_sentence(n: Numbers) -> str:
    audits = sorted(n.get("switch.by_audit"), key=lambda k: n.get(f"switch.by_audit.{k}.audit"))
    said = []
    for a in audits:
        rate = f"audit rate {num(n, f'switch.by_audit.{a}.audit')}"
        if n.get(f"switch.by_audit.{a}.price") is None:
            said.append(f"no price up to the grid's highest switches reps to gaming at {rate}")
        else:
            price = num(n, f"switch.by_audit.{a}.price")
            said.append(f"at {rate} the switch comes at {price} USD")
    text = "; ".join(said)
    return text[:1].upper() + text[1:] + "." if text else ""


SECTION = Section("dose_response",
                  "Dose–response: price per appointment, audits and hybrid weight",
                  (GRID, HYBRID), compute, "analysis.figures.dose", fragment)
