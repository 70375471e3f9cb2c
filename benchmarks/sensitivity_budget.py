"""Which sensitivity design ranks the parameters within the budget (issue 18 item 3). Prints.

Reads a finished sensitivity sweep with at least two replicates per point (the experiment's
paper scale, or a pilot of the same form: a ``sample`` x ``arm`` grid on common seeds) and prints

1. what was measured: the run noise of the paired close-rate gap (within-point variance), the
   parameters' variance (of the point means, less the noise), the noise shares of the point
   means and of the polynomial-chaos surrogate at each degree, cross-validated R², and what
   common random numbers give (arm noise cancelled in the gap, correlation of a seed's noise
   across points);
2. per candidate design: runs needed, estimated wall time on 2 cores at the stated rate, and,
   on a synthetic model calibrated to the sweep (the fitted surrogate as the truth, independent
   Gaussian run noise of the measured variance), the noise share (Saltelli: of the point means,
   from the measured variances; surrogate: its own, from one synthetic sweep), the mean width
   of the total indices' 95% intervals and how many parameters clear the floor of 0.05.

Usage::

    python benchmarks/sensitivity_budget.py RESULTS [--scale paper] [--experiment FILE]
        [--rate 6.7]

``--rate`` is default runs per CPU-second (default: the sweep's own, from its manifest; issue
18 measured 6.7 on a quiet machine, ``benchmarks/bench_batch.py`` measures it). Prints only;
asserts nothing. Seconds to a minute of numpy on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import pce  # noqa: E402
from analysis.robustness import DEGREES, FLOOR, NOISY, gap_matrix  # noqa: E402
from sales_abm.runner import load_experiment, load_summaries  # noqa: E402

CORES, BUDGET_S, ARMS = 2, 15 * 60, 2


def measured(x: np.ndarray, y: np.ndarray, bounds: np.ndarray) -> tuple[int, pce.Surrogate]:
    """Print the sweep's noise, variance and surrogate fits; return the chosen degree's fit."""
    points, reps = y.shape
    noise = float(np.mean(np.var(y, axis=1, ddof=1)))
    signal = float(np.var(y.mean(axis=1), ddof=1)) - noise / reps
    print(f"sweep: {points} points x {reps} replicates x {ARMS} arms = {ARMS * points * reps} "
          f"runs")
    print(f"  run noise of the gap (within-point variance): {noise:.4g}  "
          f"(sd {np.sqrt(noise):.4g})")
    print(f"  parameters' variance of the gap (point means less noise/R): {signal:.4g}  "
          f"ratio noise/parameters {noise / signal:.3g}")
    print(f"  point noise share at R={reps}: {pce.point_noise_share(y):.3f}; "
          f"at R=2 (replicates 0-1): {pce.point_noise_share(y[:, :2]):.3f}")
    u = pce.to_unit(x, bounds)
    degree, scores, _ = pce.choose_degree(u, y, DEGREES, NOISY)
    for d in pce.feasible_degrees(points, u.shape[1], DEGREES):
        alphas = pce.multi_indices(u.shape[1], d)
        half = (pce.surrogate_noise_share(u[: points // 2], y[: points // 2], alphas)
                if points // 2 >= pce.POINTS_PER_TERM * len(alphas) else None)
        print(f"  surrogate degree {d} ({len(alphas)} terms): CV R² {scores[d]:.3f}, noise "
              f"share {pce.surrogate_noise_share(u, y, alphas):.3f} (first half of the "
              f"points: {_fmt(half)})")
    print(f"  chosen degree {degree}; R² ceiling set by noise: "
          f"{1 - pce.point_noise_share(y):.3f}")
    return degree, pce.analyse(u, y, degree, resamples=200)


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def crn(gap: np.ndarray, arms: dict[str, np.ndarray]) -> None:
    """Print what common random numbers give (arm noise cancelled; seed effect across points)."""
    dev = {k: v - v.mean(axis=1, keepdims=True) for k, v in arms.items()}
    g = gap - gap.mean(axis=1, keepdims=True)
    total = sum(float(np.mean(d ** 2)) for d in dev.values())
    print(f"  common seeds across arms cancel {1 - float(np.mean(g ** 2)) / total:.1%} of the "
          f"arms' summed run-noise variance in the gap")
    corr = np.corrcoef(g)
    print(f"  mean correlation of the gap's run noise between design points (same seed): "
          f"{np.nanmean(corr[np.triu_indices_from(corr, 1)]):+.3f}")


def candidates(fit: pce.Surrogate, noise: float, signal: float, rate: float, dims: int,
               seed: int = 11) -> None:
    """Print each candidate design's cost, noise share and interval widths (synthetic truth)."""
    from scipy.stats import qmc

    rng = np.random.default_rng(seed)
    degree = fit.degree
    alphas = pce.multi_indices(dims, degree)
    truth = fit.coef

    def model(u: np.ndarray, reps: int) -> np.ndarray:
        f = pce.basis(u, alphas) @ truth
        return f[:, None] + rng.normal(0, np.sqrt(noise), (len(u), reps))

    _, true_st, _ = pce.indices(truth, alphas)
    print(f"\nsynthetic truth (the fitted surrogate): parameters with ST > {FLOOR}: "
          f"{int((true_st > FLOOR).sum())}; ST = {np.round(true_st, 3).tolist()}")
    print(f"{'design':<34}{'runs':>7}{'wall 2 cores':>14}{'noise share':>13}"
          f"{'mean ST CI width':>18}{'ST low > floor':>16}")
    for n, reps in ((64, 2), (16, 20), (32, 16), (8, 32)):
        runs = ARMS * n * (dims + 2) * reps
        share = (noise / reps) / (signal + noise / reps)
        width, above = _saltelli(model, n, reps, dims, rng)
        _row(f"Saltelli n={n}, R={reps}", runs, rate, share, width, above)
    for points, reps in ((256, 4), (512, 4), (1024, 2), (512, 6), (1024, 4)):
        u = 2 * qmc.Sobol(dims, rng=rng).random_base2(int(np.log2(points))) - 1
        s = pce.analyse(u, model(u, reps), degree, resamples=100)
        width = float(np.mean(s.st_ci[:, 1] - s.st_ci[:, 0]))
        _row(f"PCE deg {degree}, Sobol N={points}, R={reps}", ARMS * points * reps, rate,
             s.noise_share, width, int((s.st_ci[:, 0] > FLOOR).sum()))


