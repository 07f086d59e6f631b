"""Trainability (FBN-NAS): the mean over the subnet's BatchNorms of gamma / sigma, sigma = sqrt(running_var + eps).
Lower is better.

gamma / sigma is the per-channel scale of a BatchNorm in eval mode. FBN-NAS' Eq. 6 bounds the norm of the loss
gradient by (gamma / sigma)^2 times a reduced term and, after Santurkar et al. 2018, reads gamma / sigma as a
measure of the loss landscape's flatness (its Lipschitz and smoothness constants): a smaller scale is a flatter,
better-conditioned landscape, on which gradient descent takes larger effective steps safely. So the smaller
the mean scale, the more trainable the subnet. (The opposite reading, larger scales pass larger gradients,
ranks NAS-Bench-201 against its ground truth; `fbndsl bench nb201` reports both directions.) Each BatchNorm
contributes the mean over its active channels (an elastic one uses its first `c`) of |gamma| / sigma, so wide
and narrow layers weigh the same.

The degenerate cases rank worst (+inf):
- Only BatchNorms on a path from the input to the output count (`ir.dependence`): one fed by a 'none' edge
  normalises a constant and bounds nothing. A network with no BatchNorm on such a path ignores its input (or
  is not normalised at all): nothing it could learn is measured, and a small scale would rank it best.
- A channel whose recalibrated variance is exactly 0 (a constant input: the branch is dead, e.g. it reads a
  NAS-Bench-201 `none` edge) is left out, and a BatchNorm with no other channel too: its sigma is sqrt(eps),
  so it would score |gamma| / 0.003, hundreds of times a live channel, and weigh the mean by a branch on which
  nothing learns. A subnet with no BatchNorm left scores +inf, not NaN.
"""
from __future__ import annotations

import math

import torch

from ..ir.dependence import on_input_output_path
from ..lower.batchnorm import batchnorms


def bn_scales(bn) -> torch.Tensor:
    """|gamma| / sqrt(running_var + eps) of the active, live channels (float64); gamma is 1 without affine."""
    c = getattr(bn, "c", bn.num_features)
    var = bn.running_var[:c].detach().double()
    gamma = bn.weight[:c].detach().double().abs() if bn.affine else torch.ones_like(var)
    live = var > 0
    return gamma[live] / torch.sqrt(var[live] + bn.eps)


def bn_scale(bn) -> float:
    """The mean scale of one BatchNorm over its live channels; NaN when none is live."""
    scales = bn_scales(bn)
    return float(scales.mean()) if len(scales) else math.nan


def mean_bn_scale(batchnorms) -> float:
    """The mean over BatchNorms with a live channel; +inf (the worst) when there is none."""
    means = [s for s in map(bn_scale, batchnorms) if not math.isnan(s)]
    return math.fsum(means) / len(means) if means else math.inf


def trainability(ctx, arch, prepared) -> float:
    cal = prepared.calibrated
    on_path = input_path_batchnorms(ctx.supernet, ctx.space, arch)
    if not on_path:
        return math.inf
    return mean_bn_scale(bn for bn in cal.batchnorms if id(bn) in on_path)


def input_path_batchnorms(supernet, space, arch) -> set[int]:
    """ids of the BatchNorm modules (inside any op module) of nodes on a path from the input to the output."""
    dependent = on_input_output_path(space.ir, arch.as_dict())
    return {id(m) for node, module in supernet.named_ops() if node.id in dependent
            for m in batchnorms(module)}
