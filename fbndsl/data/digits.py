"""The built-in data set: scikit-learn's 8 x 8 handwritten digits (1,797 real images, 10 classes).

It ships inside the scikit-learn package, so a fresh checkout can train without downloading anything. The
images are upsampled once, bilinearly, to 32 x 32 (the CIFAR size the shipped spaces expect) and replicated
to 3 channels. The 80/20 split is stratified and fixed: every run evaluates on the same 20%.
"""
from __future__ import annotations

import torch

from .dataset import build_data
from .loaded import Data
from .seeding import mix
from .spec import DataSpec

RESOLUTION = 32
TEST_FRACTION = 0.2
SPLIT_SEED = 0  # fixed, not the run's seed: changing the training seed must not change the test set
_LEVELS = 16  # sklearn's digits are counts of set pixels in 4 x 4 blocks: 0..16


def load_digits(spec: DataSpec, *, augment: bool, seed: int) -> Data:
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = upsample(torch.from_numpy(bunch.images), RESOLUTION)
    labels = torch.from_numpy(bunch.target).to(torch.int64)
    train_idx, test_idx = stratified_split(labels, TEST_FRACTION, SPLIT_SEED)
    return build_data(name="digits", classes=tuple(str(n) for n in bunch.target_names),
                      train=(images[train_idx], labels[train_idx]), test=(images[test_idx], labels[test_idx]),
                      augment=augment, seed=seed)


def upsample(images: torch.Tensor, resolution: int) -> torch.Tensor:
    """N x 8 x 8 grey levels 0..16 -> uint8 N x 3 x R x R. Interpolated in float, rounded once at the end."""
    grey = (images.to(torch.float32) * (255.0 / _LEVELS)).unsqueeze(1)
    big = torch.nn.functional.interpolate(grey, size=(resolution, resolution), mode="bilinear", align_corners=False)
    return big.round_().clamp_(0, 255).to(torch.uint8).expand(-1, 3, -1, -1).contiguous()


def stratified_split(labels: torch.Tensor, test_fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Sorted (train, test) indices with round(test_fraction * n_c) of each class's n_c samples in test.

    Each class's samples are ordered by a hash of (seed, index), not by a torch RNG, so the split is the same
    on every torch version.
    """
    test: list[int] = []
    for c in labels.unique(sorted=True).tolist():
        members = (labels == c).nonzero().flatten().tolist()
        members.sort(key=lambda i: mix(seed, i))
        test += members[:round(len(members) * test_fraction)]
    is_test = torch.zeros(len(labels), dtype=torch.bool)
    is_test[test] = True
    return (~is_test).nonzero().flatten(), is_test.nonzero().flatten()
