"""MeCo (Jiang, Wang and Bie, NeurIPS 2023, "MeCo: Zero-Shot NAS with One Data and Single Forward Pass via Minimum
Eigenvalue of Correlation"), a zero-cost proxy.

For one image x and every layer i of the network at initialisation, f_i(x) is the layer's feature map, C_i
channels by H_i x W_i positions. P_i is the C_i x C_i Pearson correlation matrix of the channels (each channel's
H_i W_i values one variable, `torch.corrcoef` of the C_i x H_i W_i matrix), and

    MeCo = sum over layers i of  lambda_min(P_i)

Higher is better. The paper bounds the convergence rate of gradient descent and the generalisation gap of an
over-parameterised network by the smallest eigenvalue of these correlation matrices: channels that are nearly
linear combinations of each other give lambda_min near 0 (a flat, slow direction), independent channels give
lambda_min near 1. The sum grows with the number of layers that carry independent channels, so a deeper network
of useful operators scores higher.

Conventions, as the authors' code has them: a channel that is constant over its positions (e.g. a `none`
operator's zeros, a dead ReLU channel) has no correlation, and its NaN entries of P_i are set to 0, so such a
layer's lambda_min is at most 0; the network sees a batch in train mode (BatchNorm normalising with the batch's
statistics, as NASWOT and jacob_cov run it: here the context's NASWOT batch), and MeCo reads the feature maps of
its first image. Layers are the leaf modules (convolution, BatchNorm, ReLU, pooling, ...) that run, counted at
every call, whose output is a feature map of at least 2 channels and 2 positions (a map of one channel or one
position has no correlation matrix to speak of; in the authors' code its lambda_min is 0 and adds nothing).
Eigenvalues are computed in float64 with the symmetric eigensolver (P_i is symmetric). BatchNorm statistics of
the network at initialisation are put back afterwards.
"""
from __future__ import annotations

import torch
from torch import nn

from .observe import is_feature_map, leaf_modules, observed_pass


def min_eigenvalue(feature_map: torch.Tensor) -> float:
    """lambda_min of the channels' Pearson correlations of one image's feature map (C x H x W), NaN entries (a
    constant channel) taken as 0."""
    corr = torch.corrcoef(feature_map.detach().double().flatten(1))
    return float(torch.linalg.eigvalsh(torch.nan_to_num(corr, nan=0.0))[0])


def meco_score(model: nn.Module, images: torch.Tensor) -> float:
    """The sum over `model`'s layers of lambda_min for the first of `images` (the batch passes in train mode)."""
    values: list[float] = []

    def hook(_module, _inputs, output) -> None:
        if is_feature_map(output):
            values.append(min_eigenvalue(output[0]))

    observed_pass(model, images, leaf_modules(model), hook)
    return sum(values)


def meco(ctx, arch, prepared) -> float:
    return meco_score(*ctx.init_batch(arch))
