"""The packages are layers (docs/architecture.md): a module imports only from its own package or from a layer
below it, and no two modules import each other, directly or through others. Imports are read with `ast`, those
inside functions and under `TYPE_CHECKING` included: a lazy import still ties the two modules together."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest
from conftest import ROOT

PACKAGE = ROOT / "fbndsl"

# Each top-level unit of fbndsl and its layer; a unit may import units of lower layers only. Units of one layer
# (train and indicators; pipeline and emit) do not import each other.
LAYERS: dict[str, int] = {
    "version": 0, "diagnostics": 0,
    "files": 1, "progress": 1, "schemas": 1,
    "syntax": 2,
    "ir": 3,
    "cost": 4,
    "passes": 5,
    "notation": 6,
    "space": 7,
    "pipeline": 8, "emit": 8, "fit": 8,
    "": 9,  # fbndsl/__init__.py: the public face of the front end
    "data": 10,
    "lower": 11,
    "train": 12, "indicators": 12,
    "search": 13,
    "export": 14,
    "bench": 15,
    "cli": 16,
    "__main__": 17,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported(path: Path) -> set[str]:
    """The fbndsl modules `path` imports: `from .x import f` names module x (or package x's __init__);
    `from . import y` names submodule y itself when y is one."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "fbndsl"}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            if target.split(".")[0] != "fbndsl":
                continue
            subs = {f"{target}.{a.name}" for a in node.names if is_module(f"{target}.{a.name}")}
            out |= subs if subs and len(subs) == len(node.names) else subs | {target}
    return out


def unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for path in sorted(PACKAGE.rglob("*.py")):
        g.add_node(module_name(path))
        for target in imported(path):
            g.add_edge(module_name(path), target)
    return g


def test_every_unit_has_a_layer(graph):
    assert {unit(m) for m in graph} == set(LAYERS), "add the new unit to LAYERS and to docs/architecture.md"


def test_no_module_imports_from_a_layer_above_it(graph):
    upward = sorted(f"{a} -> {b}" for a, b in graph.edges
                    if unit(a) != unit(b) and LAYERS[unit(b)] >= LAYERS[unit(a)])
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_no_import_circles(graph):
    circles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not circles, "modules that import each other:\n" + "\n".join(" <-> ".join(c) for c in circles)


def test_the_front_end_never_imports_torch_at_module_level():
    """STYLE.md: `fbndsl compile` starts fast. Every module below `data` imports no torch, even lazily."""
    front = [p for p in PACKAGE.rglob("*.py") if LAYERS[unit(module_name(p))] < LAYERS["data"]]
    heavy = sorted(str(p.relative_to(ROOT)) for p in front if _imports_torch(p))
    assert not heavy, f"front-end modules that import torch: {heavy}"


def _imports_torch(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        if any(n.split(".")[0] == "torch" for n in names):
            return True
    return False
