"""Build the paper: generated inputs, optional experiments and analysis, one deterministic PDF.

``sales-abm paper`` (or :func:`build_paper`) does three things, in order:

1. **Hook.** If an ``analysis`` package is importable, run the experiments it needs that are not
   done yet (through :mod:`sales_abm.runner`), then call the analysis, which writes the paper's
   figures and numbers. Without an ``analysis`` package both are skipped with a logged note: the
   paper then shows a marked "not yet run" box in place of each result.
2. **Generated inputs.** Write ``<paper_dir>/generated/*.json`` from the code: the parameter table
   (:func:`sales_abm.scenario.parameter_table`), the contract presets, the static benchmark's worked
   examples (:mod:`sales_abm.theory`), a few quantities implied by the default parameters, the
   experiment catalogue and the reproducibility record. Nothing the paper quotes is typed by hand.
3. **Compile.** Typeset ``<paper_dir>/paper.typ`` with the ``typst`` Python package (the ``paper``
   extra) using only the fonts embedded in typst, with a fixed document date, and write the PDF
   atomically. Same inputs, same bytes, on any machine.

The paper directory (default ``./paper``)::

    paper.typ, lib.typ, sections/*.typ, refs.bib   hand-written; never written here
    numbers.json                     written by analysis: every number the results quote
    figures/<name>.pdf (+ .png)      written by analysis
    generated/results_<slot>.typ     written by analysis: one per slot of RESULT_SLOTS
    generated/*.json                 written here, on every build
    build/paper.pdf                  the output

The analysis contract (what an ``analysis`` package provides to be picked up here):

``analysis.write_paper_inputs(scale: str, paper_dir: Path, results: Path | None) -> None``
    Read the experiments' results for ``scale`` (under ``results``, default ``./results``) and
    write ``figures/``, ``numbers.json`` and ``generated/results_<slot>.typ``. A results file is
    Typst that starts with ``#import "/lib.typ": *`` and quotes numbers only through
    ``#num("<slot>.<key>")`` (or ``pct``/``usd``), which stops the build when a key is missing, and
    shows figures through ``#fig("<name>", [caption])``. ``numbers.json`` is a JSON object whose
    top-level keys are slots or ``meta``; ``meta.scale`` must name the scale the numbers come from.
    Top-level keys ``theory``, ``model`` and ``param`` are reserved for the numbers built here.
``analysis.REQUIRED_EXPERIMENTS`` (optional)
    Names of the experiment files (``experiments/<name>.py``) the analysis reads. Default: every
    experiment file except ``smoke``.

``strict=True`` fails the build when any slot's results file is missing, when ``numbers.json`` was
made at another scale, or when typst warns.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import importlib
import json
import logging
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("sales_abm.paper")

#: Result slots in the paper's order (slot -> heading); analysis writes results_<slot>.typ.
RESULT_SLOTS: dict[str, str] = {
    "gaming": "Gaming emerges",
    "dose_response": "Dose–response: price per appointment, audits and hybrid weight",
    "training_holdup": "Training hold-up",
    "horizon": "The horizon of the client's return",
    "contagion": "Contagion over the office network",
    "robustness": "Robustness and global sensitivity",
    "docking": "Docking",
    "abstract": "Results in brief (abstract)",
    "discussion": "Discussion",
}
#: Top-level keys of the merged numbers that this module owns.
RESERVED_NUMBER_KEYS = ("theory", "model", "param")
#: The document date written into the PDF (metadata only): fixed, so a rebuild changes no byte.
DOCUMENT_DATE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
SCALES = ("quick", "paper")
#: Experiment files that are tests of the machinery, not inputs of the paper.
NOT_PAPER_EXPERIMENTS = ("smoke",)


class PaperError(RuntimeError):
    """The paper cannot be built: a missing input, a typst error, or a strict-mode failure."""


# --------------------------------------------------------------------------------------------------
# the build


def build_paper(
    scale: str = "quick",
    executor: str | None = None,
    out: str | Path | None = None,
    strict: bool = False,
    *,
    paper_dir: str | Path = "paper",
    results: str | Path | None = None,
    experiments: str | Path | None = None,
    run_missing: bool = True,
    provenance: Mapping[str, Any] | None = None,
) -> Path:
    """Build the paper and return the path of the PDF.

    Args:
        scale: the experiments' scale whose results the paper reports (``quick`` or ``paper``).
        executor: the runner's executor for missing runs (``serial``, ``local[:N]``, ``dask...``);
            default ``local``.
        out: the PDF (default ``<paper_dir>/build/paper.pdf``).
        strict: fail unless every result slot is filled from ``scale`` and typst gives no warning.
        paper_dir: the directory holding ``paper.typ``.
        results: base directory of experiment results (default ``./results``).
        experiments: the experiments directory (default ``$SALES_ABM_EXPERIMENTS`` or
            ``./experiments``).
        run_missing: run the hook (missing experiments, then analysis) when ``analysis`` exists.
        provenance: the reproducibility record (default :func:`collect_provenance`); tests pass a
            fixed one.

    Raises:
        PaperError: a missing input, a strict-mode failure, or a typst compile error (whose
            message names the file, line and, for a missing number, the key).
    """
    if scale not in SCALES:
        raise PaperError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    paper_dir = Path(paper_dir)
    if not (paper_dir / "paper.typ").is_file():
        raise PaperError(f"no paper.typ in {paper_dir}/")
    out = paper_dir / "build" / "paper.pdf" if out is None else Path(out)
    if run_missing:
        run_hook(scale, executor or "local", paper_dir, results, experiments)
    filled = write_generated(paper_dir, scale, strict, provenance, experiments)
    missing = [slot for slot, ok in filled.items() if not ok]
    if missing:
        note = f"results not yet available for: {', '.join(missing)}"
        if strict:
            raise PaperError(f"--strict: {note} "
                             f"(expected {paper_dir}/generated/results_<slot>.typ)")
        log.info("%s; the paper marks them 'not yet run'", note)
    return compile_pdf(paper_dir, out, strict=strict)


def compile_pdf(paper_dir: str | Path, out: str | Path, *, strict: bool = False) -> Path:
    """Typeset ``paper_dir/paper.typ`` to ``out`` (atomically) with embedded fonts only."""
    try:
        import typst
    except ImportError:
        raise PaperError("building the paper needs typst: pip install 'sales_abm[paper]'") from None
    paper_dir = Path(paper_dir).resolve()
    try:
        pdf, warnings = typst.compile_with_warnings(
            str(paper_dir / "paper.typ"),
            root=str(paper_dir),
            font_paths=[],
            ignore_system_fonts=True,
            format="pdf",
            timestamp=DOCUMENT_DATE,
            sys_inputs={},
        )
    except typst.TypstError as exc:
        raise PaperError(f"typst: {_typst_message(exc)}") from None
    for w in warnings:
        log.warning("typst warning: %s", _typst_message(w))
    if strict and warnings:
        raise PaperError(f"--strict: typst gave {len(warnings)} warning(s): "
                         f"{_typst_message(warnings[0])}")
    if not isinstance(pdf, bytes):
        raise PaperError("typst returned no PDF")
    from sales_abm.io import atomic_write

    return atomic_write(out, lambda tmp: tmp.write_bytes(pdf))


def _typst_message(exc: Any) -> str:
    text = getattr(exc, "diagnostic", None) or getattr(exc, "message", None) or str(exc)
    return " ".join(str(text).split())


# --------------------------------------------------------------------------------------------------
# the hook: missing experiments, then analysis


def _import_analysis() -> Any | None:
    try:
        return importlib.import_module("analysis")
    except ModuleNotFoundError as exc:
        if exc.name != "analysis":
            raise
        return None


def required_experiments(analysis: Any | None = None,
                         experiments_dir: str | Path | None = None) -> list[str]:
    """The experiment names the paper needs: the analysis's list, else every experiment file."""
    names = getattr(analysis, "REQUIRED_EXPERIMENTS", None)
    if names is not None:
        return list(names)
    from sales_abm.runner.discover import experiment_files

    return [p.stem for p in experiment_files(experiments_dir)
            if p.stem not in NOT_PAPER_EXPERIMENTS]


