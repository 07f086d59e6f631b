"""The syntax tree of a `.nas` program: frozen nodes, each with the `Span` it came from."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Union

from ..diagnostics import NasError, Span


class BinOp(Enum):
    ADD = "+"
    SUB = "-"
    MUL = "*"
    FLOORDIV = "//"
    DIV = "/"
    MOD = "%"
    POW = "**"
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    AND = "and"
    OR = "or"


@dataclass(frozen=True)
class Ident:
    name: str
    span: Span


# ---- expressions -------------------------------------------------------------
@dataclass(frozen=True)
class Num:
    value: int | float
    span: Span


@dataclass(frozen=True)
class Bool:
    value: bool
    span: Span


@dataclass(frozen=True)
class Name:
    name: str
    span: Span


@dataclass(frozen=True)
class Binary:
    op: BinOp
    left: "Expr"
    right: "Expr"
    span: Span


@dataclass(frozen=True)
class Not:
    operand: "Expr"
    span: Span


@dataclass(frozen=True)
class Neg:
    operand: "Expr"
    span: Span


@dataclass(frozen=True)
class IfElse:
    test: "Expr"
    then: "Expr"
    other: "Expr"
    span: Span


@dataclass(frozen=True)
class FuncCall:
    func: Ident
    args: tuple["Expr", ...]
    span: Span


Expr = Union[Num, Bool, Name, Binary, Not, Neg, IfElse, FuncCall]


@dataclass(frozen=True)
class SetList:
    items: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class SetRange:
    lo: Expr
    hi: Expr
    step: Expr | None
    span: Span


SetExpr = Union[SetList, SetRange]


# ---- arguments -----------------------------------------------------------------
@dataclass(frozen=True)
class PosArg:
    value: Expr
    span: Span


@dataclass(frozen=True)
class KwArg:
    name: Ident
    value: Expr
    span: Span


@dataclass(frozen=True)
class ChoiceArg:
    """`name in {..}`: an elastic dimension, a choice point labelled by its name."""

    name: Ident
    values: SetExpr
    span: Span


Arg = Union[PosArg, KwArg, ChoiceArg]


# ---- operator expressions ----------------------------------------------------
@dataclass(frozen=True)
class Call:
    callee: Ident
    args: tuple[Arg, ...]
    span: Span


@dataclass(frozen=True)
class Alt:
    key: Ident | None
    chain: "Chain"
    span: Span


@dataclass(frozen=True)
class Choose:
    label: Ident | None
    alts: tuple[Alt, ...]
    span: Span


@dataclass(frozen=True)
class Optional:
    label: Ident | None
    chain: "Chain"
    span: Span


class CombineKind(Enum):
    ADD = "add"
    CONCAT = "concat"
    RESIDUAL = "residual"


@dataclass(frozen=True)
class Combine:
    kind: CombineKind
    branches: tuple["Chain", ...]
    span: Span


@dataclass(frozen=True)
class OpIf:
    then: "Chain"
    test: Expr
    other: "Chain"
    span: Span


Term = Union[Call, Choose, Optional, Combine, OpIf, "Chain"]


@dataclass(frozen=True)
class Chain:
    terms: tuple[Term, ...]
    span: Span


# ---- cells --------------------------------------------------------------------
@dataclass(frozen=True)
class Edge:
    source: Ident
    chain: Chain | None
    span: Span


class NodeKind(Enum):
    EDGE = "edge"
    SUM = "sum"
    PICK = "pick"
    CONCAT = "concat"


@dataclass(frozen=True)
class CellNode:
    name: Ident
    kind: NodeKind
    edges: tuple[Edge, ...]
    pick: Expr | None
    span: Span


@dataclass(frozen=True)
class CellOutput:
    names: tuple[Ident, ...]
    concat: bool
    span: Span


@dataclass(frozen=True)
class Formal:
    name: Ident
    default: Expr | None
    span: Span


@dataclass(frozen=True)
class CellDef:
    name: Ident
    formals: tuple[Formal, ...]
    inputs: tuple[Ident, ...]
    nodes: tuple[CellNode, ...]
    output: CellOutput | None
    span: Span


# ---- macro structure ------------------------------------------------------------
@dataclass(frozen=True)
class NetInput:
    args: tuple[Arg, ...]
    span: Span


@dataclass(frozen=True)
class Layer:
    name: Ident
    chain: Chain
    span: Span


@dataclass(frozen=True)
class ElasticCount:
    name: Ident
    values: SetExpr
    span: Span


@dataclass(frozen=True)
class Repeat:
    count: Expr | ElasticCount
    var: Ident | None
    chain: Chain
    span: Span


@dataclass(frozen=True)
class Stage:
    name: Ident
    args: tuple[Arg, ...]
    body: tuple[Repeat | Chain, ...]
    span: Span


@dataclass(frozen=True)
class Network:
    name: Ident | None
    body: tuple[NetInput | Layer | Stage, ...]
    span: Span


# ---- top level --------------------------------------------------------------------
@dataclass(frozen=True)
class Include:
    path: str
    span: Span


@dataclass(frozen=True)
class Param:
    name: Ident
    value: Expr
    span: Span


@dataclass(frozen=True)
class OpDef:
    name: Ident
    formals: tuple[Formal, ...]
    body: Chain
    span: Span


Item = Union[Include, Param, OpDef, CellDef, Network]


@dataclass(frozen=True)
class Program:
    file: str
    items: tuple[Item, ...]


def alt_key(alt: Alt) -> str:
    """The key an alternative of a `choose` is known by: its explicit `key:`, or the one operator it calls."""
    if alt.key is not None:
        return alt.key.name
    name = first_callee(alt.chain) if len(alt.chain.terms) == 1 else None
    if name is None:
        raise NasError(alt.span, "name this alternative: write `key: ...`",
                       hint="alternatives are named after the operator they call, or by an explicit key")
    return name


def first_callee(chain: Chain) -> str | None:
    """The operator a chain starts by calling, if it starts with a call."""
    first = chain.terms[0]
    if isinstance(first, Chain):
        return first_callee(first)
    return first.callee.name if isinstance(first, Call) else None
