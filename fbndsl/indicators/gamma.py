"""The gamma indicator of BN-NAS (Chen et al. 2021), a baseline: for each operator choice of the architecture,
the mean |gamma| of the BatchNorm right after the chosen candidate; the indicator is the mean over choices.

"Right after the chosen candidate" is read off the IR exactly as the fairness pass decides whether a candidate
ends in a BatchNorm: the candidate's last node is a BatchNorm (or an mbconv / factorized_reduce, which end in
one), or the BatchNorm the fairness pass inserted after it. A candidate without one (with `--fairness off`:
skip, pooling; always: `zero`) scores 0, as in BN-NAS, whose BatchNorms followed convolutions only. Every
instance of a choice counts (NAS-Bench-201's 15 cells share one genotype: 90 instances of its 6 choices).
BN-NAS sums over layers; the mean ranks alike when the number of layers is fixed and stays comparable when
it is not. A space without operator choices falls back to the mean |gamma| over all the subnet's BatchNorms.
"""
from __future__ import annotations

import math

from torch import nn

from ..ir.graph import Node, cond_holds
from ..ir.ops import OpKind
from ..lower.batchnorm import final_batchnorm


def mean_abs_gamma(bn) -> float:
    """Mean |gamma| over the active channels (a BatchNorm without affine parameters scales by 1)."""
    if not bn.affine:
        return 1.0
    c = getattr(bn, "c", bn.num_features)
    return float(bn.weight[:c].detach().double().abs().mean())


def op_choices(supernet, arch) -> list[Node]:
    """The active SELECT nodes of operator choices: one per instance of each choice."""
    return [n for n in supernet.active_nodes(arch) if n.kind is OpKind.SELECT and n.attr.get("reason") == "op"]


def candidate_bn(supernet, select: Node, arch) -> nn.Module | None:
    """The BatchNorm that ends the candidate `select` passes on for `arch`, or None."""
    node = supernet.ir.node(_active_input(select, arch))
    while node.kind is OpKind.SELECT and _inside(node, select):  # a nested choice: follow its active input
        node = supernet.ir.node(_active_input(node, arch))
    if not _inside(node, select):  # a shared node before the choice is not its BN
        return None
    return final_batchnorm(node.kind, supernet.module_of(node))


def _active_input(select: Node, arch) -> int:
    values = arch.as_dict()
    active = [i for i, c in zip(select.inputs, select.input_conds) if cond_holds(c, values)]
    assert len(active) == 1, (select, active)
    return active[0]


def _inside(node: Node, select: Node) -> bool:
    """Whether `node` belongs to a candidate of `select`: it is active only under that choice."""
    return any(label == select.label for label, _ in node.cond)


def gamma_indicator(supernet, arch, batchnorms) -> float:
    """`batchnorms`: the subnet's BatchNorms, for the fallback when the space has no operator choice."""
    choices = op_choices(supernet, arch)
    if not choices:
        return math.fsum(map(mean_abs_gamma, batchnorms)) / len(batchnorms) if batchnorms else math.nan
    bns = [candidate_bn(supernet, s, arch) for s in choices]
    return math.fsum(mean_abs_gamma(bn) if bn is not None else 0.0 for bn in bns) / len(bns)


def gamma(ctx, arch, prepared) -> float:
    cal = prepared.calibrated
    return gamma_indicator(ctx.supernet, cal.arch, cal.batchnorms)
