"""Fixtures of the runner tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from sales_abm import cli
from sales_abm.runner.cli import add_experiment_parser

from .helpers import write_spec


@pytest.fixture
def experiments_dir(tmp_path: Path) -> Path:
    """A directory holding the ``tiny`` experiment."""
    d = tmp_path / "experiments"
    write_spec(d)
    return d


@pytest.fixture
def main(monkeypatch):
    """``sales_abm.cli.main`` with the experiment command wired in (as the lead will)."""
    original = cli.build_parser

    def build_parser():
        parser = original()
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        if "experiment" not in sub.choices:
            add_experiment_parser(sub)
        return parser

    monkeypatch.setattr(cli, "build_parser", build_parser)
    return cli.main
