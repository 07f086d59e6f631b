"""BatchNorm recalibration: re-estimate the running statistics of one subnet over K batches.

Weight-shared BatchNorm statistics belong to no single subnet; before evaluating one, BigNAS and
FBN-NAS reset them and recompute them with the subnet's own activations, as a cumulative (not
exponential) average over the batches.
"""
from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from .batchnorm import batchnorms, settings_kept


def recalibrate_bn(model: nn.Module, batches: Iterable, arch=None, max_batches: int | None = None) -> int:
    """Reset and re-estimate BN statistics of `model` (a Supernet with `arch`, or any module).

    `batches` yields inputs or (inputs, labels). Returns the number of batches used.
    """
    if arch is not None:
        model.set_arch(arch)
    bns = batchnorms(model)
    was_training = model.training
    try:
        with settings_kept(bns):
            for m in bns:
                m.reset_running_stats()
                m.momentum, m.track_running_stats = None, True  # momentum None: cumulative average
            model.train()
            return _run(model, batches, max_batches)
    finally:
        model.train(was_training)


def _run(model: nn.Module, batches: Iterable, max_batches: int | None) -> int:
    """Forward up to `max_batches` of `batches` without gradients; the number run."""
    n = 0
    with torch.no_grad():
        for batch in batches:
            x = batch[0] if isinstance(batch, (tuple, list)) else batch
            model(x)
            n += 1
            if max_batches is not None and n >= max_batches:
                break
    return n
