"""Pass 5, BN fairness (FBN-NAS): every candidate operator of a choice ends in a BatchNorm.

A supernet that trains only BatchNorm favours candidates that already end in one (convolutions)
over those that do not (pooling, skip). This pass reports every candidate of an operator choice
that is not followed by a BatchNorm and, in `insert` mode, appends one. `zero` candidates are exempt
(a BatchNorm would turn their zeros into beta). `off` keeps the program as written, i.e. BN-NAS'
placement, where only the convolution candidates carry a BatchNorm.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

from ..diagnostics import NasError, NasErrors, Span
from ..ir.graph import Node, Origin, SpaceIR, TensorShape
from ..ir.ops import SPECS, OpKind
from .base import Pass


class Fairness(Enum):
    INSERT = "insert"
    CHECK = "check"
    OFF = "off"


@dataclass(frozen=True)
class Finding:
    label: str
    key: str
    op: str          # the kind that ends the candidate, e.g. "avg_pool"
    span: Span


@dataclass(frozen=True)
class FairnessReport:
    mode: Fairness
    candidates: int            # distinct (choice, alternative) pairs
    unfair: tuple[Finding, ...]  # candidates not followed by a BatchNorm
    inserted: int              # BatchNorm nodes inserted (every instance of a shared cell counts)


# Where a BatchNorm goes: candidate output node -> (SELECT, input position, span of the BatchNorm) of each use
Wanted = dict[int, list[tuple[Node, int, Span]]]


@dataclass(frozen=True)
class InsertBN(Pass):
    """`insert`: a BatchNorm after each unfair candidate; `check`: unfair candidates are errors; `off`: as written.

    `report` tells what was found, from the IR `apply` returned: BatchNorms it inserted (`Origin.FAIRNESS`) are
    looked through, so a candidate is reported as the program wrote it."""

    name: ClassVar[str] = "insert-bn"
    fairness: Fairness = Fairness.INSERT

    def apply(self, ir: SpaceIR) -> SpaceIR:
        _, findings, wanted = _survey(ir)
        if self.fairness is Fairness.CHECK and findings:
            raise NasErrors([NasError(f.span, f"candidate '{f.key}' of choice '{f.label}' ends in {f.op}, "
                                      "not a BatchNorm", hint="run with --fairness insert to add one")
                             for f in findings])
        if self.fairness is not Fairness.INSERT or not wanted:
            return ir
        return _insert(ir, wanted)

    def report(self, ir: SpaceIR) -> FairnessReport:
        candidates, findings, _ = _survey(ir)
        inserted = sum(n.origin is Origin.FAIRNESS for n in ir.nodes)
        return FairnessReport(self.fairness, candidates, findings, inserted)


def _survey(ir: SpaceIR) -> tuple[int, tuple[Finding, ...], Wanted]:
    """(distinct candidates, the unfair ones, where BatchNorms are still missing)."""
    by_id = {n.id: n for n in ir.nodes}
    findings: dict[tuple[str, str], Finding] = {}
    candidates: set[tuple[str, str]] = set()
    wanted: Wanted = {}
    for node in ir.nodes:
        if node.kind != OpKind.SELECT or node.attr.get("reason") != "op":
            continue
        for pos, (key, src) in enumerate(zip(node.attr["keys"], node.inputs)):
            candidates.add((node.label, key))
            last = _written(by_id[src], by_id)
            own = _belongs(last, node, pos)
            if own and (_ends_with_bn(last, by_id) or _is_zero(last, by_id)):
                continue
            kind = _last_kind(last) if own else "its input (it passes it through unchanged)"
            span = last.span if own else node.span
            findings.setdefault((node.label, key), Finding(node.label, key, kind, span))
            if by_id[src].origin is not Origin.FAIRNESS:
                wanted.setdefault(src, []).append((node, pos, span))
    return len(candidates), tuple(findings.values()), wanted


def _written(node: Node, by_id) -> Node:
    """The node as the program wrote it: a BatchNorm this pass inserted stands for the candidate it follows."""
    while node.origin is Origin.FAIRNESS:
        node = by_id[node.inputs[0]]
    return node


def _belongs(node: Node, sel: Node, pos: int) -> bool:
    """Whether `node` is computed by alternative `pos` of `sel` (active only when it is chosen), rather than
    being what the choice reads, handed through unchanged (a cell that returns its input): then the BatchNorm
    it may end in is the previous layer's, shared by every alternative, not the candidate's own."""
    return set(sel.input_conds[pos]) <= set(node.cond)


def _ends_with_bn(node: Node, by_id) -> bool:
    if node.kind == OpKind.SELECT:
        return all(_ends_with_bn(_written(by_id[i], by_id), by_id) for i in node.inputs)
    return node.kind in SPECS and SPECS[node.kind].ends_with_bn


def _is_zero(node: Node, by_id) -> bool:
    if node.kind == OpKind.SELECT:
        return all(_is_zero(_written(by_id[i], by_id), by_id) for i in node.inputs)
    return node.kind == OpKind.ZERO


def _last_kind(node: Node) -> str:
    if node.kind == OpKind.SELECT:
        return f"the {node.attr.get('reason', 'choice')} choice '{node.label}'"
    return node.kind.value if node.kind != OpKind.INPUT else "its input (an identity edge)"


def _insert(ir: SpaceIR, wanted: Wanted) -> SpaceIR:
    """A new IR with a BatchNorm between each unfair candidate and its SELECT, right after the candidate's output
    (one per SELECT input: alternatives that hand the same node through get one each); ids renumbered."""
    nodes: list[Node] = []
    remap: dict[int, int] = {}
    bn_for: dict[tuple[int, int], int] = {}  # (SELECT id, input position) -> its BatchNorm's new id
    bn_shapes: dict[int, TensorShape] = {}
    for node in ir.nodes:
        inputs = tuple(bn_for.get((node.id, pos), remap[i]) for pos, i in enumerate(node.inputs))
        new = node.replace(id=len(nodes), inputs=inputs)
        remap[node.id] = new.id
        nodes.append(new)
        for sel, pos, span in wanted.get(node.id, ()):
            key = sel.attr["keys"][pos]
            bn = Node(len(nodes), OpKind.BN, (new.id,), (("affine", True),), span,
                      f"{sel.scope}.{key}.fair_bn", sel.cond + sel.input_conds[pos], origin=Origin.FAIRNESS)
            bn_for[(sel.id, pos)] = bn.id
            bn_shapes[bn.id] = ir.shapes[node.id]
            nodes.append(bn)
    shapes = {remap[k]: v for k, v in ir.shapes.items()} | bn_shapes
    return ir.replace(nodes=tuple(nodes), output=remap[ir.output], shapes=shapes)
