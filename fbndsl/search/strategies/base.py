"""What every strategy shares: the evaluated `Entry`, the `Search` a strategy drives, the `Strategy` base.

A strategy only proposes architectures and reads scores. It never builds a network, never measures, and never
sees an architecture over the budget: `Search.evaluate` (the driver's) measures, caches and records, and the
`Search` hands out only architectures the analytic cost model has already admitted. A strategy is
deterministic given the search's random stream and the scores it reads; that is what lets an interrupted
search resume by replaying its proposals against the recorded results (see `driver`).
"""
from __future__ import annotations

import itertools
import random
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Protocol

from ...ir.choices import Arch


class StrategyKind(Enum):
    RANDOM = "random"
    EVOLUTION = "evolution"
    COARSE_TO_FINE = "coarse-to-fine"
    EXHAUSTIVE = "exhaustive"


@dataclass(frozen=True)
class Entry:
    """One evaluated architecture: its cost at the space's declared resolution and its indicator values."""

    arch: Arch
    macs: int
    params: int
    values: Mapping[Any, float]  # indicator -> raw value (CPI appears as its three components)


class Search(Protocol):
    """The driver's side of a search, as a strategy sees it."""

    space: Any
    rng: random.Random
    evals: int  # new evaluations this search may make in all
    # Proposals per generation of a strategy whose next proposals depend on the last ones' scores (aging
    # evolution, coarse-to-fine's fine stage): at least the number of processes measuring (1 in one process).
    batch: int
    # Proposals per round of a strategy whose proposals do not depend on scores (random sampling, a grid, an
    # enumeration): enough that the processes measuring finish a round together. It never changes the search.
    round_size: int

    @property
    def done(self) -> bool:
        """The evaluation budget is spent (or the space is exhausted): stop proposing."""

    @property
    def pool(self) -> Sequence[Entry]:
        """Every architecture evaluated so far, in the order of evaluation."""

    def evaluate(self, arch: Arch) -> int:
        """Measure `arch` (or find it, when already evaluated): its index in `pool`. `arch` must be within the
        budget."""

    def evaluate_round(self, archs: Iterable[Arch], new: int | None = None) -> list[int]:
        """`evaluate` each of `archs` in order, the new networks measured together (in parallel under torchrun):
        the pool index of each proposal read. `archs` is read lazily, up to the end of the search or, with `new`,
        up to the proposal that brings `new` new networks."""

    def goodness(self) -> Sequence[float]:
        """One number per pool entry, higher is better, ranked across the whole pool as it is now."""

    def feasible(self, arch: Arch) -> bool:
        """Within the budget, by the analytic cost model."""

    def is_new(self, arch: Arch) -> bool:
        """Not in the pool yet, as a network: no architecture evaluated so far computes the same function."""

    def random_feasible(self) -> Arch:
        """A random architecture within the budget: uniform over those it admits (`feasible.sample_feasible`)."""

    def mutate_feasible(self, arch: Arch, changes: int = 1) -> Arch:
        """`arch` with `changes` successive one-choice mutations, within the budget."""


class Strategy(ABC):
    """Proposes architectures to a `Search` until it is done (or the strategy has nothing more to propose)."""

    kind: ClassVar[StrategyKind]
    # Whether `Search.batch` changes what the strategy proposes (its proposals read earlier scores): a search
    # records its batch then, and a resume repeats it.
    batched: ClassVar[bool] = False

    @abstractmethod
    def run(self, search: Search) -> None: ...

    def check(self, space, evals: int | None) -> None:  # noqa: B027 (optional: most strategies search any space)
        """One-line `UserError` when the strategy cannot search `space` (before anything is trained)."""


def best_index(search: Search, candidates: Sequence[int]) -> int:
    """The pool index among `candidates` with the best goodness (the earliest on ties: deterministic)."""
    good = search.goodness()
    return max(candidates, key=lambda i: (good[i], -i))


def rounds(search: Search, archs: Iterable[Arch]) -> None:
    """Evaluate `archs` (proposals that read no score), `search.round_size` new networks a round, until the
    search is done or `archs` runs out; read lazily, as one proposal after another would be."""
    archs = iter(archs)
    while not search.done:
        first = next(archs, None)
        if first is None:
            return
        search.evaluate_round(itertools.chain([first], archs), new=search.round_size)


def top_indices(search: Search, k: int) -> list[int]:
    """The k best pool indices, best first (earlier evaluations first on ties)."""
    good = search.goodness()
    return sorted(range(len(good)), key=lambda i: (-good[i], i))[:k]
