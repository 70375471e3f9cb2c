"""Build the paper: missing experiments, analysis, generated inputs, one deterministic PDF.

``sales-abm paper`` (which runs ``python -m analysis.paper`` in the project directory) or
:func:`build_paper` does three things, in order:

1. **Experiments and analysis.** Run the experiments the analysis reads that are not done yet
   (through :mod:`sales_abm.runner`), then write the paper's figures, numbers and results
   fragments (:func:`analysis.pipeline.run_all`).
2. **Generated inputs.** Write ``<paper_dir>/generated/*.json`` from the code
   (:mod:`analysis.inputs`): the parameter table, the contract presets, the static benchmark's
   worked examples, a few quantities implied by the default parameters, the experiment catalogue
   and the reproducibility record. Nothing the paper quotes is typed by hand.
3. **Compile.** Typeset ``<paper_dir>/paper.typ`` with the ``typst`` Python package (the ``paper``
   extra) using only the fonts embedded in typst, with a fixed document date, and write the PDF
   atomically. Same inputs, same bytes, on any machine.

The paper directory (default ``./paper``)::

    paper.typ, lib.typ, sections/*.typ, refs.bib   hand-written; never written here
    numbers.json                     written by the analysis: every number the results quote
    figures/<name>.pdf (+ .png)      written by the analysis
    generated/results_<slot>.typ     written by the analysis: one per slot of result_slots()
    generated/*.json                 written here, on every build (calibration.json: Table 1's
                                     targets, from :mod:`analysis.calibration`)
    build/paper.pdf                  the output

A results fragment is Typst that starts with ``#import "/lib.typ": *`` and quotes numbers only
through ``#num("<slot>.<key>")`` (or ``pct``/``usd``), which stops the build when a key is missing,
and shows figures through ``#fig("<name>", [caption])``. ``numbers.json`` is a JSON object whose
top-level keys are slots or ``meta``; ``meta.scale`` names the scale the numbers come from.
Top-level keys ``theory``, ``model`` and ``param`` are reserved for the numbers built here.

``strict=True`` fails the build when any slot's results file is missing, when ``numbers.json`` was
made at another scale, or when typst warns.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis import calibration, inputs
from analysis.data import EXPERIMENTS_DIR
from analysis.pipeline import FailedRuns, result_slots, run_all
from sales_abm.io import atomic_write, dumps, write_text

log = logging.getLogger("analysis.paper")

#: Top-level keys of the merged numbers that this module owns.
RESERVED_NUMBER_KEYS = ("theory", "model", "param")
#: The document date written into the PDF (metadata only): fixed, so a rebuild changes no byte.
DOCUMENT_DATE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
SCALES = ("quick", "paper")
#: The paper's sources, next to this package.
PAPER_DIR = Path(__file__).resolve().parent.parent / "paper"


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
    paper_dir: str | Path = PAPER_DIR,
    results: str | Path | None = None,
    experiments: str | Path = EXPERIMENTS_DIR,
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
        experiments: the experiments directory (default the project's ``experiments/``).
        run_missing: run the missing experiments and the analysis first (else typeset what is
            there).
        provenance: the reproducibility record (default
            :func:`analysis.inputs.collect_provenance`); tests pass a fixed one.

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
        try:
            run_all(scale, executor or "local", None if results is None else Path(results),
                    paper_dir, experiments=experiments)
        except FailedRuns as exc:
            raise PaperError(str(exc)) from None
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
    return atomic_write(out, lambda tmp: tmp.write_bytes(pdf))


def _typst_message(exc: Any) -> str:
    text = getattr(exc, "diagnostic", None) or getattr(exc, "message", None) or str(exc)
    return " ".join(str(text).split())


# --------------------------------------------------------------------------------------------------
# generated inputs


def write_generated(paper_dir: str | Path, scale: str, strict: bool = False,
                    provenance: Mapping[str, Any] | None = None,
                    experiments: str | Path = EXPERIMENTS_DIR) -> dict[str, bool]:
    """Write ``generated/*.json``; return, per result slot, whether its results file exists."""
    paper_dir = Path(paper_dir)
    gen = paper_dir / "generated"
    slots = result_slots()
    filled = {slot: (gen / f"results_{slot}.typ").is_file() for slot in slots}
    numbers = merged_numbers(paper_dir, scale, strict)
    record = dict(provenance) if provenance is not None else inputs.collect_provenance()
    catalogue = inputs.experiment_catalogue(scale, experiments)
    files = {
        "parameters.json": inputs.parameter_rows(),
        "presets.json": inputs.preset_rows(),
        "model.json": inputs.model_facts(),
        "calibration.json": calibration.targets(),
        "numbers.json": numbers,
        "reproducibility.json": {**record, "experiments": catalogue},
        "build.json": {"scale": scale, "strict": strict, "filled": filled,
                       "slots": [{"slot": s, "title": t} for s, t in slots.items()],
                       "numbers_scale": numbers.get("meta", {}).get("scale")},
    }
    for name, data in files.items():
        _write_if_changed(gen / name, dumps(data, indent=1) + "\n")
    return filled


def _write_if_changed(path: Path, text: str) -> None:
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
            raise PaperError(f"{path}: top-level keys {clash} are reserved for the build")
        _check_leaves(analysis, str(path))
        made_at = analysis.get("meta", {}).get("scale") if isinstance(analysis.get("meta"),
                                                                       dict) else None
        if made_at != scale:
            note = f"{path} was made at scale {made_at!r}, the paper is built at {scale!r}"
            if strict:
                raise PaperError(f"--strict: {note}")
            log.warning("%s", note)
    return {**analysis, "theory": inputs.theory_numbers(), "model": inputs.model_numbers(),
            "param": _nested({p["key"]: p["default"] for p in inputs.parameter_rows()
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


# --------------------------------------------------------------------------------------------------
# command line


def parser() -> argparse.ArgumentParser:
    """The build's command line (``sales-abm paper`` passes its arguments here)."""
    p = argparse.ArgumentParser(
        prog="sales-abm paper",
        description="Build the paper: missing runs, analysis, generated inputs from the code, "
                    "then typst. States the expected run time first.",
        epilog="Through sales-abm, --root DIR names the project directory holding "
               "analysis/paper.py (default: the current directory).")
    p.add_argument("--scale", choices=SCALES, default="quick",
                   help="scale of the experiments the paper reports (default quick)")
    p.add_argument("--executor", default=None, metavar="SPEC",
                   help="serial, local[:N] (default; N = CPU count) or dask[:N|ADDRESS]")
    p.add_argument("--strict", action="store_true",
                   help="fail unless every result is filled at this scale and typst is silent")
    p.add_argument("--paper-dir", type=Path, default=PAPER_DIR, metavar="DIR",
                   help=f"directory with paper.typ (default {PAPER_DIR})")
    p.add_argument("--out", type=Path, default=None, help="PDF path (default DIR/build/paper.pdf)")
    p.add_argument("--results", type=Path, default=None, metavar="DIR",
                   help="base directory of results (default ./results)")
    p.add_argument("--experiments", type=Path, default=EXPERIMENTS_DIR, metavar="DIR",
                   help=f"experiments directory (default {EXPERIMENTS_DIR})")
    p.add_argument("--no-run", dest="run_missing", action="store_false",
                   help="do not run experiments or analysis; typeset what is there")
    return p


def main(argv: list[str] | None = None) -> int:
    """Build the paper: exit 0 with the PDF written, 1 when the build fails, 2 for bad usage."""
    args = parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("paper: %(message)s"))
    logger = logging.getLogger("analysis")  # the build's and the analysis's messages
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        if args.run_missing:
            from analysis.estimate import estimate

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
        logger.removeHandler(handler)
    print(f"wrote {pdf}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
