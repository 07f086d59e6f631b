"""From an IR node to its elastic module (sized for the largest architecture), and its configuration
for one architecture. One entry per operator kind; structural nodes (select, add, concat, identity)
have no module: they become graph edges or functions."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from torch import nn

from ..ir.graph import Node, SpaceIR, in_shape, node_attrs, out_shape
from ..ir.ops import AUTO, Act, OpKind, mbconv_has_residual, mbconv_hidden, se_width
from . import modules as M
from . import static as S
from .values import max_over, maximum

NO_MODULE = frozenset({OpKind.INPUT, OpKind.ADD, OpKind.CONCAT, OpKind.SELECT, OpKind.IDENTITY})


def _cin(ir: SpaceIR, node: Node):
    return ir.shapes[node.inputs[0]].c


def _conv(ir, node):
    a = node.attr
    per_group = max_over(lambda c, g: c // g, _cin(ir, node), a["groups"])
    return M.ElasticConv2d(maximum(_cin(ir, node)), maximum(a["out"]), maximum(a["k"]), bool(maximum(a["bias"])),
                           max_in_per_group=per_group)


def _dwconv(ir, node):
    a, cin = node.attr, maximum(_cin(ir, node))
    return M.ElasticConv2d(cin, cin, maximum(a["k"]), bool(maximum(a["bias"])), depthwise=True)


def _hidden(e, c):
    return mbconv_hidden({"e": e}, c)


def _mbconv(ir, node):
    a, cin = node.attr, _cin(ir, node)
    hidden = max_over(_hidden, a["e"], cin)
    sq = max_over(lambda e, c, r: se_width(_hidden(e, c), r), a["e"], cin, a["se_ratio"])
    es = a["e"].values() if hasattr(a["e"], "values") else {a["e"]}
    ses = a["se"].values() if hasattr(a["se"], "values") else {a["se"]}
    act = a["act"] if isinstance(a["act"], Act) else next(iter(a["act"].values()))
    return M.ElasticMBConv(maximum(cin), hidden, maximum(a["out"]), maximum(a["k"]), sq, act,
                           has_expand=any(e != 1 for e in es), has_se=any(ses))


MAKERS: dict[OpKind, Callable[[SpaceIR, Node], nn.Module]] = {
    OpKind.CONV: _conv,
    OpKind.DWCONV: _dwconv,
    OpKind.LINEAR: lambda ir, n: M.ElasticLinear(maximum(_cin(ir, n)), maximum(n.attr["out"]),
                                                 bool(maximum(n.attr["bias"]))),
    OpKind.BN: lambda ir, n: M.ElasticBatchNorm2d(maximum(_cin(ir, n)), bool(maximum(n.attr["affine"]))),
    OpKind.AVG_POOL: lambda ir, n: M.Pool("avg"),
    OpKind.MAX_POOL: lambda ir, n: M.Pool("max"),
    OpKind.GLOBAL_POOL: lambda ir, n: S.GlobalPool(),
    OpKind.ZERO: lambda ir, n: M.Configurable(lambda stride=1: S.Zero(stride)),
    OpKind.DROPOUT: lambda ir, n: M.Configurable(lambda p=0.0: nn.Dropout(p)),
    OpKind.SE: lambda ir, n: M.ElasticSE(maximum(_cin(ir, n)),
                                         max_over(lambda c, r: se_width(c, r), _cin(ir, n), n.attr["ratio"])),
    OpKind.MBCONV: _mbconv,
    OpKind.FACTORIZED_REDUCE: lambda ir, n: M.ElasticFactorizedReduce(maximum(_cin(ir, n)), maximum(n.attr["out"])),
}
for _act in Act:
    MAKERS[OpKind(_act.value)] = lambda ir, n, _a=_act: M.activation(_a)


def make_module(ir: SpaceIR, node: Node) -> nn.Module | None:
    return None if node.kind in NO_MODULE else MAKERS[node.kind](ir, node)


def _pad(a) -> int:
    return (a["k"] - 1) // 2 if a["pad"] is AUTO else a["pad"]


def configure(module: nn.Module, ir: SpaceIR, node: Node, arch: Mapping[str, Any]) -> None:
    """Set the module to the sizes this architecture gives the node."""
    a, s = node_attrs(node, arch), in_shape(ir, node, arch)
    kind = node.kind
    if kind is OpKind.CONV:
        module.configure(s[0], a["out"], a["k"], a["stride"], a["dilation"], a["groups"])
    elif kind is OpKind.DWCONV:
        module.configure(s[0], s[0], a["k"], a["stride"], a["dilation"])
    elif kind is OpKind.LINEAR:
        module.configure(s[0], a["out"])
    elif kind is OpKind.BN:
        module.configure(s[0])
    elif kind in (OpKind.AVG_POOL, OpKind.MAX_POOL):
        module.configure(a["k"], a["stride"], _pad(a))
    elif kind is OpKind.ZERO:
        module.configure(stride=a["stride"])
    elif kind is OpKind.DROPOUT:
        module.configure(p=a["p"])
    elif kind is OpKind.SE:
        module.configure(s[0], se_width(s[0], a["ratio"]))
    elif kind is OpKind.MBCONV:
        hidden, o = _hidden(a["e"], s[0]), out_shape(ir, node, arch)
        module.configure(s[0], hidden, a["out"], a["k"], a["stride"], bool(a["se"]), se_width(hidden, a["se_ratio"]),
                         mbconv_has_residual(a, s, o), a["e"] != 1, a["act"])
    elif kind is OpKind.FACTORIZED_REDUCE:
        module.configure(s[0], a["out"])


