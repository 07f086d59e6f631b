"""Counting, enumerating and sampling architectures of a space with conditional choices.

A choice is active when its condition holds; conditions nest (a choice inside an alternative is
active only when that alternative is chosen), so the architectures form a tree and their number is
a product of sums, exact however large.
"""
from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any

from .choices import ChoicePoint
from .graph import cond_holds


def count(choices: Sequence[ChoicePoint]) -> int:
    children: dict[str | None, list[ChoicePoint]] = {}
    by_label = {c.label: c for c in choices}
    for c in choices:
        parent = c.cond[-1][0] if c.cond else None
        assert parent is None or by_label[parent].cond == c.cond[:-1], f"conditions of {c.label} do not nest"
        children.setdefault(parent, []).append(c)
    memo: dict[str, int] = {}

    def subtree(c: ChoicePoint) -> int:
        if c.label not in memo:
            total = 0
            for v in c.values:
                n = 1
                for child in children.get(c.label, ()):
                    if v in child.cond[-1][1]:
                        n *= subtree(child)
                total += n
            memo[c.label] = total
        return memo[c.label]

    n = 1
    for root in children.get(None, ()):
        n *= subtree(root)
    return n


def enumerate_archs(choices: Sequence[ChoicePoint]) -> Iterator[dict[str, Any]]:
    """Every architecture, as a label -> value dict, in a deterministic order (depth first, no recursion)."""
    stack: list[tuple[int, tuple]] = [(0, ())]
    while stack:
        i, items = stack.pop()
        if i == len(choices):
            yield dict(items)
            continue
        c = choices[i]
        if not cond_holds(c.cond, dict(items)):
            stack.append((i + 1, items))
            continue
        for v in reversed(c.values):  # pushed in reverse, so popped in declaration order
            stack.append((i + 1, items + ((c.label, v),)))


def sample(choices: Sequence[ChoicePoint], rng: random.Random) -> dict[str, Any]:
    """Each active choice uniformly and independently (uniform single-path sampling, SPOS)."""
    arch: dict[str, Any] = {}
    for c in choices:
        if cond_holds(c.cond, arch):
            arch[c.label] = c.values[rng.randrange(len(c.values))]
    return arch
