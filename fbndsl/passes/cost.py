"""Pass 6, cost: compile the analytic MAC and parameter count of every architecture into tables.

Convention (stated in docs/cost.md and `fbndsl compile --help`): MACs of conv and linear layers,
plus one addition per output element of a layer with a bias (NAS-Bench-201's counter); pooling,
BatchNorm, activations and additions are free. BatchNorms inserted by the fairness pass are kept
apart: they are a supernet training device, not part of the architecture.
"""
from __future__ import annotations

import itertools

from ..cost.model import ZERO, CostModel, Term
from ..ir import sym
from ..ir.graph import Node, Origin, SpaceIR
from ..ir.ops import SPECS, STRUCTURAL


def build_cost_model(ir: SpaceIR) -> CostModel:
    order = {c.label: i for i, c in enumerate(ir.choices)}
    conds = {c.label: c.cond for c in ir.choices}
    const = list(ZERO)
    tables: dict[tuple[str, ...], dict[tuple, list]] = {}
    for node in ir.nodes:
        if node.kind in STRUCTURAL:
            continue
        cost = _node_cost(node, ir)
        if cost == ZERO:
            continue
        if not node.cond and not sym.is_sym(cost):
            const = [a + b for a, b in zip(const, cost)]
            continue
        _accumulate(tables, node, cost, order, conds)
    terms = tuple(Term(labels, {k: tuple(v) for k, v in table.items()}) for labels, table in tables.items())
    return CostModel(tuple(const), terms)


def _node_cost(node: Node, ir: SpaceIR):
    spec, attrs = SPECS[node.kind], node.attr
    names = list(attrs)
    shape_in, shape_out = ir.shapes[node.inputs[0]], ir.shapes[node.id]
    inserted = node.origin is Origin.FAIRNESS

    def one(*vals):
        a = dict(zip(names, vals[:len(names)]))
        macs, params = spec.cost(a, tuple(vals[len(names):len(names) + 3]), tuple(vals[len(names) + 3:]))
        return (macs, 0, params) if inserted else (macs, params, 0)

    return sym.lift(one, *attrs.values(), *shape_in, *shape_out)


def _accumulate(tables, node: Node, cost, order, conds) -> None:
    # A choice is set only when its own condition holds, so the parts of the node's condition that
    # a choice it names implies are left out: a node nested in 100 optionals depends on one label.
    implied = {pair for label, _ in node.cond for pair in conds.get(label, ())}
    allowed: dict[str, frozenset] = {}
    for label, vals in node.cond:
        if (label, vals) in implied:
            continue
        allowed[label] = allowed[label] & vals if label in allowed else vals
    labels = dict(sym.labels_of(cost))
    for label, vals in allowed.items():
        labels[label] = tuple(v for v in labels.get(label, vals) if v in vals)
    key_labels = tuple(sorted(labels, key=order.__getitem__))
    table = tables.setdefault(key_labels, {})
    for key in itertools.product(*(labels[label] for label in key_labels)):
        value = cost.at(dict(zip(key_labels, key))) if sym.is_sym(cost) else cost
        acc = table.get(key)
        if acc is None:
            table[key] = list(value)
        else:
            for i in range(3):
                acc[i] += value[i]
