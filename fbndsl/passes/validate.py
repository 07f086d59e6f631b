"""Pass 4, validity checks on the expanded, shaped IR.

Shapes and channels are checked where they are inferred, and the graph is acyclic by construction
(`SpaceIR` refuses a node that reads a later one). This pass checks that every operator contributes
to the output and that every declared choice changes something.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..diagnostics import NasError
from ..ir import sym
from ..ir.graph import SpaceIR
from ..ir.ops import OpKind
from .base import Pass


@dataclass(frozen=True)
class Validate(Pass):
    """Checks only: the IR comes back as it went in."""

    name: ClassVar[str] = "validate"

    def apply(self, ir: SpaceIR) -> SpaceIR:
        _all_reach_output(ir)
        _all_choices_used(ir)
        return ir


def _all_reach_output(ir: SpaceIR) -> None:
    used = {ir.output}
    for node in reversed(ir.nodes):
        if node.id in used:
            used.update(node.inputs)
    for node in ir.nodes:
        if node.id not in used and node.kind != OpKind.INPUT:
            raise NasError(node.span, "this operator's result is never used: it does not reach the network output",
                           hint="connect it (e.g. list the node in the cell's output) or delete it")


def _all_choices_used(ir: SpaceIR) -> None:
    used: set[str] = set()
    for node in ir.nodes:
        used.update(label for label, _ in node.cond)
        used.update(label for c in node.input_conds for label, _ in c)
        for _, value in node.attrs:
            if sym.is_sym(value):
                used.update(value.labels)
    used.update(label for c in ir.choices for label, _ in c.cond)
    for c in ir.choices:
        if c.label not in used and len(c.values) > 1:
            raise NasError(c.span, f"choice '{c.label}' changes nothing in the network",
                           hint="use its value, or remove it")
