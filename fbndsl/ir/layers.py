"""The layers of a network: each named layer of its `network` block (`stem`, `r1`, `head`) and each layer of a
stage (`s1.0`, `s1.1`, ...). Every IR node's scope starts with its layer's path (a cell's nodes and the fairness
BatchNorms included), and a layer ends with what it passes on: the IR is in topological order, so a layer's last
node is its output. The DOT view draws the network layer by layer; AZ-NAS' isotropy reads each layer's output.
"""
from __future__ import annotations

from .graph import SpaceIR
from .ops import OpKind
from .subnet import Subnet


def layer_of(scope: str) -> str:
    """The layer a node of `scope` belongs to: "s1.0.n3.n0.nor_conv_3x3" -> "s1.0", "r1.b0" -> "r1"."""
    parts = scope.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 and parts[1].isdigit() else parts[0]


def layer_outputs(ir: SpaceIR, found: Subnet) -> tuple[int, ...]:
    """The kept node whose value each layer of the subnet `found` (of `ir`) passes on, in the network's order.
    The input is no layer; a layer that computes nothing (it passes its input on unchanged, e.g. a skipped
    repeat) is left out, since its output is the previous layer's."""
    last: dict[str, int] = {}
    for i in sorted([n.id for n in found.nodes] + list(found.alias)):
        node = ir.node(i)
        if node.kind is not OpKind.INPUT:
            last[layer_of(node.scope)] = found.alias.get(i, i)
    outputs = [found.nodes[0].id]  # the input, which the first layer's output must differ from
    for value in last.values():
        if value != outputs[-1]:
            outputs.append(value)
    return tuple(outputs[1:])
