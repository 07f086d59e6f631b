"""Losses of a training step: labels, in-place distillation, and the largest child's L2 term."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits, labels)


def soft_cross_entropy(logits: torch.Tensor, target_probs: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against soft targets: KL(target || student) plus the targets' entropy, a constant, so
    the gradient is KL's. BigNAS' in-place distillation: targets are the largest child's detached softmax."""
    return -(target_probs * F.log_softmax(logits, dim=1)).sum(dim=1).mean()


def l2_penalty(weights: list[torch.Tensor]) -> torch.Tensor:
    """0.5 * sum of squares: its gradient is the weight itself, as SGD's `weight_decay` adds."""
    return 0.5 * sum(w.pow(2).sum() for w in weights)


def correct(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Number of right top-1 predictions, as a tensor (no device sync until someone reads it)."""
    return (logits.argmax(dim=1) == labels).sum()
