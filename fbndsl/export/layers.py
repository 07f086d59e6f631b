"""The layers of one architecture: its active IR nodes in order, with concrete attributes and shapes.

Which nodes compute is `ir.subnet`'s walk, the one the supernet's subnet graphs are built from: structural nodes
that compute nothing (a `select` passes on its one active input, `identity` is its input, a sum or, here, a concat
of one input) become aliases, so every layer here is one operation of the exported forward, and zeros ('none'
edges of NAS-Bench-201 and DARTS) are left out of sums. BatchNorms inserted by the fairness pass are layers when
they are kept (a trained supernet's function includes them) and aliases when dropped (the architecture as
written, to be trained from scratch).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import partial
from pathlib import PurePath
from typing import Any

from ..diagnostics import Span
from ..ir import sym
from ..ir.graph import Node, Origin
from ..ir.ops import OpKind
from ..ir.subnet import passes_on, subnet
from .names import comment_text


class FairnessBN(Enum):
    """What an export does with the BatchNorms that the fairness pass inserted."""

    KEPT = "kept"        # with a trained supernet: they belong to the function it learned
    DROPPED = "dropped"  # fresh init: the architecture exactly as written (and as benchmarks count it)


@dataclass(frozen=True)
class Layer:
    node: Node
    inputs: tuple[int, ...]          # ids of the layers it reads, aliases resolved (the input node is a layer)
    attrs: Mapping[str, Any]         # attribute values in this architecture
    in_shape: tuple[int, int, int] | None
    out_shape: tuple[int, int, int]
    source: str                      # `nb201.nas:16`, comment-safe

    @property
    def kind(self) -> OpKind:
        return self.node.kind

    @property
    def id(self) -> int:
        return self.node.id

    @property
    def fairness(self) -> bool:
        return self.node.origin is Origin.FAIRNESS


@dataclass(frozen=True)
class Layers:
    layers: tuple[Layer, ...]
    input_id: int
    output_id: int                   # the layer whose value the network returns
    live: frozenset[int]             # the layers the output needs (the others are declared, not computed)


def active_layers(space, arch, fairness_bn: FairnessBN) -> Layers:
    values = arch.as_dict()
    found = subnet(space.ir, arch, partial(_is_alias, fairness_bn=fairness_bn))
    layers = [_layer(space, node, found.inputs[node.id], values) for node in found.nodes]
    # A 'none' whose zeros no sum reads any more is dropped; a layer that feeds only such edges stays declared
    # (its parameters are the architecture's, as the benchmarks count them) but is not computed.
    live = found.live()
    kept = tuple(layer for layer in layers if layer.kind is not OpKind.ZERO or layer.id in live)
    return Layers(kept, layers[0].id, found.output, live)


def _is_alias(node: Node, inputs: tuple[int, ...], fairness_bn: FairnessBN) -> bool:
    """Computes nothing here: passes on its one active input (a sum or concat of one input included)."""
    if passes_on(node, inputs) or (node.kind is OpKind.CONCAT and len(inputs) == 1):
        return True
    return node.origin is Origin.FAIRNESS and fairness_bn is FairnessBN.DROPPED


def _layer(space, node: Node, inputs: tuple[int, ...], values) -> Layer:
    ir = space.ir
    shape = _shape(ir.shapes[node.id], values)
    in_shape = _shape(ir.shapes[node.inputs[0]], values) if node.inputs else None
    attrs = {k: sym.value_at(v, values) for k, v in node.attrs}
    return Layer(node, inputs, attrs, in_shape, shape, source_of(node.span, space.file))


def _shape(shape, values) -> tuple[int, int, int]:
    return tuple(sym.value_at(d, values) for d in shape)


def source_of(span: Span, main_file: str) -> str:
    """`file:line` for a comment: the main file by its name, an included one relative to it, the prelude as
    `<prelude>`; never an absolute path, so the same space gives the same text from any folder."""
    if span.file.startswith("<"):
        where = span.file
    elif os.path.abspath(span.file) == os.path.abspath(main_file):
        where = PurePath(span.file).name
    else:
        where = os.path.relpath(os.path.abspath(span.file), os.path.dirname(os.path.abspath(main_file)))
    return comment_text(f"{where}:{span.line}")
