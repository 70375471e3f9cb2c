"""Issue 15's judged figures at default scale, seeds 0..N-1 (default 8), paired by seed.

Prints, each with a 95% t interval over seeds: per_appointment's last-quarter mean propensity to
accept against the retainer's; the retainer's available good-fit share at the last week against
week 0 (market entry on and off); annual attrition per contract; what the termination and AE
capacity switches change under per_appointment; and both arms of every new mechanism.

Usage: ``python benchmarks/judge_issue15.py [N]`` (about a second per run).
"""

from __future__ import annotations

import sys

import numpy as np

from analysis.stats import mean_ci
from sales_abm.model import SalesModel, run
from sales_abm.scenario import Scenario

BAD_OUTSOURCER = {"switches.threshold_learning": False, "rep.initial_threshold": 0.0,
                  "rep.skill_initial": 0.0, "rep.training_gain": 0.0}


def ci(x: np.ndarray) -> str:
    """Mean and 95% t interval, as text (the analysis's estimator)."""
    e = mean_ci(x)
    return f"{e.mean:+.4g} [{e.ci_low:+.4g}, {e.ci_high:+.4g}]"


def runs(preset: str, n: int, **over: object) -> list:
    sc = Scenario.from_dict({"contract.preset": preset, **over})
    return [run(sc, seed) for seed in range(n)]


def last13(rs: list, col: str) -> np.ndarray:
    return np.array([float(r.weekly[col][-13:].mean()) for r in rs])


def total(rs: list, col: str) -> np.ndarray:
    return np.array([float(r.weekly[col].sum()) for r in rs])


def main(n: int = 8) -> None:
    print(f"seeds 0..{n - 1}, default scenario (20 reps, 20,000 prospects, 156 weeks)")
    ret, pa = runs("retainer", n), runs("per_appointment", n)
    acc_r, acc_p = last13(ret, "mean_prospect_accept"), last13(pa, "mean_prospect_accept")
    print(f"mean_prospect_accept, last 13 weeks: retainer {ci(acc_r)}, per_appointment "
          f"{ci(acc_p)}; per_appointment - retainer {ci(acc_p - acc_r)} "
          f"(below in {(acc_p < acc_r).sum()}/{n})")
    no_entry = runs("retainer", n, **{"switches.market_entry": False})
    for label, rs in (("market entry on", ret), ("market entry off", no_entry)):
        g = np.array([r.weekly["good_fit_share_available"].to_numpy()[[0, -1]] for r in rs])
        d = g[:, 1] - g[:, 0]
        print(f"retainer, {label}: good-fit share available week 0 {ci(g[:, 0])}, last week "
              f"{ci(g[:, 1])}, change {ci(d)}, max |change| {np.abs(d).max():.4f}")
    for label, rs in (("retainer", ret), ("per_appointment", pa)):
        years = rs[0].scenario.weeks / 52
        quits = total(rs, "rep_quits") / rs[0].scenario.reps / years
        print(f"attrition per year, {label}: {ci(quits)}")
    for switch in ("termination", "ae_capacity", "ae_triage", "prospect_learning",
                   "market_entry", "client_choice"):
        flip = not Scenario.default().to_flat()[f"switches.{switch}"]
        alt = runs("per_appointment", n, **{f"switches.{switch}": flip})
        same = sum(a.weekly.equals(b.weekly) for a, b in zip(pa, alt, strict=True))
        line = f"per_appointment, switches.{switch}={flip}: bit-identical runs {same}/{n}"
        for col in ("client_profit", "meetings_cancelled", "appointments_junk",
                    "meetings_held_junk"):
            line += f"; {col} {ci(total(alt, col) - total(pa, col))}"
        line += (f"; replacements {ci(total_last(alt, 'contract_holder'))} vs "
                 f"{ci(total_last(pa, 'contract_holder'))}")
        line += (f"; accept {ci(last13(alt, 'mean_prospect_accept') - acc_p)}"
                 f"; renegotiations {ci(total(alt, 'client_renegotiations'))}")
        print(line)
    cancelled = {k: total(rs, "meetings_cancelled") / total(rs, "meetings_held")
                 for k, rs in (("retainer", ret), ("per_appointment", pa))}
    print(f"cancelled / held: retainer {ci(cancelled['retainer'])}, per_appointment "
          f"{ci(cancelled['per_appointment'])}")
    bad = [SalesModel(Scenario.from_dict({"contract.preset": "per_appointment",
                                          **BAD_OUTSOURCER}), s) for s in range(n)]
    good = [SalesModel(Scenario.default("retainer"), s) for s in range(n)]
    for m in (*bad, *good):
        m.run_model()
    print(f"termination, bad outsourcer (per_appointment, books everyone): replacements "
          f"{ci([m.client.replacements for m in bad])}; good (retainer): "
          f"{ci([m.client.replacements for m in good])}; per_appointment at defaults: "
          f"{ci(total_last(pa, 'contract_holder'))}")


def total_last(rs: list, col: str) -> np.ndarray:
    return np.array([float(r.weekly[col][-1]) for r in rs])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
