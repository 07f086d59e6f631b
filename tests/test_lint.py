"""`ruff check .` passes (the rules are pyproject.toml's), so the test command is also the lint command."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_ruff_finds_nothing():
    # `python -m ruff`: the ruff of the test extra, installed beside this Python, whatever PATH holds
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
