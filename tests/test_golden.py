"""Golden files for every stage: source -> IR dump / IR JSON / dot / compile report -> exported model.py.

Refresh with: FBNDSL_ACCEPT=1 python -m pytest tests/test_golden.py
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import ACCEPT, ROOT, shipped

import fbndsl
from fbndsl.emit import dot, ir_text, json_form, summary

GOLDEN = Path(__file__).resolve().parent / "golden"
EMITTERS = {
    "ir": lambda s: ir_text.dump(s.ir),
    "ir.json": lambda s: json.dumps(json_form.ir_json(s), indent=1) + "\n",
    "dot": dot.render,
    "report": summary.render,
}


def _check(path: Path, text: str) -> None:
    if ACCEPT or not path.exists():
        if not ACCEPT:
            pytest.fail(f"missing golden file {path}; run with FBNDSL_ACCEPT=1 to create it")
        path.write_text(text)
        return
    assert text == path.read_text(), f"{path} differs; inspect, then refresh with FBNDSL_ACCEPT=1"


@pytest.fixture(autouse=True)
def _relative_paths(monkeypatch):
    monkeypatch.chdir(ROOT)  # goldens name files relative to the repository


@pytest.mark.parametrize("form", sorted(EMITTERS))
def test_tiny_space_every_stage(form):
    space = fbndsl.compile(os.path.join("tests", "golden", "tiny.nas"))
    _check(GOLDEN / f"tiny.{form}", EMITTERS[form](space))


@pytest.mark.parametrize("mode", ["insert", "off"])
def test_tiny_fairness_modes(mode):
    space = fbndsl.compile(os.path.join("tests", "golden", "tiny.nas"), fairness=mode)
    _check(GOLDEN / f"tiny.fairness-{mode}.ir", ir_text.dump(space.ir))


@pytest.mark.parametrize("which", ["max", "min"])
def test_tiny_space_model_source(which):
    """Code generation: the standalone model.py of the tiny space's largest and smallest architectures (the
    fairness BatchNorms dropped, as `fbndsl export` writes it without a trained supernet)."""
    from fbndsl.export.source import render_model_source

    space = fbndsl.compile(os.path.join("tests", "golden", "tiny.nas"))
    arch = space.max_arch() if which == "max" else space.min_arch()
    _check(GOLDEN / f"tiny.{which}.model.py", render_model_source(space, arch))


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.stem)
def test_shipped_space_reports(path):
    space = fbndsl.compile(os.path.relpath(path, ROOT))
    _check(GOLDEN / f"{path.stem}.report", summary.render(space))


def test_output_is_deterministic():
    a = ir_text.dump(fbndsl.compile("spaces/darts.nas").ir)
    b = ir_text.dump(fbndsl.compile("spaces/darts.nas").ir)
    assert a == b
