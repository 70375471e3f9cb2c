"""Experiment specs: a base scenario, a design, replicates and named scales.

An experiment file under ``experiments/`` defines one module-level ``EXPERIMENT``::

    EXPERIMENT = Experiment(
        name="gaming",
        description="Retainer vs per-appointment vs per-close vs hybrid.",
        base={"weeks": 156},
        design=Grid({"contract.preset": ["retainer", "per_appointment", "per_close", "hybrid"]}),
        replicates=30,
        scales={
            "quick": Scale(replicates=3, overrides={"prospects": 2000, "reps": 5, "weeks": 40}),
            "paper": Scale(),
        },
    )

A scale may change the replicates, any scenario key (``overrides``, applied over ``base``) and the
design itself. Design values are applied last, so a factor wins over base and scale overrides.
:meth:`Experiment.resolve` validates every design point through :class:`Scenario` before anything
runs and returns a :class:`Plan`; nothing here runs the model.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from sales_abm.runner.identity import block_key, derive_seed, point_digest, run_key
from sales_abm.scenario import PARAMETERS, Scenario, ScenarioError

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
METHODS = ("lhs", "sobol", "saltelli")
#: Columns of the design table that no factor may be named.
DESIGN_COLUMNS = ("point", "replicate", "seed", "run_key")
#: Replicates of a design point per block, unless an experiment says otherwise: a default run
#: takes about 0.1 s, so a block is a task of seconds whose file overhead is paid once.
REPLICATES_PER_BLOCK = 16
#: Suffix of the numeric column beside a labelled factor whose labels are numbers.
VALUE_SUFFIX = "_value"
_DTYPES: dict[type, pl.DataType] = {
    bool: pl.Boolean(), int: pl.Int64(), float: pl.Float64(), str: pl.String()
}


class ExperimentError(ScenarioError):
    """A bad experiment spec, scale, executor or results directory (exit status 2)."""


def _check_key(key: str, where: str) -> None:
    if key == "schedule":  # a list of switches, validated with the rest of the point
        return
    if key not in PARAMETERS:
        try:
            Scenario.from_dict({key: PARAMETERS.get(key, 0)})
        except ScenarioError as exc:
            raise ExperimentError(f"{where}: {exc}") from None
    if key == "seed":
        raise ExperimentError(f"{where}: 'seed' cannot be set; seeds derive from root_seed")


def _is_number(label: Any) -> bool:
    return isinstance(label, int | float) and not isinstance(label, bool)


def _label(label: Any) -> str:
    """A level's label as the design table shows it (``600.0`` -> ``"600"``)."""
    return f"{label:g}" if _is_number(label) else str(label)


@dataclass(frozen=True)
class DesignPoint:
    """One point of a design: its factor values (for the tables) and its scenario overrides."""

    index: int
    factors: Mapping[str, Any]
    overrides: Mapping[str, Any]


