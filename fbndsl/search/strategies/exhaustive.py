"""Exhaustive enumeration: every network within the budget, for spaces small enough to list.

Architectures that are one network (`Space.canonical`) are evaluated once, as the first of them in the order of
enumeration; the others are passed over without a proposal, so that thousands of them in a row (NAS-Bench-201 has
15,625 architectures and 5,650 networks) never count as a stalled search."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...diagnostics import UserError
from .base import Search, Strategy, StrategyKind, rounds

MAX_ARCHITECTURES = 50_000  # NAS-Bench-201's 15,625 fit; each still costs a forward pass or more to evaluate


@dataclass(frozen=True)
class Exhaustive(Strategy):
    kind: ClassVar[StrategyKind] = StrategyKind.EXHAUSTIVE
    limit: int = MAX_ARCHITECTURES

    def check(self, space, evals: int | None) -> None:
        if space.size > self.limit:
            raise UserError(f"--strategy exhaustive: space '{space.name}' has {space.size:,} architectures, more "
                            f"than the {self.limit:,} exhaustive search enumerates; use --strategy evolution")
        if evals is not None:
            raise UserError("--evals does not apply to --strategy exhaustive, which evaluates every architecture "
                            "within the budget; drop --evals")

    def run(self, search: Search) -> None:
        rounds(search, (a for a in search.space.enumerate() if search.feasible(a) and search.is_new(a)))
