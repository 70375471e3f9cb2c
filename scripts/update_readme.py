"""Regenerate the README's parameter table from the code (``make readme``)."""

from __future__ import annotations

import sys
from pathlib import Path

from sales_abm.cli import params_markdown

BEGIN, END = "<!-- params:begin -->", "<!-- params:end -->"
README = Path(__file__).resolve().parents[1] / "README.md"


def render(text: str) -> str:
    """The README text with the table between the markers replaced."""
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{params_markdown()}\n{END}{tail}"


if __name__ == "__main__":
    README.write_text(render(README.read_text()))
    sys.exit(0)
