"""Values that depend on choices: the basis of checking and costing the whole space at once.

A `Sym` is a finite table from an assignment of a few choice labels to a value, e.g. the channel
count of a stage whose width is elastic: ``Sym(("s3.c",), ((40,), (48,)), {(40,): 40, (48,): 48})``.
`lift` applies a plain function to any mix of constants and Syms over the joint assignments, so every
shape and cost formula is written once, for ints, and holds for every subnet.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, eq=False)
class Sym:
    labels: tuple[str, ...]
    domains: tuple[tuple[Any, ...], ...]
    table: Mapping[tuple, Any]

    def __post_init__(self) -> None:
        assert len(self.labels) == len(self.domains) and self.labels, self
        assert len(self.table) == _size(self.domains), "a Sym is total over its domains"

    def at(self, assignment: Mapping[str, Any]) -> Any:
        return self.table[tuple(assignment[label] for label in self.labels)]

    def values(self) -> set:
        return set(self.table.values())

    def items(self):
        """(assignment dict, value) pairs in a deterministic order."""
        for key in itertools.product(*self.domains):
            yield dict(zip(self.labels, key)), self.table[key]

    def __repr__(self) -> str:
        return f"Sym({'|'.join(map(str, sorted(self.values(), key=str)))} by {','.join(self.labels)})"


def _size(domains) -> int:
    n = 1
    for d in domains:
        n *= len(d)
    return n


def choice(label: str, values: tuple) -> Sym:
    """The value of one choice point itself."""
    return Sym((label,), (tuple(values),), {(v,): v for v in values})


def is_sym(x) -> bool:
    return isinstance(x, Sym)


def labels_of(*args) -> dict[str, tuple]:
    """Union of the labels (with their domains) of every Sym among args, in first-seen order."""
    out: dict[str, tuple] = {}
    for a in args:
        if isinstance(a, Sym):
            for label, dom in zip(a.labels, a.domains):
                out.setdefault(label, dom)
    return out


MAX_COMBINATIONS = 250_000


class TooManyCombinations(Exception):
    """A value depends on more joint choice values than can be checked one by one."""

    def __init__(self, labels: tuple[str, ...], n: int):
        super().__init__(f"depends on {n:,} combinations of the choices {', '.join(labels)} "
                         f"(at most {MAX_COMBINATIONS:,} can be checked)")
        self.labels, self.n = labels, n


def assignments(labels: Mapping[str, tuple]):
    n = _size(labels.values())
    if n > MAX_COMBINATIONS:
        raise TooManyCombinations(tuple(labels), n)
    names = tuple(labels)
    for key in itertools.product(*labels.values()):
        yield dict(zip(names, key))


def value_at(x, assignment: Mapping[str, Any]):
    return x.at(assignment) if isinstance(x, Sym) else x


def lift(fn: Callable, *args) -> Any:
    """fn applied pointwise; a constant when the result does not depend on any label."""
    labels = labels_of(*args)
    if not labels:
        return fn(*args)
    table = {}
    for assignment in assignments(labels):
        table[tuple(assignment.values())] = fn(*(value_at(a, assignment) for a in args))
    return make(tuple(labels), tuple(labels.values()), table)


def make(labels: tuple, domains: tuple, table: dict):
    """A Sym, simplified: labels the value does not depend on are dropped."""
    first = next(iter(table.values()))
    if all(v == first for v in table.values()):
        return first
    keep = [i for i in range(len(labels)) if _depends_on(i, domains, table)]
    if len(keep) == len(labels):
        return Sym(labels, domains, table)
    small = {tuple(k[i] for i in keep): v for k, v in table.items()}
    return Sym(tuple(labels[i] for i in keep), tuple(domains[i] for i in keep), small)


def _depends_on(i: int, domains, table) -> bool:
    for key, value in table.items():
        for alt in domains[i]:
            if table[key[:i] + (alt,) + key[i + 1:]] != value:
                return True
    return False


def first_failure(pred: Callable, *args) -> dict | None:
    """The first joint assignment (in declaration order) where pred is false, or None if it always holds."""
    labels = labels_of(*args)
    for assignment in assignments(labels):
        if not pred(*(value_at(a, assignment) for a in args)):
            return assignment
    return None


def describe(assignment: Mapping[str, Any] | None) -> str:
    if not assignment:
        return ""
    return " when " + ", ".join(f"{k}={v}" for k, v in assignment.items())
