"""Uncertainty (FBN-NAS), by Monte-Carlo BatchNorm (Teye et al. 2018).

BatchNorm trained with random mini-batches is a stochastic layer; predicting with the statistics of one random
training mini-batch samples from it. T passes: in pass t every BatchNorm takes the statistics of training batch
b_t (run through in train mode, as a cumulative average over that one batch), then the held-out images are
predicted in eval mode. The indicator is the predictive variance: for each image, the variance over the T
passes of each class probability, summed over classes (the trace of the predictive covariance); then the
mean over images. Lower is better: a subnet whose prediction barely depends on the batch is more certain.
"""
from __future__ import annotations

import torch

from ..lower import recalibrate_bn
from ..train.step import at_resolution
from .calibrate import bn_state, restore_bn_state
from .expressivity import predict


def predictive_variance(probs: torch.Tensor) -> float:
    """probs: T x N x K softmax outputs -> mean over N of the sum over K of the (population) variance over T."""
    return float(probs.double().var(dim=0, unbiased=False).sum(dim=1).mean())


def mc_batchnorm_probs(model, batches, images: torch.Tensor) -> torch.Tensor:
    """T x N x K: the class probabilities of `images` with BatchNorm statistics of each batch in turn."""
    probs = []
    for batch in batches:
        recalibrate_bn(model, [batch])  # this batch's statistics alone (momentum None over one batch)
        model.eval()
        probs.append(torch.softmax(predict(model, images), dim=1))
    return torch.stack(probs)


def uncertainty(ctx, arch, cal) -> float:
    """The passes overwrite the recalibrated statistics; they are put back, so the order of indicators is free."""
    net = ctx.supernet
    saved = bn_state(cal.batchnorms)
    try:
        probs = mc_batchnorm_probs(net, [at_resolution(b, net, cal.arch) for b in ctx.mc_batches],
                                   at_resolution(ctx.held_out[0], net, cal.arch))
    finally:
        restore_bn_state(cal.batchnorms, saved)
        net.eval()
    return predictive_variance(probs)
