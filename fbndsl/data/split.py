"""A validation split carved from the training images, for search.

A search ranks architectures by their accuracy on held-out images; if those were the data's test split, the
architecture it returns would be chosen on the very images its test accuracy is then reported on (for
NAS-Bench-201, the images behind the benchmark's ground truth). So `fbndsl search` and `fbndsl bench nb201`
train their supernet on the training images less a fixed validation split, and measure on that split. It is
stratified (the same share of every class) and drawn with a fixed seed, so every run holds out the same
images. Both parts keep the data's normalisation (the full training split's statistics).
"""
from __future__ import annotations

import dataclasses

import torch

from ..diagnostics import UserError
from .dataset import ImageDataset
from .loaded import Data

VALIDATION_FRACTION = 0.1
SPLIT_SEED = 0  # fixed: the training seed must not change which images are held out


@dataclasses.dataclass(frozen=True)
class SearchData:
    train: Data       # what the supernet trains on (and recalibrates BatchNorm with)
    held_out: Data    # its `test` split is the validation images; its `train` split is `train.train`


def validation_split(data: Data, fraction: float = VALIDATION_FRACTION) -> SearchData:
    images, labels = data.train.images, data.train.labels
    keep, held = _stratified(labels, fraction)
    if len(held) == 0 or len(keep) == 0:
        raise UserError(f"{data.name}: its {len(labels)} training images are too few to hold out a validation "
                        f"split; use a larger data set")
    train = ImageDataset(images[keep], labels[keep], data.train.mean, data.train.std, data.train.augment)
    val = ImageDataset(images[held], labels[held], data.train.mean, data.train.std)
    trained = dataclasses.replace(data, train=train)
    return SearchData(trained, dataclasses.replace(data, train=train, test=val))


def _stratified(labels: torch.Tensor, fraction: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(indices kept for training, indices held out), `fraction` of every class held out, in index order."""
    generator = torch.Generator().manual_seed(SPLIT_SEED)
    held = []
    for c in torch.unique(labels).tolist():
        idx = torch.nonzero(labels == c).flatten()
        idx = idx[torch.randperm(len(idx), generator=generator)]
        held.append(idx[:round(len(idx) * fraction)])
    held_idx = torch.cat(held).sort().values if held else torch.zeros(0, dtype=torch.long)
    mask = torch.ones(len(labels), dtype=torch.bool)
    mask[held_idx] = False
    return torch.nonzero(mask).flatten(), held_idx
