"""Shared state of the expansion pass: the growing node list, choice registry and context."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..diagnostics import NasError, Note, Span
from ..ir.choices import ChoiceKind, ChoicePoint
from ..ir.graph import ALWAYS, Cond, Node, Origin, attrs_of
from ..ir.ops import OpKind


@dataclass(frozen=True)
class Ctx:
    """Where elaboration stands: names in scope, label prefix, activity condition."""

    env: Mapping[str, Any]
    labels: str          # prefix of choice labels made here ("s2.1", "normal.n3.p0")
    path: str            # unique instance path for node scopes
    cond: Cond = ALWAYS
    cond_base: int = 0   # conds below this index belong to an enclosing cell instance (shared genotype)
    instance: str = ""   # the layer or cell instance being elaborated
    calls: tuple[str, ...] = ()
    site: Span | None = None  # the outermost operator call being expanded, to tell two uses apart

    def child(self, **changes) -> "Ctx":
        return replace(self, **changes)

    def label(self, name: str | None) -> str:
        if not name:
            return self.labels
        return f"{self.labels}.{name}" if self.labels else name


@dataclass
class _Registered:
    point: ChoicePoint
    instances: set
    site: Span | None


# The largest shipped space has under 4,000 nodes; far beyond that, an expansion is a blow-up
# (operators that call each other twice, nested) and would otherwise run for hours.
MAX_NODES = 200_000


class Builder:
    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.choices: dict[str, _Registered] = {}

    def add(self, kind: OpKind, inputs, span: Span, ctx: Ctx, attrs: Mapping[str, Any] | None = None,
            input_conds=(), label: str | None = None, origin: Origin = Origin.WRITTEN) -> int:
        if len(self.nodes) >= MAX_NODES:
            raise NasError(ctx.site or span, f"the network expands to more than {MAX_NODES:,} operators",
                           hint="look for operators that use another several times, nested, or huge repeats")
        node = Node(len(self.nodes), kind, tuple(inputs), attrs_of(attrs or {}), span, ctx.path,
                    ctx.cond, tuple(input_conds), label, origin)
        self.nodes.append(node)
        return node.id

    def register(self, label: str, kind: ChoiceKind, values: tuple, span: Span, ctx: Ctx) -> str:
        """Declare a choice point. A cell elaborated again shares its genotype: same label, same site."""
        if not values:
            raise NasError(span, "a choice needs at least one alternative")
        cond = ctx.cond[ctx.cond_base:]
        old = self.choices.get(label)
        if old is None:
            self.choices[label] = _Registered(ChoicePoint(label, kind, tuple(values), span, cond), {ctx.instance},
                                              ctx.site)
            return label
        if old.point.span == span and ctx.instance in old.instances and ctx.site and old.site:
            raise NasError(ctx.site, f"choice '{label}' is declared twice in '{ctx.instance}': this use of "
                           f"'{ctx.calls[0]}' declares it again",
                           notes=(Note(old.site, "first declared by this use"), Note(span, "the choice is here")),
                           hint="declare the choice once (e.g. in the stage header) and pass its value in, "
                                "or put the two uses in separate layers")
        if old.point.span != span or ctx.instance in old.instances:
            raise NasError(span, f"choice label '{label}' is already used",
                           notes=(Note(old.point.span, "by the choice here"),),
                           hint="give each choice in one scope its own label, e.g. choose[kernel](...)")
        if old.point.values != tuple(values):
            raise NasError(span, f"choice '{label}' has different alternatives in two instances of its cell: "
                           f"{_vals(old.point.values)} and {_vals(values)}",
                           hint="a cell's genotype is shared; pass the same alternatives to every instance")
        old.instances.add(ctx.instance)
        return label

    def choice_points(self) -> tuple[ChoicePoint, ...]:
        return tuple(r.point for r in self.choices.values())


def _vals(values) -> str:
    return "{" + ", ".join(map(str, values)) + "}"
