"""The in-memory image dataset every source loads into, and the loader that makes epochs reproducible.

Images stay uint8 (N, 3, H, W): 50,000 CIFAR images take 150 MB instead of 600 MB as float32, and padding,
cropping and flipping act on exact pixel values. Each item is normalised to float32 only when it is read.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator

import torch
from torch.utils.data import DataLoader, Dataset

from .loaded import Data
from .seeding import Augment, epoch_seed

_MIN_STD = 1.0 / 255  # a constant channel (every image grey) must not divide by zero


class ImageDataset(Dataset):
    """Images (uint8, N x 3 x H x W) and labels (int64, N); item i is (normalised float32 3 x H x W, int label)."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, mean: tuple[float, ...],
                 std: tuple[float, ...], augment: Augment | None = None):
        assert images.dtype == torch.uint8 and images.dim() == 4 and images.shape[1] == 3, images.shape
        assert labels.dtype == torch.int64 and labels.shape == (images.shape[0],), labels.shape
        assert len(mean) == len(std) == 3, (mean, std)
        self.images, self.labels = images, labels
        self.mean, self.std, self.augment = tuple(mean), tuple(std), augment
        std_t = torch.tensor(std, dtype=torch.float32).view(3, 1, 1)
        self._scale = 1.0 / (255.0 * std_t)  # (x / 255 - mean) / std  ==  x * scale - shift
        self._shift = torch.tensor(mean, dtype=torch.float32).view(3, 1, 1) / std_t

    def __len__(self) -> int:
        return self.images.shape[0]

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        index = range(len(self))[index]  # IndexError out of range; -1 is the last sample, augmented as such
        image = self.images[index]
        if self.augment is not None:
            image = crop_flip(image, *self.augment.params(index), pad=self.augment.pad)
        return image.float().mul_(self._scale).sub_(self._shift), int(self.labels[index])

    @property
    def resolution(self) -> int:
        return self.images.shape[-1]

    def at_epoch(self, epoch: int) -> ImageDataset:
        """The same samples augmented as in epoch `epoch`; shares the image storage (nothing is copied)."""
        if self.augment is None:
            return self
        return ImageDataset(self.images, self.labels, self.mean, self.std, self.augment.at_epoch(epoch))


def crop_flip(image: torch.Tensor, top: int, left: int, flip: bool, pad: int) -> torch.Tensor:
    """Crop an H x W window at (top, left) from `image` zero-padded by `pad` (black, as torchvision pads
    before normalising), then mirror it if `flip`."""
    c, h, w = image.shape
    padded = image.new_zeros((c, h + 2 * pad, w + 2 * pad))
    padded[:, pad:pad + h, pad:pad + w] = image
    window = padded[:, top:top + h, left:left + w]
    return window.flip(-1) if flip else window


def channel_stats(images: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and std of uint8 images, on the 0..1 scale. Summed in float64 chunks: exact for
    integer pixels, and no float copy of the whole set (ImageNet-sized folders would not fit twice)."""
    total = torch.zeros(3, dtype=torch.float64)
    squares = torch.zeros(3, dtype=torch.float64)
    for chunk in images.split(2048):
        x = chunk.to(torch.float64)
        total += x.sum(dim=(0, 2, 3))
        squares += (x * x).sum(dim=(0, 2, 3))
    n = images.shape[0] * images.shape[2] * images.shape[3]
    mean = total / n
    std = (squares / n - mean * mean).clamp(min=0).sqrt()
    return tuple((mean / 255).tolist()), tuple((std / 255).clamp(min=_MIN_STD).tolist())


def build_data(*, name: str, classes: tuple[str, ...], train: tuple[torch.Tensor, torch.Tensor],
               test: tuple[torch.Tensor, torch.Tensor], augment: bool, seed: int) -> Data:
    """Wrap loaded (images, labels) pairs as a `Data`; both splits are normalised with the train split's
    statistics, so nothing about the test set leaks into training."""
    mean, std = channel_stats(train[0])
    aug = Augment(seed=seed) if augment else None
    return Data(train=ImageDataset(*train, mean, std, aug), test=ImageDataset(*test, mean, std),
                num_classes=len(classes), channels=3, resolution=train[0].shape[-1], name=name,
                mean=mean, std=std, classes=classes)


def epoch_loader(dataset: ImageDataset, *, batch_size: int, seed: int, epoch: int, shuffle: bool = True,
                 num_workers: int = 0, drop_last: bool = False) -> DataLoader:
    """A DataLoader for one epoch whose order (from `epoch_seed(seed, epoch)`) and augmentation (from the
    dataset's own seed and `epoch`) depend on nothing else: resuming at epoch k replays epoch k exactly."""
    generator = torch.Generator().manual_seed(epoch_seed(seed, epoch))
    return DataLoader(dataset.at_epoch(epoch), batch_size=batch_size, shuffle=shuffle, generator=generator,
                      num_workers=num_workers, drop_last=drop_last)


def first_batches(dataset: ImageDataset, *, batch_size: int, seed: int, count: int) -> Iterator:
    """The first `count` full batches of a run over `dataset` from epoch 0 on, one epoch's `epoch_loader` after
    another (a function of seed and epoch, as training draws them), loaded as they are consumed."""
    epochs = (epoch_loader(dataset, batch_size=batch_size, seed=seed, epoch=e, drop_last=True)
              for e in itertools.count())
    return itertools.islice(itertools.chain.from_iterable(epochs), count)
