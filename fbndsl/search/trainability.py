"""Trainability (FBN-NAS): the mean over the subnet's BatchNorms of gamma / sigma, sigma = sqrt(running_var + eps).

gamma / sigma is the per-channel scale of a BatchNorm in eval mode, the term that bounds its Lipschitz constant
(Santurkar et al. 2018): larger scales pass larger gradients back. Each BatchNorm contributes the mean over its
active channels (an elastic one uses its first `c`), so wide and narrow layers weigh the same.
"""
from __future__ import annotations

import math

import torch


def bn_scale(bn) -> float:
    """Mean over active channels of |gamma| / sqrt(running_var + eps); a BatchNorm without affine has gamma 1."""
    c = getattr(bn, "c", bn.num_features)
    sigma = torch.sqrt(bn.running_var[:c].double() + bn.eps)
    gamma = bn.weight[:c].detach().double().abs() if bn.affine else torch.ones_like(sigma)
    return float((gamma / sigma).mean())


def mean_bn_scale(batchnorms) -> float:
    """NaN for a subnet without BatchNorm: it has no such scale, and NaN ranks last."""
    return math.fsum(bn_scale(bn) for bn in batchnorms) / len(batchnorms) if batchnorms else math.nan


def trainability(ctx, arch, cal) -> float:
    return mean_bn_scale(cal.batchnorms)
