"""`IndicatorContext`: what every measurement of a search shares, built once per search.

It holds the trained supernet, a separately built network at initialisation (for the zero-cost proxies: the
architecture as written, without the BatchNorms the fairness pass inserts for supernet training), and fixed
data: training batches that recalibrate BatchNorm (and which of them the Monte-Carlo BatchNorm passes use), the
held-out images, and NASWOT's batch. Fixing them once makes every architecture see the same data (so
differences between architectures are not sampling noise) and makes `measure` a function of the seed.
"""
from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..data.seeding import mix
from ..diagnostics import UserError
from ..ir.choices import Arch

if TYPE_CHECKING:
    import torch

    from ..data import Data
    from ..lower import Supernet
    from ..space import Space

# Separate random streams, so that e.g. changing mc_samples does not change the recalibration batches.
RECAL_STREAM, MC_STREAM, NASWOT_STREAM = 0x5EC1, 0x3C8A, 0x3A5D

# Defaults sized so that all nine indicators of a NAS-Bench-201 architecture take about 4 s on one CPU thread;
# see docs/indicators.md, "Cost". Larger settings (20 recalibration batches, 1,000 held-out images, 10 passes)
# measure more precisely and take about 3 times as long.
RECAL_BATCHES, EVAL_IMAGES, MC_SAMPLES, BATCH_SIZE, NASWOT_BATCH = 4, 256, 4, 64, 64


@dataclass(frozen=True)
class IndicatorContext:
    space: Space
    supernet: Supernet | None        # BN-only trained; None: only the indicators at initialisation and cost
    init_net: Supernet               # the seeded, untrained supernet: NASWOT and synflow (zero-cost proxies)
    recal: tuple[torch.Tensor, ...]  # training inputs that recalibrate BatchNorm (data resolution, on device)
    mc_batches: tuple[int, ...]      # per Monte-Carlo BatchNorm pass, the index of its batch in `recal`
    held_out: tuple[torch.Tensor, torch.Tensor]  # (images, labels) from the data's test split
    naswot_images: torch.Tensor      # NASWOT's one batch (training images); jacob_cov and SNIP use it too
    naswot_labels: torch.Tensor      # their labels (SNIP's loss)
    seed: int = 0
    device: Any = "cpu"

    def __post_init__(self) -> None:
        assert self.recal and len(self.mc_batches) >= 2, "validated by build()"
        assert all(0 <= i < len(self.recal) for i in self.mc_batches), self.mc_batches
        assert len(self.held_out[0]) == len(self.held_out[1]) >= 1
        assert len(self.naswot_images) == len(self.naswot_labels)

    @property
    def mc_samples(self) -> int:
        return len(self.mc_batches)

    @classmethod
    def build(cls, space: Space, supernet: Supernet | None, data: Data | None, *, device="cpu", seed: int = 0,
              recal_batches: int = RECAL_BATCHES, eval_images: int = EVAL_IMAGES, mc_samples: int = MC_SAMPLES,
              batch_size: int = BATCH_SIZE, naswot_batch: int = NASWOT_BATCH) -> IndicatorContext:
        """Draw the context's batches from `data` (None: the built-in digits) with `seed`, and build the network
        at initialisation. The held-out set is the first `eval_images` images of the data's test split (all of
        them when it has fewer). `supernet` is moved to `device`."""
        _check_settings(recal_batches=recal_batches, eval_images=eval_images, mc_samples=mc_samples,
                        batch_size=batch_size, naswot_batch=naswot_batch)
        import torch

        from ..data import load
        from ..lower.runtime import check_data_fits, images_on

        data = load("digits", augment=True, seed=seed) if data is None else data
        check_data_fits(space, data)
        device = torch.device(device)
        to = lambda xs: tuple(images_on(x, device) for x in xs)
        naswot_images, naswot_labels = labelled_batches(data, naswot_batch, mix(seed, NASWOT_STREAM), 1)[0]
        return cls(space=space, supernet=supernet.to(device) if supernet is not None else None,
                   init_net=init_network(space, seed).to(device),
                   recal=to(train_batches(data, batch_size, mix(seed, RECAL_STREAM), recal_batches)),
                   mc_batches=mc_draw(recal_batches, mc_samples, seed),
                   held_out=to(held_out(data, eval_images)),
                   naswot_images=images_on(naswot_images, device), naswot_labels=naswot_labels.to(device),
                   seed=seed, device=device)

    def init_batch(self, arch: Arch) -> tuple[Supernet, torch.Tensor]:
        """The network at initialisation set to `arch`, and NASWOT's batch at the arch's resolution: what NASWOT,
        jacob_cov, SNIP and MeCo read."""
        from ..lower.runtime import at_resolution

        self.init_net.set_arch(arch)
        return self.init_net, at_resolution(self.naswot_images, self.init_net, arch)

    def as_arch(self, arch: Arch | str | Mapping[str, Any]) -> Arch:
        if isinstance(arch, Arch):
            return arch
        return self.space.parse_arch(arch) if isinstance(arch, str) else self.space.arch(arch)


def _check_settings(**settings: int) -> None:
    least = {"mc_samples": 2, "batch_size": 2}  # a variance needs two passes; BatchNorm, two images
    for name, value in settings.items():
        low = least.get(name, 1)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise UserError(f"{name} must be an integer of at least {low}, not {value!r}")


def mc_draw(batches: int, samples: int, seed: int) -> tuple[int, ...]:
    """Which recalibration batch each Monte-Carlo pass takes: distinct ones while there are enough (each pass
    a different random batch, as Teye et al. sample them), then with replacement."""
    rng = random.Random(mix(seed, MC_STREAM))
    if samples <= batches:
        return tuple(rng.sample(range(batches), samples))
    return tuple(rng.randrange(batches) for _ in range(samples))


def init_network(space: Space, seed: int) -> Supernet:
    """The network at initialisation for `seed`: the space as written (`pipeline.as_written`: no fairness
    BatchNorm, as the cost model counts it and as NAS-Bench-201 built its networks), lowered with torch seeded as
    `fbndsl train` lowers the supernet (its weights are the supernet's initial ones: a BatchNorm draws nothing),
    without touching the caller's random state."""
    import torch

    from ..lower import lower
    from ..pipeline import as_written

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return lower(as_written(space))


def train_batches(data: Data, batch_size: int, seed: int, count: int) -> list[torch.Tensor]:
    """`count` shuffled, augmented full training batches (inputs only), continuing into later epochs if one
    epoch has fewer."""
    return [x for x, _ in labelled_batches(data, batch_size, seed, count)]


def labelled_batches(data: Data, batch_size: int, seed: int,
                     count: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The batches `train_batches` draws, each with its labels: (inputs, labels)."""
    from ..data import first_batches

    if batch_size > len(data.train):
        raise UserError(f"batch_size {batch_size} is larger than the training set of {data.name} "
                        f"({len(data.train)} images)")
    return [(x, y) for x, y in first_batches(data.train, batch_size=batch_size, seed=seed, count=count)]


def held_out(data: Data, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first `count` images of the test split, in order, and their labels."""
    import torch

    n = min(count, len(data.test))
    items = [data.test[i] for i in range(n)]
    return torch.stack([x for x, _ in items]), torch.tensor([y for _, y in items], dtype=torch.int64)
