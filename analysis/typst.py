"""Typst fragments for ``paper/generated/results_<slot>.typ``.

A fragment imports the paper's helpers (``#import "/lib.typ": *``), quotes every number through
``#num("<slot>.<path>")`` — which stops the paper build if the key is missing — and shows figures
through ``#fig("<name>", [caption])`` (``paper/figures/<name>.pdf``; see :mod:`analysis.paper`).
Words that depend on a result's direction ("raises", "lowers") are chosen here from the numbers;
no number is typed. Verdicts (whether a claim holds) are written only from numbers made at the
paper's scale (:func:`verdict`); a build at another scale says :data:`NO_VERDICT` in their place.
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


#: The only scale whose numbers carry verdicts; quick-scale numbers check the pipeline.
VERDICT_SCALE = "paper"
#: What a build at another scale says wherever a verdict would stand.
NO_VERDICT = "pipeline check, no verdicts"
#: Wording the generators use only inside verdicts (regular expressions, case-insensitive): a
#: build at another scale must contain none of it (``tests/claims/test_fragments.py``).
VERDICT_PHRASES = (
    r"\bholds\b", r"\bdoes not hold\b", r"\bsupports?\b", r"\bdoes not support\b",
    r"\bfollows the\b", r"\bdoes not follow\b", r"\bspreads what pays\b", r"\btherefore\b",
    r"\bis robust\b", r"\bshow that\b", r"\bconfirm", r"\brefute", r"\bclean control\b",
    r"\bmore closely than\b", r"\bat least as closely\b",
)
_YEARS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def verdicts_allowed(*numbers: Numbers) -> bool:
    """Whether a verdict may be drawn from these numbers: all made at :data:`VERDICT_SCALE`."""
    return bool(numbers) and all(n.scale == VERDICT_SCALE for n in numbers)


def verdict(text: str, *numbers: Numbers) -> str:
    """A verdict sentence, written only when every one of ``numbers`` is at the paper's scale.

    At any other scale the sentence becomes "Verdict: pipeline check, no verdicts (… scale)."
    Callers build ``text`` from the numbers' signs and intervals as usual; this decides only
    whether the numbers may carry it.
    """
    if verdicts_allowed(*numbers):
        return text
    scales = sorted({n.scale or "unstated" for n in numbers}) or ["unstated"]
    return f"_Verdict: {NO_VERDICT} ({', '.join(scales)} scale)._"


def years_words(weeks: float | None) -> str:
    """"two years" for 104 weeks (whole years of 52 weeks, up to ten); "" otherwise."""
    if weeks is None or weeks <= 0 or weeks % 52 or weeks // 52 > len(_YEARS):
        return ""
    k = int(weeks // 52)
    return f"{_YEARS[k - 1]} year{'s' if k > 1 else ''}"


def span(numbers: Numbers, path: str = "weeks") -> str:
    """A run length from the runs: "#num(weeks) weeks (two years)" — never a typed horizon."""
    words = years_words(numbers.get(path))
    return f"{num(numbers, path)} weeks" + (f" ({words})" if words else "")


def by(numbers: Numbers, path: str, what: str, up: str = "raises", down: str = "lowers",
       flat: str = "does not change") -> str:
    """"lowers <what> by 0.67": the verb from the value's sign, the magnitude unsigned.

    For a point value (no interval); a value of exactly zero gives "<flat> <what>". The
    magnitude is quoted through ``#mag`` (the paper's absolute value of a number).
    """
    value = numbers.get(path)
    if value is None:
        return f"changes {what} by n/a"
    if value == 0:
        return f"{flat} {what}"
    return f'{up if value > 0 else down} {what} by #mag("{numbers.key(path)}")'


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
