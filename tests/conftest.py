"""Shared fixtures: paths to the repository, its shipped spaces and the shared data."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPACES = ROOT / "spaces"
DATA = ROOT.parent / "shared" / "data"
NB201_CSV = DATA / "nb201" / "nb201.csv"
# Golden files are refreshed explicitly: FBNDSL_ACCEPT=1 pytest tests/...
ACCEPT = bool(os.environ.get("FBNDSL_ACCEPT"))

os.environ.setdefault("FBNDSL_VERIFY", "1")  # verify the IR after every pass in tests


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """Every test runs torch on one intra-op thread: the networks here are tiny, and on a shared 2-core machine
    contending threads made their steps up to 10x slower (perf/train_speed.py says more)."""
    try:
        import torch
    except ImportError:  # the front-end tests run without torch; the others skip
        return
    torch.set_num_threads(1)


# A space of 24 architectures and 12 networks: a second layer that skips is no layer (distinct networks,
# tests/test_canonical.py and tests/test_search_strategies.py).
SKIPPING_DEPTH = """
network tiny {
  input(3, resolution in {8, 16})
  stem: conv(8, 3) -> bn
  stage s(c in {8, 16}) {
    conv(c, 3, stride = 2) -> bn
    repeat depth in {1..2}: choose(conv: conv(c, 3) -> bn, skip: identity)
  }
}
"""


def shipped() -> list[Path]:
    return sorted(SPACES.glob("*.nas"))


@pytest.fixture(scope="session")
def nb201():
    import fbndsl

    return fbndsl.compile(SPACES / "nb201.nas")


@pytest.fixture(scope="session")
def darts():
    import fbndsl

    return fbndsl.compile(SPACES / "darts.nas")


def compile_text(text: str, name: str = "test.nas", **kw):
    import fbndsl

    return fbndsl.compile(name, text=text, **kw)
