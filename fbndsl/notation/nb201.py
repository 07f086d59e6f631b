"""NAS-Bench-201's architecture string: `|op~i|` for each edge into node j, nodes joined by `+`.

Applies to a space whose choices are the operator choices of one cell, labelled
`<cell>.<node>.<source>` (as `spaces/nb201.nas` is written). Node 0 is the cell's input.
"""
from __future__ import annotations

from ..diagnostics import ArchError
from ..ir.choices import Arch, ChoiceKind


def _layout(space):
    """(cell name, [node names, index = position], {target: [sources]}) or an ArchError."""
    parts = [c.label.split(".") for c in space.choices]
    if not parts or any(len(p) != 3 for p in parts) or len({p[0] for p in parts}) != 1 or any(
            c.kind is not ChoiceKind.OP or c.cond for c in space.choices):
        raise ArchError(f"{space.file}: the NAS-Bench-201 notation needs a space whose only choices are "
                        "the edges of one cell (labels cell.node.source)")
    edges: dict[str, list[str]] = {}
    for _, target, source in parts:
        edges.setdefault(target, []).append(source)
    order = [s for s in edges[next(iter(edges))] if s not in edges]  # the cell input
    order += list(edges)
    return parts[0][0], order, edges


def parse(space, text: str) -> Arch:
    cell, order, edges = _layout(space)
    groups = text.split("+")
    if len(groups) != len(edges):
        raise ArchError(f"'{text}': expected {len(edges)} nodes separated by '+', got {len(groups)}")
    arch = {}
    for target, group in zip(edges, groups):
        tokens = group.strip().strip("|").split("|") if group.strip().strip("|") else []
        if not (group.strip().startswith("|") and group.strip().endswith("|")):
            raise ArchError(f"'{group}': each node is written |op~i|op~j|")
        if len(tokens) != len(edges[target]):
            raise ArchError(f"'{group}': node {order.index(target)} has {len(edges[target])} incoming edges, "
                            f"got {len(tokens)}")
        for token, source in zip(tokens, edges[target]):
            op, tilde, idx = token.partition("~")
            if not tilde or not idx.isdigit() or int(idx) >= len(order) or order[int(idx)] != source:
                raise ArchError(f"'{token}': expected op~{order.index(source)}")
            arch[f"{cell}.{target}.{source}"] = op
    return space.arch(arch)


def format(space, arch: Arch) -> str:
    cell, order, edges = _layout(space)
    return "+".join("|" + "|".join(f"{arch[f'{cell}.{t}.{s}']}~{order.index(s)}" for s in sources) + "|"
                    for t, sources in edges.items())
