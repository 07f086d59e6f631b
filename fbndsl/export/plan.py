"""The export plan of one architecture: its layers, the attribute name of every module, and the variable
each value of `forward` lives in.

Attribute names come from the `.nas` source: the layer's scope and its kind (`stem_conv`,
`s1_0_n1_n0_nor_conv_3x3_bn`, `layer2_0_b0_conv1`, `conv2` as torchvision numbers repeated kinds), and a
composite operator adds its part (`s2_0_mbconv_dw_bn`); `names.Namespace` makes them safe and unique. Values
of `forward` live in `x`, `x1`, `x2`, ...: a value's name is reused as soon as it is dead, as in a hand-written
model (`x = self.conv(x)`), so no tensor outlives its last use.
"""
from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from ..ir.graph import Origin, cond_holds
from . import aux_head as aux_heads
from .aux_head import AUX_ATTR, AuxHead
from .kinds import Part, renderer
from .layers import FairnessBN, Layer, Layers, active_layers
from .names import Namespace, ascii_ident

TEMPLATE_GLOBALS = frozenset({"torch", "nn", "F", "Model", "load_weights", "INPUT_SHAPE", "auxiliary",
                              "aux_logits"})


@dataclass(frozen=True)
class Module:
    attr: str          # attribute of the generated class: the state-dict prefix in weights.pt
    node_id: int
    part: Part


@dataclass(frozen=True)
class Step:
    layer: Layer
    mods: Mapping[str, str]    # part suffix -> attribute
    live: bool                 # computed in forward (else only declared: it feeds nothing but 'none' edges)
    ins: tuple[str, ...] = ()  # the variables of forward (live steps only)
    out: str = ""
    tmp: tuple[str, ...] = ()


@dataclass(frozen=True)
class FairnessEntry:
    scope: str                 # the IR node's place, e.g. s1.0.n3.n1.avg_pool_3x3.fair_bn
    attr: str | None           # its BatchNorm in the generated class, when kept
    handling: FairnessBN


@dataclass(frozen=True)
class Plan:
    class_name: str
    input_shape: tuple[int, int, int]
    steps: tuple[Step, ...]
    modules: tuple[Module, ...]
    result: str
    fairness: tuple[FairnessEntry, ...]
    aux: AuxHead | None = None  # DARTS's auxiliary head (`--aux-head`), off unless the class is told


def make_plan(space, arch, fairness_bn: FairnessBN, aux_head: str | None = None) -> Plan:
    found = active_layers(space, arch, fairness_bn)
    body = tuple(layer for layer in found.layers if layer.id != found.input_id)
    mods = _module_names(body)
    names = _values(found, tuple(layer for layer in body if layer.id in found.live))
    steps = tuple(Step(layer, mods.get(layer.id, {}), layer.id in names, *names.get(layer.id, ()))
                  for layer in body)
    modules = tuple(Module(mods[layer.id][part.suffix], layer.id, part)
                    for layer in body for part in renderer(layer.kind).parts(layer))
    result = names[found.output_id][1] if found.output_id != found.input_id else "x"
    classes = next(layer.out_shape[0] for layer in found.layers if layer.id == found.output_id)
    aux = None if aux_head is None else aux_heads.find(space, steps, aux_head, int(classes))
    return Plan(_class_name(space.name), found.layers[0].out_shape, steps, modules, result,
                _fairness(space, arch, mods, fairness_bn), aux)


# -- attribute names ----------------------------------------------------------------------------------------
def _module_names(layers: tuple[Layer, ...]) -> dict[int, dict[str, str]]:
    bases = _bases(layers)
    ns = Namespace(frozenset({AUX_ATTR}))  # kept free for the auxiliary head, whether or not it is asked for
    out: dict[int, dict[str, str]] = {}
    for layer in layers:
        if layer.id in bases:
            out[layer.id] = {p.suffix: ns.create(f"{bases[layer.id]}_{p.suffix}".rstrip("_"), "layer")
                             for p in renderer(layer.kind).parts(layer)}
    return out


def _bases(layers: tuple[Layer, ...]) -> dict[int, str]:
    """scope + kind per module-holding layer; a kind repeated within a scope is numbered from 1."""
    wanted: dict[int, str] = {}
    for layer in layers:
        r = renderer(layer.kind)
        if r.parts(layer):
            scope = ascii_ident(layer.node.scope, "layer")
            wanted[layer.id] = scope if scope == r.tag or scope.endswith("_" + r.tag) else f"{scope}_{r.tag}"
    repeats, seen = Counter(wanted.values()), Counter()
    for node_id, base in wanted.items():
        if repeats[base] > 1:
            seen[base] += 1
            wanted[node_id] = f"{base}{seen[base]}"
    return wanted


def _class_name(network: str) -> str:
    camel = "".join(p[:1].upper() + p[1:] for p in ascii_ident(network, "net").split("_"))
    return Namespace(TEMPLATE_GLOBALS).create(camel, "Net")


# -- variables of forward -----------------------------------------------------------------------------------
class _Pool:
    """Variable names x, x1, x2, ...; the lowest free one first."""

    def __init__(self) -> None:
        self._free: list[int] = []
        self._next = 0

    def take(self) -> str:
        if self._free:
            return _var(heapq.heappop(self._free))
        self._next += 1
        return _var(self._next - 1)

    def give(self, name: str) -> None:
        heapq.heappush(self._free, int(name[1:] or 0))


def _var(i: int) -> str:
    return "x" if i == 0 else f"x{i}"


def _values(found: Layers, body: tuple[Layer, ...]) -> dict[int, tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """(input names, output name, scratch names) per layer."""
    last = {found.output_id: len(body)}
    for i, layer in enumerate(body):
        for j in layer.inputs:
            last[j] = max(last.get(j, i), i)
    pool = _Pool()
    var = {found.input_id: pool.take()}
    out = {}
    for i, layer in enumerate(body):
        ins = tuple(var[j] for j in layer.inputs)
        dying = list(dict.fromkeys(var[j] for j in layer.inputs if last.get(j) == i))
        tmp = tuple(pool.take() for _ in range(renderer(layer.kind).scratch(layer)))
        name = dying.pop(0) if dying else pool.take()
        for freed in (*dying, *tmp):
            pool.give(freed)
        if layer.id not in last:  # never read (cannot happen in a validated space): free at once
            pool.give(name)
        var[layer.id] = name
        out[layer.id] = (ins, name, tmp)
    return out


# -- fairness BatchNorms ------------------------------------------------------------------------------------
def _fairness(space, arch, mods, fairness_bn: FairnessBN) -> tuple[FairnessEntry, ...]:
    values = arch.as_dict()
    active = [n for n in space.ir.nodes if n.origin is Origin.FAIRNESS and cond_holds(n.cond, values)]
    return tuple(FairnessEntry(n.scope, mods[n.id][""] if fairness_bn is FairnessBN.KEPT else None, fairness_bn)
                 for n in active)