def run_hook(scale: str, executor: str, paper_dir: Path, results: str | Path | None,
             experiments: str | Path | None = None) -> None:
    """Run the experiments that are not done, then the analysis; skip both without analysis."""
    analysis = _import_analysis()
    if analysis is None:
        log.info("no 'analysis' package: skipping experiments and analysis "
                 "(nothing would read their results)")
        return
    from sales_abm.runner import load_experiment, run_experiment, status

    for name in required_experiments(analysis, experiments):
        experiment = load_experiment(name, experiments)
        report = status(experiment, scale, results, deep=False)
        if report.complete:
            log.info("%s/%s: all %d runs done", name, scale, report.total)
            continue
        log.info("%s/%s: running %d of %d runs", name, scale,
                 report.total - report.counts["done"], report.total)
        sweep = run_experiment(experiment, scale, results=results, executor=executor,
                               command=["sales-abm", "paper", "--scale", scale])
        log.info("%s", sweep.line())
        if sweep.failed:
            raise PaperError(f"{name}/{scale}: {sweep.failed} runs failed; see "
                             f"{sweep.root}/runs/*.error.json")
    write = getattr(analysis, "write_paper_inputs", None)
    if write is None:
        log.warning("the analysis package has no write_paper_inputs(scale, paper_dir, results)")
        return
    write(scale=scale, paper_dir=paper_dir, results=None if results is None else Path(results))


