"""Statistics over replicates: means with t intervals, paired differences, effect sizes, CVs.

Every function takes plain numpy arrays or polars frames and returns plain values. A replicate is
a seed; with common random numbers replicate r of every design point runs on the same seed, so
two design points are compared by the differences of their runs paired by ``seed``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy import stats as sps

LEVEL = 0.95
#: Aggregates over many rows are rounded to this many significant digits, so that a rebuild
#: draws identical figures even if a parallel sum adds in another order.
SIG_FIGS = 12
#: Relative band around the final coefficient of variation that counts as "levelled off".
CV_TOLERANCE = 0.10


@dataclass(frozen=True)
class Estimate:
    """A mean over replicates with its two-sided t interval.

    Attributes:
        mean: sample mean (NaN when no value).
        ci_low: lower end of the interval (NaN when n < 2).
        ci_high: upper end of the interval (NaN when n < 2).
        sd: sample standard deviation (ddof 1; NaN when n < 2).
        n: number of finite values.
    """

    mean: float
    ci_low: float
    ci_high: float
    sd: float
    n: int

    def as_dict(self) -> dict[str, Any]:
        """The estimate as a JSON-ready mapping (NaN becomes None)."""
        return {"mean": _finite(self.mean), "ci_low": _finite(self.ci_low),
                "ci_high": _finite(self.ci_high), "sd": _finite(self.sd), "n": self.n}

    @property
    def excludes_zero(self) -> bool:
        """The interval lies strictly on one side of zero."""
        return bool(self.ci_low > 0 or self.ci_high < 0)


@dataclass(frozen=True)
class Paired:
    """A paired difference (treatment − control, matched by seed) and its effect size.

    Attributes:
        diff: the mean difference with its interval.
        cohens_d: Cohen's d_z, the mean difference over the sd of the differences.
    """

    diff: Estimate
    cohens_d: float

    def as_dict(self) -> dict[str, Any]:
        """The difference as a JSON-ready mapping, with ``d`` the effect size."""
        return {**self.diff.as_dict(), "d": _finite(self.cohens_d)}


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def clean(values: Any) -> np.ndarray:
    """A float array without NaN or missing values."""
    arr = np.asarray(values, dtype=float).ravel()
    return arr[np.isfinite(arr)]


def t_quantile(n: int, level: float = LEVEL) -> float:
    """The two-sided t critical value for a mean of ``n`` values."""
    return float(sps.t.ppf(0.5 + level / 2, n - 1)) if n > 1 else math.nan


def mean_ci(values: Any, level: float = LEVEL) -> Estimate:
    """Mean and t interval of the finite values.

    Args:
        values: one value per replicate (NaN and None are dropped).
        level: confidence level.
    """
    x = clean(values)
    n = int(x.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return Estimate(mean, math.nan, math.nan, math.nan, 1)
    sd = float(x.std(ddof=1))
    half = t_quantile(n, level) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, sd, n)


def cohens_dz(diffs: Any) -> float:
    """Cohen's d_z of paired differences: mean / sd (NaN when undefined)."""
    x = clean(diffs)
    if x.size < 2:
        return math.nan
    sd = float(x.std(ddof=1))
    if sd == 0.0:
        return math.copysign(math.inf, float(x.mean())) if x.mean() != 0 else math.nan
    return float(x.mean()) / sd


def paired_values(frame: pl.DataFrame, factor: str, value: str, treatment: Any,
                  control: Any, on: str = "seed") -> np.ndarray:
    """Differences treatment − control of ``value`` for the seeds both have, in seed order."""
    sel = frame.select(on, factor, value)
    a = sel.filter(pl.col(factor) == treatment).drop(factor).rename({value: "t"})
    b = sel.filter(pl.col(factor) == control).drop(factor).rename({value: "c"})
    both = a.join(b, on=on, how="inner").sort(on)
    return (both["t"].cast(pl.Float64) - both["c"].cast(pl.Float64)).to_numpy()


def paired(frame: pl.DataFrame, factor: str, value: str, treatment: Any, control: Any,
           on: str = "seed") -> Paired:
    """Paired difference of ``value`` between two levels of ``factor``, matched ``on`` seed.

    Args:
        frame: one row per run, with columns ``factor``, ``value`` and ``on``; any other factor
            must already be filtered to one level.
        factor: the column whose levels are compared.
        value: the outcome.
        treatment: the level subtracted from.
        control: the level subtracted.
        on: the pairing column.
    """
    d = paired_values(frame, factor, value, treatment, control, on)
    return Paired(mean_ci(d), cohens_dz(d))


def cv_curve(values: Any) -> np.ndarray:
    """Coefficient of variation of the first n replicates, for n = 2..N (in replicate order).

    The CV is sd / |mean| (ddof 1); element i belongs to n = i + 2.
    """
    x = clean(values)
    out = []
    for n in range(2, x.size + 1):
        head = x[:n]
        mean = float(head.mean())
        out.append(float(head.std(ddof=1)) / abs(mean) if mean != 0 else math.nan)
    return np.array(out)


