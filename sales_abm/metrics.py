"""The recorder: weekly metrics and appointment cohorts in preallocated columns, as polars frames.

Rates whose denominator is zero (a week with no appointments) are recorded as missing (null), never
as NaN or a made-up zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from sales_abm import kernels

#: Weekly metrics, in column order. All are floats except the integer week.
WEEKLY_METRICS = (
    "calls", "connects", "appointments_set", "appointments_junk", "meetings_held",
    "meetings_held_junk", "no_shows", "meetings_cancelled", "opportunities", "closes", "revenue",
    "client_fees", "client_appointment_payments", "client_clawbacks", "client_commission",
    "client_payments", "outsourcer_income", "rep_base_pay", "rep_bonus", "rep_clawbacks",
    "rep_commission", "rep_pay", "training_spend", "overhead", "outsourcer_spending",
    "outsourcer_profit", "ae_cost", "client_margin", "client_profit", "client_cumulative_roi",
    "gaming_index", "mean_effort", "sd_effort", "mean_threshold", "sd_threshold", "mean_pressure",
    "sd_pressure", "mean_skill", "reps_employed", "rep_quits", "hires", "trained_hires",
    "train_probability", "burned_this_week", "burned_share", "mean_receptivity",
    "n_available", "n_cooling", "n_booked", "n_cycle", "n_customer", "n_burned",
    "contract_holder", "contract_renegotiations", "good_fit_share_available",
    "mean_prospect_answer", "mean_prospect_accept",
)

#: Weekly labels (strings), after the metrics: the preset label of the contract in force.
WEEKLY_LABELS = ("contract_in_force",)

COHORT_COLUMNS = ("appointments_set", "appointments_junk", "meetings_held", "closes", "revenue")


def ratio(num: float, den: float) -> float:
    """num / den, or NaN (recorded as null) when there is nothing to divide by."""
    return num / den if den > 0 else math.nan


class Recorder:
    """Fills preallocated weekly and cohort columns; returns polars frames.

    Args:
        weeks: horizon of the run.
        cycle_max_weeks: longest sales cycle: a cohort is resolved once this many weeks have
            passed after its meetings.
    """

    def __init__(self, weeks: int, cycle_max_weeks: int) -> None:
        self.weeks = weeks
        self.cycle_max = cycle_max_weeks
        self.weekly = np.full((len(WEEKLY_METRICS), weeks), np.nan)
        self.labels: dict[str, list[str | None]] = {name: [None] * weeks for name in WEEKLY_LABELS}
        self._index = {name: i for i, name in enumerate(WEEKLY_METRICS)}
        self.cohorts = np.zeros((len(COHORT_COLUMNS), weeks))
        self._cohort_index = {name: i for i, name in enumerate(COHORT_COLUMNS)}

    def record(self, week: int, values: Mapping[str, float]) -> None:
        """Store one week's metrics (every metric must be given)."""
        if len(values) != len(WEEKLY_METRICS):
            missing = set(WEEKLY_METRICS) - set(values)
            raise KeyError(f"metrics missing for week {week}: {sorted(missing)}")
        # one column assignment, in metric order (not one numpy item assignment per metric)
        self.weekly[:, week] = [values[name] for name in WEEKLY_METRICS]

    def label(self, week: int, name: str, value: str) -> None:
        """Store one week's value of a label column."""
        self.labels[name][week] = value

    def add_to_cohort(self, name: str, cohort_week: int, amount: float = 1.0) -> None:
        """Add an amount to one cohort (the week its appointments were set)."""
        self.cohorts[self._cohort_index[name], cohort_week] += amount

    def add_events_to_cohorts(self, name: str, cohort_weeks: np.ndarray,
                              amounts: np.ndarray | float = 1.0) -> None:
        """Add events to the cohorts they belong to (the weeks their appointments were set)."""
        if cohort_weeks.size:
            # in event order, so sums match event by event (np.add.at, compiled)
            if isinstance(amounts, float):
                amounts = np.full(cohort_weeks.size, amounts)
            kernels.add_in_order(self.cohorts[self._cohort_index[name]], cohort_weeks, amounts)

    def resolved(self) -> np.ndarray:
        """Cohorts whose meetings and sales cycles all ended within the run."""
        weeks = np.arange(self.weeks)
        return weeks + 1 + self.cycle_max <= self.weeks - 1

    def weekly_frame(self) -> pl.DataFrame:
        """One row per week; undefined rates are null."""
        data: dict[str, Any] = {"week": np.arange(self.weeks, dtype=np.int32)}
        data.update({name: self.weekly[i] for i, name in enumerate(WEEKLY_METRICS)})
        data.update({name: pl.Series(name, values, dtype=pl.String)
                     for name, values in self.labels.items()})
        return pl.DataFrame(data, nan_to_null=True)

    def cohort_frame(self) -> pl.DataFrame:
        """One row per cohort week, with its close rate once resolved."""
        c = {name: self.cohorts[i] for i, name in enumerate(COHORT_COLUMNS)}
        resolved = self.resolved()
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(resolved & (c["appointments_set"] > 0),
                            c["closes"] / c["appointments_set"], np.nan)
        return pl.DataFrame({
            "cohort_week": np.arange(self.weeks, dtype=np.int32),
            **c,
            "resolved": resolved,
            "close_rate": rate,
        }, nan_to_null=True)


