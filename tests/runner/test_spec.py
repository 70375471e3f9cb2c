"""Specs: validated up front, designs as documented, keys and seeds as the identity says."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_abm.runner import Experiment, ExperimentError, Grid, Sample, Scale

from .helpers import TINY, tiny

MODEL_VERSION = "test"


def _experiment(design, **kwargs) -> Experiment:
    return Experiment(name="x", design=design, scales={"quick": Scale(overrides=TINY)}, **kwargs)


@pytest.mark.parametrize(("design", "base", "message"), [
    (Grid({"contract.audit_rat": [0.1]}), {}, "did you mean 'contract.audit_rate'"),
    (Grid({"contract.audit_rate": [0.1, 1.5]}), {}, "contract.audit_rate must be in 0 to 1"),
    (Grid({"contract.audit_rate": "0.1"}), {}, "levels must be a list"),
    (Grid({"contract.audit_rate": []}), {}, "has no levels"),
    (Grid({"contract.audit_rate": [0.1, 0.1]}), {}, "repeats a level"),
    (Grid({"arm": {"a": {"switches.brun": False}}}), {}, "did you mean 'switches.burn'"),
    (Grid({"seed": [1, 2]}), {}, "seeds derive from root_seed"),
    (Grid({"point": {"a": {}}}), {}, "reserved"),
    (Grid(), {"weeks": 0}, "weeks must be in 1 to 5200"),
    (Grid(), {"seed": 3}, "seeds derive from root_seed"),
    (Grid({"rep.calls_min": [300]}), {"rep.calls_max": 250}, "must not exceed rep.calls_max"),
    (Sample({"contract.audit_rate": (0.0, 2.0)}, n=4), {}, "must be in 0 to 1"),
    (Sample({"contract.audit_rate": (0.5, 0.1)}, n=4), {}, "low must be below high"),
    (Sample({"contract.pay_on": (0, 1)}, n=4), {}, "only numeric keys"),
    (Sample({"contract.audit_rate": (0, 1)}, n=6, method="sobol"), {}, "power-of-two"),
    (Sample({"contract.audit_rate": (0, 1)}, n=4, method="halton"), {}, "method must be"),
])
def test_bad_specs_fail_with_a_clear_message(design, base, message) -> None:
    with pytest.raises(ExperimentError, match=message):
        Experiment(name="x", design=design, base=base).resolve("quick")


@pytest.mark.parametrize("kwargs", [
    {"name": "a b"}, {"name": "x", "replicates": 0}, {"name": "x", "root_seed": -1},
    {"name": "x", "scales": {}},
])
def test_bad_experiment_fields_fail_at_construction(kwargs) -> None:
    with pytest.raises(ExperimentError):
        Experiment(**kwargs)


def test_unknown_scale_names_the_scales() -> None:
    with pytest.raises(ExperimentError, match="its scales are: quick"):
        tiny().resolve("paper")


def test_grid_points_first_factor_slowest_and_labels() -> None:
    design = Grid({"contract.preset": ["retainer", "hybrid"],
                   "arm": {"on": {}, "off": {"switches.burn": False, "switches.word_of_mouth":
                                             False}}})
    plan = _experiment(design).resolve("quick")
    assert [dict(p.factors) for p in plan.points] == [
        {"contract.preset": "retainer", "arm": "on"}, {"contract.preset": "retainer",
                                                       "arm": "off"},
        {"contract.preset": "hybrid", "arm": "on"}, {"contract.preset": "hybrid", "arm": "off"}]
    assert plan.points[1].overrides["switches.burn"] is False
    frame = plan.design_frame(MODEL_VERSION)
    assert frame.columns == ["point", "replicate", "seed", "run_key", "contract.preset", "arm"]


def test_scale_overrides_and_design_replace_the_experiments() -> None:
    exp = Experiment(name="x", design=Grid({"contract.audit_rate": [0.0, 0.5]}), replicates=5,
                     base={"weeks": 30},
                     scales={"quick": Scale(replicates=2, overrides={"weeks": 10}),
                             "one": Scale(design=Grid())})
    quick, one = exp.resolve("quick"), exp.resolve("one")
    assert (len(quick.points), quick.replicates) == (2, 2)
    assert quick.points[0].overrides["weeks"] == 10
    assert (len(one.points), one.replicates) == (1, 5)


@pytest.mark.parametrize(("method", "n", "rows"), [("lhs", 5, 5), ("sobol", 8, 8),
                                                    ("saltelli", 4, 4 * (2 + 2))])
def test_sampled_designs(method, n, rows) -> None:
    design = Sample({"contract.audit_rate": (0.0, 1.0), "rep.effort_levels": (1, 5)}, n=n,
                    method=method, seed=3)
    plan = _experiment(design).resolve("quick")
    assert len(plan.points) == rows
    values = np.array([p.factors["contract.audit_rate"] for p in plan.points])
    ints = [p.factors["rep.effort_levels"] for p in plan.points]
    assert ((values >= 0) & (values <= 1)).all()
    assert all(isinstance(v, int) and 1 <= v <= 5 for v in ints)
    assert plan.design_frame(MODEL_VERSION)["rep.effort_levels"].dtype.is_integer()
    again = _experiment(design).resolve("quick")
    assert [p.factors for p in again.points] == [p.factors for p in plan.points]


def test_saltelli_rows_follow_salib_order() -> None:
    design = Sample({"contract.audit_rate": (0, 1), "contract.commission": (0, 1)}, n=2,
                    method="saltelli")
    u = design.unit_sample()
    a, b = u[0], u[3]
    assert np.allclose(u[1], [b[0], a[1]]) and np.allclose(u[2], [a[0], b[1]])


def test_resolving_runs_no_simulation(monkeypatch) -> None:
    import sales_abm.model

    monkeypatch.setattr(sales_abm.model, "run", _no_run)
    plan = tiny(replicates=30).resolve("quick")
    assert plan.size == 60 and len(list(plan.runs(MODEL_VERSION))) == 60


def _no_run(*args, **kwargs):
    raise AssertionError("a spec must not run the model")


keys = st.sampled_from(["contract.audit_rate", "contract.commission", "market.annoyance",
                        "rep.effort_levels", "reps"])


@st.composite
def grids(draw) -> Grid:
    names = draw(st.lists(keys, min_size=0, max_size=3, unique=True))
    factors = {}
    for name in names:
        if name in ("rep.effort_levels", "reps"):
            levels = draw(st.lists(st.integers(1, 20), min_size=1, max_size=3, unique=True))
        else:
            levels = draw(st.lists(st.floats(0, 1), min_size=1, max_size=3, unique=True))
        factors[name] = levels
    return Grid(factors)


@settings(max_examples=40, deadline=None)
@given(grids(), st.integers(1, 4), st.integers(0, 2**63 - 1), st.booleans())
def test_every_run_has_a_distinct_key_and_replicates_distinct_seeds(design, reps, root, crn):
    exp = _experiment(design, replicates=reps, root_seed=root, common_random_numbers=crn)
    rows = list(exp.resolve("quick").rows(MODEL_VERSION))
    assert len(rows) == len(design.points()) * reps
    assert len({r.key for r in rows}) == len(rows)
    for point in {r.point for r in rows}:
        assert len({r.seed for r in rows if r.point == point}) == reps
    if not crn:
        assert len({r.seed for r in rows}) == len(rows)
    else:
        assert len({r.seed for r in rows}) == reps
    again = [r.key for r in _experiment(design, replicates=reps, root_seed=root,
                                        common_random_numbers=crn).resolve("quick")
             .rows(MODEL_VERSION)]
    assert again == [r.key for r in rows]


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 16), st.integers(0, 1000))
def test_sampled_runs_have_distinct_keys(n, seed) -> None:
    design = Sample({"contract.audit_rate": (0.0, 1.0), "market.annoyance": (0.0, 1.0)}, n=n,
                    seed=seed)
    rows = list(_experiment(design, replicates=2).resolve("quick").rows(MODEL_VERSION))
    assert len({r.key for r in rows}) == len(rows) == 2 * n