# --------------------------------------------------------------------------------------------------
# generated inputs


def write_generated(paper_dir: str | Path, scale: str, strict: bool = False,
                    provenance: Mapping[str, Any] | None = None,
                    experiments: str | Path | None = None) -> dict[str, bool]:
    """Write ``generated/*.json``; return, per result slot, whether its results file exists."""
    from sales_abm.io import dumps

    paper_dir = Path(paper_dir)
    gen = paper_dir / "generated"
    filled = {slot: (gen / f"results_{slot}.typ").is_file() for slot in RESULT_SLOTS}
    numbers = merged_numbers(paper_dir, scale, strict)
    record = dict(provenance) if provenance is not None else collect_provenance()
    catalogue = experiment_catalogue(scale, experiments)
    files = {
        "parameters.json": parameter_rows(),
        "presets.json": preset_rows(),
        "model.json": model_facts(),
        "numbers.json": numbers,
        "reproducibility.json": {**record, "experiments": catalogue},
        "build.json": {"scale": scale, "strict": strict, "filled": filled,
                       "slots": [{"slot": s, "title": t} for s, t in RESULT_SLOTS.items()],
                       "numbers_scale": numbers.get("meta", {}).get("scale")},
    }
    for name, data in files.items():
        _write_if_changed(gen / name, dumps(data, indent=1) + "\n")
    return filled


def _write_if_changed(path: Path, text: str) -> None:
    from sales_abm.io import write_text

    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    write_text(path, text)


def merged_numbers(paper_dir: Path, scale: str, strict: bool = False) -> dict[str, Any]:
    """The analysis's ``numbers.json`` merged with the numbers built here (theory, model, param)."""
    path = paper_dir / "numbers.json"
    analysis: dict[str, Any] = {}
    if path.is_file():
        try:
            analysis = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise PaperError(f"{path}: not valid JSON: {exc}") from None
        if not isinstance(analysis, dict):
            raise PaperError(f"{path}: must hold a JSON object")
        clash = sorted(set(analysis) & set(RESERVED_NUMBER_KEYS))
        if clash:
            raise PaperError(f"{path}: top-level keys {clash} are reserved for sales_abm.paper")
        _check_leaves(analysis, str(path))
        made_at = analysis.get("meta", {}).get("scale") if isinstance(analysis.get("meta"),
                                                                       dict) else None
        if made_at != scale:
            note = f"{path} was made at scale {made_at!r}, the paper is built at {scale!r}"
            if strict:
                raise PaperError(f"--strict: {note}")
            log.warning("%s", note)
    return {**analysis, "theory": theory_numbers(), "model": model_numbers(),
            "param": _nested({p["key"]: p["default"] for p in parameter_rows()
                              if isinstance(p["default"], int | float)})}


