"""Which architectures (paths) one optimiser step trains: uniform (SPOS), fair (FairNAS), sandwich (BigNAS).

Every sampler draws from its own `random.Random`, whose state is saved in each checkpoint, so a resumed run
draws exactly the paths the uninterrupted run would have drawn.
"""
from __future__ import annotations

import abc
import random

from ..ir.choices import Arch
from ..ir.graph import cond_holds


class Sampler(abc.ABC):
    """Draws the list of paths of each step; `draw()` is the only thing the training loop calls."""

    def __init__(self, space, rng: random.Random):
        self.space, self.rng = space, rng

    @abc.abstractmethod
    def draw(self) -> list[Arch]:
        """The paths of the next step."""


class UniformSampler(Sampler):
    """Single-path one-shot (SPOS, Guo et al. 2020): one path, each active choice uniform and independent."""

    def draw(self) -> list[Arch]:
        return [self.space.sample(self.rng)]


class FairSampler(Sampler):
    """FairNAS strict fairness (Chu et al. 2021): m paths per step, m the most values any choice has.

    Each choice gets its own random permutation of its values; path i takes value i of it (a choice with
    fewer than m values cycles its permutation). So within one step every value of a choice with m values is
    trained exactly once, and every value of a choice whose count divides m equally often.

    Conditional choices (a kernel inside one alternative, the k-th layer of an elastic depth): path i uses
    its value only when the choice is active on that path, i.e. when the path's earlier values switch it on.
    Such a choice is fair only among the paths on which it is active; nothing else could be, since on the
    other paths its operators are not in the network.
    """

    def width(self) -> int:
        return max(len(c.values) for c in self.space.choices) if self.space.choices else 1

    def draw(self) -> list[Arch]:
        m = self.width()
        perms = {}
        for c in self.space.choices:
            values = list(c.values)
            self.rng.shuffle(values)
            perms[c.label] = values
        return [self._path(perms, i) for i in range(m)]

    def _path(self, perms: dict, i: int) -> Arch:
        arch: dict = {}
        for c in self.space.choices:  # in declaration order: a choice's condition names earlier choices
            if cond_holds(c.cond, arch):
                values = perms[c.label]
                arch[c.label] = values[i % len(values)]
        return Arch.of(arch)


class SandwichSampler(Sampler):
    """BigNAS' sandwich rule: the largest child first (the teacher), the smallest, then N random children.

    Without the rule (`sandwich=False`) the smallest is no longer forced: the step trains the largest child,
    kept as the one that sees the labels and teaches the others, and N random children.
    """

    def __init__(self, space, rng: random.Random, num_random: int = 2, sandwich: bool = True):
        super().__init__(space, rng)
        self.num_random, self.sandwich = num_random, sandwich

    def draw(self) -> list[Arch]:
        bounds = [self.space.max_arch(), self.space.min_arch()] if self.sandwich else [self.space.max_arch()]
        return bounds + [self.space.sample(self.rng) for _ in range(self.num_random)]


def make_sampler(space, config, rng: random.Random) -> Sampler:
    from .config import Mode, SamplerKind

    if config.mode is Mode.SINGLE_STAGE:
        return SandwichSampler(space, rng, config.num_random, config.sandwich)
    return FairSampler(space, rng) if config.sampler is SamplerKind.FAIR else UniformSampler(space, rng)
