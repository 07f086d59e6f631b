"""Uncertainty (FBN-NAS), by Monte-Carlo BatchNorm (Teye et al. 2018).

BatchNorm trained with random mini-batches is a stochastic layer; predicting with the statistics of one random
training mini-batch samples from it. T passes: in pass t every BatchNorm takes the statistics of training batch
b_t (those it computes in train mode, stored as running statistics are: mean and unbiased variance), then the
held-out images are predicted in eval mode. The b_t are T of the recalibration batches drawn at random (without
replacement while there are enough), and their statistics were recorded while recalibrating (`calibrate`).

The indicator is the predictive variance: for each held-out image, the variance over the T passes of each class
probability (population variance, divided by T), summed over classes (the trace of the predictive covariance);
then the mean over images. Lower is better: a subnet whose prediction barely depends on the batch is more
certain.

A network whose output ignores its input (`Space.reads_input`: e.g. a NAS-Bench-201 cell whose output node is
fed only through `none` edges) predicts one constant for every image, so its variance over passes is 0, the
"best" score, though it predicts nothing. It scores +inf (the worst), as trainability does:
Monte-Carlo BatchNorm measures how much a prediction from the input varies, and there is none to measure.
"""
from __future__ import annotations

import math

import torch

from ..lower.batchnorm import state_kept
from ..lower.runtime import at_resolution
from .expressivity import predict


def predictive_variance(probs: torch.Tensor) -> float:
    """probs: T x N x K softmax outputs -> mean over N of the sum over K of the (population) variance over T."""
    return float(probs.double().var(dim=0, correction=0).sum(dim=1).mean())


def set_running_stats(batchnorms, stats: dict) -> None:
    """Each BatchNorm's running statistics (its active channels) := `stats[id(bn)]`."""
    with torch.no_grad():
        for bn in batchnorms:
            mean, var = stats[id(bn)]
            bn.running_mean[:len(mean)].copy_(mean)
            bn.running_var[:len(var)].copy_(var)


def mc_batchnorm_probs(model, batchnorms, pass_stats, images: torch.Tensor) -> torch.Tensor:
    """T x N x K: the class probabilities of `images` (eval mode) with each pass's BatchNorm statistics in turn."""
    model.eval()
    probs = []
    for stats in pass_stats:
        set_running_stats(batchnorms, stats)
        probs.append(torch.softmax(predict(model, images), dim=1))
    return torch.stack(probs)


def uncertainty(ctx, arch, prepared) -> float:
    """The passes overwrite the recalibrated statistics; they are put back, so the order of indicators is free."""
    cal = prepared.calibrated
    if not ctx.space.reads_input(cal.arch):
        return math.inf
    net = ctx.supernet
    with state_kept(cal.batchnorms):
        probs = mc_batchnorm_probs(net, cal.batchnorms, [cal.batch_stats[t] for t in ctx.mc_batches],
                                   at_resolution(ctx.held_out[0], net, cal.arch))
    return predictive_variance(probs)
