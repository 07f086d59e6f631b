"""The least depth of an architecture: the fewest weighted layers on any path from the network's input to its output;
and its least mixing depth, which counts pooling too.

A weighted layer is a convolution (depthwise included), a linear layer, a factorized reduction (its two 1x1
convolutions run side by side) or an MBConv block's convolutions in series (expansion, depthwise, projection), which
its residual bypasses when it has one. A skip connection, pooling, activation, BatchNorm or sum adds none. A 'none'
operator cuts the path (its output is zeros whatever it reads), and a network whose output ignores its input has no
path: its depth is infinite.

Residual connections shorten this path (a ResNet's is its stem, downsampling shortcuts and head), and gradients
reach the first layers along it; a residual network behaves like an ensemble of its paths and trains as its short
ones do (Veit et al., NeurIPS 2016). Their argument is about identity shortcuts, and pooling is none: the least
mixing depth counts every layer that mixes values across positions or channels, the weighted ones and pooling
(average, max, global), so that only identities, activations, BatchNorms and sums are free. Both read the
architecture alone: no network is built.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .graph import Node, SpaceIR, active_inputs, cond_holds, in_shape, node_attrs, out_shape
from .ops import OpKind, mbconv_has_residual

# The operators that are one weighted layer on any path through them.
_ONE_LAYER = frozenset({OpKind.CONV, OpKind.DWCONV, OpKind.LINEAR, OpKind.FACTORIZED_REDUCE})
_POOLING = frozenset({OpKind.AVG_POOL, OpKind.MAX_POOL, OpKind.GLOBAL_POOL})

LayerCount = Callable[[SpaceIR, Node, Mapping[str, Any]], int]


def least_depth(ir: SpaceIR, values: Mapping[str, Any]) -> float:
    """The fewest weighted layers on a path from the input to the output of the arch `values` (inf: no path)."""
    return _least(ir, values, layers_in)


def least_mixing_depth(ir: SpaceIR, values: Mapping[str, Any]) -> float:
    """The fewest weighted and pooling layers on a path from the input to the output of `values` (inf: no path)."""
    return _least(ir, values, mixing_layers_in)


def _least(ir: SpaceIR, values: Mapping[str, Any], layers: LayerCount) -> float:
    """The least sum of `layers` over the nodes of a path from the input to the output (inf: no path)."""
    depth: dict[int, float] = {}
    for node in ir.nodes:  # topological order
        if not cond_holds(node.cond, values):
            continue
        if node.kind is OpKind.INPUT:
            depth[node.id] = 0
            continue
        reached = [depth[i] for i in active_inputs(node, values) if i in depth]
        if node.kind is not OpKind.ZERO and reached:
            depth[node.id] = min(reached) + layers(ir, node, values)
    return depth.get(ir.output, math.inf)


def layers_in(ir: SpaceIR, node: Node, values: Mapping[str, Any]) -> int:
    """The weighted layers on the shortest path through `node` itself."""
    if node.kind in _ONE_LAYER:
        return 1
    if node.kind is not OpKind.MBCONV:
        return 0
    attrs = node_attrs(node, values)
    if mbconv_has_residual(attrs, in_shape(ir, node, values), out_shape(ir, node, values)):
        return 0
    return 2 + (attrs["e"] != 1)  # the depthwise and projection convolutions, and the expansion unless e = 1


def mixing_layers_in(ir: SpaceIR, node: Node, values: Mapping[str, Any]) -> int:
    """The weighted and pooling layers on the shortest path through `node` itself."""
    return 1 if node.kind in _POOLING else layers_in(ir, node, values)
