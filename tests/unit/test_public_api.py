"""The public top-level API: lazy, complete, and what ``__all__`` promises."""

from __future__ import annotations

import subprocess
import sys

import pytest

import sales_abm
import sales_abm.testing


def test_every_public_name_resolves_to_its_module_object() -> None:
    assert sorted(sales_abm.__all__) == sorted(sales_abm._EXPORTS)
    from sales_abm.model import SalesModel, run
    from sales_abm.runner import load_summaries
    from sales_abm.scenario import Scenario

    assert sales_abm.Scenario is Scenario and sales_abm.run is run
    assert sales_abm.SalesModel is SalesModel and sales_abm.load_summaries is load_summaries
    assert all(getattr(sales_abm, name) is not None for name in sales_abm.__all__)
    assert set(sales_abm.__all__) <= set(dir(sales_abm))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sales_abm.nope  # noqa: B018


def test_importing_the_package_loads_no_heavy_dependency() -> None:
    code = ("import sys, sales_abm; print(' '.join(m for m in ('numba', 'mesa', 'polars', "
            "'numpy', 'sales_abm.model') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert loaded == []


def test_testing_module_declares_its_public_strategies() -> None:
    # every public function and class defined there is in __all__, and __all__ names only
    # what exists
    defined = {n for n, v in vars(sales_abm.testing).items()
               if not n.startswith("_") and getattr(v, "__module__", "") == "sales_abm.testing"}
    assert defined <= set(sales_abm.testing.__all__)
    assert all(hasattr(sales_abm.testing, n) for n in sales_abm.testing.__all__)
    assert {"scenarios", "learner_specs", "contract_terms"} <= defined
