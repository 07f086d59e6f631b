"""The operator library: one `OpKind` per primitive, its signature, output shape and cost.

Shape and cost functions are written for plain ints; `passes.infer_shapes` and `passes.cost` lift
them over choice-dependent values. Cost convention (NAS-Bench-201, torchvision, NAS papers that say
"FLOPs"): multiply-accumulates of conv and linear layers, plus one addition per output element of a
layer that has a bias. Pooling, BatchNorm, activations and additions count zero. Parameters count
learnable weights only (BatchNorm gamma/beta, not running statistics).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Act(Enum):
    RELU = "relu"
    RELU6 = "relu6"
    SWISH = "swish"
    HSWISH = "hswish"
    SIGMOID = "sigmoid"
    HSIGMOID = "hsigmoid"


class PType(Enum):
    """Type of an operator parameter, checked when a call is elaborated."""

    INT = "an integer"
    NUM = "a number"
    BOOL = "true or false"
    ACT = "an activation (" + ", ".join(a.value for a in Act) + ")"


class OpKind(Enum):
    # structural nodes, made by the compiler
    INPUT = "input"
    ADD = "add"
    CONCAT = "concat"
    SELECT = "select"
    # primitives, callable from .nas
    CONV = "conv"
    DWCONV = "dwconv"
    LINEAR = "linear"
    BN = "bn"
    RELU = "relu"
    RELU6 = "relu6"
    SWISH = "swish"
    HSWISH = "hswish"
    SIGMOID = "sigmoid"
    HSIGMOID = "hsigmoid"
    AVG_POOL = "avg_pool"
    MAX_POOL = "max_pool"
    GLOBAL_POOL = "global_pool"
    IDENTITY = "identity"
    ZERO = "zero"
    DROPOUT = "dropout"
    SE = "se"
    MBCONV = "mbconv"
    FACTORIZED_REDUCE = "factorized_reduce"


class ShapeError(Exception):
    """Raised by a shape function; the pass turns it into a located `NasError`."""


Shape = tuple  # (channels, height, width) of one sample; all ints here


@dataclass(frozen=True)
class Param:
    name: str
    ptype: PType
    default: Any = None  # None: required
    required: bool = False


@dataclass(frozen=True)
class OpSpec:
    kind: OpKind
    params: tuple[Param, ...]
    shape: Callable[[dict, Shape], Shape]
    cost: Callable[[dict, Shape, Shape], tuple[int, int]]
    ends_with_bn: bool = False
    doc: str = ""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


class Auto(Enum):
    """Default of `pad` and `res`: padding 'same' for the kernel; residual when the shape allows."""

    AUTO = "auto"


AUTO = Auto.AUTO


def make_divisible(v: float, divisor: int = 8) -> int:
    """torchvision's `_make_divisible`: round to a multiple of divisor, never below 90% of v."""
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


def _out_size(size: int, k: int, stride: int, pad: int, dilation: int = 1) -> int:
    if pad is AUTO:
        pad = dilation * (k - 1) // 2
    out = (size + 2 * pad - dilation * (k - 1) - 1) // stride + 1
    if out < 1:
        raise ShapeError(f"shrinks the {size}x{size} feature map below 1x1 (kernel {k}, stride {stride})")
    return out


def _positive(a: dict, *names: str) -> None:
    for name in names:
        if a[name] < 1:
            raise ShapeError(f"{name} must be at least 1, got {a[name]}")


def _conv_shape(a, s):
    c, h, w = s
    _positive(a, "out", "k", "stride", "dilation", "groups")
    if c % a["groups"] or a["out"] % a["groups"]:
        raise ShapeError(f"groups={a['groups']} must divide the input channels ({c}) and out ({a['out']})")
    return (a["out"], _out_size(h, a["k"], a["stride"], AUTO, a["dilation"]),
            _out_size(w, a["k"], a["stride"], AUTO, a["dilation"]))


