"""Data for supernet training: `--data` specs, loaders for CIFAR-10, image folders and the built-in digits.

    >>> from fbndsl.data import load
    >>> data = load("digits")              # or "cifar10:PATH", "folder:PATH"
    >>> image, label = data.train[0]       # float32 3 x 32 x 32, normalised; int

Parsing a spec imports no torch (the CLI checks `--data` before anything slow); `load` and the dataset
classes import torch, and each source's reader is imported only when that source is loaded.
"""
from .load import load
from .loaded import Data
from .seeding import Augment, epoch_seed
from .spec import DataKind, DataSpec, parse_data_spec

_TORCH_NAMES = ("ImageDataset", "epoch_loader", "first_batches")


def __getattr__(name: str):
    """The torch-side names (`ImageDataset`, `epoch_loader`, `first_batches`) on first use, so that
    `import fbndsl.data` stays torch-free."""
    if name in _TORCH_NAMES:
        from . import dataset

        return getattr(dataset, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["parse_data_spec", "DataSpec", "DataKind", "load", "Data", "Augment", "epoch_seed",
           "ImageDataset", "epoch_loader", "first_batches"]
