"""The run's outputs, declared once, and the recorder that fills them.

Every weekly column, cohort column and summary key is declared here, once: its name, unit, dtype,
meaning and how it is computed (:class:`Column`). Everything else reads these declarations: the
recorder (:class:`Recorder`; the fast model's and the reference model's ``_record`` only supply
the *measured* columns, *derived* ones are computed here from them), the run summary
(:func:`summarize`, whose keys are the metric's name plus its statistic's suffix), the results
store's schema (:func:`weekly_schema`, :func:`cohort_schema`), the run key's schema hash
(:func:`schema_digest`) and the column dictionary ``docs/outputs.md``
(``scripts/outputs_doc.py``, checked by a test).

Adding a weekly metric: declare it in :data:`WEEKLY` (a ``derive`` function if it follows from
other columns; otherwise both models' ``_record`` must supply its value — the recorder refuses a
week without it), regenerate ``docs/outputs.md`` and add its test.

Rates whose denominator is zero (a week with no appointments) are recorded as missing (null),
never as NaN or a made-up zero.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

#: Length (weeks, or resolved cohorts) of the first and last windows the summary compares.
WINDOW = 13

#: Summary statistics: suffix of the key (after the column's name) → what it computes.
STATISTICS = {
    "total": "sum over the run (the key is the column's name alone)",
    f"first_{WINDOW}": f"mean over the first {WINDOW} weeks (a pooled rate: its numerator's sum "
                       "over its denominator's)",
    f"last_{WINDOW}": f"mean over the last {WINDOW} weeks (pooled for a rate, as above)",
    "final": "value in the last week",
    "share": "its sum over the run divided by the sum of the column named in ``share_of``",
}

Derive = Callable[[Mapping[str, np.ndarray]], np.ndarray]


@dataclass(frozen=True)
class Column:
    """One output column, declared once.

    Attributes:
        name: column name (weekly frame, cohort frame; cohort columns appear as ``cohort_<name>``
            in stored run files and summary keys).
        unit: unit of a value (``USD``, ``appointments``, ``share`` …).
        meaning: what it measures, one sentence.
        dtype: polars dtype name (``Int64`` for counts, ``Float64`` otherwise).
        how: how it is computed, one line (documentation).
        derive: for a derived column, its values from the other columns (vectorised, evaluated
            in declaration order); None for a column the model measures.
        pooled: for a rate, ``(numerator, denominator)`` columns: window statistics pool them.
        summary: the statistics of :data:`STATISTICS` the run summary reports for it.
        share_of: the denominator column of the ``share`` statistic.
    """

    name: str
    unit: str
    meaning: str
    dtype: str = "Float64"
    how: str = "measured by the model"
    derive: Derive | None = None
    pooled: tuple[str, str] | None = None
    summary: tuple[str, ...] = ()
    share_of: str | None = None

    def summary_keys(self, prefix: str = "") -> list[str]:
        """The summary keys this column gives: its name, plus ``_<statistic>`` unless a total."""
        base = prefix + self.name
        return [base if stat == "total" else f"{base}_{stat}" for stat in self.summary]


def _ratio_columns(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den elementwise, NaN (null) where the denominator is not positive."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _roi(c: Mapping[str, np.ndarray]) -> np.ndarray:
    margin = np.cumsum(c["client_margin"])  # sequential, as the running sums it replaces
    cost = np.cumsum(c["client_payments"] + c["ae_cost"])
    return _ratio_columns(margin - cost, cost)


_FW, _LW = f"first_{WINDOW}", f"last_{WINDOW}"
_STATUS_MEANING = {
    "available": "may be called", "cooling": "resting after a contact or a lost deal",
    "booked": "with a meeting set for next week", "cycle": "with an opportunity in its sales cycle",
    "customer": "customers", "burned": "refusing contact after a junk meeting",
}
_DIM_MEANING = {"effort": "effort level (calls planned per week)",
                "threshold": "qualification threshold (lowest perceived fit proposed to)",
                "pressure": "pressure level (push to agree)"}
_DIM_UNIT = {"effort": "calls per week", "threshold": "fit", "pressure": "level"}


def _count(name: str, unit: str, meaning: str, summary: tuple[str, ...] = (),
           **kw: Any) -> Column:
    return Column(name, unit, meaning, dtype="Int64", summary=summary, **kw)


def _usd(name: str, meaning: str, summary: tuple[str, ...] = (), **kw: Any) -> Column:
    return Column(name, "USD", meaning, summary=summary, **kw)


def _strategy(dim: str) -> tuple[Column, Column]:
    stats = (_FW, _LW) if dim != "effort" else ()
    unit = _DIM_UNIT[dim]
    return (Column(f"mean_{dim}", unit, f"mean {_DIM_MEANING[dim]} of the employed reps",
                   summary=stats, how="mean over employed reps (null if none)"),
            Column(f"sd_{dim}", unit, f"population SD of the employed reps' {dim}",
                   how="numpy std over employed reps (null if none)"))


#: Weekly metrics, in column order (after the integer ``week``).
WEEKLY: tuple[Column, ...] = (
    _count("calls", "calls", "calls made by all reps"),
    _count("connects", "calls", "calls that reached the prospect"),
    _count("appointments_set", "appointments", "meetings booked this week (for next week)",
           ("total", _FW, _LW)),
    _count("appointments_junk", "appointments",
           "booked meetings whose prospect's true fit is below the qualification bar"),
    _count("meetings_held", "meetings", "last week's appointments held (shown, within AE "
           "capacity)", ("total",)),
    _count("meetings_held_junk", "meetings", "held meetings with a below-bar prospect"),
    _count("no_shows", "meetings", "appointments the prospect did not show up to"),
    _count("meetings_cancelled", "meetings", "shown appointments beyond the AE's capacity"),
    _count("opportunities", "opportunities", "held meetings that opened a sales cycle"),
    _count("closes", "deals", "sales cycles ending this week in a won deal", ("total",)),
    _usd("revenue", "the client's revenue from the deals won this week", ("total",)),
    _usd("client_fees", "fixed fees the client paid the outsourcer"),
    _usd("client_appointment_payments", "the client's per-appointment payments"),
    _usd("client_clawbacks", "refunds to the client for audited junk appointments (positive)"),
    _usd("client_commission", "commission the client paid on won revenue"),
    _usd("client_payments", "everything the client paid the outsourcer: fees + appointments - "
         "clawbacks + commission", ("total",)),
    _usd("outsourcer_income", "the outsourcer's income (= client_payments)",
         how="client_payments", derive=lambda c: c["client_payments"]),
    _usd("rep_base_pay", "base pay of the employed reps"),
    _usd("rep_bonus", "per-appointment bonuses paid to reps"),
    _usd("rep_clawbacks", "bonus clawed back from reps for audited junk (positive)"),
    _usd("rep_commission", "commission paid to reps"),
    _usd("rep_pay", "total pay of reps: base + bonus - clawbacks + commission", ("total",)),
    _usd("training_spend", "cost of training this week's trained hires", ("total",)),
    _usd("overhead", "the outsourcer's overhead of employed reps"),
    _usd("outsourcer_spending", "rep pay, training and overhead",
         how="rep_pay + training_spend + overhead",
         derive=lambda c: c["rep_pay"] + c["training_spend"] + c["overhead"]),
    _usd("outsourcer_profit", "the outsourcer's profit", ("total",),
         how="outsourcer_income - outsourcer_spending",
         derive=lambda c: c["client_payments"] - c["outsourcer_spending"]),
    _usd("ae_cost", "the client's account-executive cost of held meetings",
         how="client.ae_cost_per_meeting x meetings_held"),
    _usd("client_margin", "gross margin on this week's revenue",
         how="client.gross_margin x revenue"),
    _usd("client_profit", "the client's profit", ("total",),
         how="client_margin - client_payments - ae_cost",
         derive=lambda c: c["client_margin"] - c["client_payments"] - c["ae_cost"]),
    Column("client_cumulative_roi", "ratio", "the client's return on what it has spent so far",
           summary=("final",),
           how="(cum. margin - cum. (payments + ae_cost)) / cum. (payments + ae_cost); null "
               "while nothing was spent", derive=_roi),
    Column("gaming_index", "share", "share of this week's appointments that are junk",
           summary=(_FW, _LW), pooled=("appointments_junk", "appointments_set"),
           how="appointments_junk / appointments_set; null without appointments",
           derive=lambda c: _ratio_columns(c["appointments_junk"], c["appointments_set"])),
    *_strategy("effort"),
    *_strategy("threshold"),
    *_strategy("pressure"),
    Column("mean_skill", "skill", "mean skill (craft multiplier) of the employed reps",
           summary=(_LW,), how="mean over employed reps (null if none)"),
    _count("reps_employed", "reps", "reps employed at the end of the week"),
    _count("rep_quits", "reps", "reps who quit this week (attrition)", ("total",)),
    _count("hires", "reps", "reps hired this week"),
    _count("trained_hires", "reps", "hires the outsourcer trained", ("share",),
           share_of="hires"),
    Column("train_probability", "probability", "the outsourcer's current chance of training a "
           "hire (1 when training is switched off)"),
    _count("burned_this_week", "prospects", "prospects burned by a junk meeting this week"),
    Column("burned_share", "share", "share of the market burned at the end of the week",
           summary=("final",), how="n_burned / prospects",
           derive=lambda c: c["n_burned"] / sum(c[f"n_{s}"] for s in _STATUS_MEANING)),
    Column("mean_receptivity", "probability weight", "mean receptivity of all prospects",
           summary=("final",)),
    *(_count(f"n_{s}", "prospects", f"prospects {m} at the end of the week")
      for s, m in _STATUS_MEANING.items()),
    _count("contract_holder", "contracts", "how many times the client has replaced the "
           "outsourcer so far", ("final",)),
    _count("contract_replacements", "contracts", "outsourcers the client replaced this week",
           ("total",), how="contract_holder minus last week's",
           derive=lambda c: np.diff(c["contract_holder"], prepend=0.0)),
    _count("client_renegotiations", "contracts", "contracts the client renegotiated at this "
           "week's review (switches.client_choice)", ("total",)),
    Column("good_fit_share_available", "share", "share of the available prospects whose fit "
           "clears the qualification bar", summary=(_FW, "final"),
           how="good-fit available rows / available rows (null if none is available)"),
    Column("mean_prospect_answer", "probability", "prospects' mean learned propensity to take "
           "a cold call", summary=(_LW,), how="mean over all prospects"),
    Column("mean_prospect_accept", "probability", "prospects' mean learned propensity to accept "
           "a meeting", summary=(_LW,), how="mean over all prospects"),
)

#: Weekly labels (strings), after the metrics; the models set them with :meth:`Recorder.label`.
LABELS: tuple[Column, ...] = (
    Column("contract_in_force", "preset", "label of the client contract in force: the "
           "contract.preset it came from (a [[schedule]] switch changes it) and how a "
           "renegotiation departs from it (price factor, audit, billing)",
           dtype="String", how="Client.label"),
)

#: The week column in front of the weekly metrics.
WEEK = Column("week", "week", "week of the run, from 0", dtype="Int32", how="row index")

#: Cohort columns (one row per week an appointment cohort was set), in column order.
COHORT: tuple[Column, ...] = (
    Column("cohort_week", "week", "the week the cohort's appointments were set", dtype="Int32",
           how="row index"),
    _count("appointments_set", "appointments", "appointments set that week"),
    _count("appointments_junk", "appointments", "of them, junk"),
    _count("meetings_held", "meetings", "of them, held (the next week)"),
    _count("closes", "deals", "deals won from them, whenever their cycle ended"),
    _usd("revenue", "revenue of those deals"),
    Column("resolved", "flag", "all the cohort's meetings and sales cycles ended within the run",
           dtype="Boolean", summary=("total",),
           how="cohort_week + 1 + cycle_max_weeks <= weeks - 1 (summary: resolved cohorts)"),
    Column("close_rate", "share", "closes per appointment set, once resolved",
           summary=(_FW, _LW), pooled=("closes", "appointments_set"),
           how="closes / appointments_set if resolved and appointments_set > 0, else null; "
               "window statistics over resolved cohorts"),
)
#: Prefix of cohort columns in stored run files and summary keys.
COHORT_PREFIX = "cohort_"

#: Keys the run adds in front of the statistics (see :func:`sales_abm.model.run`).
RUN_KEYS = {"contract": "the contract preset", "seed": "the run's seed",
            "weeks": "the horizon", "model_version": "the model version that produced it"}

#: Weekly metric names, in column order.
WEEKLY_METRICS = tuple(c.name for c in WEEKLY)
#: Weekly label names, in column order (after the metrics).
WEEKLY_LABELS = tuple(c.name for c in LABELS)
#: The metrics the model measures (the others are derived by the recorder).
MEASURED = tuple(c.name for c in WEEKLY if c.derive is None)
#: Cohort columns the model adds to (the rest the recorder computes).
COHORT_COLUMNS = tuple(c.name for c in COHORT
                       if c.name not in ("cohort_week", "resolved", "close_rate"))


def summary_keys() -> list[str]:
    """Every summary key, in order: the run's keys, the weekly and the cohort statistics."""
    return [*RUN_KEYS, *(k for c in WEEKLY for k in c.summary_keys()),
            *(k for c in COHORT for k in c.summary_keys(COHORT_PREFIX))]


