"""The paper's generated inputs: everything it quotes that comes from the code, not from runs.

The parameter table (:func:`sales_abm.scenario.parameter_table`), the contract presets, structural
facts of the model, the static benchmark's worked examples (:mod:`sales_abm.theory`), what the
default parameters imply before any simulation, the experiment catalogue and the reproducibility
record. :mod:`analysis.paper` writes them to ``paper/generated/*.json`` on every build.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import logging
import math
import platform
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scipy.stats import beta

log = logging.getLogger("analysis.paper")

#: Experiment files that are tests of the machinery, not inputs of the paper.
NOT_PAPER_EXPERIMENTS = ("smoke",)


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1e4 else f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _allowed(p: Any) -> str:
    text = p.allowed()
    if isinstance(p.high, int) and p.high == 2**63 - 1:  # a seed: print the bound readably
        text = text.replace(str(p.high), "2^63 − 1")
    return text


def parameter_rows() -> list[dict[str, Any]]:
    """Every scenario key (:func:`~sales_abm.scenario.parameter_table`), for the paper's table."""
    from sales_abm.scenario import parameter_table

    rows = []
    for p in parameter_table():
        section = p.key.split(".", 1)[0] if "." in p.key else "run"
        rows.append({"key": p.key, "section": section, "default": p.default,
                     "default_text": _display(p.default), "unit": p.unit,
                     "allowed": _allowed(p), "doc": p.doc})
    return rows


def preset_rows() -> dict[str, Any]:
    """The contract presets: keys and each preset's value (:data:`sales_abm.scenario.PRESETS`)."""
    from sales_abm.scenario import PRESETS

    keys = list(dict.fromkeys(k for values in PRESETS.values() for k in values))
    return {"presets": list(PRESETS), "keys": keys,
            "values": {name: {k: _display(v) for k, v in values.items()}
                       for name, values in PRESETS.items()}}


def model_facts() -> dict[str, Any]:
    """Structural facts quoted in the model description, read from the code."""
    from sales_abm.learning import RULES
    from sales_abm.market import Status
    from sales_abm.metrics import WEEKLY_METRICS
    from sales_abm.model import STREAMS
    from sales_abm.strategy import STRATEGY_DIMENSIONS
    from sales_abm.version import MODEL_VERSION

    runs_in_model = runnable_rules()
    return {"model_version": MODEL_VERSION, "streams": list(STREAMS),
            "strategy_dimensions": list(STRATEGY_DIMENSIONS),
            "statuses": [s.name.lower() for s in Status], "rules": sorted(RULES),
            "rules_in_model": list(runs_in_model),
            "rules_not_in_model": [r for r in sorted(RULES) if r not in runs_in_model],
            "weekly_metrics": len(WEEKLY_METRICS)}


@functools.cache
def runnable_rules() -> tuple[str, ...]:
    """The learning rules the model can run, found by running each for two tiny weeks.

    A rule that needs what the model does not give it (foregone payoffs, a peer network) fails at
    once; the paper states which rules those are instead of assuming they all run.
    """
    from sales_abm.learning import RULES
    from sales_abm.model import run
    from sales_abm.scenario import Scenario

    ok = []
    for rule in sorted(RULES):
        scenario = Scenario.from_dict({"learning.rule": rule, "reps": 2, "prospects": 50,
                                       "weeks": 2, "learning.outsourcer_cadence_weeks": 1})
        try:
            run(scenario, seed=0)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            log.info("learning rule %s does not run in the model: %s", rule, exc)
            continue
        ok.append(rule)
    return tuple(ok)


# --------------------------------------------------------------------------------------------------
# numbers computed here: the static benchmark and the defaults' implications


def theory_numbers() -> dict[str, Any]:
    """The worked examples of the static benchmark, computed by :mod:`sales_abm.theory`.

    Inputs are EVIDENCE.md's examples. A block whose function is missing is left out (and the
    paper leaves out its paragraph) rather than typed.
    """
    blocks: dict[str, Callable[[Any], dict[str, Any]]] = {
        "len": _theory_len, "multitask": _theory_multitask, "two_signals": _theory_two_signals,
        "baker": _theory_baker, "relational": _theory_relational, "holdup": _theory_holdup,
    }
    try:
        theory = importlib.import_module("sales_abm.theory")
    except ImportError:
        log.warning("sales_abm.theory is missing: the paper leaves out the worked examples")
        return {}
    out: dict[str, Any] = {}
    for name, block in blocks.items():
        try:
            out[name] = block(theory)
        except AttributeError as exc:
            log.warning("theory example %r left out: %s", name, exc)
    return out


_K_EX = ((1.0, 0.5), (0.5, 1.0))


