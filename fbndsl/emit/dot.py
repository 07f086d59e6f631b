"""Graphviz dot of a space (`fbndsl compile --emit dot`): the macro graph of layers and, for each
cell, its DAG with the candidate operators of every edge. Names are quoted, never pasted raw."""
from __future__ import annotations

import json

from ..ir.layers import layer_of
from ..syntax import ast


def _q(text: str) -> str:
    return json.dumps(str(text))  # a valid dot string: quotes and backslashes escaped


def render(space) -> str:
    out = ["digraph " + _q(space.name) + " {", "  rankdir=TB;", "  node [shape=box, fontname=Helvetica];"]
    out += _macro(space)
    program = space.program
    if program is not None:
        for cell in program.cells.values():
            out += _cell(cell, program)
    out.append("}")
    return "\n".join(out) + "\n"


def _macro(space) -> list[str]:
    ir = space.ir
    groups: dict[str, int] = {}
    for n in ir.nodes:
        groups[layer_of(n.scope)] = n.id  # last node of the layer: its output
    lines = ["  subgraph cluster_network {", f"    label={_q('network ' + space.name)};"]
    for g, last in groups.items():
        lines.append(f"    {_q('L:' + g)} [label={_q(g + chr(10) + str(ir.shapes[last]))}];")
    edges = []
    for n in ir.nodes:
        for i in n.inputs:
            a, b = layer_of(ir.node(i).scope), layer_of(n.scope)
            if a != b and (a, b) not in edges:
                edges.append((a, b))
    lines += [f"    {_q('L:' + a)} -> {_q('L:' + b)};" for a, b in edges]
    lines.append("  }")
    return lines


def _cell(cell: ast.CellDef, program) -> list[str]:
    name = cell.name.name
    lines = [f"  subgraph {_q('cluster_cell_' + name)} {{", f"    label={_q('cell ' + name)};"]
    node_id = lambda n: _q(f"C:{name}:{n}")  # noqa: E731
    for i in cell.inputs:
        lines.append(f"    {node_id(i.name)} [label={_q(i.name)}, shape=ellipse];")
    for node in cell.nodes:
        kind = {ast.NodeKind.PICK: f"pick {_expr_text(node.pick)}", ast.NodeKind.CONCAT: "concat",
                ast.NodeKind.SUM: "sum", ast.NodeKind.EDGE: ""}[node.kind]
        label = node.name.name + (f"\n{kind}" if kind else "")
        lines.append(f"    {node_id(node.name.name)} [label={_q(label)}];")
        for e in node.edges:
            text = _chain_text(e.chain, program) if e.chain is not None else ""
            lines.append(f"    {node_id(e.source.name)} -> {node_id(node.name.name)} [label={_q(text)}];")
    if cell.output is not None:
        lines.append(f"    {node_id('output')} [label={_q('output')}, shape=ellipse];")
        for i in cell.output.names:
            lines.append(f"    {node_id(i.name)} -> {node_id('output')};")
    lines.append("  }")
    return lines


def _chain_text(chain: ast.Chain, program) -> str:
    return " -> ".join(_term_text(t, program) for t in chain.terms)


def _term_text(t, program) -> str:
    if isinstance(t, ast.Call):
        op = program.ops.get(t.callee.name)
        if op is not None and len(op.body.terms) == 1 and isinstance(op.body.terms[0], ast.Choose):
            alts = op.body.terms[0].alts
            return f"{t.callee.name}: {len(alts)} ops" if len(alts) > 3 else _term_text(op.body.terms[0], program)
        return t.callee.name
    if isinstance(t, ast.Choose):
        return "{" + " | ".join(ast.alt_key(a) for a in t.alts) + "}"
    if isinstance(t, ast.Chain):
        return _chain_text(t, program)
    return type(t).__name__.lower()


def _expr_text(e) -> str:
    return str(e.value) if isinstance(e, ast.Num) else "k"
