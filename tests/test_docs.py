"""The documentation's examples are real: every `.nas` example, command and Python session in the
README, docs/ and examples/ is re-run and its output compared (docs/check_docs.py)."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_documented_examples_and_outputs_are_current():
    r = subprocess.run([sys.executable, "docs/check_docs.py"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "0 failure(s)" in r.stdout
