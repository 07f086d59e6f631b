"""SNIP (Lee et al. 2019, "SNIP: Single-shot Network Pruning based on Connection Sensitivity"), a zero-cost
baseline, with the conventions of NASLib and zero-cost-proxies (Abdelfattah et al. 2021).

The connection sensitivity of a weight w is |dL/dc| for a multiplicative mask c = 1 on it, i.e. |w * dL/dw|. On
the network at initialisation, BatchNorm in train mode, one labelled batch (the context's NASWOT batch and its
labels), L the mean cross-entropy; the score is the sum over every convolution and linear weight of
|w * dL/dw|. Higher is better. Biases and BatchNorm parameters are not scored.

The supernet's elastic modules slice their weights (a narrower width or a smaller kernel uses a corner of the
tensor); the unused entries get a zero gradient, so summing over whole weight tensors sums over the weights the
architecture uses. Parameters of operators the architecture does not run get no gradient at all and add nothing.
The gradients are taken with `torch.autograd.grad`, so no `.grad` is left on the network, and its BatchNorm
statistics are put back afterwards.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..lower.batchnorm import probing
from ..lower.modules import ElasticConv2d, ElasticLinear

_WEIGHTED = (nn.Conv2d, nn.Linear, ElasticConv2d, ElasticLinear)


def scored_weights(model: nn.Module) -> list[torch.Tensor]:
    """The weight of every convolution and linear layer, each once (a shared tensor is not counted twice)."""
    seen: dict[int, torch.Tensor] = {}
    for m in model.modules():
        if isinstance(m, _WEIGHTED) and isinstance(m.weight, torch.Tensor):
            seen.setdefault(id(m.weight), m.weight)
    return list(seen.values())


def snip_score(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """sum over conv and linear weights w of |w * dL/dw|, L the cross-entropy of `model` (train mode) on the batch."""
    weights = [w for w in scored_weights(model) if w.requires_grad]
    with probing(model), torch.enable_grad():
        loss = F.cross_entropy(model(images), labels)
        if not loss.requires_grad or not weights:
            return 0.0
        grads = torch.autograd.grad(loss, weights, allow_unused=True)
    return math.fsum(float((w.detach() * g).abs().double().sum()) for w, g in zip(weights, grads) if g is not None)


def snip(ctx, arch, prepared) -> float:
    return snip_score(*ctx.init_batch(arch), ctx.naswot_labels)
