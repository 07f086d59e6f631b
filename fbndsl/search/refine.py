"""Refinement: one architecture trained alone for a short budget, and its held-out accuracy.

A weight-sharing supernet's children are all trained through the same BatchNorms, which limits how well any one
of them does (on NAS-Bench-201, 18-21% for children of the shared BN-only supernet against 44% for one
architecture trained BN-only alone with the same compute). Refinement keeps the premise of FBN-NAS (frozen
random weights, only BatchNorm's gamma and beta learn) but gives each of the search's top picks its own
BatchNorms: a network built and seeded as `fbndsl train --mode bn-only` builds its supernet, trained for `steps`
optimiser steps on the one architecture (so only that path's BatchNorms learn), recalibrated, and measured.
The search then re-ranks its top-K by that accuracy, as BigNAS refines its coarse picks (docs/search.md).

With `mode` full every weight of the one path trains instead (`fbndsl train --mode full`'s settings): a short
training of the network itself, at whatever depth `space` was compiled with. `fbndsl bench nb201`'s versions 8 and 9
asked whether its accuracy or its mean training loss (`refined`) re-ranks a ranking's best better than the ranking
does, at N = 5: neither did (docs/nb201.md), so no `--refine-by` reads them.
"""
from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import torch

from ..data import first_batches
from ..indicators.expressivity import accuracy
from ..lower.runtime import at_resolution, images_on
from ..train import Mode, TrainConfig
from ..train.evaluate import recalibrate_child
from ..train.schedule import lr_at
from ..train.setup import build_supernet, make_optimizer, steps_per_epoch
from ..train.step import single_path_step


@dataclass(frozen=True)
class Refined:
    """What a short training of one architecture alone gives: its held-out accuracy after the training, and the
    mean of its training losses over the steps (Ru et al., NeurIPS 2021, "Speedy performance estimation for neural
    architecture search": the sum of training losses, TSE, ranks networks better than an early validation accuracy
    at the same budget; a mean, so that budgets compare)."""

    accuracy: float
    mean_loss: float


def refined_accuracy(space, arch, data, held_out, *, steps: int, seed: int, device, batch_size: int = 64,
                     mode: Mode = Mode.BN_ONLY) -> float:
    """Top-1 accuracy on `held_out` (images, labels) of `arch` trained alone in `mode` (bn-only or full) for
    `steps` optimiser steps on `data.train` (batches as `fbndsl train` draws them for `seed`), after recalibrating
    its BatchNorms on training batches. A function of its arguments: the caller's random state is left as it was."""
    return refined(space, arch, data, held_out, steps=steps, seed=seed, device=device, batch_size=batch_size,
                   mode=mode).accuracy


def refined(space, arch, data, held_out, *, steps: int, seed: int, device, batch_size: int = 64,
            mode: Mode = Mode.BN_ONLY) -> Refined:
    """`refined_accuracy`'s training, with its mean training loss beside the accuracy."""
    device = torch.device(device)
    losses: list[torch.Tensor] = []
    with _random_state_kept(device):
        net, config = refined_network(space, arch, data, steps=steps, seed=seed, device=device,
                                      batch_size=batch_size, mode=mode, on_step=losses.append)
        recalibrate_child(net, arch, data, config, device)  # as `fbndsl train` does before its evaluations
        images, labels = held_out
        net.set_arch(arch)
        net.eval()
        right = accuracy(net, at_resolution(images_on(images, device), net, arch), labels.to(device))
    return Refined(right, float(torch.stack(losses).double().mean()))


def refined_network(space, arch, data, *, steps: int, seed: int, device, batch_size: int = 64,
                    mode: Mode = Mode.BN_ONLY, on_step: Callable[[torch.Tensor], None] = lambda loss: None):
    """(the network trained on `arch` alone, its `TrainConfig`): seeded and built as `mode`'s supernet, then
    `steps` steps of `single_path_step` on the one path, the LR on the mode's cosine spanning them; `on_step`
    gets each step's training loss (a tensor on the device: reading it is the caller's, once, not a wait a step)."""
    config = short_config(data, mode, steps=steps, seed=seed, batch_size=batch_size)
    net, params = build_supernet(space, config, device)
    optimizer = make_optimizer(params, config)
    net.train()
    for step, (x, y) in enumerate(first_batches(data.train, batch_size=config.batch_size, seed=config.seed,
                                                count=steps)):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(config, step, steps)
        stats = single_path_step(net, [arch], images_on(x, device), y.to(device))
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        on_step(stats.loss)
    return net, config


def short_config(data, mode: Mode, *, steps: int, seed: int, batch_size: int) -> TrainConfig:
    """`mode`'s settings (its LR, momentum and decay), with as many epochs as `steps` steps span."""
    probe = TrainConfig(mode=mode, batch_size=batch_size, seed=seed)
    epochs = math.ceil(steps / steps_per_epoch(data, probe))
    return TrainConfig(mode=mode, epochs=epochs, steps=steps, batch_size=batch_size, seed=seed)


class _random_state_kept:
    """Restores Python's and torch's random state on exit (`build_supernet` seeds both)."""

    def __init__(self, device: torch.device):
        self.fork = torch.random.fork_rng(devices=[device] if device.type == "cuda" else [])

    def __enter__(self):
        self.python = random.getstate()
        self.fork.__enter__()

    def __exit__(self, *exc):
        random.setstate(self.python)
        return self.fork.__exit__(*exc)
