"""`SearchLoop`: the driver's side of a search, the `Search` every strategy drives.

It owns the pool of evaluated architectures, the evaluation budget and the random stream. It admits an
architecture only after the analytic cost model has put it within the budget (an infeasible architecture is a
bug of the strategy, caught here before any forward pass), measures each network once, and takes recorded values
from an earlier run's results instead of measuring again: replaying a deterministic strategy against them is how
an interrupted search resumes.

A network is an architecture's canonical form (`Space.canonical`): two architectures that compute the same
function (one differs from the other only on an edge whose output reaches nothing, or in the order of a sum's
terms) are one network. A proposal whose network is in the pool already is a repeat: not measured, not added,
and answered with the pool index of that network, as a repeated architecture is; so the pool, and the top-k
drawn from it, holds distinct networks.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..ir.canonical import Canonical
from ..ir.choices import Arch
from .budget import Budget
from .feasible import admits, by_rejection, by_walk
from .strategies.base import Entry
from .strategies.mutation import mutate

Evaluator = Callable[[Arch], Mapping[Any, float]]   # arch -> raw indicator values
Goodness = Callable[[Sequence[Entry]], Sequence[float]]  # entries -> higher-is-better scores, relative to them

MUTATION_TRIES = 100     # mutations of one parent tried before a fresh random architecture is drawn instead
STALL_LIMIT = 1_000      # proposals in a row that were all evaluated networks already: the space is exhausted


class SearchLoop:
    def __init__(self, space, budget: Budget, evaluate: Evaluator, goodness: Goodness, *, evals: int,
                 seed: int = 0, recorded: Mapping[Arch, Entry] | None = None,
                 on_entry: Callable[[Entry], None] | None = None):
        assert evals >= 1, evals
        self.space, self.budget, self.evals = space, budget, evals
        self.rng = random.Random(seed)
        self._measure, self._goodness = evaluate, goodness
        self._recorded = dict(recorded or {})
        self._on_entry = on_entry or (lambda entry: None)
        self._entries: list[Entry] = []
        self._index: dict[Arch, int] = {}        # every architecture proposed -> the pool index of its network
        self._networks: dict[Canonical, int] = {}  # canonical form -> pool index
        self._recorded_networks: dict[Canonical, Entry] | None = None  # built at the first miss by arch
        self._last: tuple[Arch, Canonical] | None = None
        self._good: tuple[int, Sequence[float]] = (-1, ())
        self._stalled = 0
        self._tight = False  # the budget defeated rejection once: draw by the walk from then on
        self.measured = 0  # architectures measured by this loop (not taken from the recorded results)

    # -- what strategies read -------------------------------------------------------------------------------
    @property
    def pool(self) -> Sequence[Entry]:
        return self._entries

    @property
    def done(self) -> bool:
        return len(self._entries) >= self.evals or self.exhausted

    @property
    def exhausted(self) -> bool:
        return self._stalled >= STALL_LIMIT

    def goodness(self) -> Sequence[float]:
        # recomputed when the pool has grown: CPI ranks are relative to the whole pool
        if self._good[0] != len(self._entries):
            self._good = (len(self._entries), list(self._goodness(self._entries)))
        return self._good[1]

    def feasible(self, arch: Arch) -> bool:
        return admits(self.space, self.budget, arch)

    # -- what strategies do ---------------------------------------------------------------------------------
    def is_new(self, arch: Arch) -> bool:
        """Is `arch` a network the pool does not hold yet (neither `arch` nor one that computes the same)?"""
        return arch not in self._index and self._network(arch) not in self._networks

    def _network(self, arch: Arch) -> Canonical:
        """`Space.canonical`, kept for the last architecture asked about (`is_new`, then `evaluate`)."""
        if self._last is None or self._last[0] != arch:
            self._last = (arch, self.space.canonical(arch))
        return self._last[1]

    def evaluate(self, arch: Arch) -> int:
        if arch in self._index:
            self._stalled += 1
            return self._index[arch]
        network = self._network(arch)
        if network in self._networks:  # the same network as one evaluated: a repeat
            self._stalled += 1
            self._index[arch] = self._networks[network]
            return self._index[arch]
        cost = self.space.cost(arch)
        assert self.budget.allows(cost), f"a strategy proposed {arch.text()} over the budget {self.budget}"
        assert self.space.reads_input(arch), f"a strategy proposed {arch.text()}, whose output ignores its input"
        assert not self.done, "a strategy proposed an architecture after the search was done"
        self._stalled = 0
        entry = self._recorded.get(arch) or self._recorded_as(arch, network)
        if entry is None:
            entry = Entry(arch, cost.macs, cost.params, dict(self._measure(arch)))
            self.measured += 1
        self._index[arch] = self._networks[network] = len(self._entries)
        self._entries.append(entry)
        self._on_entry(entry)
        return self._index[arch]

    def _recorded_as(self, arch: Arch, network: Canonical) -> Entry | None:
        """The recorded values of `network` under another of its architectures, with `arch`'s own cost."""
        if not self._recorded:
            return None
        if self._recorded_networks is None:
            self._recorded_networks = {self.space.canonical(a): e for a, e in self._recorded.items()}
        found = self._recorded_networks.get(network)
        if found is None:
            return None
        cost = self.space.cost(arch)
        return Entry(arch, cost.macs, cost.params, found.values)

    def random_feasible(self) -> Arch:
        """A random feasible architecture, uniform over those the budget admits (`feasible`): by rejection until
        that fails once, then by the walk, which costs less than 10,000 rejected draws (0.8 s for MobileNet)."""
        if not self._tight:
            arch = by_rejection(self.space, self.feasible, self.rng)
            if arch is not None:
                return arch
            self._tight = True
        return by_walk(self.space, self.budget, self.feasible, self.rng)

    def mutate_feasible(self, arch: Arch, changes: int = 1) -> Arch:
        """`changes` successive one-choice mutations of `arch`, within the budget; when no such mutation turns up
        in MUTATION_TRIES tries (the parent sits at the budget's edge), a random architecture within it."""
        for _ in range(MUTATION_TRIES):
            child = arch
            for _ in range(changes):
                child = mutate(self.space, child, self.rng)
            if self.feasible(child):
                return child
        return self.random_feasible()