def _window_ratio(num: np.ndarray, den: np.ndarray) -> float | None:
    total = float(den.sum())
    return float(num.sum()) / total if total > 0 else None


def _mean(x: np.ndarray) -> float | None:
    x = x[~np.isnan(x)]
    return float(x.mean()) if x.size else None


def summarize(weekly: pl.DataFrame, cohorts: pl.DataFrame, window: int = 13) -> dict[str, Any]:
    """The run's headline numbers: first quarter against the last (resolved) quarter.

    Weekly measures compare the first and the last ``window`` weeks; the cohort close rate
    compares the first and the last ``window`` resolved cohorts, pooled (closes / appointments).
    """
    w = {name: weekly[name].to_numpy().astype(float) for name in weekly.columns
         if name not in WEEKLY_LABELS}
    first, last = slice(0, window), slice(max(0, len(weekly) - window), len(weekly))
    res = cohorts.filter(pl.col("resolved"))
    closes, sets = res["closes"].to_numpy(), res["appointments_set"].to_numpy()
    n_res = len(res)
    final = len(weekly) - 1
    return {
        "appointments_per_week_first_13": _mean(w["appointments_set"][first]),
        "appointments_per_week_last_13": _mean(w["appointments_set"][last]),
        "cohort_close_rate_first_13": _window_ratio(closes[:window], sets[:window]),
        "cohort_close_rate_last_13": _window_ratio(closes[max(0, n_res - window):],
                                                   sets[max(0, n_res - window):]),
        "resolved_cohorts": n_res,
        "gaming_index_first_13": _window_ratio(w["appointments_junk"][first],
                                               w["appointments_set"][first]),
        "gaming_index_last_13": _window_ratio(w["appointments_junk"][last],
                                              w["appointments_set"][last]),
        "mean_threshold_first_13": _mean(w["mean_threshold"][first]),
        "mean_threshold_last_13": _mean(w["mean_threshold"][last]),
        "mean_pressure_first_13": _mean(w["mean_pressure"][first]),
        "mean_pressure_last_13": _mean(w["mean_pressure"][last]),
        "mean_skill_last_13": _mean(w["mean_skill"][last]),
        "appointments_set": float(w["appointments_set"].sum()),
        "meetings_held": float(w["meetings_held"].sum()),
        "closes": float(w["closes"].sum()),
        "client_revenue": float(w["revenue"].sum()),
        "client_payments": float(w["client_payments"].sum()),
        "client_profit": float(w["client_profit"].sum()),
        "client_roi": _none_if_nan(w["client_cumulative_roi"][final]),
        "outsourcer_profit": float(w["outsourcer_profit"].sum()),
        "rep_pay": float(w["rep_pay"].sum()),
        "training_spend": float(w["training_spend"].sum()),
        "trained_share_of_hires": _window_ratio(w["trained_hires"], w["hires"]),
        "rep_quits": float(w["rep_quits"].sum()),
        "contract_replacements": float(w["contract_holder"][final]),
        "client_renegotiations": float(w["contract_renegotiations"][final]),
        "burned_share_final": float(w["burned_share"][final]),
        "mean_prospect_answer_last_13": _mean(w["mean_prospect_answer"][last]),
        "mean_prospect_accept_last_13": _mean(w["mean_prospect_accept"][last]),
        "good_fit_share_available_final": _none_if_nan(w["good_fit_share_available"][final]),
        "mean_receptivity_final": float(w["mean_receptivity"][final]),
    }


def _none_if_nan(x: float) -> float | None:
    return None if math.isnan(x) else float(x)
