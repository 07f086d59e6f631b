"""Pass 3, shape and channel inference, checked statically over the whole space.

Each node's output shape is computed for every combination of the choices it depends on (as a
`Sym`), so a mismatch is found for *every* subnet, not a sample, and reported with the first
combination that breaks it and the spans of both sides.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..diagnostics import NasError, Note
from ..ir import sym
from ..ir.graph import Node, SpaceIR, TensorShape
from ..ir.ops import SPECS, OpKind, ShapeError
from .base import Pass


@dataclass(frozen=True)
class InferShapes(Pass):
    """The IR with `shapes`: every node's output shape, for every combination of the choices it depends on."""

    name: ClassVar[str] = "infer-shapes"

    def apply(self, ir: SpaceIR) -> SpaceIR:
        shapes: dict[int, TensorShape] = {}
        for node in ir.nodes:
            try:
                shapes[node.id] = _infer(node, ir, shapes)
            except sym.TooManyCombinations as exc:
                raise NasError(node.span, f"this operator's shape {exc}",
                               hint="use fewer values in its choices") from None
        return ir.replace(shapes=shapes)


def _infer(node: Node, ir: SpaceIR, shapes) -> TensorShape:
    ins = [shapes[i] for i in node.inputs]
    if node.kind == OpKind.INPUT:
        a = node.attr
        return TensorShape(a["channels"], a["resolution"], a["resolution"])
    if node.kind in (OpKind.ADD, OpKind.SELECT):
        _all_equal(node, ins, ir)
        return ins[0]
    if node.kind == OpKind.CONCAT:
        return _concat(node, ins, ir)
    return _primitive(node, ins[0], ir)


def _primitive(node: Node, shape: TensorShape, ir: SpaceIR) -> TensorShape:
    spec, attrs = SPECS[node.kind], node.attr
    names = list(attrs)
    args = [*attrs.values(), *shape]

    def one(*vals):
        plain = dict(zip(names, vals[:len(names)]))
        return spec.shape(plain, tuple(vals[len(names):]))

    labels = sym.labels_of(*args)
    try:
        if not labels:
            return TensorShape(*one(*args))
        outs = {}
        for assignment in sym.assignments(labels):
            at = assignment
            outs[tuple(assignment.values())] = one(*(sym.value_at(a, assignment) for a in args))
    except ShapeError as exc:
        where = sym.describe(at) if labels else ""
        producer = ir.node(node.inputs[0])
        raise NasError(node.span, f"{node.kind.value}: {exc}{where}",
                       notes=(Note(producer.span, f"its input ({shape}) is produced here"),)) from None
    keys, domains = tuple(labels), tuple(labels.values())
    return TensorShape(*(sym.make(keys, domains, {k: v[i] for k, v in outs.items()}) for i in range(3)))


def _all_equal(node: Node, ins: list[TensorShape], ir: SpaceIR) -> None:
    for j in range(1, len(ins)):
        bad = sym.first_failure(lambda *v: v[:3] == v[3:], *ins[0], *ins[j])
        if bad is not None:
            raise _mismatch(node, 0, j, ins, ir, bad)


def _mismatch(node: Node, i: int, j: int, ins, ir: SpaceIR, bad: dict) -> NasError:
    a, b = (TensorShape(*(sym.value_at(d, bad) for d in ins[k])) for k in (i, j))
    src_i, src_j = ir.node(node.inputs[i]), ir.node(node.inputs[j])
    when = sym.describe(bad)
    reason = node.attr.get("reason")
    if reason == "depth":
        stage_layer = node.scope
        return NasError(node.span, f"layer {stage_layer} can be skipped (elastic depth '{node.label}') but "
                        f"changes the shape from {b} to {a}{when}",
                        notes=(Note(src_i.span, f"the layer ends here, with {a}"),),
                        hint="only layers below the minimum depth may change the shape; "
                             "raise the minimum depth or keep stride 1 and the channel count")
    if reason == "optional":
        return NasError(node.span, f"optional operator '{node.label}' changes the shape from {b} to "
                        f"{a}{when}, so it cannot be switched off",
                        notes=(Note(src_i.span, f"it ends here, with {a}"),),
                        hint="an optional operator must keep the shape of its input")
    if reason == "op":
        keys = node.attr["keys"]
        return NasError(node.span, f"alternatives of choice '{node.label}' produce different shapes{when}: "
                        f"'{_key(keys[i])}' gives {a} but '{_key(keys[j])}' gives {b}",
                        notes=(Note(src_i.span, f"'{_key(keys[i])}' ends here, with {a}"),
                               Note(src_j.span, f"'{_key(keys[j])}' ends here, with {b}")),
                        hint="every alternative of a choice must produce the same shape")
    if node.attr.get("residual"):
        return NasError(node.span, f"residual body changes the shape from {a} to {b}{when}",
                        notes=(Note(src_j.span, "the body ends here"),),
                        hint="a residual connection adds the input to the output, so both need one shape")
    return NasError(node.span, f"channel/shape mismatch in a sum{when}: {a} and {b}",
                    notes=(Note(src_i.span, f"{a} is produced here"),
                           Note(src_j.span, f"{b} is produced here")))


def _key(k) -> str:
    return {True: "on", False: "off"}.get(k, k) if isinstance(k, bool) else str(k)


def _concat(node: Node, ins: list[TensorShape], ir: SpaceIR) -> TensorShape:
    for j in range(1, len(ins)):
        bad = sym.first_failure(lambda h0, w0, h, w: (h0, w0) == (h, w), ins[0].h, ins[0].w, ins[j].h, ins[j].w)
        if bad is not None:
            a, b = (TensorShape(*(sym.value_at(d, bad) for d in ins[k])) for k in (0, j))
            raise NasError(node.span, f"concat needs equal feature-map sizes{sym.describe(bad)}: "
                           f"{a} and {b}",
                           notes=(Note(ir.node(node.inputs[0]).span, f"{a} is produced here"),
                                  Note(ir.node(node.inputs[j]).span, f"{b} is produced here")))
    c = ins[0].c
    for s in ins[1:]:
        c = sym.lift(lambda x, y: x + y, c, s.c)
    return TensorShape(c, ins[0].h, ins[0].w)
