"""Counter-based seeds: every random decision of the data pipeline is a pure function of (seed, epoch, index).

Why not one stateful generator: a stream drawn sample by sample depends on how many draws came before, so it
changes with the number of workers, the batch size, and whether a run was resumed. A hash of (seed, epoch,
index) does not, and it is also the same on every torch version (it is plain integer arithmetic).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

_MASK64 = (1 << 64) - 1


def _splitmix64(x: int) -> int:
    """The SplitMix64 finaliser (Steele et al., 2014): a bijection on 64-bit integers that mixes every bit."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def mix(*parts: int) -> int:
    """Hash integers (any sign) to 64 well-mixed bits; the order of the parts matters."""
    h = 0
    for part in parts:
        h = _splitmix64(h ^ (part & _MASK64))
    return h


def epoch_seed(seed: int, epoch: int) -> int:
    """The seed of epoch `epoch` of a run seeded `seed`, for `torch.Generator().manual_seed`.

    Seeding each epoch's shuffle from (seed, epoch), not from the previous epoch's generator state, is what
    lets a run resumed at epoch k see exactly the batches that the uninterrupted run saw.
    """
    return mix(seed, epoch) >> 1  # 63 bits: a valid seed for every torch.Generator


@dataclass(frozen=True)
class Augment:
    """CIFAR-style augmentation: zero-pad by `pad` pixels, crop back at a random offset, flip with p=1/2.

    The offsets and the flip of sample `index` in epoch `epoch` are `params(index)`, a function of
    (seed, epoch, index) alone, so a sample is augmented the same way whichever worker loads it and whenever.
    """

    seed: int
    epoch: int = 0
    pad: int = 4
    flip: bool = True

    def __post_init__(self) -> None:
        assert self.pad >= 0 and self.epoch >= 0, self

    def at_epoch(self, epoch: int) -> Augment:
        return replace(self, epoch=epoch)

    def params(self, index: int) -> tuple[int, int, bool]:
        """(top, left, flip) for one sample: the crop's corner in the padded image, and whether to mirror it."""
        h = mix(self.seed, self.epoch, index)
        span = 2 * self.pad + 1
        top, left = h % span, (h >> 16) % span
        return top, left, self.flip and bool((h >> 40) & 1)
