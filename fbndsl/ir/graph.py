"""The typed graph IR of a whole search space.

Every subnet of the space is the same flat DAG of `Node`s: a node is *active* for an architecture
when its `cond` holds (it lies on a chosen alternative, within the chosen depth, on a picked edge).
`SELECT` nodes pass on the one active input; `ADD` nodes sum their active inputs. Attributes may be
`Sym`s (elastic width, kernel, resolution). Nodes are frozen; passes build new `SpaceIR`s.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..diagnostics import Span
from . import sym
from .choices import ChoicePoint
from .ops import OpKind

# A condition is a conjunction of (label, allowed values); the empty tuple is "always".
Cond = tuple[tuple[str, frozenset], ...]
ALWAYS: Cond = ()


def cond_and(cond: Cond, label: str, allowed) -> Cond:
    return cond + ((label, frozenset(allowed)),)


def cond_holds(cond: Cond, arch: Mapping[str, Any]) -> bool:
    return all(arch.get(label) in allowed for label, allowed in cond)


def active_inputs(node: "Node", arch: Mapping[str, Any]) -> list[int]:
    """The inputs `node` reads in the architecture `arch` (an add's optional terms drop out)."""
    if not node.input_conds:
        return list(node.inputs)
    return [i for i, c in zip(node.inputs, node.input_conds) if cond_holds(c, arch)]


class Origin(Enum):
    WRITTEN = "written"          # in the user's program
    FAIRNESS = "fairness"        # a BatchNorm inserted by the BN-fairness pass


@dataclass(frozen=True)
class Node:
    id: int
    kind: OpKind
    inputs: tuple[int, ...]
    attrs: tuple[tuple[str, Any], ...]  # sorted (name, value) pairs; values are plain or Sym
    span: Span
    scope: str                         # where in the network: "s2.1", "normal.n3.p0", ...
    cond: Cond = ALWAYS
    input_conds: tuple[Cond, ...] = ()  # SELECT/ADD: when each input is active (empty: always)
    label: str | None = None            # SELECT: the choice it selects on
    origin: Origin = Origin.WRITTEN

    def __post_init__(self) -> None:
        assert self.id >= 0
        assert not self.input_conds or len(self.input_conds) == len(self.inputs), self
        assert (self.kind == OpKind.INPUT) == (not self.inputs), self
        assert list(self.attrs) == sorted(self.attrs, key=lambda kv: kv[0]), self

    @property
    def attr(self) -> dict[str, Any]:
        return dict(self.attrs)

    def replace(self, **changes) -> "Node":
        return dataclasses.replace(self, **changes)


def attrs_of(mapping: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(mapping.items(), key=lambda kv: kv[0]))


@dataclass(frozen=True)
class TensorShape:
    """A per-sample feature-map shape; each dimension an int or a Sym of ints."""

    c: Any
    h: Any
    w: Any

    def __post_init__(self) -> None:
        for d in self:
            for v in (d.values() if hasattr(d, "labels") else (d,)):
                assert isinstance(v, int) and not isinstance(v, bool) and v >= 1, f"bad dimension {v} in {self!r}"

    def __iter__(self):
        return iter((self.c, self.h, self.w))

    def __str__(self) -> str:
        """`16x32x32`; a dimension that depends on choices shows its values: `{8|16}x4x4`."""
        return "x".join(_dim(d) for d in self)


def _dim(d) -> str:
    if sym.is_sym(d):
        return "{" + "|".join(str(v) for v in sorted(d.values())) + "}"
    return str(d)


@dataclass(frozen=True)
class SpaceIR:
    name: str
    file: str
    nodes: tuple[Node, ...]        # in topological order
    output: int
    choices: tuple[ChoicePoint, ...]
    shapes: Mapping[int, TensorShape] = field(default_factory=dict)  # filled by infer_shapes
    params: Mapping[str, Any] = field(default_factory=dict)          # resolved `param`s

    def __post_init__(self) -> None:
        ids = {n.id for n in self.nodes}
        assert len(ids) == len(self.nodes) and self.output in ids
        seen: set[int] = set()
        for n in self.nodes:
            assert all(i in seen for i in n.inputs), f"node {n.id} used before definition"
            seen.add(n.id)

    def node(self, node_id: int) -> Node:
        return self._index()[node_id]

    def _index(self) -> dict[int, Node]:
        idx = self.__dict__.get("_idx")
        if idx is None:
            idx = {n.id: n for n in self.nodes}
            object.__setattr__(self, "_idx", idx)
        return idx

    def replace(self, **changes) -> "SpaceIR":
        return dataclasses.replace(self, **changes)

    def graph(self):
        """The IR as a networkx DiGraph (node ids; the Node object under 'node')."""
        import networkx as nx

        g = nx.DiGraph()
        for n in self.nodes:
            g.add_node(n.id, node=n)
            g.add_edges_from((i, n.id) for i in n.inputs)
        return g

    def verify(self) -> None:
        """Internal consistency after a pass (debug mode and tests)."""
        import networkx as nx

        assert nx.is_directed_acyclic_graph(self.graph())
        labels = {c.label for c in self.choices}
        for n in self.nodes:
            assert all(label in labels for label, _ in n.cond), n
        if self.shapes:
            assert set(self.shapes) == {n.id for n in self.nodes}


# -- a node's values in one architecture (torch-free: the lowering, the canonical form and `depth` share them) --

def node_attrs(node: Node, arch: Mapping[str, Any]) -> dict[str, Any]:
    return {k: sym.value_at(v, arch) for k, v in node.attrs}


def in_shape(ir: SpaceIR, node: Node, arch: Mapping[str, Any]) -> tuple[int, int, int]:
    return tuple(sym.value_at(d, arch) for d in ir.shapes[node.inputs[0]])


def out_shape(ir: SpaceIR, node: Node, arch: Mapping[str, Any]) -> tuple[int, int, int]:
    return tuple(sym.value_at(d, arch) for d in ir.shapes[node.id])
