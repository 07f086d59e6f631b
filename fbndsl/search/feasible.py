"""Drawing a random architecture within a budget, however small a share of the space the budget admits.

Uniform draws with rejection serve a loose budget: that is the distribution random search and evolution's first
population want. A tight one defeats them: MobileNet's space spans 181M to 1.03G MACs, its random architectures
cluster around 600M, and not one in 10,000 meets `--flops 330M`, the budget of the papers. So after
`REJECTION_TRIES` misses a draw (`sample_feasible`) becomes:

1. **descend**: from a random architecture, move to a random one of the one-choice changes that lessen the
   excess over the budget, until it is within the budget. Where that architecture ignores its input
   (`Space.reads_input`), or no change lessens the excess (a local minimum), start again from another one.
2. **walk**: `WALK_SWEEPS` times the number of choices, propose a one-choice mutation (`mutate`) and move there
   when it is feasible. With a symmetric proposal this is Metropolis sampling of the uniform distribution on the
   feasible architectures, so the draw forgets that the descent left it at the budget's edge. The proposal is
   exactly symmetric when no choice is conditional; conditional choices (elastic depth) make it approximately so.

Every draw uses only the `rng` it is given, so a seeded search proposes the same architectures each time. A search
(`SearchLoop`) that has needed the walk once draws by the walk alone from then on: rejection would fail again.
"""
from __future__ import annotations

import random
from collections.abc import Callable

from ..diagnostics import UserError
from ..ir.choices import Arch
from .budget import Budget
from .strategies.mutation import complete, mutable_choices, mutate

REJECTION_TRIES = 10_000  # uniform draws before a budget counts as tight (as before the walk: same seed, same draws)
DESCENTS = 20            # random starting points tried by the descent before giving up
WALK_SWEEPS = 20         # walk proposals per choice of the space

Feasible = Callable[[Arch], bool]


def admits(space, budget: Budget, arch: Arch) -> bool:
    """Within the budget, and a real network: one whose output depends on its input (`Space.reads_input`).
    The cost model first: it is a table look-up, the dependence a graph walk."""
    return budget.allows(space.cost(arch)) and space.reads_input(arch)


def sample_feasible(space, budget: Budget, feasible: Feasible, rng: random.Random) -> Arch:
    """A random architecture for which `feasible` holds (within `budget`, and whatever else it asks)."""
    arch = by_rejection(space, feasible, rng)
    return arch if arch is not None else by_walk(space, budget, feasible, rng)


def by_rejection(space, feasible: Feasible, rng: random.Random, tries: int | None = None) -> Arch | None:
    """The first of `tries` (default REJECTION_TRIES) uniform draws that is feasible; None if none is."""
    for _ in range(REJECTION_TRIES if tries is None else tries):
        arch = space.sample(rng)
        if feasible(arch):
            return arch
    return None


def by_walk(space, budget: Budget, feasible: Feasible, rng: random.Random) -> Arch:
    """A descent to the budget from a random architecture, then a walk within it (see the module's docstring)."""
    for _ in range(DESCENTS):
        start = descend(space, budget, feasible, space.sample(rng), rng)
        if start is not None:
            return walk(space, feasible, start, rng, WALK_SWEEPS * len(space.choices))
    raise UserError(f"no architecture of '{space.name}' within the budget ({budget.describe()}) found: "
                    f"{REJECTION_TRIES:,} random ones were over it, and {DESCENTS} descents towards it from random "
                    f"ones ended over it or at networks that ignore their input; raise the budget")


def excess(space, budget: Budget, arch: Arch) -> float:
    """How far `arch` is over the budget: the sum of each bound's relative excess, 0 within it."""
    cost = space.cost(arch)
    return sum(max(0, value - limit) / limit
               for value, limit in ((cost.macs, budget.macs), (cost.params, budget.params)) if limit is not None)


def descend(space, budget: Budget, feasible: Feasible, arch: Arch, rng: random.Random) -> Arch | None:
    """Random descent of `excess` by one-choice changes; the architecture it reaches, if feasible."""
    over = excess(space, budget, arch)
    while over > 0:
        scored = [(excess(space, budget, n), n) for n in neighbours(space, arch, rng)]
        better = [(e, n) for e, n in scored if e < over]
        if not better:
            return None
        over, arch = better[rng.randrange(len(better))]
    return arch if feasible(arch) else None


def neighbours(space, arch: Arch, rng: random.Random) -> list[Arch]:
    """Every architecture one active choice away (choices a change activates get random values)."""
    out = []
    for c in mutable_choices(space, arch):
        for value in c.values:
            if value != arch[c.label]:
                out.append(complete(space, {**arch, c.label: value}, rng))
    return out


def walk(space, feasible: Feasible, arch: Arch, rng: random.Random, steps: int) -> Arch:
    """`steps` Metropolis steps from a feasible `arch`: a mutation is taken when feasible, else the walk stays."""
    for _ in range(steps):
        child = mutate(space, arch, rng)
        if feasible(child):
            arch = child
    return arch
