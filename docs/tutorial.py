# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A first session with `sales_abm`
#
# One run, a small sweep with the runner, a figure. Run it top to bottom as a script
# (`python docs/tutorial.py`), or open it as a notebook with jupytext. Everything is written under
# `tutorial_output/` in the current directory, and it takes well under a minute: the scales are
# tiny, chosen to show the workflow, not to support a claim (the paper's experiments in
# `experiments/` are the places for that).
#
# The model is described in `docs/model.md`.

# %%
from pathlib import Path

import sales_abm

OUT = Path("tutorial_output")
OUT.mkdir(exist_ok=True)

# %% [markdown]
# ## 1. One run
#
# A scenario is validated configuration: every key has a unit, a range and a description
# (`sales-abm params` prints them all). Start from the defaults, pick a contract preset, and shrink
# the world so the run takes a fraction of a second.

# %%
scenario = sales_abm.Scenario.from_dict({
    "contract.preset": "per_appointment",
    "reps": 8,
    "prospects": 3000,
    "weeks": 52,
})
result = sales_abm.run(scenario, seed=1)
print(f"{result.weekly.height} weeks, {len(result.weekly.columns)} weekly columns")
for key in ("gaming_index_first_13", "gaming_index_last_13", "cohort_close_rate_first_13",
            "cohort_close_rate_last_13"):
    print(f"{key:28} {result.summary[key]:.3f}")
print(f"{len(result.summary)} summary fields in all: {', '.join(sorted(result.summary)[:6])}, ...")

# %% [markdown]
# A run is a pure function of (scenario, seed): the same pair gives the same numbers, bit for bit.

# %%
again = sales_abm.run(scenario, seed=1)
assert again.weekly.equals(result.weekly)

# %% [markdown]
# The weekly frame is a polars DataFrame, one row per week. For example, the gaming index (the
# share of appointments set with prospects below the client's qualification bar), by quarter:

# %%
import polars as pl  # noqa: E402

quarters = (result.weekly.with_columns((pl.col("week") // 13).alias("quarter"))
            .group_by("quarter", maintain_order=True)
            .agg(pl.col("appointments_set").sum(), pl.col("appointments_junk").sum()))
print(quarters.with_columns((pl.col("appointments_junk") / pl.col("appointments_set"))
                            .alias("gaming_index")))

# %% [markdown]
# ## 2. A small sweep with the runner
#
# An experiment is a base scenario, a design, replicates and named scales. The runner gives every
# run a seed derived from the experiment's root seed (the same seeds for every design point:
# common random numbers, so contracts can be compared seed by seed), stores each run in one
# Parquet file keyed by its content, and skips runs already on disk when run again.

# %%
experiment = sales_abm.Experiment(
    name="tutorial",
    description="Retainer against pay per appointment, tiny scale.",
    base={"reps": 6, "prospects": 2000, "weeks": 40},
    design=sales_abm.Grid({"contract.preset": ["retainer", "per_appointment"]}),
    replicates=3,
    root_seed=11,
    scales={"tiny": sales_abm.Scale()},
)
report = sales_abm.run_experiment(experiment, "tiny", results=OUT / "results",
                                  executor="serial", progress=False)
print(report.line())

# %% [markdown]
# One row per (design point, replicate): the design's columns and every summary field.

# %%
summaries = sales_abm.load_summaries(experiment, "tiny", results=OUT / "results")
print(summaries.select("contract.preset", "replicate", "seed", "gaming_index_last_13",
                       "cohort_close_rate_last_13"))

# %% [markdown]
# Paired by seed, the difference the contract makes (three seeds: an illustration, not an
# estimate; the paper's experiments report intervals over many more).

# %%
wide = summaries.pivot(on="contract.preset", index="replicate", values="gaming_index_last_13")
diff = wide["per_appointment"] - wide["retainer"]
print(f"gaming index, per_appointment - retainer, by seed: {diff.round(3).to_list()}")

# %% [markdown]
# ## 3. A figure
#
# The weekly rows of every run, joined to their design point, come from `sales_abm.load` (a lazy
# polars frame). Appointments per week by contract, averaged over seeds:

# %%
import matplotlib  # noqa: E402

matplotlib.use("Agg")  # write files; in a notebook, drop this line to see the figure inline
import matplotlib.pyplot as plt  # noqa: E402

weekly = (sales_abm.load(experiment, "tiny", results=OUT / "results")
          .group_by("contract.preset", "week").agg(pl.col("appointments_set").mean())
          .sort("week").collect())
fig, ax = plt.subplots(figsize=(6, 3.5))
for preset, rows in weekly.group_by("contract.preset", maintain_order=True):
    ax.plot(rows["week"], rows["appointments_set"], label=preset[0])
ax.set_xlabel("week")
ax.set_ylabel("appointments set (mean over seeds)")
ax.legend()
fig.tight_layout()
fig.savefig(OUT / "appointments.png", dpi=120)
print(f"wrote {OUT / 'appointments.png'}")

# %% [markdown]
# ## Where next
#
# - `sales-abm run --contract per_close --weeks 156` runs one scenario from the shell;
#   `sales-abm explore` opens the interactive page.
# - `experiments/*.py` are the paper's experiments; `sales-abm experiment run NAME --scale quick`
#   runs one, and `sales-abm paper` builds the paper from them.
# - `CONTRIBUTING.md` says where to add a preset, a learning rule, a metric, an experiment or a
#   figure.
