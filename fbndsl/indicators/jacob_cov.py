"""jacob_cov (Mellor et al. 2020, "Neural Architecture Search without Training", the paper's first version), a
zero-cost baseline, with the conventions of NASLib and zero-cost-proxies (Abdelfattah et al. 2021).

One batch x of N images (the context's NASWOT batch) through the network at initialisation, BatchNorm in train
mode as those libraries run it. J is the gradient of the sum of all outputs with respect to x, one row per image,
flattened (N x D): the Jacobian of each image's summed logits. C = corrcoef(J), the N x N correlations of the
rows, with eigenvalues v; with k = 1e-5,

    jacob_cov = -sum_i ( log(v_i + k) + 1 / (v_i + k) )

Higher is better: the penalty is least when the eigenvalues are near 1, i.e. when the images' Jacobians are
uncorrelated (the network treats the images differently); correlated Jacobians give eigenvalues near 0 and a
large penalty. Computed in float64 with the symmetric eigensolver (C is symmetric; its eigenvalues are real).

A row that is constant (every entry equal: e.g. all zeros, a network that ignores its input) has no
correlation: C has NaN, and the score is -inf, the worst. So is a network whose output does not depend on the
input at all. BatchNorm statistics of the network at initialisation are put back afterwards, and no parameter
gradient is left behind (`torch.autograd.grad` with respect to the input only).
"""
from __future__ import annotations

import math

import torch

from ..lower.batchnorm import probing

K = 1e-5


def input_jacobian(model, images: torch.Tensor) -> torch.Tensor | None:
    """N x D: d(sum of model(images)) / d images, one flattened row per image (train mode); None when the output
    does not depend on the images."""
    with probing(model), torch.enable_grad():
        x = images.detach().clone().requires_grad_(True)
        y = model(x)
        if not y.requires_grad:
            return None
        (grad,) = torch.autograd.grad(y.sum(), x, allow_unused=True)
    return None if grad is None else grad.flatten(1)


def jacob_cov_score(jacobian: torch.Tensor | None, k: float = K) -> float:
    """-sum(log(v + k) + 1 / (v + k)) over the eigenvalues v of the rows' correlation matrix; -inf when a
    correlation is undefined (a constant row)."""
    if jacobian is None:
        return -math.inf
    corr = torch.corrcoef(jacobian.double())
    if bool(torch.isnan(corr).any()):
        return -math.inf
    v = torch.linalg.eigvalsh(corr)
    return -float(torch.sum(torch.log(v + k) + 1.0 / (v + k)))


def jacob_cov(ctx, arch, prepared) -> float:
    return jacob_cov_score(input_jacobian(*ctx.init_batch(arch)))
