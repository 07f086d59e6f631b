"""One optimiser step's forward and backward passes: single-path modes and BigNAS' sandwich.

Each path's loss is back-propagated as soon as it is computed, so only one path's graph is alive at a time;
the gradients of all the step's paths accumulate (are summed, as FairNAS and BigNAS do) before the single
`optimizer.step()` the loop makes afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..lower.runtime import at_resolution
from . import losses
from .regularise import set_dropout


@dataclass
class StepStats:
    """Sums over the step, kept as tensors so that nothing waits for the device until a log line is due."""

    loss: torch.Tensor   # the reported loss (see each step function)
    correct: torch.Tensor
    seen: int            # samples behind `correct`


def single_path_step(supernet, paths, x: torch.Tensor, y: torch.Tensor) -> StepStats:
    """bn-only and full: every path learns from the labels. Reports the mean loss and accuracy of the paths."""
    total, right = x.new_zeros(()), x.new_zeros((), dtype=torch.long)
    for arch in paths:
        logits = supernet(at_resolution(x, supernet, arch), arch)
        loss = losses.cross_entropy(logits, y)
        if loss.requires_grad:  # a path with no trainable parameter (bn-only, no BatchNorm on it) has nothing to learn
            loss.backward()
        total, right = total + loss.detach(), right + losses.correct(logits.detach(), y)
    return StepStats(total / len(paths), right, len(y) * len(paths))


def sandwich_step(supernet, children, x: torch.Tensor, y: torch.Tensor, config, decayed, dropouts) -> StepStats:
    """single-stage: `children[0]` is the largest child. It alone sees the labels (with distillation on), the
    L2 term and dropout; the others learn from its detached softmax. Reports the largest child's loss and
    accuracy on the labels (the only child that has them)."""
    largest = children[0]
    x = at_resolution(x, supernet, largest) if config.multires else x  # same patch, taken at the largest resolution
    teacher, reported = None, None
    for i, arch in enumerate(children):
        set_dropout(dropouts, i == 0)
        logits = supernet(at_resolution(x, supernet, arch), arch)
        if i == 0 or not config.distill:
            loss = losses.cross_entropy(logits, y)
        else:
            loss = losses.soft_cross_entropy(logits, teacher)
        if i == 0:
            reported = (loss.detach(), losses.correct(logits.detach(), y))
            teacher = F.softmax(logits.detach(), dim=1)
            if config.weight_decay and decayed:
                loss = loss + config.weight_decay * losses.l2_penalty(decayed)
        loss.backward()
    set_dropout(dropouts, True)
    return StepStats(reported[0], reported[1], len(y))