def weekly_schema() -> dict[str, pl.DataType]:
    """The weekly frame's columns and polars dtypes."""
    return {c.name: getattr(pl, c.dtype)() for c in (WEEK, *WEEKLY, *LABELS)}


def cohort_schema() -> dict[str, pl.DataType]:
    """The cohort frame's columns and polars dtypes."""
    return {c.name: getattr(pl, c.dtype)() for c in COHORT}


def schema_digest() -> str:
    """sha256 of the run schema: weekly and cohort columns with dtypes, and the summary keys.

    Part of the run key, so results stored under another schema read as stale.
    """
    schema = {"weekly": [[c.name, c.dtype] for c in (WEEK, *WEEKLY, *LABELS)],
              "cohort": [[c.name, c.dtype] for c in COHORT], "summary": summary_keys()}
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode("utf-8")).hexdigest()


def ratio(num: float, den: float) -> float:
    """num / den, or NaN (recorded as null) when there is nothing to divide by."""
    return num / den if den > 0 else math.nan


def _series(column: Column, values: np.ndarray) -> pl.Series:
    series = pl.Series(column.name, values, nan_to_null=True)
    return series if column.dtype == "Float64" else series.cast(getattr(pl, column.dtype)())


class Recorder:
    """Fills preallocated weekly and cohort columns; returns polars frames.

    The weekly metrics are a (week x metric) array whose row for a week is written in place:
    by :meth:`record` from a dict, or by compiled code at the positions :meth:`columns` gives
    (the model's ``_record``), so a week costs no dict and no per-value assignment.

    Args:
        weeks: horizon of the run.
        cycle_max_weeks: longest sales cycle: a cohort is resolved once this many weeks have
            passed after its meetings.
    """

    def __init__(self, weeks: int, cycle_max_weeks: int) -> None:
        self.weeks = weeks
        self.cycle_max = cycle_max_weeks
        self.weekly = np.full((weeks, len(MEASURED)), np.nan)
        self.labels: dict[str, list[str | None]] = {name: [None] * weeks
                                                    for name in WEEKLY_LABELS}
        self.cohorts = np.zeros((len(COHORT_COLUMNS), weeks))
        self._cohort_index = {name: i for i, name in enumerate(COHORT_COLUMNS)}

    @staticmethod
    def columns(names: tuple[str, ...]) -> np.ndarray:
        """Positions of these measured metrics in a week's row (:meth:`row`).

        Raises:
            KeyError: on a name that is not a measured metric (:data:`MEASURED`).
        """
        unknown = sorted(set(names) - set(MEASURED))
        if unknown:
            raise KeyError(f"not measured metrics: {unknown}")
        return np.array([MEASURED.index(name) for name in names], dtype=np.int64)

    def cohort_rows(self, names: tuple[str, ...]) -> np.ndarray:
        """Rows of these cohort columns (:data:`COHORT_COLUMNS`) in :attr:`cohorts`."""
        return np.array([self._cohort_index[name] for name in names], dtype=np.int64)

    def row(self, week: int) -> np.ndarray:
        """The week's measured metrics, in :data:`MEASURED` order: a view to write into."""
        return self.weekly[week]

    def record(self, week: int, values: Mapping[str, float]) -> None:
        """Store one week's measured metrics (:data:`MEASURED`; every one must be given)."""
        if len(values) != len(MEASURED):
            missing = set(MEASURED) - set(values)
            extra = set(values) - set(MEASURED)
            raise KeyError(f"week {week}: metrics missing {sorted(missing)}, "
                           f"not measured {sorted(extra)}")
        self.weekly[week] = [values[name] for name in MEASURED]

    def label(self, week: int, name: str, value: str) -> None:
        """Store one week's value of a label column (:data:`LABELS`)."""
        self.labels[name][week] = value

    def add_to_cohort(self, name: str, cohort_week: int, amount: float = 1.0) -> None:
        """Add an amount to one cohort (the week its appointments were set)."""
        self.cohorts[self._cohort_index[name], cohort_week] += amount

    def resolved(self) -> np.ndarray:
        """Cohorts whose meetings and sales cycles all ended within the run."""
        weeks = np.arange(self.weeks)
        return weeks + 1 + self.cycle_max <= self.weeks - 1

    def weekly_frame(self) -> pl.DataFrame:
        """One row per week (weeks not yet run are null); undefined rates are null."""
        by_metric = np.ascontiguousarray(self.weekly.T)
        cols: dict[str, np.ndarray] = dict(zip(MEASURED, by_metric, strict=True))
        for column in WEEKLY:
            if column.derive is not None:
                cols[column.name] = column.derive(cols)
        return pl.DataFrame([_series(WEEK, np.arange(self.weeks, dtype=np.int32)),
                             *(_series(c, cols[c.name]) for c in WEEKLY),
                             *(pl.Series(c.name, self.labels[c.name], dtype=pl.String)
                               for c in LABELS)])

    def cohort_frame(self) -> pl.DataFrame:
        """One row per cohort week, with its close rate once resolved."""
        cols = dict(zip(COHORT_COLUMNS, self.cohorts, strict=True))
        cols["cohort_week"] = np.arange(self.weeks, dtype=np.int32)
        cols["resolved"] = resolved = self.resolved()
        cols["close_rate"] = np.where(resolved, _ratio_columns(cols["closes"],
                                                               cols["appointments_set"]), np.nan)
        return pl.DataFrame([_series(c, cols[c.name]) for c in COHORT])


