"""Numba's disk cache kept in step with the kernels' sources.

numba (``cache=True``) invalidates a cached kernel only when the file defining it changes. A
kernel that calls into another file (:mod:`.calls` into :mod:`.draws`, :mod:`.money` into
``sales_abm.contracts``, :mod:`.learning` into ``sales_abm.learning.roth_erev``) keeps its cached
machine code when only the callee changes: stale results, with no warning. So, before the
kernels load, :func:`refresh` hashes the sources numba compiles from — every module of this
package and every ``sales_abm`` module they import — and when the hash differs from the one
stamped beside the cache, deletes the cached kernels of those modules; numba recompiles them on
first use. The stamp is written atomically; a read-only install keeps its cache untouched.
Importing this module runs the check (the package imports it before any kernel).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_ROOT = _PACKAGE.parent.parent  # the directory holding sales_abm/
_IMPORT = re.compile(r"^from (sales_abm(?:\.\w+)+) import", re.MULTILINE)
STAMP = _PACKAGE / "__pycache__" / "numba-sources.sha256"


def compiled_sources() -> list[Path]:
    """This package's modules and the ``sales_abm`` modules they import, sorted."""
    own = sorted(_PACKAGE.glob("*.py"))
    imported = set()
    for path in own:
        for module in _IMPORT.findall(path.read_text(encoding="utf-8")):
            file = _ROOT.joinpath(*module.split(".")).with_suffix(".py")
            if file.is_file() and file.parent != _PACKAGE:
                imported.add(file)
    return own + sorted(imported)


def digest(sources: list[Path]) -> str:
    """A hash of the sources' names and contents."""
    h = hashlib.sha256()
    for path in sources:
        h.update(path.relative_to(_ROOT).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def refresh() -> bool:
    """Delete the cached kernels of the compiled sources if any source changed since the stamp.

    Returns whether anything was deleted.
    """
    sources = compiled_sources()
    current = digest(sources)
    try:
        if STAMP.read_text(encoding="ascii").strip() == current:
            return False
    except OSError:
        pass  # no stamp yet: a new checkout, or a cache made before stamps
    deleted = False
    try:
        for path in sources:
            for cached in (path.parent / "__pycache__").glob(f"{path.stem}.*.nb[ic]"):
                cached.unlink(missing_ok=True)
                deleted = True
        STAMP.parent.mkdir(exist_ok=True)
        partial = STAMP.with_name(f"{STAMP.name}.{os.getpid()}.tmp")
        partial.write_text(current + "\n", encoding="ascii")
        os.replace(partial, STAMP)
    except OSError:
        pass  # a read-only install: numba cannot write its cache there either
    return deleted


refresh()
