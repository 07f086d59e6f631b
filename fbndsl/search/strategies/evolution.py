"""Regularised (aging) evolution (Real et al., AAAI 2019).

A population of `population` architectures, the first drawn at random. Each cycle draws `sample` members at
random, mutates one choice of the best of them, evaluates the child, adds it, and removes the *oldest* member,
not the worst: every architecture dies young, so one lucky score cannot stay in the population for ever, which
matters here because indicator scores of a shared-weight supernet are noisy. "Best" is the indicator's rank
across the whole evaluated pool, recomputed every cycle (CPI ranks are relative to the pool).

With `Search.batch` B > 1 (the number of processes under torchrun, so that each measures one), a cycle makes
children until B of them are networks the pool lacks, each by its own tournament on the population as it was at
the cycle's start; all of them (repeats of evaluated networks included, as a single cycle adds a repeat) join
once measured, and as many of the oldest leave. With a batch of 1 this is Real et al.'s algorithm exactly.
"""
from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from typing import ClassVar

from ...diagnostics import UserError
from .base import Search, Strategy, StrategyKind, best_index


@dataclass(frozen=True)
class Evolution(Strategy):
    kind: ClassVar[StrategyKind] = StrategyKind.EVOLUTION
    batched: ClassVar[bool] = True
    population: int = 20
    sample: int = 5

    def __post_init__(self) -> None:
        if self.population < 2 or not 1 <= self.sample <= self.population:
            raise UserError(f"evolution: population {self.population} and sample {self.sample}: need a population "
                            f"of at least 2 and 1 <= sample <= population")

    def population_size(self, evals: int) -> int:
        """At most half the evaluations, so that a short search still spends half of them evolving."""
        return max(2, min(self.population, evals // 2))

    def run(self, search: Search) -> None:
        # pool indices, oldest first; appending to a full deque drops its oldest member: the aging
        population: deque[int] = deque(maxlen=self.population_size(search.evals))
        while len(population) < population.maxlen and not search.done:
            wanted = min(search.round_size, population.maxlen - len(population))
            population.extend(search.evaluate_round([search.random_feasible() for _ in range(wanted)]))
        while not search.done:
            if search.batch == 1:  # Real et al.: one child a cycle, joining before the next tournament
                population.extend(search.evaluate_round([self._child(search, population)]))
            else:  # children until `batch` of them are networks not evaluated yet: one for each process
                children = (self._child(search, population) for _ in itertools.count())
                population.extend(search.evaluate_round(children, new=search.batch))

    def _child(self, search: Search, population: deque[int]):
        """A mutation of the best of `sample` members drawn from the population (a tournament)."""
        members = search.rng.sample(list(population), min(self.sample, len(population)))
        return search.mutate_feasible(search.pool[best_index(search, members)].arch)
