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

Strategies propose in rounds (`evaluate_round`): the round's proposals are taken in order, exactly as one
`evaluate` after another would take them, and its new networks are measured together, by every process of a
torchrun launch (`workers`); a round's entries join the pool once all are measured.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..ir.canonical import Canonical
from ..ir.choices import Arch
from .budget import Budget
from .feasible import admits, by_rejection, by_walk
from .strategies.base import Entry
from .strategies.mutation import mutate

Evaluator = Callable[[Arch], Mapping[Any, float]]   # arch -> raw indicator values
RoundMeasurer = Callable[[Sequence[Arch]], Sequence[Mapping[Any, float]]]  # a round's archs -> their values
Goodness = Callable[[Sequence[Entry]], Sequence[float]]  # entries -> higher-is-better scores, relative to them

MUTATION_TRIES = 100     # mutations of one parent tried before a fresh random architecture is drawn instead
STALL_LIMIT = 1_000      # proposals in a row that were all evaluated networks already: the space is exhausted


class SearchLoop:
    def __init__(self, space, budget: Budget, evaluate: Evaluator | None, goodness: Goodness, *, evals: int,
                 seed: int = 0, recorded: Mapping[Arch, Entry] | None = None,
                 on_entry: Callable[[Entry], None] | None = None, measure_round: RoundMeasurer | None = None,
                 batch: int = 1, round_size: int = 1, on_round: Callable[[], None] | None = None):
        """`measure_round` measures a round's new networks together (on every process of a torchrun launch,
        `workers.Workers`; default: `evaluate` on each, in order). `batch` and `round_size` are the strategies'
        (`Search.batch`, `Search.round_size`); `on_round` is called after each round's entries are in the pool."""
        assert evals >= 1 and batch >= 1 and round_size >= 1, (evals, batch, round_size)
        self.space, self.budget, self.evals = space, budget, evals
        self.batch, self.round_size = batch, round_size
        self.rng = random.Random(seed)
        self._measure_round = measure_round or (lambda archs: [evaluate(arch) for arch in archs])
        self._goodness = goodness
        self._recorded = dict(recorded or {})
        self._on_entry = on_entry or (lambda entry: None)
        self._on_round = on_round or (lambda: None)
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
        assert not self.done, "a strategy proposed an architecture after the search was done"
        return self.evaluate_round([arch])[0]

    def evaluate_round(self, archs: Iterable[Arch], new: int | None = None) -> list[int]:
        """`evaluate` each of `archs` in order, as one call after another would, measuring the new networks among
        them together. `archs` is read lazily, and no further than the end of the search (the evaluation budget
        reached, or the space exhausted) or, with `new`, than the proposal that brings `new` networks the pool
        lacked: the pool indices returned are those of the proposals read."""
        taken: list[int] = []
        admitted: list[Entry | Arch] = []  # per new network of the round: its recorded entry, or the arch to measure
        full = lambda: (len(self._entries) + len(admitted) >= self.evals or self.exhausted
                        or (new is not None and len(admitted) >= new))
        if not full():
            for arch in archs:
                index = self._repeat(arch)
                if index is None:
                    index = len(self._entries) + len(admitted)
                    self._index[arch] = self._networks[self._network(arch)] = index
                    admitted.append(self._admit(arch))
                taken.append(index)
                if full():
                    break
        self._enter(admitted)
        return taken

    def _repeat(self, arch: Arch) -> int | None:
        """The pool index of `arch`'s network when it was proposed before (this round included); None for a new one."""
        if arch in self._index:
            self._stalled += 1
            return self._index[arch]
        network = self._network(arch)
        if network in self._networks:  # the same network as one evaluated: a repeat
            self._stalled += 1
            self._index[arch] = self._networks[network]
            return self._index[arch]
        return None

    def _admit(self, arch: Arch) -> Entry | Arch:
        cost = self.space.cost(arch)
        assert self.budget.allows(cost), f"a strategy proposed {arch.text()} over the budget {self.budget}"
        assert self.space.reads_input(arch), f"a strategy proposed {arch.text()}, whose output ignores its input"
        self._stalled = 0
        return self._recorded.get(arch) or self._recorded_as(arch, self._network(arch)) or arch

    def _enter(self, admitted: Sequence[Entry | Arch]) -> None:
        """Measure the round's unrecorded networks together, then add every new entry to the pool, in order."""
        if not admitted:
            return
        fresh = [a for a in admitted if isinstance(a, Arch)]
        values = iter(self._measure_round(fresh) if fresh else ())
        self.measured += len(fresh)
        for item in admitted:
            if isinstance(item, Arch):
                cost = self.space.cost(item)
                item = Entry(item, cost.macs, cost.params, dict(next(values)))
            self._entries.append(item)
            self._on_entry(item)
        self._on_round()

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
