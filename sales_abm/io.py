"""Atomic file output: a result file is either complete or absent, never half-written.

A single file is written to a temporary file beside it and renamed (:func:`atomic_write`); a set of
files (one run's output directory) is written into a temporary directory beside its destination
and renamed as a whole (:class:`StagedDirectory`).
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # polars is imported only by the functions that write Parquet
    import polars as pl


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are shared files
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | Path, text: str) -> Path:
    """Write text atomically (UTF-8)."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: str | Path, data: Any) -> Path:
    """Write JSON atomically, in a stable layout."""
    return write_text(path, dumps(data, indent=2) + "\n")


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """A frame as Parquet bytes (zstd; no timestamps: same frame, same bytes).

    Serialising in memory and writing the bytes with Python's own file calls makes a full disk
    an ``OSError(ENOSPC)``, which says so, rather than an error from inside the Parquet writer.
    """
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd")
    return buffer.getvalue()


def write_parquet(path: str | Path, frame: pl.DataFrame) -> Path:
    """Write a Parquet file atomically (no statistics timestamps: same frame, same bytes)."""
    data = parquet_bytes(frame)
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


class StagedDirectory:
    """A directory of files that appears complete or not at all.

    :meth:`create` checks the destination and makes a temporary directory beside it (same file
    system), so an unusable destination fails before any work is done; files are written there
    (:meth:`write_bytes`), then :meth:`commit` renames the directory into place. A destination
    that already holds files keeps its other files: the new ones are renamed into it one by one,
    each complete (every byte is on disk before the first rename, so a full disk cannot leave
    part of the set). :meth:`discard` removes the temporary directory.
    """

    def __init__(self, dest: Path, staging: Path) -> None:
        self.dest = dest
        self.staging = staging

    @classmethod
    def create(cls, dest: str | Path) -> StagedDirectory:
        """Check ``dest`` and make the temporary directory beside it.

        Raises:
            OSError: ``dest`` is a file, lies under a file, or its place is not writable.
        """
        dest = Path(dest).absolute()
        existing = next(p for p in (dest, *dest.parents) if p.exists())
        if not existing.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "exists and is not a directory",
                                     str(existing))
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.is_dir() and not os.access(dest, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dest))
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes 0700; results are shared
        return cls(dest, staging)

    def write_bytes(self, name: str, data: bytes) -> None:
        """Write one file of the set (flushed to disk)."""
        with open(self.staging / name, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def commit(self) -> Path:
        """Move the set into place; returns the destination."""
        try:
            os.rename(self.staging, self.dest)  # absent or empty destination: one rename
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            for path in sorted(self.staging.iterdir()):
                os.replace(path, self.dest / path.name)
            self.staging.rmdir()
        return self.dest

    def discard(self) -> None:
        """Remove the temporary directory and what was written to it."""
        shutil.rmtree(self.staging, ignore_errors=True)


def describe_os_error(exc: OSError) -> str:
    """An ``OSError`` in a few words, saying plainly when the disk is full."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full (no space left on device)"
    reason = exc.strerror or str(exc)
    return f"{reason}: {exc.filename}" if exc.filename else reason


def dumps(data: Any, indent: int | None = None) -> str:
    """JSON text with non-finite floats refused, so that output is always valid JSON."""
    return json.dumps(data, indent=indent, allow_nan=False)
