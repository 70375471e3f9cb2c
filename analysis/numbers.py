"""The numbers the paper quotes: a nested tree with dotted paths, written as stable JSON.

Keys are path segments without dots (``gaming.close_rate_last.per_appointment.mean``); factor
labels such as ``0.25`` become ``0p25`` (:func:`keyify`). Floats are rounded to a fixed number
of significant digits so that a rebuild writes identical bytes; non-finite values become null.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sales_abm.io import write_text

SIGNIFICANT = 6
_BAD = re.compile(r"[^A-Za-z0-9_]")


def keyify(label: Any) -> str:
    """A path segment for a label: ``0.25`` → ``0p25``, ``-1`` → ``m1``, ``a.b`` → ``a_b``."""
    text = str(label)
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return text.replace("-", "m").replace(".", "p")
    return _BAD.sub("_", text)


def tidy(value: Any) -> Any:
    """A JSON-ready copy: floats rounded, non-finite → None, numpy scalars → Python."""
    if isinstance(value, Mapping):
        return {str(k): tidy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [tidy(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.{SIGNIFICANT}g}")
    raise TypeError(f"cannot store {value!r} in numbers.json")


class Numbers:
    """A tree of numbers under one top-level slot, filled by dotted paths.

    ``scale`` is the experiments' scale the numbers come from (set by the pipeline; None when
    unknown). The sentence generators issue verdicts only from numbers of the paper's scale
    (:func:`analysis.typst.verdict`).
    """

    def __init__(self, slot: str, scale: str | None = None) -> None:
        self.slot = slot
        self.scale = scale
        self.tree: dict[str, Any] = {}

    def set(self, path: str, value: Any) -> None:
        """Store ``value`` at ``path`` (dot-separated, relative to the slot)."""
        *parents, leaf = path.split(".")
        node = self.tree
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = tidy(value)

    def get(self, path: str) -> Any:
        """The value at ``path`` (KeyError when absent)."""
        node: Any = self.tree
        for part in path.split("."):
            node = node[part]
        return node

    def has(self, path: str) -> bool:
        """Whether ``path`` holds a value (not null); sections hold fewer at small scales."""
        try:
            return self.get(path) is not None
        except KeyError:
            return False

    def key(self, path: str) -> str:
        """The full key of ``path`` as the paper quotes it (``slot.path``), checked to exist."""
        self.get(path)
        return f"{self.slot}.{path}"


def write_numbers(path: Path, sections: Mapping[str, Numbers], meta: Mapping[str, Any]) -> Path:
    """Write every section's tree and ``meta`` as sorted, indented JSON (atomically)."""
    data = {"meta": tidy(dict(meta)), **{slot: n.tree for slot, n in sections.items()}}
    return write_text(path, json.dumps(data, indent=1, sort_keys=True, allow_nan=False) + "\n")
