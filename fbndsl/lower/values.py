"""Concrete values of choice-dependent attributes: per architecture, and their maxima (weight sizes)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..ir import sym
from ..ir.graph import Node, SpaceIR


def maximum(value):
    return max(value.values()) if sym.is_sym(value) else value


def node_attrs(node: Node, arch: Mapping[str, Any]) -> dict[str, Any]:
    return {k: sym.value_at(v, arch) for k, v in node.attrs}


def in_shape(ir: SpaceIR, node: Node, arch: Mapping[str, Any]) -> tuple[int, int, int]:
    return tuple(sym.value_at(d, arch) for d in ir.shapes[node.inputs[0]])


def out_shape(ir: SpaceIR, node: Node, arch: Mapping[str, Any]) -> tuple[int, int, int]:
    return tuple(sym.value_at(d, arch) for d in ir.shapes[node.id])


def max_over(fn, *args) -> Any:
    """The largest value fn takes over every joint assignment of its arguments' choices."""
    return maximum(sym.lift(fn, *args))