def _nested(flat: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        *parents, leaf = key.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def _check_leaves(data: Any, where: str) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str) or not key or "." in key:
                raise PaperError(f"{where}: key {key!r} must be a non-empty string without '.'")
            _check_leaves(value, f"{where}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _check_leaves(value, f"{where}[{i}]")
    elif isinstance(data, float) and not math.isfinite(data):
        raise PaperError(f"{where}: non-finite number")
    elif data is not None and not isinstance(data, str | int | float | bool):
        raise PaperError(f"{where}: unsupported value {data!r}")


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
    from sales_abm.agents import STRATEGY_DIMENSIONS
    from sales_abm.learning import RULES
    from sales_abm.market import Status
    from sales_abm.metrics import WEEKLY_METRICS
    from sales_abm.model import MODEL_VERSION, STREAMS

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


def beta_cdf(x: float, a: float, b: float) -> float:
    """Regularized incomplete beta I_x(a, b) (continued fraction, Numerical Recipes' betacf)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - beta_cdf(1.0 - x, b, a)
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return math.exp(log_front) * h / a


def model_numbers(scenario: Any = None) -> dict[str, Any]:
    """What the default parameters imply before any simulation (the fit mixture, weekly pay).

    Exact: from the Beta mixture's moments and CDF; no simulation.
    """
    from sales_abm.scenario import WEEKS_PER_MONTH, Scenario

    sc = Scenario.default() if scenario is None else scenario
    m = sc.market
    share, bar = m.good_fit_share, m.qualification_bar
    ga, gb, pa, pb = m.good_fit_alpha, m.good_fit_beta, m.poor_fit_alpha, m.poor_fit_beta
    good_mean, poor_mean = ga / (ga + gb), pa / (pa + pb)
    good_below, poor_below = beta_cdf(bar, ga, gb), beta_cdf(bar, pa, pb)
    # E[fit; fit >= bar] for Beta(a, b) is mean * (1 - I_bar(a + 1, b))
    good_mass_above = good_mean * (1.0 - beta_cdf(bar, ga + 1, gb))
    poor_mass_above = poor_mean * (1.0 - beta_cdf(bar, pa + 1, pb))
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
    import sales_abm
    from sales_abm.model import MODEL_VERSION

    repo = Path(sales_abm.__file__).resolve().parent.parent if repo is None else Path(repo)
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


def experiment_catalogue(scale: str, experiments_dir: str | Path | None = None
                         ) -> list[dict[str, Any]]:
    """Each experiment file's design size and seeds at ``scale`` and at ``paper`` (no runs)."""
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
                              "runs": plan.size}
        except ExperimentError as exc:
            log.warning("experiment %s left out of the catalogue: %s", path.stem, exc)
            continue
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------------
# how long will it take?


@dataclass(frozen=True)
class Estimate:
    """A rough wall-time estimate of the runs a build still has to do."""

    runs: int
    cpu_seconds: float
    workers: int
    experiments: int

    @property
    def wall_seconds(self) -> float:
        """CPU time spread over the workers (ignores start-up and imbalance)."""
        return self.cpu_seconds / max(1, self.workers)

    def line(self, scale: str) -> str:
        """One line for the terminal."""
        return (f"scale {scale}: {self.runs} runs to do across {self.experiments} experiments; "
                f"rough estimate {_duration(self.cpu_seconds)} of CPU, about "
                f"{_duration(self.wall_seconds)} with {self.workers} worker(s)")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def calibrate(weeks: int = 13) -> tuple[float, float]:
    """Measure (set-up seconds, seconds per week) of the default scenario on this machine."""
    from sales_abm.model import SalesModel
    from sales_abm.scenario import Scenario

    SalesModel(Scenario.default(), seed=1).step()  # untimed: first-use imports and kernels
    start = time.perf_counter()
    model = SalesModel(Scenario.default(), seed=0)
    built = time.perf_counter()
    for _ in range(weeks):
        model.step()
    return built - start, (time.perf_counter() - built) / weeks


