"""One probing forward pass with hooks on chosen modules: how MeCo reads a network's feature maps, gradient
explosion the maps it differentiates (and the studies of perf/ theirs). The pass runs in train mode and leaves no
trace (`probing`), and the hooks are removed even when it fails (`hooked`)."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import torch
from torch import nn

from ..lower.batchnorm import probing


def leaf_modules(model: nn.Module) -> list[nn.Module]:
    """The modules with no children: convolutions, BatchNorms, ReLUs, pooling, ..."""
    return [m for m in model.modules() if next(m.children(), None) is None]


def is_feature_map(output) -> bool:
    """A module's output that is a feature map: N x C x H x W with at least 2 channels and 2 positions (a global
    pool's N x C x 1 x 1 is not one)."""
    return isinstance(output, torch.Tensor) and output.dim() == 4 and output.shape[1] >= 2 \
        and output.shape[2] * output.shape[3] >= 2


@contextmanager
def hooked(modules: Iterable[nn.Module], hook: Callable, *, pre: bool = False) -> Iterator[None]:
    """`hook` on each of `modules` inside the block, removed on leaving it however it is left: a forward hook
    (module, inputs, output), or a forward pre-hook (module, inputs) when `pre`."""
    register = nn.Module.register_forward_pre_hook if pre else nn.Module.register_forward_hook
    handles = [register(m, hook) for m in modules]
    try:
        yield
    finally:
        for h in handles:
            h.remove()


def observed_pass(model: nn.Module, images: torch.Tensor, modules: Iterable[nn.Module], hook: Callable, *,
                  pre: bool = False) -> None:
    """`model(images)` without gradients, in train mode, with `hook` on each of `modules` (`hooked`)."""
    with hooked(modules, hook, pre=pre), probing(model), torch.no_grad():
        model(images)
