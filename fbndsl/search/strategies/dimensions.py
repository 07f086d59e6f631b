"""Elastic dimensions: which value choices set the resolution, a depth, a width, a kernel or an expansion.

BigNAS's coarse grid moves all choices of one kind together ("every stage at its smallest kernel"). The kind
is read from the IR, not guessed from labels: a choice is a resolution, width, kernel or expansion when it
appears in that attribute of an operator (`input.resolution`, `out`, `k`, `e`), and a depth when it sets no
attribute at all and only decides which layers are active (a `repeat depth in {...}`).
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from ...ir.choices import ChoiceKind, ChoicePoint
from ...ir.ops import OpKind
from ...ir.sym import Sym


class Dimension(Enum):
    RESOLUTION = "resolution"
    DEPTH = "depth"
    WIDTH = "width"
    KERNEL = "kernel"
    EXPANSION = "expansion"


# (operator kind or None for any, attribute) -> dimension; the first that applies wins, so a choice that sets
# both a kernel and a width (unusual) is grouped by its kernel
_ATTRIBUTES = (((OpKind.INPUT, "resolution"), Dimension.RESOLUTION), ((None, "k"), Dimension.KERNEL),
               ((None, "e"), Dimension.EXPANSION), ((None, "out"), Dimension.WIDTH))


class Position(Enum):
    """Where in its (sorted) values a grid point sets every choice of a dimension."""

    SMALLEST = "smallest"
    MIDDLE = "middle"
    LARGEST = "largest"

    def index(self, n: int) -> int:
        return {Position.SMALLEST: 0, Position.MIDDLE: (n - 1) // 2, Position.LARGEST: n - 1}[self]


def dimensions(space) -> dict[Dimension, tuple[ChoicePoint, ...]]:
    """The value choices of `space` grouped by the dimension they control; ungrouped choices are left out."""
    uses = _attribute_uses(space.ir)
    in_conditions = {label for n in space.ir.nodes for label, _ in n.cond}
    groups: dict[Dimension, list[ChoicePoint]] = {}
    for c in space.choices:
        dim = _dimension(c, uses.get(c.label, set()), c.label in in_conditions)
        if dim is not None:
            groups.setdefault(dim, []).append(c)
    return {d: tuple(groups[d]) for d in Dimension if d in groups}


def _attribute_uses(ir) -> dict[str, set[tuple[OpKind, str]]]:
    uses: dict[str, set[tuple[OpKind, str]]] = {}
    for node in ir.nodes:
        for name, value in node.attrs:
            if isinstance(value, Sym):
                for label in value.labels:
                    uses.setdefault(label, set()).add((node.kind, name))
    return uses


def _dimension(c: ChoicePoint, uses: set[tuple[OpKind, str]], in_conditions: bool) -> Dimension | None:
    if c.kind is not ChoiceKind.VALUE or len(c.values) < 2 or not _numeric(c):
        return None
    for (kind, attr), dim in _ATTRIBUTES:
        if any(name == attr and kind in (None, k) for k, name in uses):
            return dim
    return Dimension.DEPTH if not uses and in_conditions else None


def _numeric(c: ChoicePoint) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in c.values)


def grid_assignment(groups: Mapping[Dimension, tuple[ChoicePoint, ...]],
                    positions: Mapping[Dimension, Position]) -> dict[str, Any]:
    """label -> value setting every choice of each dimension to the dimension's relative position."""
    out = {}
    for dim, position in positions.items():
        for c in groups[dim]:
            values = sorted(c.values)
            out[c.label] = values[position.index(len(values))]
    return out
