"""NASWOT (Mellor et al. 2021, "Neural Architecture Search without Training"), a zero-cost baseline.

One batch of N images through the network at initialisation (BatchNorm in train mode, as the paper's code runs
it). Every ReLU unit gives each image one bit, whether the unit's input is positive; the bits of all units,
concatenated, are the image's binary code c (length N_A). The kernel K_ij = N_A - Hamming(c_i, c_j), i.e.
c_i.c_j + (1 - c_i).(1 - c_j), counts the units on which two images agree; the score is log|det K|. Images that
the network separates into different linear regions make K closer to diagonal and the score larger.

ReLU units are the inputs of ReLU and ReLU6 modules (the paper's code hooks every module whose class name
contains "ReLU"), counted at every call (an mbconv calls its activation twice), and the ReLU a DARTS
factorized_reduce applies to its input. Other activations (swish, ...) have no binary code and are skipped.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from ..lower.modules import ElasticFactorizedReduce
from ..lower.static import FactorizedReduce
from .observe import hooked

_EXACT_F32 = 1 << 24  # integers up to 2^24 are exact in float32
_RELU_INPUT = (nn.ReLU, nn.ReLU6, ElasticFactorizedReduce, FactorizedReduce)


def code_kernel(codes: torch.Tensor) -> torch.Tensor:
    """K = c c^T + (1 - c)(1 - c)^T for binary codes c (N x ...), as float64.

    Computed as 2 c c^T - r_i - r_j + n (r: ones per code, n: code length), one matrix product instead of two,
    in float32, which is exact: every partial sum is an integer below 2^24 (hence the chunks of units)."""
    c = codes.flatten(1)
    k = torch.zeros(c.shape[0], c.shape[0], dtype=torch.float64, device=c.device)
    for part in c.split(_EXACT_F32, dim=1):
        part = part.float()
        rows = part.sum(dim=1, dtype=torch.float64)
        k += 2 * (part @ part.T).double() - rows[:, None] - rows[None, :] + part.shape[1]
    return k


@contextmanager
def relu_kernel(model: nn.Module) -> Iterator[list]:
    """Accumulates, over the forward passes inside the block, the kernel of the ReLU codes; yields [K]."""
    acc: list = []

    def hook(_module, inputs) -> None:
        k = code_kernel(inputs[0] > 0)
        acc[:] = [acc[0] + k] if acc else [k]

    with hooked([m for m in model.modules() if isinstance(m, _RELU_INPUT)], hook, pre=True):
        yield acc


def naswot_score(model: nn.Module, images: torch.Tensor) -> float:
    """log|det K| of `model` on `images` (train mode); -inf when K is singular (e.g. no ReLU units)."""
    was_training = model.training
    model.train()
    try:
        with relu_kernel(model) as acc, torch.no_grad():
            model(images)
    finally:
        model.train(was_training)
    if not acc:
        return float("-inf")
    return float(torch.linalg.slogdet(acc[0]).logabsdet)


def naswot(ctx, arch, prepared) -> float:
    return naswot_score(*ctx.init_batch(arch))