def _window_ratio(num: np.ndarray, den: np.ndarray) -> float | None:
    total = float(den.sum())
    return float(num.sum()) / total if total > 0 else None


def _mean(x: np.ndarray) -> float | None:
    x = x[~np.isnan(x)]
    return float(x.mean()) if x.size else None


def _none_if_nan(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _statistic(column: Column, stat: str, cols: Mapping[str, np.ndarray],
               windows: Mapping[str, slice]) -> float | None:
    """One summary statistic of a column (see :data:`STATISTICS`)."""
    x = cols[column.name]
    if stat == "total":  # a flag's total is a count
        return int(x.sum()) if column.dtype == "Boolean" else float(x.sum())
    if stat == "final":
        return _none_if_nan(x[-1])
    if stat == "share":
        return _window_ratio(x, cols[column.share_of])
    window = windows[stat]
    if column.pooled is not None:
        num, den = column.pooled
        return _window_ratio(cols[num][window], cols[den][window])
    return _mean(x[window])


def summarize(weekly: pl.DataFrame, cohorts: pl.DataFrame) -> dict[str, Any]:
    """The run's headline numbers: first quarter against the last (resolved) quarter.

    Keys and statistics come from the columns' declarations (:attr:`Column.summary`). Weekly
    measures compare the first and the last :data:`WINDOW` weeks; cohort rates compare the first
    and the last :data:`WINDOW` resolved cohorts, pooled (e.g. closes / appointments).
    """
    window, n = WINDOW, len(weekly)
    w = {name: weekly[name].to_numpy().astype(float) for name in weekly.columns
         if name not in WEEKLY_LABELS}
    resolved = cohorts["resolved"].to_numpy()  # the rows of cohorts.filter(pl.col("resolved"))
    c = {name: cohorts[name].to_numpy()[resolved].astype(float) for name in cohorts.columns}
    k = int(np.count_nonzero(resolved))
    out: dict[str, Any] = {}
    for column in WEEKLY:
        windows = {_FW: slice(0, window), _LW: slice(max(0, n - window), n)}
        for stat, key in zip(column.summary, column.summary_keys(), strict=True):
            out[key] = _statistic(column, stat, w, windows)
    for column in COHORT:
        windows = {_FW: slice(0, window), _LW: slice(max(0, k - window), k)}
        for stat, key in zip(column.summary, column.summary_keys(COHORT_PREFIX), strict=True):
            out[key] = _statistic(column, stat, c, windows)
    return out