@dataclass(frozen=True)
class Grid:
    """A full factorial design.

    Args:
        factors: factor name -> levels. Levels are either a list of values of a scenario key
            (``{"contract.audit_rate": [0.0, 0.5]}``) or a mapping from labels to bundles of
            dotted overrides (``{"ablation": {"none": {}, "no_burn": {"switches.burn": False}}}``),
            for linked or named settings. No factors gives one point: the base scenario.
            A label may be a number (``{600.0: {"contract.price_per_appointment": 600.0, ...}}``):
            the design table then holds the label as text (``"600"``) and the number in a
            column ``<factor>_value`` (null for a level labelled by text), so an analysis reads
            the value, not a string to cast back.
    """

    factors: Mapping[str, Sequence[Any] | Mapping[str, Mapping[str, Any]]] = field(
        default_factory=dict)

    def _levels(self, name: str) -> list[tuple[Any, dict[str, Any]]]:
        levels = self.factors[name]
        if isinstance(levels, Mapping):
            if not all(isinstance(v, Mapping) for v in levels.values()):
                raise ExperimentError(f"factor {name!r}: labelled levels must map to dicts of "
                                      "dotted overrides")
            return [(_label(label), dict(bundle)) for label, bundle in levels.items()]
        if isinstance(levels, str | bytes) or not isinstance(levels, Sequence):
            raise ExperimentError(f"factor {name!r}: levels must be a list, got {levels!r}")
        _check_key(name, f"factor {name!r}")
        return [(value, {name: value}) for value in levels]

    def validate(self, base: Mapping[str, Any]) -> None:
        """Check the factors' shapes (values are checked when the design is resolved)."""
        for name in self.factors:
            levels = self._levels(name)
            if not levels:
                raise ExperimentError(f"factor {name!r} has no levels")
            if len({json.dumps(v, sort_keys=True) for v, _ in levels}) != len(levels):
                raise ExperimentError(f"factor {name!r} repeats a level")
            for _, bundle in levels:
                for key in bundle:
                    _check_key(key, f"factor {name!r}")
        clash = set(self._numeric()) & set(self.factors)
        if clash:
            raise ExperimentError(f"factor names {sorted(clash)} clash with the value columns "
                                  "of numerically labelled factors")

    def _numeric(self) -> dict[str, list[float | None]]:
        """``<factor>_value`` -> each level's number, for labelled factors with numeric labels."""
        out = {}
        for name, levels in self.factors.items():
            if isinstance(levels, Mapping) and any(_is_number(k) for k in levels):
                out[f"{name}{VALUE_SUFFIX}"] = [float(k) if _is_number(k) else None
                                                for k in levels]
        return out

    def points(self) -> list[DesignPoint]:
        """Every combination of levels, the first factor varying slowest."""
        names = list(self.factors)
        numeric = self._numeric()
        # each level carries its position, to find its number in the value column
        levels = [[(j, *lv) for j, lv in enumerate(self._levels(n))] for n in names]
        out = []
        for i, combo in enumerate(itertools.product(*levels)):
            overrides: dict[str, Any] = {}
            factors: dict[str, Any] = {}
            for name, (j, label, bundle) in zip(names, combo, strict=True):
                overrides.update(bundle)
                factors[name] = label
                if (column := f"{name}{VALUE_SUFFIX}") in numeric:
                    factors[column] = numeric[column][j]
            out.append(DesignPoint(i, factors, overrides))
        return out

    def column_types(self) -> dict[str, type]:
        """The Python type of each factor column."""
        types: dict[str, type] = {}
        numeric = self._numeric()
        for n, lv in self.factors.items():
            types[n] = str if isinstance(lv, Mapping) else PARAMETERS[n].type
            if f"{n}{VALUE_SUFFIX}" in numeric:
                types[f"{n}{VALUE_SUFFIX}"] = float
        return types

    def describe(self) -> list[str]:
        """One line per factor."""
        lines = []
        for name, levels in self.factors.items():
            shown = list(levels)
            lines.append(f"{name}: {len(shown)} levels {shown}")
        return lines or ["(no factors: the base scenario)"]


