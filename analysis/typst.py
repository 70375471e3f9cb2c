"""Typst fragments for ``paper/generated/results_<slot>.typ``.

A fragment imports the paper's helpers (``#import "/lib.typ": *``), quotes every number through
``#num("<slot>.<path>")`` — which stops the paper build if the key is missing — and shows figures
through ``#fig("<name>", [caption])`` (``paper/figures/<name>.pdf``; see :mod:`analysis.paper`).
Words that depend on a result's direction ("raises", "lowers") are chosen here from the numbers;
no number is typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis.numbers import Numbers
from sales_abm.io import write_text

HEADER = '#import "/lib.typ": *\n'
#: A call such as ``#num("k")`` directly followed by ``;``: Typst would take the semicolon as the
#: end of the expression and drop it, so it is escaped.
_CALL_SEMICOLON = re.compile(r'(#\w+\("[^"]*"\));')
#: Write a ``==`` heading at the top of each fragment (off: ``paper.typ`` titles the slots).
WRITE_HEADING = False


def num(numbers: Numbers, path: str) -> str:
    """``#num("slot.path")`` for a number that exists in ``numbers``; "n/a" when it is null.

    The paper's ``num`` stops the build on a null, so an undefined value (an interval of one
    replicate, an effect size of identical values) is written as text instead.
    """
    key = numbers.key(path)
    return "n/a" if numbers.get(path) is None else f'#num("{key}")'


def ci(numbers: Numbers, path: str) -> str:
    """The mean of an estimate at ``path`` followed by its 95% interval, as Typst markup."""
    return (f"{num(numbers, path + '.mean')} (95% CI {num(numbers, path + '.ci_low')} to "
            f"{num(numbers, path + '.ci_high')})")


def escape(text: str) -> str:
    """Plain text safe inside Typst markup."""
    for ch in ("\\", "#", "$", "*", "_", "@", "<", ">", "`"):
        text = text.replace(ch, "\\" + ch)
    return text


def direction(low: float | None, high: float | None, up: str, down: str, flat: str) -> str:
    """A verb for an interval: ``up`` if it lies above zero, ``down`` below, else ``flat``."""
    if low is not None and low > 0:
        return up
    if high is not None and high < 0:
        return down
    return flat


def verb(numbers: Numbers, path: str, up: str, down: str, flat: str) -> str:
    """:func:`direction` of the interval stored at ``path``."""
    return direction(numbers.get(path + ".ci_low"), numbers.get(path + ".ci_high"), up, down,
                     flat)


@dataclass
class Fragment:
    """A results fragment being written."""

    slot: str
    title: str
    parts: list[str] = field(default_factory=list)

    def para(self, *sentences: str) -> None:
        """A paragraph of sentences (markup)."""
        self.parts.append(" ".join(s.strip() for s in sentences if s))

    def figure(self, name: str, caption: str) -> None:
        """A figure from ``paper/figures/<name>.pdf``."""
        self.parts.append(f'#fig("{name}", [{caption}])')

    def text(self) -> str:
        """The fragment's Typst source."""
        head = [HEADER]
        if WRITE_HEADING:
            head.append(f"== {escape(self.title)}\n")
        body = "\n\n".join(_CALL_SEMICOLON.sub(r"\1\\;", part) for part in self.parts)
        return "\n".join(head) + "\n" + body + "\n"

    def write(self, directory: Path) -> Path:
        """Write ``results_<slot>.typ`` in ``directory``."""
        return write_text(directory / f"results_{self.slot}.typ", self.text())
