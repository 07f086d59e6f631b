"""Everything a run needs before its first step: the device, a checked data set, the supernet, the optimiser.

The supernet is built right after seeding torch, so its initial weights are a function of the seed; each
mode then prepares it (bn-only freezes, single-stage zero-inits and stops BatchNorm running statistics).
"""
from __future__ import annotations

import random

import torch

from ..diagnostics import UserError
from ..lower import lower
from ..lower.batchnorm import set_tracking
from .bn import freeze_all_but_bn_affine, zero_init_residuals
from .config import Mode, TrainConfig


def steps_per_epoch(data, config: TrainConfig) -> int:
    n = len(data.train) // config.batch_size  # the last, partial batch is dropped: BatchNorm needs full batches
    if n == 0:
        raise UserError(f"--batch-size {config.batch_size}: larger than the training set of {data.name} "
                        f"({len(data.train)} images); use a smaller --batch-size")
    return n


def build_supernet(space, config: TrainConfig, device: torch.device):
    """The seeded supernet, prepared for the mode, on the device; and the parameters the optimiser trains."""
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    supernet = lower(space)
    if config.mode is Mode.BN_ONLY and not freeze_all_but_bn_affine(supernet):
        raise UserError(f"--mode bn-only: {space.file} has no BatchNorm with affine parameters to train; "
                        f"use --mode full")
    if config.mode is Mode.SINGLE_STAGE:
        if config.zero_init:
            zero_init_residuals(supernet)
        # no running statistics: they would mix every child's; each evaluated child recomputes its own afterwards
        set_tracking(supernet, False)
    supernet.to(device)
    return supernet, [p for p in supernet.parameters() if p.requires_grad]


def make_optimizer(params, config: TrainConfig) -> torch.optim.SGD:
    """SGD with Nesterov momentum. single-stage decays only the largest child (an L2 term in its loss), so the
    optimiser itself decays nothing there."""
    decay = 0.0 if config.mode is Mode.SINGLE_STAGE else config.weight_decay
    return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum, nesterov=True, weight_decay=decay)
