"""What every IR -> IR pass shares: a `name` the CLI can show, options as fields, and `apply`.

A pass is a frozen dataclass (xDSL's shape): `InsertBN(Fairness.CHECK).apply(ir)`. Its contract is valid IR
in, valid IR out, and the input untouched: it builds new frozen nodes (copying spans) or returns `ir` itself.
`pipeline.compile` runs them in order and, in debug mode, verifies the IR after each.

The stages around them have other types and stay plain functions: `syntax.load.load` (files -> syntax trees),
`resolve.resolve` (syntax -> `Program`), `expand.expand` (`Program` -> IR) and `cost.build_cost_model`
(IR -> `CostModel`).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from ..ir.graph import SpaceIR


class Pass(ABC):
    """An IR -> IR pass. Subclasses are `@dataclass(frozen=True)`, their options the fields."""

    name: ClassVar[str]

    @abstractmethod
    def apply(self, ir: SpaceIR) -> SpaceIR:
        """A new IR (or `ir` itself, unchanged); a user's mistake raises a located `NasError`."""
