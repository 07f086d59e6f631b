"""DARTS's auxiliary head, as an export option: `fbndsl export --aux-head reduce2`.

DARTS trains its evaluation network (C=36, 20 cells) with an auxiliary classifier on the output of the cell
at two thirds of the depth, its loss weighted 0.4; the head is dropped for inference and is not in the
published parameter counts (DARTS_V2: 3,349,342 without it). It is not part of the search space, so it is not
in the `.nas` file: the export adds it after the statement the user names, as `AuxiliaryHeadCIFAR` of the
reference code (quark0/darts, cnn/model.py): ReLU, 5x5 average pooling with stride 3, a 1x1 convolution to
128 channels, BatchNorm, ReLU, a 2x2 convolution to 768, BatchNorm, ReLU, a linear classifier. It expects an
8x8 feature map (CIFAR's 32x32 input after two reductions), which the pooling and the 2x2 convolution bring to
1x1. One deliberate difference: the reference's first ReLU is in place, which overwrites the cell output the
next cells read; here it is not.

The generated class takes `auxiliary=False`: `Model()` is the network as published (and what weights.pt
holds), `Model(auxiliary=True)` adds the head, freshly initialised, for training from scratch, and then returns
`(logits, aux_logits)` in training mode and `logits` in eval mode.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import UserError
from ..syntax.shipped import shown_name

POOL_K, POOL_STRIDE, MID, WIDE, WIDE_K = 5, 3, 128, 768, 2
AUX_ATTR = "aux_head"  # the attribute of the generated class; no layer of the space takes this name


@dataclass(frozen=True)
class AuxHead:
    at: str                       # the statement (a top-level label of the network) it reads
    step: int                     # index of the plan step whose output it reads
    in_shape: tuple[int, int, int]
    classes: int

    @property
    def params(self) -> int:
        c = self.in_shape[0]
        return c * MID + 2 * MID + MID * WIDE * WIDE_K * WIDE_K + 2 * WIDE + WIDE * self.classes + self.classes

    def layers(self) -> list[str]:
        c = self.in_shape[0]
        return ["nn.ReLU()", f"nn.AvgPool2d({POOL_K}, stride={POOL_STRIDE}, padding=0, count_include_pad=False)",
                f"nn.Conv2d({c}, {MID}, 1, bias=False)", f"nn.BatchNorm2d({MID})", "nn.ReLU()",
                f"nn.Conv2d({MID}, {WIDE}, {WIDE_K}, bias=False)", f"nn.BatchNorm2d({WIDE})", "nn.ReLU()",
                "nn.Flatten()", f"nn.Linear({WIDE}, {self.classes})"]

    def init_lines(self, indent: str, step: str) -> list[str]:
        """`self.aux_head = None`, then the head when `auxiliary` (one layer per line: they are long)."""
        inner = indent + step
        return [f"{indent}self.{AUX_ATTR} = None", f"{indent}if auxiliary:",
                f"{inner}self.{AUX_ATTR} = nn.Sequential(", *(f"{inner}{step}{layer}," for layer in self.layers()),
                f"{inner})"]

    def to_json(self) -> dict:
        return {"at": self.at, "in_shape": list(self.in_shape), "params": self.params,
                "kind": "DARTS AuxiliaryHeadCIFAR", "default": "off: Model(auxiliary=True) adds it"}


def find(space, steps, label: str, classes: int) -> AuxHead:
    """The head after the last computed layer of the top-level statement `label` (a one-line error if none)."""
    inside = [i for i, s in enumerate(steps) if s.live and _top(s.layer.node.scope) == label]
    if not inside:
        known = sorted({_top(s.layer.node.scope) for s in steps if s.live} - {""})
        raise UserError(f"--aux-head {label}: no statement '{label}' in the network of {shown_name(space.file)}; its "
                        f"statements are {', '.join(known)}")
    step = inside[-1]
    shape = tuple(int(d) for d in steps[step].layer.out_shape)
    _, h, w = shape
    if _after_head(h) != 1 or _after_head(w) != 1:
        raise UserError(f"--aux-head {label}: the auxiliary head (DARTS's, for CIFAR) reads an 8x8 feature map, "
                        f"but '{label}' outputs {h}x{w}; name the statement after the second reduction")
    return AuxHead(label, step, shape, classes)


def _top(scope: str) -> str:
    return scope.split(".", 1)[0]


def _after_head(size: int) -> int:
    pooled = (size - POOL_K) // POOL_STRIDE + 1 if size >= POOL_K else 0
    return pooled - WIDE_K + 1
