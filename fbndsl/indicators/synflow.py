"""Synflow (Tanaka et al. 2020, "Pruning neural networks without any data by iteratively conserving synaptic
flow"), a zero-cost baseline, as zero-cost-proxies (Abdelfattah et al. 2021) scores architectures with it:

on a copy of the subnet at initialisation, in float64, with every BatchNorm made the identity (their `bn=False`)
and every parameter replaced by its absolute value, R = sum of the output for an all-ones input of one image
(1 x C x H x W); the score is sum over convolution and linear weights of |w * dR/dw|. Biases are not scored.

ReLU6 becomes ReLU for the score. Synflow's argument (the flow through every layer is conserved) holds for
positively homogeneous activations, and with absolute weights and an all-ones input every activation is
positive and grows layer by layer: ReLU6 clamps them all at 6, so R, and with it every architecture's score,
no longer depends on anything before the last clamp (MobileNet's space: one score, 1248, for every
architecture). ReLU is the clamp's homogeneous part, and what the paper's networks use.

The raw float64 value is returned (deep networks give large numbers: NAS-Bench-201's largest architecture about
1e66, far below float64's 1.8e308); an overflow would give inf, which ranks first alongside any other inf.
"""
from __future__ import annotations

import copy
import math

import torch
from torch import nn

from ..lower import extract
from ..lower.batchnorm import BatchNorm


def without_batchnorm(model: nn.Module) -> nn.Module:
    """`model` with every BatchNorm submodule replaced by nn.Identity, in place."""
    for name, child in model.named_children():
        if isinstance(child, BatchNorm):
            setattr(model, name, nn.Identity())
        else:
            without_batchnorm(child)
    return model


def unclamped(model: nn.Module) -> nn.Module:
    """`model` with every ReLU6 replaced by ReLU, in place (the module docstring says why)."""
    for name, child in model.named_children():
        if isinstance(child, nn.ReLU6):
            setattr(model, name, nn.ReLU())
        else:
            unclamped(child)
    return model


def synflow_score(model: nn.Module, input_shape: tuple[int, ...]) -> float:
    """The synflow score of `model` (left untouched) for one input of shape `input_shape` (C, H, W)."""
    net = unclamped(without_batchnorm(copy.deepcopy(model))).double().eval()  # eval: no dropout
    device = next(net.parameters()).device
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    for p in net.parameters():
        p.requires_grad_(True)
        p.grad = None
    net(torch.ones((1, *input_shape), dtype=torch.float64, device=device)).sum().backward()
    layers = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear)) and m.weight.grad is not None]
    return math.fsum(float((m.weight * m.weight.grad).detach().abs().sum()) for m in layers)


def synflow(ctx, arch, prepared) -> float:
    net = ctx.init_net
    return synflow_score(extract(net, arch), net.input_shape(arch))