def run_seconds(overrides: Mapping[str, Any], setup: float, per_week: float) -> float:
    """Rough cost of one run relative to the default scenario's measured cost.

    Set-up (mostly the prospects' network) scales with prospects; a week's cost was measured to
    grow by about 9% per extra default-sized market and 5% per extra default-sized sales force
    (20,000 prospects, 20 reps). Good to a factor of two, which is what a plan needs.
    """
    from sales_abm.scenario import Scenario

    sc = Scenario.from_dict(overrides)
    p, r = sc.prospects / 20_000, sc.reps / 20
    return setup * p + sc.weeks * per_week * (1 + 0.09 * (p - 1) + 0.05 * (r - 1))


def estimate(scale: str, executor: str = "local", results: str | Path | None = None,
             names: Iterable[str] | None = None, experiments: str | Path | None = None,
             calibration: tuple[float, float] | None = None) -> Estimate:
    """Estimate the runs not yet done at ``scale`` for the paper's experiments."""
    from sales_abm.model import MODEL_VERSION
    from sales_abm.runner import load_experiment, status
    from sales_abm.runner.executors import ExecutorSpec

    spec = ExecutorSpec.parse(executor)
    workers = spec.workers or (1 if spec.kind == "serial" else os.cpu_count() or 1)
    setup, per_week = calibration or calibrate()
    names = list(required_experiments(_import_analysis(), experiments)
                 if names is None else names)
    runs, cpu = 0, 0.0
    for name in names:
        exp = load_experiment(name, experiments)
        if scale not in exp.scales:
            continue
        plan = exp.resolve(scale)
        done = set(status(exp, scale, results, deep=False).keys["done"])
        point_cost = {p.index: run_seconds(p.overrides, setup, per_week) for p in plan.points}
        for ref in plan.runs(MODEL_VERSION):
            if ref.key not in done:
                runs += 1
                cpu += point_cost[ref.point]
    return Estimate(runs, cpu, workers, len(names))


# --------------------------------------------------------------------------------------------------
# command line


def add_paper_parser(subparsers: Any) -> None:
    """Add ``paper`` to the main parser's subparsers (``sales-abm paper``)."""
    p = subparsers.add_parser(
        "paper", help="run missing experiments and analysis, then build paper/build/paper.pdf",
        description="Build the paper: missing runs (if an analysis package exists), generated "
                    "inputs from the code, then typst. States the expected run time first.")
    p.add_argument("--scale", choices=SCALES, default="quick",
                   help="scale of the experiments the paper reports (default quick)")
    p.add_argument("--executor", default=None, metavar="SPEC",
                   help="serial, local[:N] (default; N = CPU count) or dask[:N|ADDRESS]")
    p.add_argument("--strict", action="store_true",
                   help="fail unless every result is filled at this scale and typst is silent")
    p.add_argument("--paper-dir", type=Path, default=Path("paper"), metavar="DIR",
                   help="directory with paper.typ (default ./paper)")
    p.add_argument("--out", type=Path, default=None, help="PDF path (default DIR/build/paper.pdf)")
    p.add_argument("--results", type=Path, default=None, metavar="DIR",
                   help="base directory of results (default ./results)")
    p.add_argument("--experiments", type=Path, default=None, metavar="DIR",
                   help="experiments directory (default $SALES_ABM_EXPERIMENTS or ./experiments)")
    p.add_argument("--no-run", dest="run_missing", action="store_false",
                   help="do not run experiments or analysis; typeset what is there")
    p.set_defaults(func=cmd_paper)


def cmd_paper(args: argparse.Namespace) -> int:
    """``sales-abm paper``: exit 0 with the PDF written, 1 when the build fails."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("paper: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        if args.run_missing and _import_analysis() is not None:
            est = estimate(args.scale, args.executor or "local", args.results,
                           experiments=args.experiments)
            print(f"paper: {est.line(args.scale)}", file=sys.stderr, flush=True)
        pdf = build_paper(args.scale, args.executor, args.out, args.strict,
                          paper_dir=args.paper_dir, results=args.results,
                          experiments=args.experiments, run_missing=args.run_missing)
    except PaperError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        log.removeHandler(handler)
    print(f"wrote {pdf}")
    return 0
