"""``sales-abm theory``: the static benchmark on the command line.

Registered through :data:`sales_abm.cli.COMMANDS` (imported when the command runs). The scenario
options are the ``run`` command's, from :mod:`sales_abm.cli_common`, without ``--weeks`` and
``--seed``: the static benchmark has no horizon and draws nothing.
"""

from __future__ import annotations

import argparse
from typing import Any

from sales_abm.cli_common import UsageError, add_scenario_options, scenario_from_args

_COLUMNS = (
    ("effort", "effort", ".0f"),
    ("threshold", "thresh", ".3f"),
    ("pressure", "press", ".2f"),
    ("calls", "calls", ".1f"),
    ("booked", "booked", ".2f"),
    ("junk_share", "junk", ".3f"),
    ("held", "held", ".2f"),
    ("revenue", "revenue", ",.0f"),
    ("variable_pay", "var.pay", ",.1f"),
    ("effort_cost", "e.cost", ",.1f"),
    ("payoff", "payoff", ",.1f"),
    ("client_profit", "client", ",.0f"),
)
_GAME_COLUMNS = (
    ("preset", "preset", ""),
    ("scale", "scale", ".2f"),
    ("audit_rate", "audit", ".2f"),
    ("train", "train", ""),
    ("effort", "effort", ".0f"),
    ("threshold", "thresh", ".3f"),
    ("pressure", "press", ".2f"),
    ("junk_share", "junk", ".3f"),
    ("client_profit", "client", ",.0f"),
    ("outsourcer_profit", "outsrc", ",.0f"),
    ("feasible", "ok", ""),
)


def add_theory_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``theory`` command to ``sales-abm``'s subparsers.

    Args:
        subparsers: The object ``ArgumentParser.add_subparsers`` returned.

    Returns:
        The new sub-parser.
    """
    p = subparsers.add_parser(
        "theory",
        help="the rep's static best response (and the client's best contract) for a scenario",
        description="Expected weekly payoff of every rep strategy in a stationary market, the "
        "myopic best response, and optionally the client's best contract in the one-shot game.",
    )
    add_scenario_options(p, horizon=False)
    p.add_argument("--skill", type=float, help="rep skill in [0, 1] (default rep.skill_initial)")
    p.add_argument("--top", type=int, default=10, help="strategies to list (default 10)")
    p.add_argument(
        "--game", action="store_true", help="also solve the client's contract game (slower)"
    )
    p.set_defaults(func=_cmd_theory)
    return p


def _cell(value: Any, spec: str) -> str:
    if isinstance(value, bool) or not spec:
        return str(value)
    return format(value, spec)


def format_table(rows: list[dict[str, Any]], columns: tuple[tuple[str, str, str], ...]) -> str:
    """Rows as a fixed-width text table."""
    cells = [[_cell(r[key], spec) for key, _, spec in columns] for r in rows]
    heads = [head for _, head, _ in columns]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def _cmd_theory(args: argparse.Namespace) -> int:
    from sales_abm.theory.best_response import best_response
    from sales_abm.theory.contract_game import solve_contract_game, training_decision

    scenario = scenario_from_args(args)
    if args.skill is not None and not 0.0 <= args.skill <= 1.0:
        raise UsageError(f"--skill must lie in [0, 1], got {args.skill}")
    if args.top < 1:
        raise UsageError(f"--top must be at least 1, got {args.top}")
    br = best_response(scenario, skill=args.skill)
    pay = scenario.pay
    print(
        f"contract {scenario.contract.preset}; pay plan: base {pay.base_salary:,.0f}/month, bonus "
        f"{pay.bonus_per_appointment:g} per appointment {pay.pay_on}, commission "
        f"{pay.commission:g}, audit {pay.audit_rate:g}, clawback {pay.clawback:g}; skill "
        f"{br.skill:.2f}"
    )
    row = br.row
    print(
        f"best response: effort {br.effort:.0f} calls, threshold {br.threshold:.3f}, pressure "
        f"{br.pressure:.2f}; payoff {br.payoff:,.1f} USD/week (variable pay "
        f"{row['variable_pay']:,.1f} - effort cost {row['effort_cost']:,.1f}), "
        f"{row['booked']:.2f} booked/week, junk share {row['junk_share']:.3f}, lead over the "
        f"runner-up {br.gap:,.1f}"
    )
    ranked = br.ranked(args.top).to_dicts()
    print(f"top {len(ranked)} strategies by payoff (per rep and week, stationary market):")
    print(format_table(ranked, _COLUMNS))
    if args.game:
        decision = training_decision(scenario)
        inv = decision.investment
        print(
            f"training under this contract: {'train' if decision.train else 'do not train'} "
            f"(NPV {inv.npv:,.0f}: m {decision.margin_gain:,.0f}/month, R "
            f"{decision.ramp_months}, q {decision.quit_hazard:.3f}, h "
            f"{decision.churn_hazard:.3f} after {decision.guaranteed_months} months; the "
            f"model's {scenario.outsourcer.evaluation_weeks}-week window gain "
            f"{decision.window_gain:,.0f})"
        )
        game = solve_contract_game(scenario)
        best = game.best_row
        if best is None:
            print("contract game: no contract on the grid leaves the outsourcer a profit")
        else:
            print(
                f"client's best contract: {best['preset']} x {best['scale']:g}, audit "
                f"{best['audit_rate']:g}: client profit {best['client_profit']:,.0f} per rep "
                f"and week"
            )
        top = game.table.sort("client_profit", descending=True).head(args.top).to_dicts()
        print(format_table(top, _GAME_COLUMNS))
    return 0
