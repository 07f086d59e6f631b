"""The active part of one architecture: the nodes that compute, in order, each with the nodes it reads.

The supernet's fx graphs (`lower.supernet.subnet_graph`) and the exported `model.py` (`export.layers`) both build
on this one walk, so they agree on what runs and what each node reads. A structural node that computes nothing (a
`select` passes on its one active input, `identity` is its input, a sum of one term is that term) becomes an alias
of what it passes on. The zeros of a 'none' operator are left out of sums: adding zeros changes nothing, and a
NAS-Bench-201 or DARTS subnet should not pay for its 'none' edges. A sum of zeros only passes on its first zero.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .choices import Arch
from .graph import Node, SpaceIR, active_inputs, cond_holds
from .ops import OpKind

# Whether an active node computes nothing, given the kept nodes it reads.
PassesOn = Callable[[Node, tuple[int, ...]], bool]


@dataclass(frozen=True)
class Subnet:
    nodes: tuple[Node, ...]                # the nodes that compute, in the IR's (topological) order; input first
    inputs: Mapping[int, tuple[int, ...]]  # kept node -> the kept nodes it reads: aliases resolved, zeros out of sums
    alias: Mapping[int, int]               # active node that computes nothing -> the kept node it passes on
    output: int                            # the kept node whose value the network returns
    zeros: frozenset[int]                  # the kept 'none' nodes (their value is all zeros), needed or not

    def __post_init__(self) -> None:
        assert self.nodes and self.nodes[0].kind is OpKind.INPUT, "the IR starts with its input"
        assert self.output in self.inputs and self.zeros <= set(self.inputs)

    def live(self) -> frozenset[int]:
        """The kept nodes the output needs. A 'none' whose zeros no sum reads any more is not among them."""
        needed = {self.output}
        for node in reversed(self.nodes):
            if node.id in needed:
                needed.update(self.inputs[node.id])
        return frozenset(needed)


def passes_on(node: Node, inputs: tuple[int, ...]) -> bool:
    """A select, an identity, a sum of one term: the supernet's aliases (export adds its own)."""
    return node.kind in (OpKind.SELECT, OpKind.IDENTITY) or (node.kind is OpKind.ADD and len(inputs) == 1)


def subnet(ir: SpaceIR, arch: Arch, is_alias: PassesOn = passes_on) -> Subnet:
    """The active part of `arch`; `is_alias(node, inputs)` says which active nodes compute nothing."""
    values = arch.as_dict()
    nodes: list[Node] = []
    inputs: dict[int, tuple[int, ...]] = {}
    alias: dict[int, int] = {}
    zeros: set[int] = set()
    for node in ir.nodes:
        if not cond_holds(node.cond, values):
            continue
        reads = _reads(node, values, alias, zeros)
        if is_alias(node, reads):
            assert len(reads) == 1, node
            alias[node.id] = reads[0]
            continue
        nodes.append(node)
        inputs[node.id] = reads
        if node.kind is OpKind.ZERO:
            zeros.add(node.id)
    return Subnet(tuple(nodes), inputs, alias, alias.get(ir.output, ir.output), frozenset(zeros))


def _reads(node: Node, values: Mapping[str, Any], alias: Mapping[int, int], zeros: set[int]) -> tuple[int, ...]:
    """The kept nodes `node` reads, aliases resolved; a sum's zeros are left out (a sum of zeros only keeps one)."""
    reads = tuple(alias.get(i, i) for i in active_inputs(node, values))
    if node.kind is OpKind.ADD:
        reads = tuple(i for i in reads if i not in zeros) or reads[:1]
    return reads
