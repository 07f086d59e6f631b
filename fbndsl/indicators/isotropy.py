"""Isotropy and progressivity: AZ-NAS' expressivity and progressivity (Lee and Ham, CVPR 2024, "AZ-NAS: Assembling
Zero-Cost Proxies for Network Architecture Search"), two zero-cost proxies.

For the network at initialisation, BatchNorm in train mode, and the context's NASWOT batch: for every layer l of
the network (`ir.layers`: the stem, each cell, each reduction block of NAS-Bench-201) whose output is a feature map
(at least 2 channels and 2 positions), Sigma_l is the C_l x C_l covariance of its channels over the batch's images
and positions, p_l its eigenvalues divided by their sum, and E_l = H(p_l) = - sum_i p_li log p_li. Then

    isotropy      = sum over layers l of E_l
    progressivity = min over consecutive layers l-1, l of (E_l - E_(l-1))

Higher is better for both. A layer whose output spreads its variance evenly over its channels (a feature space
that uses every direction) scores log C_l, the most; one whose channels are nearly collinear scores near 0.
Progressivity asks that every layer add to the expressivity of the one before: its least gain (often negative: a
layer that loses directions) is the score. AZ-NAS reads the output of each block of a network (for NAS-Bench-201,
the stem and every cell), not every convolution and BatchNorm inside one: read at every leaf module the same sum
ranks worse (docs/nb201.md, version 3's studies). A network with fewer than two such layers has no progressivity
(NaN, which ranks last).

Conventions: float64, the symmetric eigensolver, rounding below 0 clamped to 0, 0 log 0 = 0 (AZ-NAS adds 1e-8
inside the logarithm instead, which moves a NAS-Bench-201 network's sum by about 1e-5); a map with no variance (a
`none` edge's zeros) has entropy 0. BatchNorm statistics of the network at initialisation are put back afterwards.
"""
from __future__ import annotations

import math

import torch

from ..lower.batchnorm import probing
from ..lower.supernet import Supernet
from .observe import is_feature_map


def spectral_entropy(feature_map: torch.Tensor) -> float:
    """The entropy of the normalised eigenvalues of the channels' covariance of an N x C x H x W map, over its
    images and positions; 0 for a map with no variance."""
    f = feature_map.detach().double().permute(0, 2, 3, 1).reshape(-1, feature_map.shape[1])
    f = f - f.mean(dim=0, keepdim=True)
    eig = torch.linalg.eigvalsh(f.T @ f / f.shape[0]).clamp(min=0)
    total = eig.sum()
    if total <= 0:
        return 0.0
    p = eig[eig > 0] / total
    return float(-(p * p.log()).sum())


def layer_entropies(net: Supernet, images: torch.Tensor) -> tuple[float, ...]:
    """`spectral_entropy` of the output of each of the selected subnet's layers that is a feature map, in order."""
    with probing(net), torch.no_grad():
        _, maps = net.layer_maps(images)
    return tuple(spectral_entropy(m) for m in maps if is_feature_map(m))


def least_gain(entropies: tuple[float, ...]) -> float:
    """Progressivity from the layers' entropies: the least E_l - E_(l-1); NaN with fewer than two layers."""
    return min((b - a for a, b in zip(entropies, entropies[1:])), default=math.nan)


def isotropy_score(net: Supernet, images: torch.Tensor) -> float:
    return sum(layer_entropies(net, images))


def progressivity_score(net: Supernet, images: torch.Tensor) -> float:
    return least_gain(layer_entropies(net, images))


def init_layer_entropies(ctx, arch) -> tuple[float, ...]:
    """The step isotropy and progressivity share (`measuring.measure_all` makes it once per architecture)."""
    return layer_entropies(*ctx.init_batch(arch))


def isotropy(ctx, arch, prepared) -> float:
    return sum(prepared.layer_entropies)


def progressivity(ctx, arch, prepared) -> float:
    return least_gain(prepared.layer_entropies)
