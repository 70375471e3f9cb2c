"""The tutorial runs top to bottom, as a researcher would run it, and makes its figure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial.py"


def test_tutorial_runs_top_to_bottom(tmp_path: Path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(TUTORIAL)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    figure = tmp_path / "tutorial_output" / "appointments.png"
    assert figure.read_bytes().startswith(b"\x89PNG")
    assert "6 done" in done.stdout and "gaming index, per_appointment - retainer" in done.stdout


def test_tutorial_is_jupytext_percent_format() -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    assert "format_name: percent" in text
    assert text.count("# %% [markdown]") >= 3 and text.count("\n# %%\n") >= 3
