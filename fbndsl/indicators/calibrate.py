"""Prepare the trained supernet for one architecture: select it, recalibrate its BatchNorm statistics, and note
which BatchNorms the subnet runs and the statistics of the batches that Monte-Carlo BatchNorm will reuse.

The subnet's BatchNorms are found by running it, not by reading the IR: an mbconv with expansion 1 skips its
first BatchNorm, and only a forward pass says so without duplicating each module's rules.

Recording each Monte-Carlo batch's own statistics here saves a forward pass per Monte-Carlo sample: in train
mode a BatchNorm normalises with the current batch's statistics whatever its running averages hold, so what
every BatchNorm sees for batch k during recalibration is exactly what a separate train-mode pass of batch k
would give it. Batch k's statistics are read back from the cumulative average (`recalibrate_bn` uses momentum
None: after the k-th batch, running = previous + (batch - previous) / k), exact up to float rounding; computing
them again from the BatchNorm's input cost more than the forward pass itself.
"""
from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from ..ir.choices import Arch
from ..lower import recalibrate_bn
from ..lower.batchnorm import BatchNorm, batchnorms
from ..lower.runtime import at_resolution
from .observe import hooked

Stats = tuple[torch.Tensor, torch.Tensor]  # per-channel mean and unbiased variance, as running statistics hold


@dataclass(frozen=True)
class Calibrated:
    arch: Arch
    batchnorms: tuple[BatchNorm, ...]            # the subnet's BatchNorms, in the order they first run
    batch_stats: dict[int, dict[int, Stats]]     # recal batch index -> id(BatchNorm) -> that batch's statistics


def calibrate(ctx, arch: Arch) -> Calibrated:
    """Select `arch` on ctx.supernet and recalibrate it on ctx.recal at the arch's resolution, recording the
    statistics of the batches ctx.mc_batches names. Leaves the supernet in eval mode."""
    net = ctx.supernet
    net.set_arch(arch)
    with recording(net, keep=set(ctx.mc_batches)) as (called, stats):
        recalibrate_bn(net, (at_resolution(x, net, arch) for x in ctx.recal))
    net.eval()
    return Calibrated(arch, tuple(called.values()), stats)


@contextmanager
def recording(model: nn.Module, keep: Collection[int]) -> Iterator[tuple[dict, dict]]:
    """Yields (called, stats): the BatchNorms that run inside the block (id -> module, in order of first run),
    and for the k-th batch since their statistics were reset, k in `keep`, each one's batch statistics
    (stats[k][id]). The block must recalibrate with momentum None (a cumulative average)."""
    called: dict[int, BatchNorm] = {}
    before: dict[int, Stats] = {}
    stats: dict[int, dict[int, Stats]] = {}

    def pre_hook(module, inputs) -> None:  # a pre-hook that returned something would replace the module's input
        called.setdefault(id(module), module)
        if int(module.num_batches_tracked) in keep:
            c = inputs[0].shape[1]
            before[id(module)] = (module.running_mean[:c].clone(), module.running_var[:c].clone())

    def hook(module, inputs, _output) -> None:
        n = int(module.num_batches_tracked)  # this batch was the n-th: its weight in the average was 1 / n
        if n - 1 in keep:
            c = inputs[0].shape[1]
            now = (module.running_mean[:c].clone(), module.running_var[:c].clone())
            # The first batch's average is the batch itself: taken as is, not differenced from the reset values
            # (1 + (v - 1) would lose a small variance v to rounding).
            batch = now if n == 1 else tuple(p + n * (r - p) for p, r in zip(before[id(module)], now))
            stats.setdefault(n - 1, {})[id(module)] = batch

    bns = list(batchnorms(model))
    with hooked(bns, pre_hook, pre=True), hooked(bns, hook):
        yield called, stats