def _conv_cost(a, s, o):
    weights = a["k"] * a["k"] * (s[0] // a["groups"]) * o[0]
    bias = o[0] if a["bias"] else 0
    return (weights + bias) * o[1] * o[2], weights + bias


def _dw_attrs(a, s):
    return dict(a, out=s[0], groups=s[0])


def _linear_shape(a, s):
    _positive(a, "out")
    if s[1:] != (1, 1):
        raise ShapeError(f"needs a 1x1 feature map, got {s[1]}x{s[2]}; add global_pool before it")
    return (a["out"], 1, 1)


def _linear_cost(a, s, o):
    n = s[0] * o[0] + (o[0] if a["bias"] else 0)
    return n, n


def _pool_shape(a, s):
    _positive(a, "k", "stride")
    if a["pad"] is not AUTO and not 0 <= a["pad"] <= a["k"] // 2:
        raise ShapeError(f"pad must be between 0 and half the kernel ({a['k'] // 2}), got {a['pad']}")
    return (s[0], _out_size(s[1], a["k"], a["stride"], a["pad"]), _out_size(s[2], a["k"], a["stride"], a["pad"]))


def _zero_shape(a, s):
    _positive(a, "stride")
    return (s[0], -(-s[1] // a["stride"]), -(-s[2] // a["stride"]))


def _se_shape(a, s):
    if a["ratio"] <= 0:
        raise ShapeError(f"ratio must be positive, got {a['ratio']}")
    return tuple(s)


def _dropout_shape(a, s):
    if not 0 <= a["p"] < 1:
        raise ShapeError(f"p is a probability in [0, 1), got {a['p']}")
    return tuple(s)


def se_width(c: int, ratio: float, divisor: int = 8) -> int:
    return make_divisible(c * ratio, divisor)


def _se_cost(c: int, ratio: float) -> int:
    sq = se_width(c, ratio)
    return 2 * c * sq + sq + c  # two 1x1 convs with bias on a 1x1 map: MACs == params


def mbconv_hidden(a, cin: int) -> int:
    return int(round(cin * a["e"]))


def _mbconv_shape(a, s):
    _positive(a, "out", "k", "stride")
    if a["e"] <= 0:
        raise ShapeError(f"expansion must be positive, got {a['e']}")
    if a["se_ratio"] <= 0:
        raise ShapeError(f"se_ratio must be positive, got {a['se_ratio']}")
    out = (a["out"], _out_size(s[1], a["k"], a["stride"], AUTO), _out_size(s[2], a["k"], a["stride"], AUTO))
    if a["res"] is not AUTO and a["res"] and out != tuple(s):
        raise ShapeError(f"res=true needs the block to keep its shape, but it maps {_fmt(s)} to {_fmt(out)}")
    return out


def _mbconv_cost(a, s, o):
    cin, hidden, cout = s[0], mbconv_hidden(a, s[0]), o[0]
    hw_in, hw_out = s[1] * s[2], o[1] * o[2]
    macs = params = 0
    if a["e"] != 1:
        macs += cin * hidden * hw_in
        params += cin * hidden + 2 * hidden
    macs += a["k"] * a["k"] * hidden * hw_out
    params += a["k"] * a["k"] * hidden + 2 * hidden
    if a["se"]:
        se = _se_cost(hidden, a["se_ratio"])
        macs, params = macs + se, params + se
    macs += hidden * cout * hw_out
    params += hidden * cout + 2 * cout
    return macs, params


def mbconv_has_residual(a: dict, s: Shape, o: Shape) -> bool:
    """torchvision's rule by default: stride 1 and unchanged channels; `res=` overrides."""
    if a["res"] is AUTO:
        return a["stride"] == 1 and tuple(s) == tuple(o)
    return bool(a["res"])


def _fr_shape(a, s):
    _positive(a, "out")
    if a["out"] % 2:
        raise ShapeError(f"needs an even out, got {a['out']}")
    if s[1] % 2 or s[2] % 2:
        raise ShapeError(f"needs an even feature map, got {s[1]}x{s[2]}")
    return (a["out"], s[1] // 2, s[2] // 2)


def _fr_cost(a, s, o):
    weights = 2 * s[0] * (o[0] // 2)
    return weights * o[1] * o[2], weights + 2 * o[0]


def _same(a, s):
    return tuple(s)


def _free(a, s, o):
    return 0, 0


def _bn_cost(a, s, o):
    return 0, (2 * s[0] if a["affine"] else 0)


def _fmt(s) -> str:
    return f"{s[0]}x{s[1]}x{s[2]}"


def _p(name, ptype, default=None, required=False):
    return Param(name, ptype, default, required)


_CONV_PARAMS = (_p("out", PType.INT, required=True), _p("k", PType.INT, 3), _p("stride", PType.INT, 1),
                _p("dilation", PType.INT, 1), _p("groups", PType.INT, 1), _p("bias", PType.BOOL, False))
_DW_PARAMS = (_p("k", PType.INT, 3), _p("stride", PType.INT, 1), _p("dilation", PType.INT, 1),
              _p("bias", PType.BOOL, False))
_POOL_PARAMS = (_p("k", PType.INT, 3), _p("stride", PType.INT, 1), _p("pad", PType.INT, AUTO))


def _act(kind: OpKind, doc: str) -> OpSpec:
    return OpSpec(kind, (), _same, _free, doc=doc)


SPECS: dict[OpKind, OpSpec] = {s.kind: s for s in (
    OpSpec(OpKind.CONV, _CONV_PARAMS, _conv_shape, _conv_cost, doc="2-d convolution, 'same' padding"),
    OpSpec(OpKind.DWCONV, _DW_PARAMS, lambda a, s: _conv_shape(_dw_attrs(a, s), s),
           lambda a, s, o: _conv_cost(_dw_attrs(a, s), s, o), doc="depthwise convolution"),
    OpSpec(OpKind.LINEAR, (_p("out", PType.INT, required=True), _p("bias", PType.BOOL, True)),
           _linear_shape, _linear_cost, doc="fully connected layer on a 1x1 map"),
    OpSpec(OpKind.BN, (_p("affine", PType.BOOL, True),), _same, _bn_cost, ends_with_bn=True,
           doc="BatchNorm2d"),
    _act(OpKind.RELU, "ReLU"), _act(OpKind.RELU6, "ReLU6"), _act(OpKind.SWISH, "swish / SiLU"),
    _act(OpKind.HSWISH, "hard swish"), _act(OpKind.SIGMOID, "sigmoid"), _act(OpKind.HSIGMOID, "hard sigmoid"),
    OpSpec(OpKind.AVG_POOL, _POOL_PARAMS, _pool_shape, _free, doc="average pooling (padding not counted)"),
    OpSpec(OpKind.MAX_POOL, _POOL_PARAMS, _pool_shape, _free, doc="max pooling"),
    OpSpec(OpKind.GLOBAL_POOL, (), lambda a, s: (s[0], 1, 1), _free, doc="global average pooling"),
    OpSpec(OpKind.IDENTITY, (), _same, _free, doc="identity (skip connection)"),
    OpSpec(OpKind.ZERO, (_p("stride", PType.INT, 1),), _zero_shape, _free, doc="zeros ('none')"),
    OpSpec(OpKind.DROPOUT, (_p("p", PType.NUM, 0.0),), _dropout_shape, _free, doc="dropout"),
    OpSpec(OpKind.SE, (_p("ratio", PType.NUM, 0.25),), _se_shape,
           lambda a, s, o: (_se_cost(s[0], a["ratio"]),) * 2, doc="squeeze-and-excitation"),
    OpSpec(OpKind.MBCONV, (_p("out", PType.INT, required=True), _p("k", PType.INT, 3), _p("e", PType.NUM, 6),
                           _p("stride", PType.INT, 1), _p("se", PType.BOOL, False), _p("act", PType.ACT, Act.RELU6),
                           _p("res", PType.BOOL, AUTO), _p("se_ratio", PType.NUM, 0.25)),
           _mbconv_shape, _mbconv_cost, ends_with_bn=True, doc="inverted bottleneck (MobileNetV2)"),
    OpSpec(OpKind.FACTORIZED_REDUCE, (_p("out", PType.INT, required=True),), _fr_shape, _fr_cost,
           ends_with_bn=True, doc="DARTS factorized reduce: two offset 1x1 stride-2 convs, concat, BN"),
)}

STRUCTURAL = frozenset({OpKind.INPUT, OpKind.ADD, OpKind.CONCAT, OpKind.SELECT})
PRIMITIVES: dict[str, OpSpec] = {k.value: s for k, s in SPECS.items()}
ACTIVATIONS = frozenset({OpKind.RELU, OpKind.RELU6, OpKind.SWISH, OpKind.HSWISH, OpKind.SIGMOID, OpKind.HSIGMOID})

assert not STRUCTURAL & set(SPECS)
