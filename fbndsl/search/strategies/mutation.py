"""Changing an architecture without leaving the space: completion and one-choice mutation.

Choices may be conditional (a kernel exists only when its layer chose the inverted bottleneck; a layer only
within the chosen depth). Both helpers therefore walk the choices in declaration order, where a condition
only names earlier choices, so that a change to a parent choice activates or drops its children correctly.
"""
from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from ...ir.choices import Arch, ChoicePoint
from ...ir.graph import cond_holds

_UNSET = object()


def complete(space, partial: Mapping[str, Any], rng: random.Random) -> Arch:
    """The architecture that takes `partial`'s value for each choice it makes active, and a uniformly random
    value for an active choice `partial` does not set (or sets to a value the choice lacks)."""
    out: dict[str, Any] = {}
    for c in space.choices:
        if cond_holds(c.cond, out):
            value = partial.get(c.label, _UNSET)
            out[c.label] = value if _has(c, value) else c.values[rng.randrange(len(c.values))]
    return Arch.of(out)


def _has(c: ChoicePoint, value) -> bool:
    # `True == 1` in Python: compare types too, so a flag never stands for a width
    return any(v == value and type(v) is type(value) for v in c.values)


def mutable_choices(space, arch: Arch) -> list[ChoicePoint]:
    """The choices active in `arch` that have another value to take."""
    return [c for c in space.choices if c.label in arch and len(c.values) > 1]


def mutate(space, arch: Arch, rng: random.Random) -> Arch:
    """`arch` with one active choice, drawn uniformly, set to another of its values drawn uniformly; choices this
    activates get random values, choices it deactivates are dropped (Real et al.'s mutation, made
    condition-aware). An architecture with nothing to change is returned as it is."""
    choices = mutable_choices(space, arch)
    if not choices:
        return arch
    c = choices[rng.randrange(len(choices))]
    others = [v for v in c.values if v != arch[c.label]]
    changed = dict(arch)
    changed[c.label] = others[rng.randrange(len(others))]
    return complete(space, changed, rng)
