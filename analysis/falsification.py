"""The ``falsification`` slot: the table of every experiment's falsification arm, from the theory.

An arm where pay-for-performance "should not hurt" is listed as a falsification arm only when the
rep's static best response (:mod:`analysis.theory_arms`, stored by each section under
``theory``) says gaming does not pay there; an arm meant as one whose best response books every
prospect is listed as *not* a falsification arm, with the numbers that say so. Arms that switch a
mechanism off need no best response: the mechanism cannot act there by construction. The
contagion row reads Experiment 1's best responses (retainer against pay per appointment): the
best response does not depend on the learning rule, which is all that contagion varies.
"""

from __future__ import annotations

from collections.abc import Mapping

from analysis.numbers import Numbers
from analysis.typst import Fragment, num

NAME = "falsification"


def _theory_cell(n: Numbers, arm: str, prefix: str = "theory") -> str:
    """"threshold t (control c): gaming does not pay" from a section's ``theory`` rows."""
    p, c = f"{prefix}.{arm}", f"{prefix}.control"
    if n.get(f"{prefix}.criterion") == "client_profit":
        head = (f'client profit #usd("{n.key(p + ".client_profit")}") against '
                f'#usd("{n.key(c + ".client_profit")}") per rep-week')
        return head + (": keeps paying off" if n.get(p + ".supported") else ": pays off less")
    head = (f"threshold {num(n, p + '.threshold')}, junk share {num(n, p + '.junk_share')} "
            f"(control {num(n, c + '.threshold')}, {num(n, c + '.junk_share')})")
    return head + (": no more junk" if n.get(p + ".supported") else
                   ": books more junk, gaming pays")


def _verdict_cell(n: Numbers, arm: str, prefix: str = "theory") -> str:
    return "*yes*" if n.get(f"{prefix}.{arm}.supported") else "*no*"


def rows(by_slot: Mapping[str, Numbers]) -> list[tuple[str, str, str, str]]:
    """(experiment, arm, what the theory or the design says, falsification arm?) per arm."""
    out: list[tuple[str, str, str, str]] = []
    if (g := by_slot.get("gaming")) is not None and g.has("theory.control.threshold"):
        from analysis.gaming import FALSIFICATION

        for arm, what in FALSIFICATION.items():
            out.append(("1 gaming", f"per appointment {what}", _theory_cell(g, arm),
                        _verdict_cell(g, arm)))
    if (d := by_slot.get("dose_response")) is not None and d.has("theory_audit.criterion"):
        out.append(("2 dose–response", "full audit: the highest price against the lowest",
                    _theory_cell(d, "full_audit", "theory_audit"),
                    _verdict_cell(d, "full_audit", "theory_audit")))
        out.append(("2 dose–response", "billed on qualified meetings: the highest hybrid "
                    "weight against the lowest", _theory_cell(d, "qualified", "theory_hybrid"),
                    _verdict_cell(d, "qualified", "theory_hybrid")))
    out.append(("3 hold-up", "termination switched off",
                "no churn hazard: the hold-up cannot bind by construction", "*yes*"))
    if (h := by_slot.get("horizon")) is not None and h.has("theory.control.threshold"):
        from analysis.horizon import FALSIFICATION as HORIZON

        out.append(("4 horizon", HORIZON[1], _theory_cell(h, HORIZON[0]),
                    _verdict_cell(h, HORIZON[0])))
    if g is not None and g.has("theory.per_appointment.junk_share"):
        supported = g.get("theory.per_appointment.junk_share") > g.get(
            "theory.control.junk_share")
        out.append(("5 contagion", "the retainer",
                    f"junk share {num(g, 'theory.control.junk_share')} against "
                    f"{num(g, 'theory.per_appointment.junk_share')} under pay per appointment: "
                    + ("less gaming to spread" if supported else "as much gaming to spread"),
                    "*yes*" if supported else "*no*"))
    if (r := by_slot.get("robustness")) is not None and r.has("theory.control.threshold"):
        out.append(("6 robustness", "pay per close", _theory_cell(r, "per_close"),
                    _verdict_cell(r, "per_close")))
        out.append(("6 robustness", "threshold learning switched off",
                    "reps cannot learn to book junk by construction", "*yes*"))
    out.append(("7 docking", "—", "learned strategies must match the best response or differ "
                "for a named reason", "—"))
    if (p := by_slot.get("plan_change")) is not None and p.has("theory.control.threshold"):
        from analysis.plan_change import ARM_WORDS
        from analysis.plan_change import FALSIFICATION as SWITCH

        out.append(("8 plan change", f"switch to {ARM_WORDS[SWITCH]}", _theory_cell(p, SWITCH),
                    _verdict_cell(p, SWITCH)))
    return out


def table(by_slot: Mapping[str, Numbers]) -> Fragment | None:
    """The falsification table (None without experiment 1, which every other row leans on)."""
    if "gaming" not in by_slot:
        return None
    f = Fragment(NAME, "Falsification arms")
    cells = ", ".join(f"[{c}]" for row in rows(by_slot) for c in row)
    f.parts.append(
        "#figure({\n  set text(size: 8.5pt)\n  set par(justify: false)\n"
        "  simple-table(columns: (auto, 1.1fr, 1.6fr, auto), align: (left, left, left, left),\n"
        "    [*experiment*], [*arm*], [*rep's static best response (or the design)*], "
        "[*falsification arm*], table.hline(stroke: 0.5pt),\n"
        f"    {cells},\n  )\n}}, caption: [Falsification arms of the experiments, each checked "
        "against the rep's static best response in the arm's own scenario, at the skill its reps "
        "reach in the last quarter: an arm is one where "
        "pay-for-performance should not hurt only if gaming does not pay there.]"
        ") <tab-falsification>")
    return f
