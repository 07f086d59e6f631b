"""BigNAS regularises only the largest child: weight decay and dropout would under-fit the small ones."""
from __future__ import annotations

from torch import nn

from ..ir.ops import OpKind


def dropout_modules(supernet) -> list[nn.Module]:
    """The supernet's dropout layers (the wrappers: `set_arch` rebuilds the inner nn.Dropout in their mode)."""
    return [m for node, m in supernet.named_ops() if node.kind is OpKind.DROPOUT]


def set_dropout(modules: list[nn.Module], on: bool) -> None:
    for m in modules:
        m.train(on)


def decayed_weights(supernet, arch) -> list[nn.Parameter]:
    """The weights the L2 term covers: conv and linear weights (not biases, not BatchNorm) of the modules the
    architecture uses, as whole tensors: the largest child takes the largest width and kernel of its elastic
    modules, so its slices are (in the shipped spaces) the whole tensors."""
    out, seen = [], set()
    for node in supernet.active_nodes(arch):
        module = supernet.module_of(node)
        if module is None:
            continue
        for p in module.parameters():
            if p.dim() > 1 and p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                out.append(p)
    return out
