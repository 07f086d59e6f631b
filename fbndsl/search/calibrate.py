"""Prepare the trained supernet for one architecture: select it, recalibrate its BatchNorm statistics, and
note which BatchNorms the subnet actually runs (FBN-NAS measures its indicators after recalibration).

The subnet's BatchNorms are found by running it, not by reading the IR: an mbconv with expansion 1 skips its
first BatchNorm, and only a forward pass says so without duplicating each module's rules.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from torch import nn

from ..ir.choices import Arch
from ..lower import recalibrate_bn
from ..train.step import at_resolution


@dataclass(frozen=True)
class Calibrated:
    arch: Arch
    batchnorms: tuple[nn.modules.batchnorm._BatchNorm, ...]  # the subnet's BatchNorms, in call order, once each


def calibrate(ctx, arch: Arch) -> Calibrated:
    """Select `arch` on ctx.supernet, recalibrate on ctx.recal (at the arch's resolution); leaves it in eval mode."""
    net = ctx.supernet
    net.set_arch(arch)
    with called_batchnorms(net) as called:
        recalibrate_bn(net, (at_resolution(x, net, arch) for x in ctx.recal))
    net.eval()
    return Calibrated(arch, tuple(called))


@contextmanager
def called_batchnorms(model: nn.Module) -> Iterator[list]:
    """The BatchNorm modules of `model` that run inside the block, in the order they first run."""
    seen: dict[int, nn.Module] = {}
    hooks = [m.register_forward_pre_hook(lambda mod, _: seen.setdefault(id(mod), mod))
             for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    out: list = []
    try:
        yield out
    finally:
        for h in hooks:
            h.remove()
        out.extend(seen.values())


def bn_state(batchnorms) -> list[dict]:
    """A copy of the running statistics of `batchnorms`, for `restore_bn_state`."""
    return [{k: v.clone() for k, v in bn.named_buffers()} for bn in batchnorms]


def restore_bn_state(batchnorms, state: list[dict]) -> None:
    for bn, saved in zip(batchnorms, state):
        for k, v in bn.named_buffers():
            v.copy_(saved[k])
