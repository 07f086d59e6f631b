"""One probing forward pass with hooks on chosen modules: how MeCo reads a network's feature maps (and the studies
of perf/ theirs). The pass runs in train mode and leaves no trace (`probing`), and the hooks are removed even when
it fails."""
from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

from ..lower.batchnorm import probing


def leaf_modules(model: nn.Module) -> list[nn.Module]:
    """The modules with no children: convolutions, BatchNorms, ReLUs, pooling, ..."""
    return [m for m in model.modules() if next(m.children(), None) is None]


def observed_pass(model: nn.Module, images: torch.Tensor, modules: Iterable[nn.Module], hook: Callable, *,
                  pre: bool = False) -> None:
    """`model(images)` without gradients, in train mode, with `hook` on each of `modules`: a forward hook
    (module, inputs, output), or a forward pre-hook (module, inputs) when `pre`."""
    register = nn.Module.register_forward_pre_hook if pre else nn.Module.register_forward_hook
    handles = [register(m, hook) for m in modules]
    try:
        with probing(model), torch.no_grad():
            model(images)
    finally:
        for h in handles:
            h.remove()
