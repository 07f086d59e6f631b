"""`Data`: a loaded data set, as every loader returns it (its own module, so that the loaders and `load`
import it without importing each other)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch.utils.data import Dataset


@dataclass(frozen=True)
class Data:
    """A loaded data set: two splits of (normalised 3 x resolution x resolution float32, int label) items.

    `mean` and `std` (per channel, 0..1 scale) are the train split's; both splits are normalised with them.
    """

    train: Dataset
    test: Dataset
    num_classes: int
    channels: int
    resolution: int
    name: str
    mean: tuple[float, ...]
    std: tuple[float, ...]
    classes: tuple[str, ...]

    def __post_init__(self) -> None:
        assert self.num_classes == len(self.classes) >= 1, self.classes
        assert self.channels == len(self.mean) == len(self.std) == 3, (self.mean, self.std)
        assert self.resolution >= 1, self.resolution
