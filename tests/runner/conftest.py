"""Fixtures of the runner tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import write_spec


@pytest.fixture
def experiments_dir(tmp_path: Path) -> Path:
    """A directory holding the ``tiny`` experiment."""
    d = tmp_path / "experiments"
    write_spec(d)
    return d
