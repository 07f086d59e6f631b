"""Which nodes of an architecture depend on the network's input.

A 'none' (zero) operator cuts the dependence: its output is all zeros whatever it reads. An architecture whose
output depends on the input through no path (NAS-Bench-201's cells whose output node reads only 'none' edges,
about one cell in thirty) computes a constant: it cannot learn, and the benchmark gives it chance accuracy. The
search skips such architectures as invalid, and trainability (a Lipschitz bound on the path from input to
output) reads only the BatchNorms that lie on such a path.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .graph import SpaceIR, active_inputs, cond_holds
from .ops import OpKind


def input_dependent(ir: SpaceIR, values: Mapping[str, Any]) -> frozenset[int]:
    """Ids of the active nodes whose output changes with the network's input, for the arch `values`."""
    dependent: set[int] = set()
    for node in ir.nodes:  # topological order
        if not cond_holds(node.cond, values):
            continue
        if node.kind is OpKind.INPUT:
            dependent.add(node.id)
        elif node.kind is not OpKind.ZERO and any(i in dependent for i in active_inputs(node, values)):
            dependent.add(node.id)
    return frozenset(dependent)


def reads_input(ir: SpaceIR, values: Mapping[str, Any]) -> bool:
    """Does the network's output depend on its input at all?"""
    return ir.output in input_dependent(ir, values)



def on_input_output_path(ir: SpaceIR, values: Mapping[str, Any]) -> frozenset[int]:
    """Ids of the active nodes on a path from the input to the output: they depend on the input and the output
    depends on them. Empty when the output ignores the input."""
    dependent = input_dependent(ir, values)
    if ir.output not in dependent:
        return frozenset()
    on_path, todo = {ir.output}, [ir.output]
    while todo:
        node = ir.node(todo.pop())
        if node.kind is OpKind.ZERO:  # its output is zeros whatever it reads
            continue
        for i in active_inputs(node, values):
            if i in dependent and i not in on_path:
                on_path.add(i)
                todo.append(i)
    return frozenset(on_path)
