"""The batches that recalibrate BatchNorm before export, made as a run's final evaluation makes them
(`fbndsl/train/evaluate.py`): training images of the data, each batch resized to the architecture's input
resolution."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import torch

from ..data import Data, DataSpec, epoch_loader, load
from ..diagnostics import UserError
from ..lower.runtime import at_resolution


@dataclass(frozen=True)
class Recalibration:
    """What recalibrated the exported subnet's BatchNorms (recorded in arch.json)."""

    data: str        # the --data spec, or "batches" when Python gave the batches themselves
    batches: int     # how many were used


def batches_for(data, supernet, arch, *, batch_size: int, seed: int, epoch: int = 0) -> Iterable[torch.Tensor]:
    """`data` is a `--data` spec, a `DataSpec`, a loaded `Data`, or an iterable of input batches (tensors or
    (inputs, labels) pairs). A data set is read in the order and augmentation of `epoch` (a run's final
    evaluation uses epoch = its number of epochs: the same batches recalibrate the exported subnet)."""
    device = next(supernet.parameters()).device
    if isinstance(data, (str, DataSpec)):
        data = load(data, augment=True, seed=seed)
    if isinstance(data, Data):
        _check_channels(data, supernet, arch)
        loader = epoch_loader(data.train, batch_size=batch_size, seed=seed, epoch=epoch, drop_last=True)
        return _resized((x for x, _ in loader), supernet, arch, device)
    return _resized((b[0] if isinstance(b, (tuple, list)) else b for b in data), supernet, arch, device)


def describe(data) -> str:
    """How arch.json names the recalibration data."""
    if isinstance(data, (str, DataSpec)):
        return str(data)
    return data.name if isinstance(data, Data) else "batches given from Python"


def _resized(batches, supernet, arch, device) -> Iterator[torch.Tensor]:
    for x in batches:
        yield at_resolution(x.to(device), supernet, arch)


def _check_channels(data: Data, supernet, arch) -> None:
    channels = supernet.input_shape(arch)[0]
    if data.channels != channels:
        raise UserError(f"--data {data.name}: its images have {data.channels} channels but the network reads "
                        f"{channels}; recalibrate with data the supernet was trained on")
