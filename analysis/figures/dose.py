"""Figures of experiment 2 (dose–response): heat maps with the switch marked, hybrid lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from analysis import stats, style
from analysis.data import Results
from analysis.dose import OUTS, grid_frame, hybrid_frame
from analysis.numbers import Numbers, keyify

TITLES = {"close_rate_last": "Long-run close rate", "gaming_last": "Gaming index",
          "client_roi": "Client ROI (cumulative)", "appointments_last": "Appointments / week"}
SHOWN = OUTS[:3]


def draw(results: Results, n: Numbers, outdir: Path) -> list[str]:
    """``dose_heatmaps`` and ``dose_hybrid``."""
    heatmaps(grid_frame(results), n, outdir)
    hybrid(hybrid_frame(results), outdir)
    return ["dose_heatmaps", "dose_hybrid"]


def _matrix(grid: pl.DataFrame, out: str) -> tuple[np.ndarray, list[float], list[float]]:
    cells = (grid.group_by("audit_value", "price_value", maintain_order=True)
             .agg(pl.col(out).mean()).sort("audit_value", "price_value"))
    audits = sorted(set(cells["audit_value"].to_list()))
    prices = sorted(set(cells["price_value"].to_list()))
    m = np.full((len(audits), len(prices)), np.nan)
    for a, p, v in cells.iter_rows():
        m[audits.index(a), prices.index(p)] = np.nan if v is None else v
    return m, audits, prices


def heatmaps(grid: pl.DataFrame, n: Numbers, outdir: Path) -> None:
    """Close rate, gaming index and client ROI over price × audit; switch cells outlined."""
    with style.figure(height=2.5, ncols=len(SHOWN)) as (fig, axes):
        for ax, out in zip(axes, SHOWN, strict=True):
            m, audits, prices = _matrix(grid, out)
            im = ax.imshow(m, origin="lower", aspect="auto", cmap="cividis")
            _annotate(ax, m)
            _mark_switch(ax, n, audits, prices)
            ax.set_xticks(range(len(prices)), [f"{p:g}" for p in prices], rotation=90)
            ax.set_yticks(range(len(audits)), [f"{a:g}" for a in audits])
            ax.set_xlabel("Price per appointment (USD)")
            ax.set_title(TITLES[out])
            ax.grid(False)
            fig.colorbar(im, ax=ax, shrink=0.85, pad=0.02)
        axes[0].set_ylabel("Audit rate (full clawback)")
        fig.tight_layout()
        style.save(fig, outdir, "dose_heatmaps")


def _annotate(ax: object, m: np.ndarray) -> None:
    finite = m[np.isfinite(m)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (i, j), v in np.ndenumerate(m):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=5.5,  # type: ignore[attr-defined]
                    color="black" if v > mid else "white")


def _mark_switch(ax: object, n: Numbers, audits: list[float], prices: list[float]) -> None:
    from matplotlib.patches import Rectangle

    for i, a in enumerate(audits):
        price = n.get(f"switch.by_audit.a{keyify(f'{a:g}')}.price")
        if price is None:
            continue
        j = prices.index(price)
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="white",  # type: ignore[attr-defined]
                               linewidth=2.2))
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black",  # type: ignore[attr-defined]
                               linewidth=1.0, linestyle="--"))


def hybrid(frame: pl.DataFrame, outdir: Path) -> None:
    """Outcomes against the hybrid weight, one line per billing basis."""
    bases = frame["basis"].unique(maintain_order=True).to_list()
    with style.figure(height=2.4, ncols=len(SHOWN)) as (fig, axes):
        for ax, out in zip(axes, SHOWN, strict=True):
            for k, basis in enumerate(bases):
                rows = frame.filter(pl.col("basis") == basis)
                ws = sorted(set(rows["weight_value"].to_list()))
                est = [stats.mean_ci(rows.filter(pl.col("weight_value") == w)[out]) for w in ws]
                st = style.style_for(basis, bases)
                style.band(ax, ws, [e.mean for e in est], [e.ci_low for e in est],
                           [e.ci_high for e in est], st,
                           "billed on " + basis + (" (falsif.)" if k else ""))
            ax.set_title(TITLES[out])
            ax.set_xlabel("Hybrid weight (0 retainer, 1 per appt.)")
        style.legend_below(fig, axes[0], ncols=2, space=0.12)
        style.save(fig, outdir, "dose_hybrid")