@dataclass(frozen=True)
class Sample:
    """A sampled design over numeric ranges (scipy.stats.qmc).

    Args:
        ranges: scenario key -> (low, high). Integer keys are sampled uniformly over the whole
            numbers low..high.
        n: sample size. For ``sobol`` and ``saltelli`` a power of two.
        method: ``lhs`` (Latin hypercube), ``sobol`` (scrambled Sobol sequence) or ``saltelli``
            (the Saltelli/Jansen matrices for first and total Sobol indices: ``n * (d + 2)``
            points, ordered as SALib's ``sobol.sample(..., calc_second_order=False)``).
        seed: seed of the sampler's scrambling (part of the design, not of the runs).
    """

    ranges: Mapping[str, tuple[float, float]]
    n: int
    method: str = "lhs"
    seed: int = 0

    def validate(self, base: Mapping[str, Any]) -> None:
        """Check keys, ranges (each end against ``base``), size and method."""
        if self.method not in METHODS:
            raise ExperimentError(f"sample method must be one of {', '.join(METHODS)}, "
                                  f"got {self.method!r}")
        if not self.ranges:
            raise ExperimentError("a sampled design needs at least one range")
        if not isinstance(self.n, int) or self.n < 1:
            raise ExperimentError(f"sample size must be a positive integer, got {self.n!r}")
        if self.method != "lhs" and self.n & (self.n - 1):
            raise ExperimentError(f"{self.method} needs a power-of-two sample size, got {self.n}")
        for key, bounds in self.ranges.items():
            self._check_range(key, bounds, base)

    @staticmethod
    def _check_range(key: str, bounds: Any, base: Mapping[str, Any]) -> None:
        _check_key(key, f"range {key!r}")
        if PARAMETERS[key].type not in (int, float):
            raise ExperimentError(f"range {key!r}: only numeric keys can be sampled")
        if not (isinstance(bounds, Sequence) and len(bounds) == 2):
            raise ExperimentError(f"range {key!r} must be (low, high), got {bounds!r}")
        low, high = bounds
        if not low < high:
            raise ExperimentError(f"range {key!r}: low must be below high, got {bounds!r}")
        for value in bounds:
            try:
                Scenario.from_dict({**base, key: value})
            except ScenarioError as exc:
                raise ExperimentError(f"range {key!r}: {exc}") from None

    def unit_sample(self) -> Any:
        """The sample in the unit cube, one row per design point."""
        import numpy as np
        from scipy.stats import qmc

        d, rng = len(self.ranges), np.random.default_rng(self.seed)
        if self.method == "lhs":
            return qmc.LatinHypercube(d, rng=rng).random(self.n)
        m = int(math.log2(self.n))
        if self.method == "sobol":
            return qmc.Sobol(d, rng=rng).random_base2(m)
        base = qmc.Sobol(2 * d, rng=rng).random_base2(m)
        a, b = base[:, :d], base[:, d:]
        rows = []
        for j in range(self.n):
            rows.append(a[j])
            for i in range(d):
                ab = a[j].copy()
                ab[i] = b[j, i]
                rows.append(ab)
            rows.append(b[j])
        return np.array(rows)

    def points(self) -> list[DesignPoint]:
        """The sample mapped onto the ranges."""
        keys = list(self.ranges)
        out = []
        for i, row in enumerate(self.unit_sample()):
            values = {k: _scale(k, self.ranges[k], float(u)) for k, u in zip(keys, row,
                                                                             strict=True)}
            out.append(DesignPoint(i, values, values))
        return out

    def column_types(self) -> dict[str, type]:
        """The Python type of each factor column."""
        return {k: PARAMETERS[k].type for k in self.ranges}

    def describe(self) -> list[str]:
        """One line per range, and the method."""
        lines = [f"{self.method} sample, n={self.n}, sampler seed {self.seed}"]
        lines += [f"{k}: {lo} .. {hi}" for k, (lo, hi) in self.ranges.items()]
        return lines


def _scale(key: str, bounds: tuple[float, float], u: float) -> Any:
    low, high = bounds
    if PARAMETERS[key].type is int:
        return min(int(high), math.floor(low + u * (high - low + 1)))
    return float(low + u * (high - low))


Design = Grid | Sample


@dataclass(frozen=True)
class Scale:
    """A named size of an experiment.

    Args:
        replicates: replicates per design point (None: the experiment's).
        overrides: dotted scenario keys applied over the experiment's base.
        design: a design replacing the experiment's (None: the experiment's).
    """

    replicates: int | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    design: Design | None = None


