"""Exact minimum and maximum cost over a whole space, with the architecture that attains it.

The cost is a sum of small tables over a few labels each; choices are tied together only by those
tables and by the activity conditions. Variable elimination (max-sum dynamic programming) over
that factor graph is exact and fast for NAS spaces, whose tables touch few labels at a time.
"""
from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from ..diagnostics import UserError
from ..ir.choices import ChoicePoint
from ..ir.graph import cond_holds
from .model import ZERO, CostModel

INACTIVE = None
MAX_TABLE = 2_000_000


class TooComplex(UserError):
    """The factor graph is too densely connected for exact elimination."""

    def __init__(self, label: str, size: int):
        super().__init__(f"the exact cost range of this space is out of reach: choice '{label}' interacts with "
                         f"too many other choices at once ({size:,} combinations; the limit is {MAX_TABLE:,})")


def optimum(model: CostModel, choices: Sequence[ChoicePoint], key: Callable[[tuple], Any]) -> dict[str, Any]:
    """The architecture minimising key(cost triple)."""
    domains = {c.label: tuple(c.values) + ((INACTIVE,) if c.cond else ()) for c in choices}
    conds = {c.label: c.cond for c in choices}
    factors = [_term_factor(t, domains) for t in model.terms]
    factors += [_validity_factor(c, domains, conds) for c in choices]
    assignment = _eliminate(factors, domains, key)
    return {label: v for label, v in assignment.items() if v is not INACTIVE}


def _term_factor(term, domains):
    labels = term.labels
    if _size(labels, domains) > MAX_TABLE:
        raise TooComplex(labels[0], _size(labels, domains))
    table = {k: term.table.get(k, ZERO) for k in itertools.product(*(domains[lb] for lb in labels))}
    return labels, table


def _validity_factor(c: ChoicePoint, domains, conds):
    """Hard constraint: the label is set exactly when its condition holds.

    Conditions nest: when the innermost label of c's condition is itself set exactly when the rest
    holds, c's condition holds exactly when that label has an allowed value. So the constraint ties
    two labels, not one per level of nesting (3**depth combinations).
    """
    cond = c.cond[-1:] if c.cond and conds.get(c.cond[-1][0]) == c.cond[:-1] else c.cond
    labels = tuple(dict.fromkeys([c.label] + [lb for lb, _ in cond]))
    if _size(labels, domains) > MAX_TABLE:
        raise TooComplex(c.label, _size(labels, domains))
    table = {}
    for key in itertools.product(*(domains[lb] for lb in labels)):
        arch = {lb: v for lb, v in zip(labels, key) if v is not INACTIVE}
        if cond_holds(cond, arch) == (key[0] is not INACTIVE):
            table[key] = ZERO
    return labels, table


def _add(a, b):
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _eliminate(factors, domains, key):
    """Eliminate the variable of smallest scope first; a heap of (scope size, label) keeps that cheap."""
    live = dict(enumerate(factors))                  # factor id -> (labels, table)
    uses: dict[str, set[int]] = {v: set() for v in domains}
    for i, (labels, _) in live.items():
        for lb in labels:
            uses[lb].add(i)
    heap = [(_scope_size(v, uses, live, domains), v) for v in domains]
    heapq.heapify(heap)
    trace, done = [], set()
    while heap:
        size, var = heapq.heappop(heap)
        if var in done or size != _scope_size(var, uses, live, domains):
            continue  # a stale entry: the variable was re-pushed with its new scope size
        done.add(var)
        touching = [live.pop(i) for i in sorted(uses.pop(var))]
        scope = tuple(dict.fromkeys(lb for labels, _ in touching for lb in labels if lb != var))
        if _size(scope, domains) * len(domains[var]) > MAX_TABLE:
            raise TooComplex(var, _size(scope, domains) * len(domains[var]))
        table, best = _min_out(var, scope, touching, domains, key)
        new = len(factors) + len(trace)
        live[new] = (scope, table)
        for lb in scope:
            uses[lb] = {i for i in uses[lb] if i in live} | {new}
            heapq.heappush(heap, (_scope_size(lb, uses, live, domains), lb))
        trace.append((var, scope, best))
    assignment: dict[str, Any] = {}
    for var, scope, best in reversed(trace):
        assignment[var] = best[tuple(assignment[lb] for lb in scope)]
    return assignment


def _min_out(var, scope, touching, domains, key):
    """The best value of var for each assignment of scope, and the cost it reaches there."""
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
    return table, best


def _scope_size(var, uses, live, domains) -> int:
    return _size({lb for i in uses.get(var, ()) for lb in live[i][0]}, domains)


def _size(labels, domains) -> int:
    n = 1
    for label in labels:
        n *= len(domains[label])
    return n
