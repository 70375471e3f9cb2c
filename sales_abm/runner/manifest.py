"""The manifest: what ran, with which code and environment, when, by whom and with what result.

Each sweep's entry names its owner (pid, host and the process's start time). An entry still
``running`` while no sweep holds the root's lock belongs to a sweep that died without recording
its end (``kill -9``, a power cut): :func:`settle_abandoned` marks it ``killed``.
"""

from __future__ import annotations

import errno
import json
import os
import platform
import socket
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sales_abm.io import dumps, write_json
from sales_abm.runner.spec import ExperimentError
from sales_abm.runner.store import Layout

DEPENDENCIES = ("numpy", "numba", "llvmlite", "polars", "mesa", "networkx", "scipy", "tqdm",
                "dask", "distributed")
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


def git_commit(here: Path | None = None) -> dict[str, Any] | None:
    """The commit of the source tree this package runs from (or of ``here``), and whether it
    is dirty: changed, staged or untracked files (ignored files do not count)."""
    here = here or Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return None
        changes = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                                 cwd=here, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = [line for line in changes.stdout.splitlines() if line.strip()]
    return {"commit": head.stdout.strip(), "dirty": bool(lines),
            "changed_files": sum(not line.startswith("??") for line in lines),
            "untracked_files": sum(line.startswith("??") for line in lines)}


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


def owner() -> dict[str, Any]:
    """This process, as a sweep's owner: pid, host and the process's start time."""
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "process_start": process_start(os.getpid())}


def process_start(pid: int) -> int | None:
    """The start time of process ``pid`` in clock ticks after boot (Linux), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def read(layout: Layout) -> dict[str, Any]:
    """The manifest, or an empty one if there is none.

    Raises:
        ExperimentError: the manifest exists but is damaged (one line naming it).
    """
    path = layout.manifest
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _damaged(path, f"not valid JSON text: {exc}") from None
    except OSError as exc:
        raise ExperimentError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not isinstance(data, dict):
        raise _damaged(path, f"a JSON {type(data).__name__}, not an object")
    sweeps = data.get("sweeps", [])
    if not isinstance(sweeps, list) or not all(isinstance(s, dict) for s in sweeps):
        raise _damaged(path, "'sweeps' is not a list of objects")
    return data


def _damaged(path: Path, why: str) -> ExperimentError:
    return ExperimentError(f"damaged manifest {path} ({why}); move it aside and rerun: the run "
                           f"files are kept and a new manifest is started")


def record(layout: Layout, experiment: str, scale: str, sweep: dict[str, Any]) -> None:
    """Add a sweep to the manifest, or update it (matched by its ``id``)."""
    data = read(layout)
    sweeps = [s for s in data.get("sweeps", []) if s.get("id") != sweep["id"]]
    sweeps.append(sweep)
    data.update({"experiment": experiment, "scale": scale, "sweeps": sweeps[-HISTORY:]})
    _write(layout.manifest, data)


def _write(path: Path, data: dict[str, Any]) -> None:
    """Write atomically; on a full disk, where no new file fits, overwrite in place instead
    (the manifest only grows by a few bytes, which usually fit its last block)."""
    try:
        write_json(path, data)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT) or not path.exists():
            raise
        with open(path, "r+", encoding="utf-8") as fh:
            fh.write(dumps(data, indent=2) + "\n")
            fh.truncate()


def settle_abandoned(layout: Layout, *, locked: bool = False) -> int:
    """Mark ``killed`` the sweeps recorded ``running`` whose process is gone; their count.

    With ``locked`` (the caller holds the root's lock), every ``running`` entry is abandoned:
    the lock dies with its holder. Otherwise the lock is tried, and nothing changes if another
    sweep holds it or the root cannot be written.
    """
    if not layout.manifest.exists():
        return 0
    if not locked:
        try:  # take the lock only when there is something to settle
            if not any(s.get("status") == "running" for s in read(layout).get("sweeps", [])):
                return 0
        except ExperimentError:
            return 0
        try:
            with layout.lock():
                return settle_abandoned(layout, locked=True)
        except (ExperimentError, OSError):
            return 0
    data = read(layout)
    abandoned = [s for s in data.get("sweeps", []) if s.get("status") == "running"]
    for sweep in abandoned:
        sweep["status"] = "killed"
        sweep["killed_detected"] = now()
    if abandoned:
        _write(layout.manifest, data)
    return len(abandoned)
