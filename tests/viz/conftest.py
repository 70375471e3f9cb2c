"""Fixtures of the explorer's tests: the ``viz`` extra is needed (the test extra installs it)."""

from __future__ import annotations

import pytest

pytest.importorskip("solara", reason="the viz extra is not installed: pip install 'sales_abm[viz]'")

from sales_abm.viz import app  # noqa: F401  (loads Mesa visualization, without its warning)
from sales_abm.viz.model import ExploreModel

#: A small scale the unit tests run fast at (the page's default is 20 reps, 20,000 prospects).
SMALL = {"reps": 8, "prospects": 3000, "weeks": 40}


@pytest.fixture
def small() -> dict[str, int]:
    """Controls of a small, short scenario."""
    return dict(SMALL)


@pytest.fixture
def small_model() -> ExploreModel:
    """A per_appointment run beside a retainer run, small and short."""
    return ExploreModel(**SMALL)
