"""One renderer per operator kind: the modules a layer declares in `__init__` and its lines in `forward`.

Each renderer mirrors what the lowering builds for that kind (`fbndsl/lower/build.py`, `static.py`):
`parts` gives its plain `nn` modules, each with the path where the extracted static subnet keeps the same
weights (so `weights.pt` is a renaming of the extracted state dict); `forward` writes the computation one
operation per line. Contract of `forward`: it reads its inputs no later than the statement that first
assigns `out` (which may be the name of a dying input), and keeps other intermediates in its `tmp` names.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from ..ir.ops import AUTO, Act, OpKind, mbconv_has_residual, mbconv_hidden, se_width
from .layers import Layer
from .pycode import Assign, Call, Sum, kw, lit


@dataclass(frozen=True)
class Part:
    suffix: str        # appended to the layer's name ("" for a layer that is one module)
    static_path: str   # the same weights inside the extracted static module ("" for the module itself)
    ctor: Call         # e.g. nn.Conv2d(16, 16, 3, padding=1, bias=False)


Mods = Mapping[str, str]  # part suffix -> attribute name in the generated class

ACT_FN = {Act.RELU: "F.relu", Act.RELU6: "F.relu6", Act.SWISH: "F.silu", Act.HSWISH: "F.hardswish",
          Act.SIGMOID: "torch.sigmoid", Act.HSIGMOID: "F.hardsigmoid"}


def conv_ctor(cin: int, out: int, k: int, stride: int = 1, dilation: int = 1, groups: int = 1,
              bias: bool = False) -> Call:
    """nn.Conv2d with 'same' padding for the kernel and dilation, as the IR's conv (defaults left out)."""
    args = [lit(cin), lit(out), lit(k)]
    optional = (("stride", stride, 1), ("padding", dilation * (k - 1) // 2, 0), ("dilation", dilation, 1),
                ("groups", groups, 1), ("bias", bool(bias), True))
    args += [kw(name, value) for name, value, default in optional if value != default]
    return Call("nn.Conv2d", tuple(args))


def bn_ctor(c: int, affine: bool = True) -> Call:
    return Call("nn.BatchNorm2d", (lit(c),) if affine else (lit(c), kw("affine", False)))


def _self(mods: Mods, suffix: str = "") -> str:
    return f"self.{mods[suffix]}"


class Renderer(ABC):
    tag = ""  # the kind's word in attribute names (`stem_conv`); layers without modules have none

    def parts(self, layer: Layer) -> tuple[Part, ...]:
        """The plain nn modules the layer declares (none: a function of its input)."""
        return ()

    def scratch(self, layer: Layer) -> int:
        """How many temporary variables `forward` needs besides `out`."""
        return 0

    @abstractmethod
    def forward(self, layer: Layer, mods: Mods, ins: tuple[str, ...], out: str,
                tmp: tuple[str, ...]) -> list[Assign]:
        """The statements that compute `out` from the variables `ins`."""


class Conv(Renderer):
    tag = "conv"

    def parts(self, layer):
        a, s = layer.attrs, layer.in_shape
        return (Part("", "", conv_ctor(s[0], a["out"], a["k"], a["stride"], a["dilation"], a["groups"],
                                       a["bias"])),)

    def forward(self, layer, mods, ins, out, tmp):
        return [Assign(out, Call(_self(mods), ins))]


class DepthwiseConv(Conv):
    tag = "dwconv"

    def parts(self, layer):
        a, c = layer.attrs, layer.in_shape[0]
        return (Part("", "", conv_ctor(c, c, a["k"], a["stride"], a["dilation"], c, a["bias"])),)


class BatchNorm(Conv):
    tag = "bn"

    def parts(self, layer):
        return (Part("", "", bn_ctor(layer.in_shape[0], layer.attrs["affine"])),)


class Linear(Renderer):
    tag = "linear"

    def parts(self, layer):
        a = layer.attrs
        args = (lit(layer.in_shape[0]), lit(a["out"])) + (() if a["bias"] else (kw("bias", False),))
        return (Part("", "linear", Call("nn.Linear", args)),)  # static.FlatLinear keeps it as `.linear`

    def forward(self, layer, mods, ins, out, tmp):
        return [Assign(out, Call(_self(mods), (f"torch.flatten({ins[0]}, 1)",)))]


class Activation(Renderer):
    def __init__(self, act: Act):
        self.fn = ACT_FN[act]

    def forward(self, layer, mods, ins, out, tmp):
        return [Assign(out, Call(self.fn, ins))]


def _pad(a) -> int:
    return (a["k"] - 1) // 2 if a["pad"] is AUTO else a["pad"]


class AvgPool(Renderer):
    def forward(self, layer, mods, ins, out, tmp):
        a = layer.attrs  # padding not counted in the mean, as NAS-Bench-201 and DARTS
        return [Assign(out, Call("F.avg_pool2d", (ins[0], lit(a["k"]), kw("stride", a["stride"]),
                                                  kw("padding", _pad(a)), kw("count_include_pad", False))))]


class MaxPool(Renderer):
    def forward(self, layer, mods, ins, out, tmp):
        a = layer.attrs
        return [Assign(out, Call("F.max_pool2d", (ins[0], lit(a["k"]), kw("stride", a["stride"]),
                                                  kw("padding", _pad(a)))))]


class GlobalPool(Renderer):
    def forward(self, layer, mods, ins, out, tmp):
        return [Assign(out, Call("F.adaptive_avg_pool2d", (ins[0], "1")))]


class Zero(Renderer):
    """NAS-Bench-201/DARTS 'none': zeros, as the input times 0 (so NaN and inf propagate as there)."""

    def forward(self, layer, mods, ins, out, tmp):
        s = layer.attrs["stride"]
        x = ins[0] if s == 1 else f"{ins[0]}[:, :, ::{lit(s)}, ::{lit(s)}]"
        return [Assign(out, f"{x}.mul(0.0)")]


class Dropout(Renderer):
    def forward(self, layer, mods, ins, out, tmp):
        return [Assign(out, Call("F.dropout", (ins[0], kw("p", float(layer.attrs["p"])),
                                               "training=self.training")))]


def _se_lines(x: str, mods: Mods, prefix: str, act: Act, out: str, t: str) -> list[Assign]:
    """Squeeze-and-excitation: pool, 1x1 conv, activation, 1x1 conv, sigmoid gate on x."""
    return [Assign(t, Call("F.adaptive_avg_pool2d", (x, "1"))),
            Assign(t, Call(_self(mods, prefix + "reduce"), (t,))),
            Assign(t, Call(ACT_FN[act], (t,))),
            Assign(t, Call(_self(mods, prefix + "expand"), (t,))),
            Assign(out, f"{x} * torch.sigmoid({t})")]


def _se_parts(c: int, sq: int, prefix: str, static_prefix: str) -> tuple[Part, ...]:
    return (Part(prefix + "reduce", static_prefix + "reduce", conv_ctor(c, sq, 1, bias=True)),
            Part(prefix + "expand", static_prefix + "expand", conv_ctor(sq, c, 1, bias=True)))


class SqueezeExcite(Renderer):
    tag = "se"

    def parts(self, layer):
        c = layer.in_shape[0]
        return _se_parts(c, se_width(c, layer.attrs["ratio"]), "", "")

    def scratch(self, layer):
        return 1

    def forward(self, layer, mods, ins, out, tmp):
        return _se_lines(ins[0], mods, "", Act.RELU, out, tmp[0])  # a standalone se gates with ReLU inside


@dataclass(frozen=True)
class MBConvShape:
    """An mbconv in one architecture, by the rules of the IR (`ir/ops.py`) and the lowering."""

    cin: int
    hidden: int
    out: int
    k: int
    stride: int
    act: Act
    expand: bool
    se: bool
    sq: int
    residual: bool

    @staticmethod
    def of(layer: Layer) -> MBConvShape:
        a, s, o = layer.attrs, layer.in_shape, layer.out_shape
        hidden = mbconv_hidden(a, s[0])
        return MBConvShape(s[0], hidden, a["out"], a["k"], a["stride"], a["act"], a["e"] != 1, bool(a["se"]),
                           se_width(hidden, a["se_ratio"]), mbconv_has_residual(a, s, o))


class MBConv(Renderer):
    """Inverted bottleneck: [1x1 expand, BN, act], kxk depthwise, BN, act, [SE], 1x1 project, BN, [+ input]."""

    tag = "mbconv"

    def parts(self, layer):
        m = MBConvShape.of(layer)
        h = m.hidden
        expand = (Part("expand", "expand.0", conv_ctor(m.cin, h, 1)), Part("expand_bn", "expand.1", bn_ctor(h)))
        dw = (Part("dw", "dw.0", conv_ctor(h, h, m.k, m.stride, groups=h)), Part("dw_bn", "dw.1", bn_ctor(h)))
        se = _se_parts(h, m.sq, "se_", "se.") if m.se else ()
        project = (Part("project", "project.0", conv_ctor(h, m.out, 1)), Part("project_bn", "project.1",
                                                                             bn_ctor(m.out)))
        return (expand if m.expand else ()) + dw + se + project

    def scratch(self, layer):
        m = MBConvShape.of(layer)
        return int(m.residual) + int(m.se)

    def forward(self, layer, mods, ins, out, tmp):
        m = MBConvShape.of(layer)
        x, act = ins[0], ACT_FN[m.act]
        y = tmp[0] if m.residual else out  # the body must not overwrite an input the residual still adds
        lines, v = [], x
        if m.expand:
            lines += [Assign(y, Call(_self(mods, "expand"), (x,))), Assign(y, Call(_self(mods, "expand_bn"), (y,))),
                      Assign(y, Call(act, (y,)))]
            v = y
        lines += [Assign(y, Call(_self(mods, "dw"), (v,))), Assign(y, Call(_self(mods, "dw_bn"), (y,))),
                  Assign(y, Call(act, (y,)))]
        if m.se:
            lines += _se_lines(y, mods, "se_", m.act, y, tmp[-1])
        lines += [Assign(y, Call(_self(mods, "project"), (y,))), Assign(y, Call(_self(mods, "project_bn"), (y,)))]
        if m.residual:
            lines.append(Assign(out, Sum((x, y))))
        return lines


class FactorizedReduce(Renderer):
    """DARTS: ReLU, two 1x1 stride-2 convs offset by one pixel, concatenated, BN."""

    tag = "reduce"

    def parts(self, layer):
        cin, out = layer.in_shape[0], layer.attrs["out"]
        return (Part("conv1", "conv1", conv_ctor(cin, out // 2, 1, stride=2)),
                Part("conv2", "conv2", conv_ctor(cin, out // 2, 1, stride=2)), Part("bn", "bn", bn_ctor(out)))

    def scratch(self, layer):
        return 1

    def forward(self, layer, mods, ins, out, tmp):
        t = tmp[0]
        return [Assign(out, Call("F.relu", ins)),
                Assign(t, Call(_self(mods, "conv2"), (f"{out}[:, :, 1:, 1:]",))),
                Assign(out, Call(_self(mods, "conv1"), (out,))),
                Assign(out, Call("torch.cat", (f"[{out}, {t}]", "1"))),
                Assign(out, Call(_self(mods, "bn"), (out,)))]


class Add(Renderer):
    def forward(self, layer, mods, ins, out, tmp):
        return [Assign(out, Sum(ins)) if len(ins) > 1 else Assign(out, ins[0])]


class Concat(Renderer):
    def forward(self, layer, mods, ins, out, tmp):
        return [Assign(out, Call("torch.cat", (f"[{', '.join(ins)}]", "1")))]


RENDERERS: dict[OpKind, Renderer] = {
    OpKind.CONV: Conv(), OpKind.DWCONV: DepthwiseConv(), OpKind.BN: BatchNorm(), OpKind.LINEAR: Linear(),
    OpKind.AVG_POOL: AvgPool(), OpKind.MAX_POOL: MaxPool(), OpKind.GLOBAL_POOL: GlobalPool(), OpKind.ZERO: Zero(),
    OpKind.DROPOUT: Dropout(), OpKind.SE: SqueezeExcite(), OpKind.MBCONV: MBConv(),
    OpKind.FACTORIZED_REDUCE: FactorizedReduce(), OpKind.ADD: Add(), OpKind.CONCAT: Concat(),
    **{OpKind(act.value): Activation(act) for act in Act},
}


# Every kind but those `layers` turns into aliases (and the input, which is forward's argument) has a renderer.
assert set(RENDERERS) == set(OpKind) - {OpKind.INPUT, OpKind.SELECT, OpKind.IDENTITY}


def renderer(kind: OpKind) -> Renderer:
    return RENDERERS[kind]
