"""``python -m analysis``: regenerate every figure, number and fragment from results on disk.

Usage::

    python -m analysis --scale quick                 # from results/<exp>/quick/ (runs nothing)
    python -m analysis --scale paper --run --executor local:2   # run missing runs first

Writes ``paper/figures/*.pdf|png``, ``paper/numbers.json`` and
``paper/generated/results_<slot>.typ``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from analysis.pipeline import run_all, write_paper_inputs


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.split("\n")[0])
    p.add_argument("--scale", default="quick", choices=("quick", "paper"))
    p.add_argument("--results", type=Path, default=None,
                   help="results base directory (default ./results)")
    p.add_argument("--paper-dir", type=Path, default=Path("paper"))
    p.add_argument("--run", action="store_true",
                   help="run the experiments' missing runs first (through the runner)")
    p.add_argument("--executor", default="local:2", help="runner executor for --run")
    p.add_argument("--no-figures", dest="figures", action="store_false")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the analysis; exit status 0 on success."""
    args = parse(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("analysis: %(message)s"))
    log = logging.getLogger("analysis")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    if args.run:
        run_all(args.scale, args.executor, args.results, paper_dir=None)
    done = write_paper_inputs(args.scale, args.paper_dir, args.results, figures=args.figures)
    print(f"wrote {len(done)} sections ({', '.join(done) or 'none'}) to {args.paper_dir}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
