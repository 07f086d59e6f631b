"""Expressivity (FBN-NAS): the top-1 accuracy of the subnet, with the supernet's shared weights and its own
recalibrated BatchNorm statistics, on the context's held-out images (the data's test split)."""
from __future__ import annotations

import torch

from ..lower.runtime import at_resolution

EVAL_CHUNK = 64  # images per forward pass: bounds memory, fastest on CPU; eval-mode outputs do not depend on it


def predict(model, images: torch.Tensor) -> torch.Tensor:
    """Logits of `images`, in chunks, without gradients."""
    with torch.no_grad():
        return torch.cat([model(x) for x in images.split(EVAL_CHUNK)])


def accuracy(model, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of `images` whose highest logit is the label (ties: the first class, as argmax)."""
    return float((predict(model, images).argmax(dim=1) == labels).double().mean())


def expressivity(ctx, arch, prepared) -> float:
    cal = prepared.calibrated
    net = ctx.supernet
    return accuracy(net, at_resolution(ctx.held_out[0], net, cal.arch), ctx.held_out[1])
