"""BatchNorm helpers of the training modes: bn-only freezing, BigNAS zero-init (listing and switching every
BatchNorm is `fbndsl.lower.batchnorm`'s)."""
from __future__ import annotations

import torch
from torch import nn

from ..ir import sym
from ..ir.graph import Node, SpaceIR
from ..ir.ops import AUTO, OpKind, mbconv_has_residual
from ..lower.batchnorm import batchnorms, final_batchnorm


def freeze_all_but_bn_affine(model: nn.Module) -> list[nn.Parameter]:
    """bn-only (FBN-NAS): every weight keeps its initial value; only BatchNorm gamma and beta learn.

    Frozen parameters get requires_grad=False, so autograd computes no gradient for them at all (cheaper than
    a zero learning rate, and a frozen weight provably never moves). Returns the parameters left to train.
    """
    affine = {id(p) for bn in batchnorms(model) if bn.affine for p in (bn.weight, bn.bias)}
    trainable = []
    for p in model.parameters():
        p.requires_grad_(id(p) in affine)
        if id(p) in affine:
            trainable.append(p)
    return trainable


# -- BigNAS zero-init: every residual block starts as the identity ---------------------------------------
def zero_init_residuals(supernet) -> list[str]:
    """Zero the last BatchNorm gamma of every residual block, so each block starts as the identity and a deep
    child trains like a shallow one (BigNAS). Residual blocks are mbconvs whose skip connection is active in
    some architecture, and the IR's `residual(...)` adds. Returns the names of the zeroed modules."""
    names = {id(m): n for n, m in supernet.named_modules()}
    zeroed = []
    for node, module in supernet.named_ops():
        if node.kind is OpKind.MBCONV and mbconv_residual_possible(supernet.ir, node):
            zeroed.append(_zero_gamma(module.bn3, names))
    for node in supernet.ir.nodes:
        if node.kind is OpKind.ADD and node.attr.get("residual"):
            bn = residual_body_bn(supernet, node)
            if bn is not None:
                zeroed.append(_zero_gamma(bn, names))
    return [n for n in zeroed if n is not None]


def _zero_gamma(bn: nn.Module, names: dict) -> str | None:
    if not bn.affine:
        return None
    with torch.no_grad():
        bn.weight.zero_()
    return names[id(bn)]


def mbconv_residual_possible(ir: SpaceIR, node: Node) -> bool:
    """Whether some architecture gives this mbconv its skip connection (the IR's rule, over every choice)."""
    keys = [k for k, _ in node.attrs]
    n = len(keys)

    def has(*vals) -> bool:
        return mbconv_has_residual(dict(zip(keys, vals[:n])), vals[n:n + 3], vals[n + 3:])

    if node.attr["res"] is not AUTO and not sym.is_sym(node.attr["res"]):
        return bool(node.attr["res"])
    try:
        r = sym.lift(has, *(v for _, v in node.attrs), *ir.shapes[node.inputs[0]], *ir.shapes[node.id])
    except sym.TooManyCombinations:
        return True  # too many to check one by one: a zero gamma on a plain block only slows it down a little
    return any(r.values()) if sym.is_sym(r) else bool(r)


def residual_body_bn(supernet, add: Node) -> nn.Module | None:
    """The last BatchNorm of a `residual(body)`: walk back from the add's body input through single-input
    nodes, stopping at the block's own input (whose BatchNorm belongs to the layer before)."""
    ir = supernet.ir
    node = ir.node(add.inputs[1])
    while node.id != add.inputs[0]:
        bn = final_batchnorm(node.kind, supernet.module_of(node))
        if bn is not None:
            return bn
        if len(node.inputs) != 1:
            return None
        node = ir.node(node.inputs[0])
    return None
