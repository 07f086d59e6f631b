"""Exact minimum and maximum cost over a whole space, with the architecture that attains it.

The cost is a sum of small tables over a few labels each; choices are tied together only by those
tables and by the activity conditions. Variable elimination (max-sum dynamic programming) over
that factor graph is exact and fast for NAS spaces, whose tables touch few labels at a time.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from ..ir.choices import ChoicePoint
from ..ir.graph import cond_holds
from .model import ZERO, CostModel

INACTIVE = None
MAX_TABLE = 2_000_000


class TooComplex(Exception):
    """The factor graph is too densely connected for exact elimination."""


def optimum(model: CostModel, choices: Sequence[ChoicePoint], key: Callable[[tuple], Any]) -> dict[str, Any]:
    """The architecture minimising key(cost triple)."""
    domains = {c.label: tuple(c.values) + ((INACTIVE,) if c.cond else ()) for c in choices}
    factors = [_term_factor(t, domains) for t in model.terms]
    factors += [_validity_factor(c, domains) for c in choices]
    assignment = _eliminate(factors, domains, key)
    return {label: v for label, v in assignment.items() if v is not INACTIVE}


def _term_factor(term, domains):
    labels = term.labels
    table = {k: term.table.get(k, ZERO) for k in itertools.product(*(domains[lb] for lb in labels))}
    return labels, table


def _validity_factor(c: ChoicePoint, domains):
    """Hard constraint: the label is set exactly when its condition holds."""
    labels = tuple(dict.fromkeys([c.label] + [lb for lb, _ in c.cond]))
    table = {}
    for key in itertools.product(*(domains[lb] for lb in labels)):
        arch = {lb: v for lb, v in zip(labels, key) if v is not INACTIVE}
        if cond_holds(c.cond, arch) == (key[0] is not INACTIVE):
            table[key] = ZERO
    return labels, table


def _add(a, b):
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _eliminate(factors, domains, key):
    factors = list(factors)
    trace = []
    remaining = set(domains)
    while remaining:
        var = min(remaining, key=lambda v: (_scope_size(v, factors, domains), v))
        remaining.discard(var)
        touching = [f for f in factors if var in f[0]]
        factors = [f for f in factors if var not in f[0]]
        scope = tuple(dict.fromkeys(lb for labels, _ in touching for lb in labels if lb != var))
        if _size(scope, domains) * len(domains[var]) > MAX_TABLE:
            raise TooComplex(var)
        table, best = {}, {}
        for k in itertools.product(*(domains[lb] for lb in scope)):
            ctx = dict(zip(scope, k))
            top = None
            for v in domains[var]:
                ctx[var] = v
                total = ZERO
                for labels, t in touching:
                    val = t.get(tuple(ctx[lb] for lb in labels))
                    if val is None:
                        break
                    total = _add(total, val)
                else:
                    if top is None or key(total) < key(top[1]):
                        top = (v, total)
            if top is not None:
                table[k], best[k] = top[1], top[0]
        factors.append((scope, table))
        trace.append((var, scope, best))
    assignment: dict[str, Any] = {}
    for var, scope, best in reversed(trace):
        assignment[var] = best[tuple(assignment[lb] for lb in scope)]
    return assignment


def _scope_size(var, factors, domains) -> int:
    scope = {lb for labels, _ in factors if var in labels for lb in labels}
    return _size(scope, domains)


def _size(labels, domains) -> int:
    n = 1
    for label in labels:
        n *= len(domains[label])
    return n
