"""BigNAS coarse-to-fine (Yu et al., ECCV 2020, section 3.3).

Coarse stage: a grid over the space's elastic dimensions (resolution, depth, width, kernel, expansion; see
`dimensions`), each dimension put at the same relative position -- smallest, middle or largest value -- in
every stage at once. Grid points within the budget are evaluated (a choice outside every dimension, such as
an operator choice, is drawn at random until the point fits the budget). Fine stage: random mutations, of one
to `max_changes` choices each, around the `parents` best architectures of the pool, ranked across the whole
pool as it grows: the best skeletons of the grid at first, then whatever refines them (BigNAS perturbs the
best skeleton once; following the improvements lets a longer fine stage keep climbing). A round mutates each
parent once; with `Search.batch` B > 1 (several processes) it mutates the parents in turn until it holds at
least B networks the pool lacks.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import ClassVar

from ...diagnostics import UserError
from ...ir.choices import Arch
from .base import Search, Strategy, StrategyKind, rounds, top_indices
from .dimensions import Position, dimensions, grid_assignment
from .mutation import complete

COMPLETION_TRIES = 50  # random completions of a grid point's other choices before the point is dropped


@dataclass(frozen=True)
class CoarseToFine(Strategy):
    kind: ClassVar[StrategyKind] = StrategyKind.COARSE_TO_FINE
    batched: ClassVar[bool] = True
    coarse_share: float = 0.5  # of the evaluations, at most, spent on the grid
    parents: int = 3
    max_changes: int = 2

    def __post_init__(self) -> None:
        if not 0 < self.coarse_share <= 1 or self.parents < 1 or self.max_changes < 1:
            raise UserError("coarse-to-fine: need 0 < coarse_share <= 1, parents >= 1 and max_changes >= 1")

    def check(self, space, evals: int | None) -> None:
        if not dimensions(space):
            raise UserError(f"--strategy coarse-to-fine: space '{space.name}' has no elastic dimension (a value "
                            f"choice of resolution, depth, width, kernel or expansion) to make a grid of; use "
                            f"--strategy evolution")

    def run(self, search: Search) -> None:
        self._coarse(search)
        while not search.done:
            parents = top_indices(search, self.parents)
            if search.batch == 1:  # one mutation of each parent a round
                search.evaluate_round([self._mutation(search, parent) for parent in parents])
            else:  # mutations of the parents in turn, until the round holds `batch` networks not evaluated yet
                mutations = (self._mutation(search, parent) for parent in itertools.cycle(parents))
                search.evaluate_round(mutations, new=max(search.batch, len(parents)))

    def _mutation(self, search: Search, parent: int):
        changes = 1 + search.rng.randrange(self.max_changes)
        return search.mutate_feasible(search.pool[parent].arch, changes)

    def _coarse(self, search: Search) -> None:
        points = spread(feasible_grid(search), max(1, math.ceil(self.coarse_share * search.evals)))
        rounds(search, points)
        if not points and not search.done:  # no grid point fits the budget: start from a random architecture
            search.evaluate(search.random_feasible())


def grid_points(space) -> list[dict]:
    """Every distinct grid assignment (label -> value of each dimension's choices), in a fixed order."""
    groups = dimensions(space)
    seen, out = set(), []
    for positions in itertools.product(Position, repeat=len(groups)):
        point = grid_assignment(groups, dict(zip(groups, positions)))
        key = tuple(sorted(point.items()))
        if key not in seen:
            seen.add(key)
            out.append(point)
    return out


def feasible_grid(search: Search) -> list[Arch]:
    """The grid's architectures within the budget, cheapest first; duplicates (after completion) dropped."""
    out: dict[Arch, None] = {}
    for point in grid_points(search.space):
        for _ in range(COMPLETION_TRIES):
            arch = complete(search.space, point, search.rng)
            if search.feasible(arch):
                out.setdefault(arch)
                break
    return sorted(out, key=lambda a: (search.space.cost(a).macs, a.text()))


def spread(archs: list[Arch], quota: int) -> list[Arch]:
    """At most `quota` of `archs` (sorted by cost), evenly spaced so that the cheapest and the dearest stay."""
    if len(archs) <= quota:
        return archs
    if quota == 1:
        return [archs[-1]]
    step = (len(archs) - 1) / (quota - 1)
    return [archs[round(i * step)] for i in range(quota)]