def _saltelli(model: Callable[[np.ndarray, int], np.ndarray], n: int, reps: int, dims: int,
              rng: np.random.Generator) -> tuple[float, int]:
    """SALib's Saltelli/Jansen estimates on the synthetic model: the mean width of the total
    indices' 95% intervals, and how many have the lower end above the floor."""
    from SALib.analyze import sobol

    y = model(2 * _saltelli_unit(n, dims, rng) - 1, reps).mean(axis=1)
    problem = {"num_vars": dims, "names": [f"x{i}" for i in range(dims)],
               "bounds": [[0, 1]] * dims}
    res = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=1)
    return float(np.mean(2 * res["ST_conf"])), int((res["ST"] - res["ST_conf"] > FLOOR).sum())


def _saltelli_unit(n: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """Saltelli's A, AB_1..AB_d, B rows (SALib's order, first and total order only)."""
    from scipy.stats import qmc

    base = qmc.Sobol(2 * dims, rng=rng).random_base2(int(np.log2(n)))
    rows = []
    for a, b in zip(base[:, :dims], base[:, dims:], strict=True):
        rows.append(a)
        for i in range(dims):
            ab = a.copy()
            ab[i] = b[i]
            rows.append(ab)
        rows.append(b)
    return np.array(rows)


def _row(name: str, runs: int, rate: float, share: float, width: float, above: int) -> None:
    wall = runs / (rate * CORES)
    flag = "" if wall <= BUDGET_S else "  (over 15 min)"
    print(f"{name:<34}{runs:>7}{wall / 60:>11.1f} min{share:>13.3f}{width:>18.3f}"
          f"{above:>16}{flag}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", type=Path)
    ap.add_argument("--scale", default="paper")
    ap.add_argument("--experiment", type=Path, default=ROOT / "experiments" / "sensitivity.py")
    ap.add_argument("--rate", type=float, default=None,
                    help="default runs per CPU-second (default: the sweep's own, from its "
                         "manifest's run CPU seconds; else 6.7)")
    args = ap.parse_args()
    started = time.perf_counter()
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    spec = load_experiment(str(args.experiment))
    rate = args.rate or _measured_rate(args.results / spec.name / args.scale) or 6.7
    points = spec.resolve(args.scale).points
    ranges = runpy.run_path(str(ROOT / "experiments" / "sensitivity.py"))["RANGES"]
    names = list(ranges)
    bounds = np.array([ranges[k] for k in names], dtype=float)
    summaries = load_summaries(spec, args.scale, args.results)
    x, y = gap_matrix(summaries, points, names)
    keep = np.isfinite(y).all(axis=1)
    x, y = x[keep], y[keep]
    degree, fit = measured(x, y, bounds)
    arms = {}
    for arm in ("per_appointment", "retainer"):
        one = summaries.filter(summaries["arm"] == arm)
        arms[arm] = _per_point(one, "cohort_close_rate_last_13")[keep]
    crn(y, arms)
    print(f"  indices (degree {degree}): " + ", ".join(
        f"{k.split('.')[-1]} ST {fit.st[i]:.2f} [{fit.st_ci[i, 0]:.2f}, {fit.st_ci[i, 1]:.2f}]"
        for i, k in enumerate(names)))
    noise = float(np.mean(np.var(y, axis=1, ddof=1)))
    signal = float(np.var(y.mean(axis=1), ddof=1)) - noise / y.shape[1]
    print(f"  rate used for the wall times: {rate:.2f} default runs per CPU-second, "
          f"{CORES} cores")
    candidates(fit, noise, signal, rate, len(names))
    print(f"\n({time.perf_counter() - started:.0f} s)")


def _measured_rate(directory: Path) -> float | None:
    """Runs per CPU-second of the sweep's last finished run (its manifest), printed."""
    try:
        sweep = json.loads((directory / "manifest.json").read_text())["sweeps"][-1]
        rate = sweep["done"] / sweep["run_cpu_seconds"]
    except (OSError, KeyError, IndexError, ValueError, ZeroDivisionError):
        return None
    print(f"sweep's own figures: {sweep['done']} runs in {sweep['wall_seconds']:.0f} s wall "
          f"({sweep['executor']}), {sweep['run_cpu_seconds']:.0f} CPU-s in the runs: "
          f"{rate:.2f} runs per CPU-second")
    return rate


def _per_point(frame: pl.DataFrame, column: str) -> np.ndarray:
    """One row per sample point, one column per replicate."""
    return (frame.pivot(on="replicate", index="sample", values=column, sort_columns=True)
            .sort("sample").drop("sample").to_numpy().astype(float))


if __name__ == "__main__":
    main()
