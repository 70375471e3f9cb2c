"""One figure style for the paper: greyscale-safe, headless, byte-reproducible.

Lines differ by colour *and* line style *and* marker, so a greyscale print still tells them
apart. :func:`save` writes PDF and PNG with fixed metadata (no dates, no software stamp) and a
fixed SVG hash salt, so the same data give the same bytes on every rebuild.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

#: Okabe–Ito colours (colour-blind safe), ordered so neighbours differ in lightness too.
PALETTE = ("#000000", "#E69F00", "#0072B2", "#009E73", "#D55E00", "#56B4E9", "#CC79A7",
           "#F0E442")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (3, 1, 1, 1, 1, 1)),
              (0, (8, 2)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

RC: dict[str, Any] = {
    "figure.dpi": 100, "savefig.dpi": 200, "font.size": 8.5, "axes.titlesize": 9,
    "axes.labelsize": 8.5, "legend.fontsize": 7.5, "xtick.labelsize": 7.5, "ytick.labelsize": 7.5,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25,
    "grid.linewidth": 0.5, "lines.linewidth": 1.4, "lines.markersize": 4,
    "legend.frameon": False, "svg.hashsalt": "sales_abm", "pdf.fonttype": 42,
    "path.simplify": False, "image.cmap": "cividis", "font.family": "DejaVu Sans",
}
PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}
PNG_METADATA = {"Software": None}
#: Preferred order and style slots of known labels (contracts first).
ORDER = ("retainer", "per_appointment", "per_close", "hybrid", "pa_qualified", "pa_audited")
LABELS = {
    "retainer": "Retainer", "per_appointment": "Per appointment", "per_close": "Per close",
    "hybrid": "Hybrid", "pa_qualified": "Per qualified appt.",
    "pa_audited": "Per appt., full audit (falsif.)", "isolated": "Isolated", "ring": "Ring",
    "small_world": "Small world", "complete": "Complete", "fermi": "Fermi",
    "imitate_best": "Imitate the best",
}

FULL_WIDTH = 6.8  # inches
HALF_WIDTH = 3.35


@dataclass(frozen=True)
class LineStyle:
    """How one series is drawn."""

    color: str
    linestyle: Any
    marker: str

    def kwargs(self, markevery: int | None = None) -> dict[str, Any]:
        """Keyword arguments for ``Axes.plot``."""
        out: dict[str, Any] = {"color": self.color, "linestyle": self.linestyle,
                               "marker": self.marker}
        if markevery:
            out["markevery"] = markevery
        return out


def style_for(label: str, labels: list[str] | tuple[str, ...] = ORDER) -> LineStyle:
    """The style of a label: its place in ``labels`` (or in the known order) picks the slot."""
    seq = list(labels)
    i = seq.index(label) if label in seq else (ORDER.index(label) if label in ORDER else 0)
    return LineStyle(PALETTE[i % len(PALETTE)], LINESTYLES[i % len(LINESTYLES)],
                     MARKERS[i % len(MARKERS)])


def label(name: str) -> str:
    """A reader's label for a factor level."""
    return LABELS.get(name, name.replace("_", " "))


@contextmanager
def figure(width: float = FULL_WIDTH, height: float = 2.6, nrows: int = 1, ncols: int = 1,
           **kw: Any) -> Iterator[tuple[Any, Any]]:
    """A new figure in the paper's style (closed on exit)."""
    with plt.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), **kw)
        try:
            yield fig, axes
        finally:
            plt.close(fig)


def save(fig: Any, outdir: Path, name: str) -> list[Path]:
    """Write ``name.pdf`` and ``name.png`` to ``outdir`` with fixed metadata."""
    outdir.mkdir(parents=True, exist_ok=True)
    pdf, png = outdir / f"{name}.pdf", outdir / f"{name}.png"
    with plt.rc_context(RC):
        fig.savefig(pdf, metadata=PDF_METADATA, bbox_inches="tight", pad_inches=0.02)
        fig.savefig(png, metadata=PNG_METADATA, bbox_inches="tight", pad_inches=0.02)
    return [pdf, png]


def band(ax: Any, x: Any, mean: Any, low: Any, high: Any, style: LineStyle, name: str,
         markevery: int | None = None, alpha: float = 0.18) -> None:
    """A mean line with a shaded interval."""
    ax.fill_between(x, low, high, color=style.color, alpha=alpha, linewidth=0)
    ax.plot(x, mean, label=name, **style.kwargs(markevery))


def legend_below(fig: Any, ax: Any, ncols: int = 3, space: float = 0.1) -> None:
    """One legend for the whole figure, below the panels (from ``ax``'s handles)."""
    handles, labels = ax.get_legend_handles_labels()
    fig.tight_layout(rect=(0, space, 1, 1))
    fig.legend(handles, labels, loc="lower center", ncols=ncols, bbox_to_anchor=(0.5, 0.0))