def _theory_len(t: Any) -> dict[str, Any]:
    value, cost, r, s2 = 1.0, 1.0, 2.0, 0.5
    sol = t.len_one_task(value, cost, r, s2)
    return {"value": value, "cost": cost, "r": r, "noise_var": s2,
            "commission": sol.commission, "effort": sol.effort, "risk_premium": sol.risk_premium,
            "surplus": sol.surplus, "first_best": sol.first_best_surplus,
            "share": sol.surplus_share}


def _theory_multitask(t: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"k11": _K_EX[0][0], "k12": _K_EX[0][1], "k22": _K_EX[1][1],
                           "r_noise": 1.0, "b1": 1.0, "b2_threshold": _K_EX[1][1] / _K_EX[0][1]}
    for b2 in (0, 1, 2, 3):
        sol = t.multitask_unmeasured_quality([1.0, float(b2)], _K_EX, 1.0, 1.0)
        out[f"b2_{b2}"] = {"alpha": sol.alpha, "unconstrained": sol.alpha_unconstrained,
                           "fixed_fee": sol.fixed_fee_optimal}
        out["volume_per_alpha"], out["quality_per_alpha"] = sol.effort_per_alpha
    return out


def _theory_two_signals(t: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, s2 in (("s1", 1.0), ("s4", 4.0), ("s16", 16.0), ("inf", math.inf)):
        sol = t.multitask_two_signals([1.0, 1.0], _K_EX, 1.0, 1.0, s2)
        out[label] = {"volume": sol.alpha_volume, "close": sol.alpha_close}
    return out


def _theory_baker(t: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"f1": 1.0, "f2": 1.0, "r_noise": 0.25}
    for label, g in (("aligned", (1.0, 0.0)), ("distorted", (1.0, -0.5))):
        sol = t.baker_distortion((1.0, 1.0), g, 1.0, 0.25)
        out[label] = {"g1": g[0], "g2": g[1], "commission": sol.commission, "share": sol.share,
                      "cos2": sol.cos2_theta, "a1": sol.action[0], "a2": sol.action[1]}
    return out


def _theory_relational(t: Any) -> dict[str, Any]:
    # Illustration on the hold-up example's monthly discount and churn hazards: the multiple of the
    # per-month relationship premium (s_rel - s_out = 1) up to which a promised bonus is credible.
    out: dict[str, Any] = {"discount": 0.99}
    for label, churn in (("churn8", 0.08), ("churn1", 0.01)):
        delta = t.effective_discount(0.99, 1.0 - churn)
        out[label] = {"churn": churn, "delta": delta,
                      "multiple": t.max_credible_bonus(delta, 1.0, 0.0)}
    return out


def _theory_holdup(t: Any) -> dict[str, Any]:
    ex = {"cost": 20_000.0, "margin": 3_000.0, "ramp_months": 3, "delta": 0.99,
          "quit_hazard": 0.05}
    monthly = t.training_npv(**ex, churn_hazard=0.08)
    retainer = t.training_npv(**ex, churn_hazard=0.08, guaranteed_months=12)
    holdup = t.training_npv(**ex, churn_hazard=0.08, guaranteed_months=12, share=0.5)
    risky = t.training_npv(**ex, churn_hazard=0.08, risk_aversion=1e-4, income_sd=1_500.0)
    return {**ex, "churn": 0.08, "guaranteed_months": 12, "share": 0.5, "cara": 1e-4,
            "income_sd": 1_500.0, "survival": monthly.survival,
            "monthly": {"npv": monthly.npv, "value": monthly.value, "invest": monthly.invest},
            "retainer": {"npv": retainer.npv, "value": retainer.value,
                         "invest": retainer.invest},
            "holdup": {"npv": holdup.npv, "value": holdup.value, "invest": holdup.invest},
            "risk_premium": risky.risk_premium, "monthly_with_risk": risky.npv}


def _beta_cdf(x: float, a: float, b: float) -> float:
    """P(X <= x) for X ~ Beta(a, b)."""
    return float(beta.cdf(x, a, b))


def model_numbers(scenario: Any = None) -> dict[str, Any]:
    """What the default parameters imply before any simulation (the fit mixture, weekly pay).

    Exact: from the Beta mixture's moments and CDF (scipy's beta distribution); no simulation.
    """
    from sales_abm.scenario import WEEKS_PER_MONTH, Scenario

    sc = Scenario.default() if scenario is None else scenario
    m = sc.market
    share, bar = m.good_fit_share, m.qualification_bar
    ga, gb, pa, pb = m.good_fit_alpha, m.good_fit_beta, m.poor_fit_alpha, m.poor_fit_beta
    good_mean, poor_mean = ga / (ga + gb), pa / (pa + pb)
    good_below, poor_below = _beta_cdf(bar, ga, gb), _beta_cdf(bar, pa, pb)
    # E[fit; fit >= bar] for Beta(a, b) is mean * (1 - I_bar(a + 1, b))
    good_mass_above = good_mean * (1.0 - _beta_cdf(bar, ga + 1, gb))
    poor_mass_above = poor_mean * (1.0 - _beta_cdf(bar, pa + 1, pb))
    junk = share * good_below + (1 - share) * poor_below
    mean_fit = share * good_mean + (1 - share) * poor_mean
    qualified_fit = (share * good_mass_above + (1 - share) * poor_mass_above) / (1 - junk)
    rep = sc.rep
    return {
        "good_fit_mean": good_mean, "poor_fit_mean": poor_mean, "mean_fit": mean_fit,
        "good_below_bar": good_below, "poor_below_bar": poor_below, "junk_share": junk,
        "qualified_mean_fit": qualified_fit, "weeks_per_month": WEEKS_PER_MONTH,
        "receptivity_mean": m.receptivity_alpha / (m.receptivity_alpha + m.receptivity_beta),
        "noise_untrained": rep.signal_noise_max
        - (rep.signal_noise_max - rep.signal_noise_min) * rep.skill_initial,
        "noise_trained": rep.signal_noise_max - (rep.signal_noise_max - rep.signal_noise_min)
        * min(1.0, rep.skill_initial + rep.training_gain),
        "weekly_base_attrition": 1 - (1 - rep.attrition_annual) ** (1 / 52),
    }


# --------------------------------------------------------------------------------------------------
# reproducibility


def _version(module: str) -> str:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return "not installed"


def _git(repo: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, timeout=30,
                              check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", "replace")


def _source_fingerprint(repo: Path) -> tuple[int, str | None]:
    """Uncommitted changes to tracked files and untracked Python sources: (count, sha256[:12])."""
    diff = _git(repo, "diff", "HEAD", "--binary")
    names = _git(repo, "status", "--porcelain", "--untracked-files=all")
    if diff is None or names is None:
        return 0, None
    untracked = sorted(line[3:] for line in names.splitlines()
                       if line.startswith("?? ") and line.endswith(".py"))
    changed = [line for line in names.splitlines() if line and not line.startswith("?? ")]
    if not diff and not untracked:
        return 0, None
    h = hashlib.sha256(diff.encode())
    for name in untracked:
        try:
            h.update(name.encode() + b"\0" + (repo / name).read_bytes())
        except OSError:
            continue
    return len(changed) + len(untracked), h.hexdigest()[:12]


def collect_provenance(repo: str | Path | None = None) -> dict[str, Any]:
    """Versions and source state the paper's numbers depend on. No clock, no host name."""
    from sales_abm.version import MODEL_VERSION

    repo = Path(__file__).resolve().parent.parent if repo is None else Path(repo)
    commit = (_git(repo, "rev-parse", "HEAD") or "").strip() or None
    changes, fingerprint = _source_fingerprint(repo) if commit else (0, None)
    typst_compiler = None
    try:
        import typst

        typst_compiler = json.loads(typst.Compiler().eval("str(sys.version)"))
    except Exception:
        pass
    return {
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in
                     ("sales_abm", "numpy", "mesa", "polars", "networkx", "typst")},
        "typst_compiler": typst_compiler,
        "model_version": MODEL_VERSION,
        "commit": commit,
        "uncommitted_files": changes,
        "source_fingerprint": fingerprint,
    }


def _run_weeks(plan: Any) -> list[int]:
    """The distinct run lengths (weeks) of a plan's design points, ascending."""
    from sales_abm.scenario import Scenario

    default = Scenario.from_dict({}).weeks
    return sorted({int(p.overrides.get("weeks", default)) for p in plan.points})


def experiment_catalogue(scale: str, experiments_dir: str | Path | None = None
                         ) -> list[dict[str, Any]]:
    """Each experiment file's design size, run lengths (``weeks``) and seeds at ``scale`` and at
    ``paper`` (no runs)."""
    from sales_abm.runner.discover import experiment_files, load_file
    from sales_abm.runner.spec import ExperimentError

    rows = []
    for path in experiment_files(experiments_dir):
        if path.stem in NOT_PAPER_EXPERIMENTS:
            continue
        try:
            exp = load_file(path)
            row: dict[str, Any] = {"name": exp.name, "root_seed": exp.root_seed,
                                   "common_random_numbers": exp.common_random_numbers}
            for s in dict.fromkeys((scale, "paper")):
                if s in exp.scales:
                    plan = exp.resolve(s)
                    row[s] = {"points": len(plan.points), "replicates": plan.replicates,
                              "runs": plan.size, "weeks": _run_weeks(plan)}
        except ExperimentError as exc:
            log.warning("experiment %s left out of the catalogue: %s", path.stem, exc)
            continue
        rows.append(row)
    return rows
