"""The weight-sharing supernet of a space, and the torch.fx graph of each selected subnet.

Every IR node with weights becomes one elastic module, registered under a stable, readable name
(its scope in the network plus its IR id). Selecting an architecture configures the active modules
and builds (once, then cached) a `torch.fx.GraphModule` over exactly the active nodes, so branches
that are not chosen cost nothing: they are not in the graph.
"""
from __future__ import annotations

import operator
import re
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import torch
from torch import fx, nn

from ..ir import sym
from ..ir.choices import Arch
from ..ir.graph import Node, SpaceIR, cond_holds
from ..ir.layers import layer_outputs
from ..ir.ops import OpKind
from ..ir.subnet import subnet
from .build import configure, make_module

GRAPH_CACHE = 64


def module_name(node: Node) -> str:
    """A valid, stable attribute name: the node's scope, sanitised, and its id (unique)."""
    scope = re.sub(r"[^0-9A-Za-z_]", "_", node.scope).strip("_") or node.kind.value
    return f"{scope}__{node.id}"


class Supernet(nn.Module):
    """All candidate operators of a space with shared weights; `set_arch` selects one subnet."""

    def __init__(self, space):
        super().__init__()
        self.space = space
        self.ir: SpaceIR = space.ir
        self.ops = nn.ModuleDict()
        self._names: dict[int, str] = {}
        for node in self.ir.nodes:
            module = make_module(self.ir, node)
            if module is not None:
                self._names[node.id] = module_name(node)
                self.ops[self._names[node.id]] = module
        self.arch: Arch | None = None
        self._graphs: OrderedDict[Arch, fx.GraphModule] = OrderedDict()
        self.set_arch(space.max_arch())

    # -- selecting a subnet ---------------------------------------------------------
    def set_arch(self, arch: Arch | Mapping[str, Any] | str) -> Arch:
        arch = self._as_arch(arch)
        values = arch.as_dict()
        for node in self.active_nodes(arch):
            if node.id in self._names:
                configure(self.ops[self._names[node.id]], self.ir, node, values)
        self.arch = arch
        return arch

    def _as_arch(self, arch) -> Arch:
        if isinstance(arch, str):
            return self.space.parse_arch(arch)
        return arch if isinstance(arch, Arch) else self.space.arch(arch)

    def active_nodes(self, arch: Arch) -> list[Node]:
        values = arch.as_dict()
        return [n for n in self.ir.nodes if cond_holds(n.cond, values)]

    def input_shape(self, arch: Arch | None = None) -> tuple[int, int, int]:
        """(channels, height, width) the selected subnet expects: the resolution is part of the arch."""
        values = (arch or self.arch).as_dict()
        shape = self.ir.shapes[self.ir.nodes[0].id]
        return tuple(sym.value_at(d, values) for d in shape)

    def forward(self, x: torch.Tensor, arch=None) -> torch.Tensor:
        if arch is not None:
            self.set_arch(arch)
        return self.graph_module()(x)

    # -- the fx graph of the selected subnet -----------------------------------------
    def graph_module(self, arch: Arch | None = None) -> fx.GraphModule:
        """The selected subnet as a torch.fx.GraphModule sharing this supernet's (elastic) modules."""
        arch = self.arch if arch is None else self._as_arch(arch)
        gm = self._graphs.get(arch)
        if gm is None:
            gm = fx.GraphModule(self, subnet_graph(self.ir, arch, self._op_path), class_name="Subnet")
            self._graphs[arch] = gm
            if len(self._graphs) > GRAPH_CACHE:
                self._graphs.popitem(last=False)
        else:
            self._graphs.move_to_end(arch)
        return gm

    def layer_maps(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The selected subnet's output for `x` and, in order, the output of each of its layers
        (`ir.layers.layer_outputs`). Its graph is built for the call, not cached: only isotropy and progressivity
        ask for it."""
        found = subnet(self.ir, self.arch)
        taps = layer_outputs(self.ir, found)
        graph = subnet_graph(self.ir, self.arch, self._op_path, taps, found)
        out, *maps = fx.GraphModule(self, graph, class_name="Layers")(x)
        return out, maps

    def _op_path(self, node: Node) -> str:
        """The attribute path by which a graph module calls `node`'s module."""
        return f"ops.{self._names[node.id]}"

    def module_of(self, node: Node) -> nn.Module | None:
        name = self._names.get(node.id)
        return self.ops[name] if name is not None else None

    def named_ops(self):
        """(IR node, module) for every node that has a module."""
        for node in self.ir.nodes:
            if node.id in self._names:
                yield node, self.ops[self._names[node.id]]


def subnet_graph(ir: SpaceIR, arch: Arch, target, taps: tuple[int, ...] = (), found=None) -> fx.Graph:
    """The active nodes of `arch` (`ir.subnet`, or `found` when the caller has it) as an fx graph; `target(node)`
    names the module a node calls. With `taps` (kept nodes), it returns the output and their values, in a tuple."""
    found = subnet(ir, arch) if found is None else found
    g = fx.Graph()
    env: dict[int, fx.Node] = {}
    for node in found.nodes:
        env[node.id] = _emit(g, node, [env[i] for i in found.inputs[node.id]], target)
    g.output((env[found.output], *(env[i] for i in taps)) if taps else env[found.output])
    # the sums skip the zeros: erase the dead 'none' modules that made them too, so that a NAS-Bench-201 or
    # DARTS subnet does not pay for its 'none' edges in forward or backward
    _erase_unused(g, {env[i] for i in found.zeros})
    g.lint()
    return g


def _emit(g: fx.Graph, node: Node, args: list[fx.Node], target) -> fx.Node:
    """The fx node computing `node` from `args`, the values of the nodes it reads."""
    if node.kind is OpKind.INPUT:
        return g.placeholder("x")
    if node.kind is OpKind.ADD:
        out = args[0]
        for arg in args[1:]:
            out = g.call_function(operator.add, (out, arg))
        return out
    if node.kind is OpKind.CONCAT:
        return g.call_function(torch.cat, (tuple(args), 1))
    return g.call_module(target(node), (args[0],))


def _erase_unused(g: fx.Graph, candidates: set[fx.Node]) -> None:
    """Erase the 'none' modules whose zeros no add needs any more (one 'none' may have fed another)."""
    while dead := {n for n in candidates if not n.users}:
        for n in dead:
            g.erase_node(n)
        candidates -= dead



def lower(space) -> Supernet:
    """The supernet of a compiled space (`fbndsl.compile(...)`)."""
    return Supernet(space)
