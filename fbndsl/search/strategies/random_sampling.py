"""Random sampling: uniform architectures within the budget, the baseline every search must beat."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

from .base import Search, Strategy, StrategyKind, rounds


@dataclass(frozen=True)
class RandomSampling(Strategy):
    kind: ClassVar[StrategyKind] = StrategyKind.RANDOM

    def run(self, search: Search) -> None:
        rounds(search, (search.random_feasible() for _ in itertools.count()))
