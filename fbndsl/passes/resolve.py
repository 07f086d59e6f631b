"""Pass 1, name resolution: build the symbol tables of the loaded files, resolve `param`s and `--set`.

Checks that every operator a program calls exists (with a did-you-mean), that nothing is defined
twice, that operators are not recursive, and that there is exactly one `network`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..diagnostics import NasError, Note, Span, UserError, did_you_mean
from ..ir.choices import format_value
from ..ir.ops import PRIMITIVES, Act, PType
from ..syntax import ast
from .expr import ACTIVATION_NAMES, MAX_NUMBER, evaluate


@dataclass(frozen=True)
class Program:
    """A program with its includes merged and its names resolved."""

    file: str
    params: Mapping[str, Any]
    param_spans: Mapping[str, Span]
    ops: Mapping[str, ast.OpDef]
    cells: Mapping[str, ast.CellDef]
    network: ast.Network


def resolve(programs: list[ast.Program], overrides: Mapping[str, str] | None = None) -> Program:
    """The loaded files (`syntax.load.load`, prelude first, main file last) as one `Program`."""
    defs: dict[str, Any] = {}
    params: list[ast.Param] = []
    networks: list[ast.Network] = []
    for program in programs:
        for item in program.items:
            if isinstance(item, (ast.OpDef, ast.CellDef)):
                _define(defs, item)
            elif isinstance(item, ast.Param):
                params.append(item)
            elif isinstance(item, ast.Network):
                networks.append(item)
    main = programs[-1].file
    network = _one_network(networks, main)
    ops = {k: v for k, v in defs.items() if isinstance(v, ast.OpDef)}
    cells = {k: v for k, v in defs.items() if isinstance(v, ast.CellDef)}
    _check_callees(defs, network)
    _check_recursion({**ops, **cells})
    values, spans = _resolve_params(params, overrides or {}, main)
    return Program(main, values, spans, ops, cells, network)


def _define(defs: dict, item) -> None:
    nm = item.name.name
    _not_reserved(item.name)
    if nm in PRIMITIVES:
        raise NasError(item.name.span, f"'{nm}' is a built-in operator and cannot be redefined",
                       hint="choose another name")
    if nm in defs:
        raise NasError(item.name.span, f"'{nm}' is defined twice",
                       notes=(Note(defs[nm].name.span, "first defined here"),))
    defs[nm] = item


# Words with a meaning of their own where an operator is called or a value read: an `op add` could
# never be called, a `param true` never read.
RESERVED = frozenset({"add", "concat", "residual", "choose", "optional", "sum", "pick", "true", "false"})


def _not_reserved(ident: ast.Ident) -> None:
    if ident.name in RESERVED:
        raise NasError(ident.span, f"'{ident.name}' is a reserved word of the language", hint="choose another name")


def _one_network(networks: list[ast.Network], main: str) -> ast.Network:
    if not networks:
        raise NasError(Span(main, 1, 1, 1, 1), "the space has no `network { ... }`",
                       hint="add a network block: network { input(3, 32) ... }")
    if len(networks) > 1:
        raise NasError(networks[1].span, "a space has exactly one network",
                       notes=(Note(networks[0].span, "the first network is here"),))
    return networks[0]


_NO_CALLS = (ast.Num, ast.Bool, ast.Name, ast.Binary, ast.Not, ast.Neg, ast.IfElse, ast.FuncCall)


def _calls(node):
    """Every `Call` inside an AST node (arithmetic, however long, holds none)."""
    if isinstance(node, ast.Call):
        yield node
    if isinstance(node, _NO_CALLS):
        return
    if isinstance(node, tuple):
        for x in node:
            yield from _calls(x)
    elif hasattr(node, "__dataclass_fields__"):
        for f in node.__dataclass_fields__:
            yield from _calls(getattr(node, f))


def _check_callees(defs: dict, network: ast.Network) -> None:
    known = set(defs) | set(PRIMITIVES)
    for owner in [*defs.values(), network]:
        for call in _calls(owner):
            callee = call.callee.name
            if callee not in known:
                raise NasError(call.callee.span, f"unknown operator '{callee}'",
                               hint=did_you_mean(callee, known))


def _check_recursion(defs: Mapping[str, ast.OpDef | ast.CellDef]) -> None:
    """Operators and cells may not call themselves, directly or through others."""
    import networkx as nx

    g = nx.DiGraph()
    for nm, item in defs.items():
        g.add_node(nm)
        g.add_edges_from((nm, c.callee.name) for c in _calls(item) if c.callee.name in defs)
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return
    first = defs[cycle[0][0]]
    what = "cell" if isinstance(first, ast.CellDef) else "operator"
    path = " -> ".join([a for a, _ in cycle] + [cycle[0][0]])
    raise NasError(first.name.span, f"{what} '{first.name.name}' is recursive: {path}")


def _resolve_params(params: list[ast.Param], overrides: Mapping[str, str], main: str):
    values: dict[str, Any] = {}
    spans: dict[str, Span] = {}
    for p in params:
        nm = p.name.name
        _not_reserved(p.name)
        if nm in values:
            raise NasError(p.name.span, f"parameter '{nm}' is defined twice",
                           notes=(Note(spans[nm], "first defined here"),))
        value = evaluate(p.value, values)
        if hasattr(value, "labels"):
            raise NasError(p.value.span, "a parameter must be a constant, not a choice")
        if nm in overrides:
            value = _override(nm, overrides[nm], value, main)
        values[nm], spans[nm] = value, p.name.span
    unknown = sorted(set(overrides) - set(values))
    if unknown:
        hint = did_you_mean(unknown[0], values) or f"its parameters are: {', '.join(values) or 'none'}"
        raise UserError(f"--set {unknown[0]}: {main} has no parameter '{unknown[0]}'; {hint}")
    return values, spans


def _override(nm: str, text: str, default, main: str):
    value = ACTIVATION_NAMES.get(text.strip()) if isinstance(default, Act) else parse_literal(text)
    if value is None or type(value) is not type(default) and not (
            isinstance(default, float) and type(value) is int):
        want = {bool: "true or false", int: "an integer", float: "a number"}.get(type(default), PType.ACT.value)
        raise UserError(f"--set {nm}={text}: expected {want} (the default in {main} is {format_value(default)})")
    if isinstance(value, (int, float)) and not abs(value) <= MAX_NUMBER:
        raise UserError(f"--set {nm}={text}: number too large (at most {MAX_NUMBER:,})")
    return value


def parse_literal(text: str):
    t = text.strip()
    if t in ("true", "false"):
        return t == "true"
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        return None