@dataclass(frozen=True)
class Experiment:
    """An experiment: base scenario, design, replicates, scales and seeding.

    Args:
        name: the experiment's name (its results go to ``results/<name>/<scale>/``).
        design: a :class:`Grid` or a :class:`Sample`.
        base: dotted scenario overrides shared by every run.
        replicates: replicates per design point.
        scales: named scales; ``quick`` (CI and smoke runs) and ``paper`` by convention.
        root_seed: the root of every run's seed.
        common_random_numbers: replicate r of every design point uses the same seed (default).
        description: what the experiment is for, shown by ``list`` and ``describe``.
        replicates_per_block: the most replicates of a design point simulated as one task and
            stored in one file (a block, see :mod:`sales_abm.runner.store`): larger blocks pay
            file overhead less often, smaller ones lose less work to a kill and balance better
            over few workers. Part of a block's identity: changing it recomputes the results.
    """

    name: str
    design: Design = field(default_factory=Grid)
    base: Mapping[str, Any] = field(default_factory=dict)
    replicates: int = 1
    scales: Mapping[str, Scale] = field(
        default_factory=lambda: {"quick": Scale(), "paper": Scale()})
    root_seed: int = 0
    common_random_numbers: bool = True
    description: str = ""
    replicates_per_block: int = REPLICATES_PER_BLOCK

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ExperimentError(f"experiment name must be a simple word, got {self.name!r}")
        _check_count(self.replicates, "replicates")
        _check_count(self.replicates_per_block, "replicates_per_block")
        if not isinstance(self.root_seed, int) or not 0 <= self.root_seed < 2**63:
            raise ExperimentError(f"root_seed must be an integer in 0..2**63-1, "
                                  f"got {self.root_seed!r}")
        if not self.scales:
            raise ExperimentError(f"experiment {self.name!r} declares no scales")
        for scale_name, scale in self.scales.items():
            if not _NAME.match(scale_name) or not isinstance(scale, Scale):
                raise ExperimentError(f"scale {scale_name!r} must be a Scale with a simple name")

    def resolve(self, scale: str) -> Plan:
        """Validate one scale of the experiment and return its plan (no simulation).

        Raises:
            ExperimentError: an unknown scale, a bad factor key or value, or a design point
                that is not a valid scenario.
        """
        if scale not in self.scales:
            raise ExperimentError(f"experiment {self.name!r} has no scale {scale!r}; "
                                  f"its scales are: {', '.join(self.scales)}")
        sc = self.scales[scale]
        design = sc.design or self.design
        replicates = self.replicates if sc.replicates is None else sc.replicates
        where = f"experiment {self.name!r}, scale {scale!r}"
        _check_count(replicates, f"{where}: replicates")
        if not isinstance(design, Grid | Sample):
            raise ExperimentError(f"{where}: design must be a Grid or a Sample")
        base = {**self.base, **sc.overrides}
        for key in base:
            _check_key(key, f"{where}: base")
        try:
            Scenario.from_dict(base)
        except ScenarioError as exc:
            raise ExperimentError(f"{where}: base: {exc}") from None
        try:
            design.validate(base)
        except ExperimentError as exc:
            raise ExperimentError(f"{where}: {exc}") from None
        _check_names(design.column_types(), where)
        points = tuple(_resolve_point(p, base, where) for p in design.points())
        return Plan(self.name, scale, points, replicates, self.root_seed,
                    self.common_random_numbers, design.column_types(),
                    self.replicates_per_block)