def replicates_justified(values: Any, tolerance: float = CV_TOLERANCE) -> int | None:
    """The smallest n from which the CV stays within ``tolerance`` of its final value.

    Lorscheid, Heine & Meyer (2012): add replicates until the coefficient of variation of the
    outcome levels off. Here "levels off" means every CV from n replicates on lies within a
    relative band of ``tolerance`` around the CV of all replicates.

    Returns:
        n, or None when fewer than three replicates exist or the CV is undefined.
    """
    curve = cv_curve(values)
    if curve.size < 2 or not np.all(np.isfinite(curve)):
        return None
    final = curve[-1]
    inside = np.abs(curve - final) <= tolerance * abs(final)
    outside = np.flatnonzero(~inside)
    first = 0 if outside.size == 0 else int(outside[-1]) + 1
    return first + 2


def weekly_bands(frame: pl.DataFrame, group: list[str], value: str,
                 level: float = LEVEL) -> pl.DataFrame:
    """Per group and week: mean of ``value`` over runs with its t interval.

    Returns:
        Columns ``group..., week, mean, ci_low, ci_high, n`` sorted by group and week.
    """
    agg = (frame.filter(pl.col(value).is_not_null())
           .sort([*group, "week", *[c for c in ("point", "replicate") if c in frame.columns]])
           .group_by([*group, "week"], maintain_order=True)
           .agg(pl.col(value).mean().alias("mean"), pl.col(value).std().alias("sd"),
                pl.len().alias("n"))
           .sort([*group, "week"]))
    q = np.array([t_quantile(int(n), level) for n in agg["n"].to_list()])
    half = agg["sd"].fill_null(np.nan).to_numpy() * q / np.sqrt(agg["n"].to_numpy())
    out = agg.with_columns(ci_low=agg["mean"] - half, ci_high=agg["mean"] + half).drop("sd")
    return out.with_columns(pl.col("mean", "ci_low", "ci_high").round_sig_figs(SIG_FIGS))


def restricted_mean(times: Any, horizon: float) -> Estimate:
    """Mean of event times with censoring at ``horizon`` (NaN means the event never happened)."""
    t = np.asarray(times, dtype=float)
    return mean_ci(np.where(np.isfinite(t), t, horizon))


def spearman(x: Any, y: Any) -> float:
    """Spearman's rank correlation of two equally long samples (NaN pairs dropped)."""
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(a) & np.isfinite(b)
    if keep.sum() < 3 or np.ptp(a[keep]) == 0 or np.ptp(b[keep]) == 0:
        return math.nan
    return float(sps.spearmanr(a[keep], b[keep]).statistic)


#: Bootstrap resamples of a median's percentile interval, and their fixed seed.
BOOTSTRAP = 2000
BOOTSTRAP_SEED = 20260


def km_median(times: Any) -> float:
    """Kaplan–Meier median of event times; NaN marks a run censored (no event in the run).

    Censoring here is at each run's end, after every observed event, so the survival curve is
    one minus the share of runs with an event by ``t``; the median is the first event time at
    which that share reaches one half, and +inf when fewer than half the runs have the event
    (the median is not reached within the horizon).
    """
    t = np.asarray(times, dtype=float).ravel()
    if t.size == 0:
        return math.nan
    events = np.sort(t[np.isfinite(t)])
    need = math.ceil(t.size / 2)
    return float(events[need - 1]) if events.size >= need else math.inf


@dataclass(frozen=True)
class Median:
    """A Kaplan–Meier median with its bootstrap percentile interval.

    Attributes:
        median: the median (+inf: not reached within the horizon).
        ci_low: 2.5th percentile of the bootstrap medians (+inf: not reached).
        ci_high: 97.5th percentile (+inf: not reached in at least 2.5% of resamples).
        n: runs.
        events: runs with the event.
    """

    median: float
    ci_low: float
    ci_high: float
    n: int
    events: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready; a bound that is not reached becomes None, flagged by ``*_reached``."""
        out: dict[str, Any] = {"n": self.n, "events": self.events}
        for name in ("median", "ci_low", "ci_high"):
            value = _finite(getattr(self, name))
            # event times are whole weeks: quoted as integers
            out[name] = int(value) if value is not None and value.is_integer() else value
            out[f"{name}_reached"] = value is not None
        return out


def km_median_ci(times: Any, level: float = LEVEL, resamples: int = BOOTSTRAP,
                 seed: int = BOOTSTRAP_SEED) -> Median:
    """:func:`km_median` with a bootstrap percentile interval (runs resampled with replacement).

    A percentile interval stays inside the range of the observed times, so it never goes
    negative, and a median not reached in a resample counts as +inf (an open upper end).
    """
    t = np.asarray(times, dtype=float).ravel()
    median = km_median(t)
    events = int(np.isfinite(t).sum())
    if t.size < 2:
        return Median(median, math.nan, math.nan, int(t.size), events)
    rng = np.random.default_rng(seed)
    boots = np.array([km_median(t[rng.integers(0, t.size, t.size)]) for _ in range(resamples)])
    alpha = (1 - level) / 2
    low, high = np.quantile(boots, [alpha, 1 - alpha], method="inverted_cdf")
    return Median(median, float(low), float(high), int(t.size), events)
