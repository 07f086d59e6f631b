"""Expansion of cells: DAGs of named nodes whose edges choose operators and whose nodes pick inputs.

A cell's choices are labelled `<cell>.<node>.<source>` and shared by every instance of the cell
(the genotype of DARTS and NAS-Bench-201); a `pick(k, ...)` node's label is `<cell>.<node>`.
"""
from __future__ import annotations

import itertools
from collections.abc import Mapping

from ..diagnostics import NasError, Note, did_you_mean
from ..ir.choices import ChoiceKind
from ..ir.graph import cond_and
from ..ir.ops import OpKind
from ..syntax import ast
from .builder import Builder, Ctx
from .expr import evaluate

MAX_PICK_SUBSETS = 4096


class CellExpander:
    def __init__(self, builder: Builder, defs: Mapping[str, ast.CellDef]):
        self.b, self.defs = builder, defs
        self.ops = None  # set by the caller: the OpExpander, for edge chains

    def arity(self, name: str) -> int:
        return len(self.defs[name].inputs)

    def instance(self, call: ast.Call, inputs: list[int], ctx: Ctx, in_chain: bool = False) -> int:
        cell = self.defs[call.callee.name]
        if not cell.inputs:
            raise NasError(cell.name.span, f"cell '{cell.name.name}' declares no input", hint="add: input x")
        if in_chain and len(cell.inputs) != 1:
            raise NasError(call.span, f"cell '{cell.name.name}' takes {len(cell.inputs)} inputs; a cell with "
                           "several inputs must be a whole layer of the network, where it receives the "
                           "outputs of the previous layers")
        env = {**self.ops.globals, **self.ops.bind_formals(_as_opdef(cell), call, ctx)}
        inner = ctx.child(env=env, cond_base=len(ctx.cond), instance=ctx.path)
        values = dict(zip((i.name for i in cell.inputs), inputs[-len(cell.inputs):]))
        for node in _topological(cell):
            values[node.name.name] = self._node(cell, node, values, inner)
        return self._output(cell, values, inner)

    def _node(self, cell: ast.CellDef, node: ast.CellNode, values, ctx: Ctx) -> int:
        where = f"{cell.name.name}.{node.name.name}"
        if node.kind == ast.NodeKind.CONCAT:
            srcs = [values[e.source.name] for e in node.edges]
            return self.b.add(OpKind.CONCAT, srcs, node.span, ctx.child(path=f"{ctx.path}.{node.name.name}"))
        if node.kind == ast.NodeKind.PICK:
            return self._pick(node, where, values, ctx)
        outs = [self._edge(e, where, values, ctx) for e in node.edges]
        if node.kind == ast.NodeKind.EDGE:
            return outs[0]
        return self.b.add(OpKind.ADD, outs, node.span, ctx.child(path=f"{ctx.path}.{node.name.name}"))

    def _edge(self, e: ast.Edge, where: str, values, ctx: Ctx, cond=None) -> int:
        x = values[e.source.name]
        if e.chain is None:
            return x
        node = where.split(".", 1)[1]
        inner = ctx.child(labels=f"{where}.{e.source.name}", path=f"{ctx.path}.{node}.{e.source.name}",
                          cond=cond if cond is not None else ctx.cond)
        return self.ops.chain(e.chain, x, inner)

    def _pick(self, node: ast.CellNode, where: str, values, ctx: Ctx) -> int:
        srcs = [e.source.name for e in node.edges]
        _distinct_sources(node)
        k = evaluate(node.pick, ctx.env)
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(srcs):
            raise NasError(node.pick.span, f"pick needs a count between 1 and {len(srcs)} (its edges), got {k}")
        subsets = list(itertools.islice(itertools.combinations(srcs, k), MAX_PICK_SUBSETS + 1))
        if len(subsets) > MAX_PICK_SUBSETS:
            raise NasError(node.span, f"pick({k}, ...) of {len(srcs)} edges has more than "
                           f"{MAX_PICK_SUBSETS} input sets")
        label = self.b.register(where, ChoiceKind.PICK, tuple(subsets), node.span, ctx)
        outs, conds = [], []
        for e in node.edges:
            allowed = {s for s in subsets if e.source.name in s}
            conds.append(((label, frozenset(allowed)),))
            outs.append(self._edge(e, where, values, ctx, cond_and(ctx.cond, label, allowed)))
        return self.b.add(OpKind.ADD, outs, node.span, ctx.child(path=f"{ctx.path}.{node.name.name}"),
                          {"pick": k}, conds, label)

    def _output(self, cell: ast.CellDef, values, ctx: Ctx) -> int:
        out = cell.output
        if out is None:
            raise NasError(cell.name.span, f"cell '{cell.name.name}' has no output",
                           hint="end it with: output <node>  or  output concat(<nodes>)")
        for ident in out.names:
            _known(ident, values, cell)
        if not out.concat:
            return values[out.names[0].name]
        return self.b.add(OpKind.CONCAT, [values[i.name] for i in out.names], out.span, ctx)


def _as_opdef(cell: ast.CellDef) -> ast.OpDef:
    return ast.OpDef(cell.name, cell.formals, ast.Chain((), cell.span), cell.span)


def _known(ident: ast.Ident, values, cell: ast.CellDef) -> None:
    if ident.name not in values:
        raise NasError(ident.span, f"unknown node '{ident.name}' in cell '{cell.name.name}'",
                       hint=_suggest(ident.name, list(values)))


def _suggest(name: str, known: list[str]) -> str:
    return did_you_mean(name, known) or f"the cell's inputs and nodes are: {', '.join(known)}"


def _distinct_sources(node: ast.CellNode) -> None:
    seen = {}
    for e in node.edges:
        if e.source.name in seen:
            raise NasError(e.source.span, f"'{e.source.name}' is picked from twice",
                           notes=(Note(seen[e.source.name], "first edge here"),))
        seen[e.source.name] = e.source.span


def _topological(cell: ast.CellDef) -> list[ast.CellNode]:
    """The cell's nodes in dependency order; unknown sources and cycles are errors."""
    import networkx as nx

    inputs = {i.name: i for i in cell.inputs}
    nodes: dict[str, ast.CellNode] = {}
    for n in cell.nodes:
        clash = nodes.get(n.name.name) or inputs.get(n.name.name)
        if clash is not None:
            raise NasError(n.name.span, f"'{n.name.name}' is defined twice in cell '{cell.name.name}'",
                           notes=(Note(clash.span, "first defined here"),))
        nodes[n.name.name] = n
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    for n in cell.nodes:
        for e in n.edges:
            src = e.source.name
            if src not in nodes and src not in inputs:
                raise NasError(e.source.span, f"unknown node '{src}' in cell '{cell.name.name}'",
                               hint=_suggest(src, [*inputs, *nodes]))
            if src in nodes:
                g.add_edge(src, n.name.name)
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return [nodes[name] for name in nx.lexicographical_topological_sort(g, key=_order(cell))]
    path = " -> ".join([a for a, _ in cycle] + [cycle[0][0]])
    first = nodes[cycle[0][0]]
    raise NasError(first.name.span, f"cycle in cell '{cell.name.name}': {path}",
                   notes=tuple(Note(nodes[b].span, f"'{b}' reads '{a}' here") for a, b in cycle[:3]))


def _order(cell: ast.CellDef):
    index = {n.name.name: i for i, n in enumerate(cell.nodes)}
    return lambda name: index[name]
