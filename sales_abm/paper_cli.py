"""``sales-abm paper``: find the paper's build in the project directory and run it.

The build (experiments, analysis, figures, typst) lives with the paper, in the project's
``analysis/paper.py``, not in this library: the library never imports ``analysis``. This command
looks for that file under ``--root`` (default: the current directory) and runs it as
``python -m analysis.paper`` there, passing every other argument on; ``sales-abm paper --help``
shows the build's own options.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

#: Where the build lives, relative to the project directory.
BUILD_SCRIPT = Path("analysis") / "paper.py"
BUILD_MODULE = "analysis.paper"
EXIT_USAGE = 2


def add_paper_parser(subparsers: Any) -> None:
    """Add ``paper`` to the main parser's subparsers; its arguments go to the build unparsed."""
    p = subparsers.add_parser(
        "paper", add_help=False, prefix_chars="+",  # every --option is the build's, not ours
        help="run missing experiments and analysis, then build paper/build/paper.pdf "
             "(--root DIR: the project directory; --help: the build's options)")
    p.add_argument("build_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_paper)


def split_root(argv: list[str]) -> tuple[Path, list[str]]:
    """``--root DIR`` (or ``--root=DIR``) taken out of ``argv``; the root defaults to the cwd.

    Raises:
        ValueError: ``--root`` without a directory.
    """
    rest, root = [], Path.cwd()
    args = iter(argv)
    for arg in args:
        if arg == "--root":
            value = next(args, None)
            if value is None:
                raise ValueError("--root needs a directory")
            root = Path(value)
        elif arg.startswith("--root="):
            root = Path(arg.removeprefix("--root="))
        else:
            rest.append(arg)
    return root, rest


def cmd_paper(args: argparse.Namespace) -> int:
    """Run the project's paper build; its exit status (2 when no build is found)."""
    try:
        root, build_args = split_root(list(args.build_args))
    except ValueError as exc:
        print(f"error: sales-abm paper: {exc}", file=sys.stderr)
        return EXIT_USAGE
    root = root.resolve()
    if not (root / BUILD_SCRIPT).is_file():
        print(f"error: no paper build found: looked for {BUILD_SCRIPT} in {root} (run from the "
              "project directory, or pass --root DIR)", file=sys.stderr)
        return EXIT_USAGE
    # the project directory first on the path, so that its analysis package is the one run
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)}
    done = subprocess.run([sys.executable, "-m", BUILD_MODULE, *build_args], cwd=root, env=env,
                          check=False)
    return done.returncode