def _check_count(value: Any, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ExperimentError(f"{what} must be a positive integer, got {value!r}")


def _check_names(columns: Mapping[str, type], where: str) -> None:
    for name in columns:
        if name in DESIGN_COLUMNS or not name or name.startswith("cohort_"):
            raise ExperimentError(f"{where}: factor name {name!r} is reserved")


@dataclass(frozen=True)
class ResolvedPoint:
    """A validated design point: factor values, full overrides and the scenario's digest."""

    index: int
    factors: Mapping[str, Any]
    overrides: Mapping[str, Any]
    digest: str


def _resolve_point(point: DesignPoint, base: Mapping[str, Any], where: str) -> ResolvedPoint:
    overrides = {**base, **point.overrides}
    try:
        scenario = Scenario.from_dict(overrides)
    except ScenarioError as exc:
        raise ExperimentError(f"{where}: design point {point.index} "
                              f"{dict(point.factors)}: {exc}") from None
    return ResolvedPoint(point.index, point.factors, overrides,
                         point_digest(scenario.canonical_json()))


@dataclass(frozen=True)
class RunRef:
    """One run of a plan: where it sits in the design and what identifies it."""

    point: int
    replicate: int
    seed: int
    key: str


@dataclass(frozen=True)
class Block:
    """Replicates of one design point simulated together and stored in one file."""

    runs: tuple[RunRef, ...]

    @property
    def key(self) -> str:
        """The block's key: a content hash of its runs' keys (see
        :func:`sales_abm.runner.identity.block_key`)."""
        return block_key([r.key for r in self.runs])

    @property
    def point(self) -> int:
        """The design point (the first one, if several resolve to this scenario)."""
        return self.runs[0].point

    @property
    def run_keys(self) -> tuple[str, ...]:
        """The keys of its runs, in replicate order."""
        return tuple(r.key for r in self.runs)


@dataclass(frozen=True)
class Plan:
    """A validated scale of an experiment: every design point, ready to seed and key."""

    experiment: str
    scale: str
    points: tuple[ResolvedPoint, ...]
    replicates: int
    root_seed: int
    common_random_numbers: bool
    factor_types: Mapping[str, type]
    replicates_per_block: int = REPLICATES_PER_BLOCK

    def seed(self, point: int, replicate: int) -> int:
        """The seed of one run (see :mod:`sales_abm.runner.identity`)."""
        digest = None if self.common_random_numbers else self.points[point].digest
        return derive_seed(self.root_seed, replicate, digest)

    def rows(self, model_version: str) -> Iterator[RunRef]:
        """Every (design point, replicate), replicate-major (all points of replicate 0 first).

        Design points that resolve to the same scenario share one key.
        """
        crn = [self.seed(0, r) for r in range(self.replicates)] if (
            self.common_random_numbers) else None
        for r in range(self.replicates):
            for p in self.points:
                seed = crn[r] if crn is not None else self.seed(p.index, r)
                yield RunRef(p.index, r, seed, run_key(p.digest, seed, model_version))

    def runs(self, model_version: str) -> Iterator[RunRef]:
        """The distinct runs: :meth:`rows` without repeated keys."""
        seen: set[str] = set()
        for ref in self.rows(model_version):
            if ref.key not in seen:
                seen.add(ref.key)
                yield ref

    def blocks(self, model_version: str) -> list[Block]:
        """The distinct runs grouped into blocks: one design point's replicates, at most
        :attr:`replicates_per_block` of them, in replicate order.

        Block ``c`` of a point holds replicates ``c*B .. c*B+B-1`` (``B`` the block size), so a
        block's runs do not depend on how many replicates the scale has beyond it. Design points
        that resolve to the same scenario share their runs, so they share their blocks (listed
        under the first such point).
        """
        grouped: dict[tuple[int, int], list[RunRef]] = {}
        for ref in self.runs(model_version):
            grouped.setdefault((ref.point, ref.replicate // self.replicates_per_block),
                               []).append(ref)
        return [Block(tuple(sorted(refs, key=lambda r: r.replicate)))
                for _, refs in sorted(grouped.items())]

    @property
    def size(self) -> int:
        """Design rows: points x replicates."""
        return len(self.points) * self.replicates

    def schema(self) -> dict[str, pl.DataType]:
        """The design table's schema: run identity, then one column per factor."""
        out: dict[str, pl.DataType] = {"point": pl.Int32(), "replicate": pl.Int32(),
                                       "seed": pl.Int64(), "run_key": pl.String()}
        out.update({k: _DTYPES[t] for k, t in self.factor_types.items()})
        return out

    def design_frame(self, model_version: str) -> pl.DataFrame:
        """One row per (design point, replicate), in point then replicate order."""
        cols: dict[str, list[Any]] = {k: [] for k in self.schema()}
        for ref in sorted(self.rows(model_version), key=lambda r: (r.point, r.replicate)):
            cols["point"].append(ref.point)
            cols["replicate"].append(ref.replicate)
            cols["seed"].append(ref.seed)
            cols["run_key"].append(ref.key)
            for k in self.factor_types:
                cols[k].append(self.points[ref.point].factors[k])
        return pl.DataFrame(cols, schema=self.schema())
