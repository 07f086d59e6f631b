"""The maxima of choice-dependent attributes (weight sizes); their values per architecture are `ir.graph`'s
`node_attrs`, `in_shape` and `out_shape`."""
from __future__ import annotations

from typing import Any

from ..ir import sym


def maximum(value):
    return max(value.values()) if sym.is_sym(value) else value


def max_over(fn, *args) -> Any:
    """The largest value fn takes over every joint assignment of its arguments' choices."""
    return maximum(sym.lift(fn, *args))
