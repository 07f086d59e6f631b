"""Gradient explosion at initialisation: how much the loss's gradient grows on its way back through the body of a
network, the symptom that residual connections cure (Philipp, Song and Carbonell, ICLR 2018, "The exploding
gradient problem demystified"; Yang et al., ICLR 2019, "A mean field theory of batch normalization": a deep
network of BatchNorm-ed layers without skip connections has gradients that explode with depth at
initialisation).

For the network at initialisation, BatchNorm in train mode, and one labelled batch (the context's NASWOT batch):
g_first is the gradient of the cross-entropy loss at the output of the first BatchNorm that runs (the stem's,
a normalised map), g_last the gradient at the last feature map before the head (at least 2 channels and 2
positions, as MeCo counts them: not the global pool's 1 x 1), and

    explosion = rms(g_first) / rms(g_last)        (rms over each image's elements, averaged over the batch)

Lower is better. Measured at the depth a network will be trained at, it separates a cell with an identity path
from one whose every path convolves (NAS-Bench-201 at N = 5: the best cells' skip connection from the cell's input
to its output halves it). It is no ranking of its own: across a space it grows with the number of convolutions
in series, which the ground truth rewards, so it ranks NAS-Bench-201's networks against the truth (docs/nb201.md).
It serves the search's last step (`--refine-by explosion`), among networks the ranking leaves near-equal.

A network whose loss does not depend on its first map (its input is ignored) has no finite explosion: NaN, which
ranks last. Without a BatchNorm, g_first is taken at the first feature map. BatchNorm statistics are put back
afterwards, and no parameter gradient is left behind.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from ..lower.batchnorm import probing
from .observe import hooked, is_feature_map, leaf_modules


def explosion(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """rms(dL/d first normalised map) / rms(dL/d last feature map) of `model` on the batch (train mode)."""
    maps: list[tuple[nn.Module, torch.Tensor]] = []

    def keep(module, _inputs, output) -> None:
        if is_feature_map(output) and output.requires_grad:
            maps.append((module, output))

    with hooked(leaf_modules(model), keep), probing(model), torch.enable_grad():
        loss = nn.functional.cross_entropy(model(images), labels)
        if not maps or not loss.requires_grad:
            return math.nan
        first = next((out for m, out in maps if isinstance(m, nn.modules.batchnorm._BatchNorm)), maps[0][1])
        grads = torch.autograd.grad(loss, [first, maps[-1][1]], allow_unused=True)
    if any(g is None for g in grads):
        return math.nan
    top, bottom = (_rms(g) for g in grads)
    return top / bottom if top > 0 and bottom > 0 else math.nan


def _rms(grad: torch.Tensor) -> float:
    """The root mean square of each image's gradient, averaged in quadrature over the batch."""
    return float(grad.detach().double().pow(2).mean().sqrt())


def explosion_of(ctx, arch) -> float:
    """`explosion` of `arch` built at initialisation by `ctx` (an `IndicatorContext`), on its NASWOT batch."""
    model, images = ctx.init_batch(arch)
    return explosion(model, images, ctx.naswot_labels.to(images.device))
