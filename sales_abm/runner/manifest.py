"""The manifest: what ran, with which code and environment, when and with what result."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sales_abm.io import write_json
from sales_abm.runner.store import Layout

DEPENDENCIES = ("numpy", "polars", "mesa", "networkx", "scipy", "tqdm", "dask", "distributed")
#: Sweeps kept in the manifest's history.
HISTORY = 50


def now() -> str:
    """The current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def git_commit() -> dict[str, Any] | None:
    """The commit of the source tree this package runs from, and whether it is dirty."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=here, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}


def environment() -> dict[str, Any]:
    """Package, model, Python and dependency versions, and the git commit if there is one."""
    from sales_abm.version import MODEL_VERSION

    return {
        "package_version": _version("sales_abm"),
        "model_version": MODEL_VERSION,
        "git": git_commit(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "dependencies": {name: _version(name) for name in DEPENDENCIES},
    }


def read(layout: Layout) -> dict[str, Any]:
    """The manifest, or an empty one."""
    try:
        return json.loads(layout.manifest.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def record(layout: Layout, experiment: str, scale: str, sweep: dict[str, Any]) -> None:
    """Add a sweep to the manifest, or update it (matched by its ``id``)."""
    data = read(layout)
    sweeps = [s for s in data.get("sweeps", []) if s.get("id") != sweep["id"]]
    sweeps.append(sweep)
    data.update({"experiment": experiment, "scale": scale, "sweeps": sweeps[-HISTORY:]})
    write_json(layout.manifest, data)
