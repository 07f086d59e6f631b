"""Random sampling: uniform architectures within the budget, the baseline every search must beat."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .base import Search, Strategy, StrategyKind


@dataclass(frozen=True)
class RandomSampling(Strategy):
    kind: ClassVar[StrategyKind] = StrategyKind.RANDOM

    def run(self, search: Search) -> None:
        while not search.done:
            search.evaluate(search.random_feasible())
