"""DARTS' `Genotype(normal=[(op, input), ...], normal_concat=[...], reduce=[...], reduce_concat=[...])`.

Applies to a space with cells `normal` and `reduce` whose intermediate nodes `pick(2, ...)` their
inputs (as `spaces/darts.nas`). Input indices count the cell's states: the sources of its first
node (the two preprocessed inputs), then the intermediate nodes. The text is parsed by a regular
expression, never evaluated. Within a node, edges are written in input order.
"""
from __future__ import annotations

import re

from ..diagnostics import ArchError
from ..ir.choices import Arch, ChoiceKind

CELLS = ("normal", "reduce")
_FIELD = re.compile(r"(\w+)\s*=\s*\[([^\]]*)\]")
_PAIR = re.compile(r"\(\s*['\"](\w+)['\"]\s*,\s*(\d+)\s*\)")


def _cell_layout(space, cell: str):
    """(pick node names in order, states list) for one cell."""
    picks = [c for c in space.choices if c.kind is ChoiceKind.PICK and c.label.startswith(cell + ".")]
    if not picks or any(len(c.values[0]) != 2 for c in picks):
        raise ArchError(f"{space.file}: the DARTS notation needs cells 'normal' and 'reduce' whose nodes "
                        "pick(2, ...) their inputs")
    nodes = [c.label.split(".", 1)[1] for c in picks]
    first_sources = list(dict.fromkeys(s for v in picks[0].values for s in v))
    return nodes, first_sources + nodes


def parse(space, text: str) -> Arch:
    body = text.strip()
    if not (body.startswith("Genotype(") and body.endswith(")")):
        raise ArchError("a DARTS genotype is written Genotype(normal=[...], normal_concat=[...], reduce=[...], "
                        "reduce_concat=[...])")
    fields = dict(_FIELD.findall(body))
    arch = {}
    for cell in CELLS:
        if cell not in fields:
            raise ArchError(f"the genotype has no '{cell}=[...]'")
        nodes, states = _cell_layout(space, cell)
        pairs = _PAIR.findall(fields[cell])
        if len(pairs) != 2 * len(nodes) or len(_PAIR.sub("", fields[cell]).replace(",", "").strip()):
            raise ArchError(f"'{cell}' must list {2 * len(nodes)} (op, input) pairs, two per node")
        for i, node in enumerate(nodes):
            picked = []
            for op, idx in pairs[2 * i: 2 * i + 2]:
                j = int(idx)
                if j >= len(states) - len(nodes) + i:
                    raise ArchError(f"'{cell}' node {i + 2} cannot read state {j}: only states 0.."
                                    f"{len(states) - len(nodes) + i - 1} come before it")
                picked.append(states[j])
                arch[f"{cell}.{node}.{states[j]}"] = op
            if picked[0] == picked[1]:
                raise ArchError(f"'{cell}' node {i + 2} reads state {states.index(picked[0])} twice")
            arch[f"{cell}.{node}"] = "+".join(sorted(picked, key=states.index))
        _check_concat(fields.get(f"{cell}_concat"), cell, states, nodes)
    return space.arch(arch)


def _check_concat(text, cell, states, nodes) -> None:
    want = [states.index(n) for n in nodes]
    if text is not None and [int(x) for x in re.findall(r"\d+", text)] != want:
        raise ArchError(f"{cell}_concat must be {want}: this space concatenates every intermediate node")


def format(space, arch: Arch) -> str:
    parts = []
    for cell in CELLS:
        nodes, states = _cell_layout(space, cell)
        pairs = []
        for node in nodes:
            for src in arch[f"{cell}.{node}"]:
                pairs.append(f"('{arch[f'{cell}.{node}.{src}']}', {states.index(src)})")
        concat = [states.index(n) for n in nodes]
        parts.append(f"{cell}=[{', '.join(pairs)}], {cell}_concat={concat}")
    return f"Genotype({', '.join(parts)})"
