"""What the data decides about a space: its class count, and a proxy input resolution.

A space written for ImageNet (`param classes = 1000`, `param resolution = 224`) and run on the built-in digits
(10 classes, 32 x 32 images) would otherwise stop on the class count, or train at 224 x 224 on images with no
more detail than 32 x 32 holds: 50 times the work per image for nothing. So, unless a `--set` says otherwise:

- `classes`: a space that declares `param classes` gets the data's count (a head written as `linear(1000)` is
  not the data's to change: `lower.runtime.check_data_fits` keeps its error);
- the input resolution, when it is one `param` (`input(3, resolution)`) and the data's images are at most
  half of it: the data's own resolution. The caller treats it as a proxy: the supernet trains and is measured
  there, while MACs and budgets stay at the declared resolution (`search.proxy`).

Nothing here imports torch: it reads the compiled space, its syntax and the data's two numbers.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .ir.ops import OpKind
from .ir.sym import Sym
from .passes.expand import INPUT_PARAMS
from .syntax import ast
from .syntax.load import load as load_syntax

CLASSES = "classes"  # the param a space's head reads its class count from, by the shipped spaces' convention
# The data decides the resolution only when its images have at most this fraction of the declared side: a
# CIFAR-sized space given 28 x 28 images keeps 32 x 32 (a mild upsampling costs little), a 224 one does not.
FAR_BELOW = 0.5


@dataclass(frozen=True)
class DataFit:
    """The `--set` values the data decides (`sets`), and the proxy among them (`proxy`: the resolution param)."""

    sets: Mapping[str, str]
    notes: tuple[str, ...]  # one line each, saying what was bound and why
    proxy: str | None = None


def fit_to_data(space, data, overrides: Mapping[str, str], *, budgets: bool) -> DataFit:
    """The values `data` decides for `space` (compiled with `overrides`); `budgets`: the caller counts MACs and
    budgets at the declared resolution (the search), which the note then says."""
    sets: dict[str, str] = {}
    notes: list[str] = []
    declared_classes = _output_classes(space)
    if CLASSES in space.ir.params and CLASSES not in overrides and declared_classes != {data.num_classes}:
        sets[CLASSES] = str(data.num_classes)
        notes.append(f"{CLASSES}={data.num_classes}: from the data ({data.name} has {data.num_classes} classes; "
                     f"{space.name} declares {_ints(declared_classes)}; --set {CLASSES}=N overrides)")
    name = resolution_param(space)
    declared = input_resolution(space)
    if (name is not None and name not in overrides and isinstance(declared, int)
            and data.resolution <= FAR_BELOW * declared):
        sets[name] = str(data.resolution)
        kept = "; MACs and budgets stay at the declared resolution" if budgets else ""
        notes.append(f"{name}={data.resolution}: a proxy from the data ({data.name} images are {data.resolution}x"
                     f"{data.resolution}, far below the declared {declared}x{declared}); the supernet trains and "
                     f"is measured at {data.resolution}x{data.resolution}{kept}; --set {name}=N overrides")
    return DataFit(sets, tuple(notes), name if name in sets else None)


def same_choices(a, b) -> bool:
    """Whether two compilations of one space have the same choice points with the same values: then a proxy
    (another input resolution) leaves the architectures as they are."""
    return [(c.label, c.values) for c in a.choices] == [(c.label, c.values) for c in b.choices]


def input_resolution(space) -> int | list[int]:
    """The input resolution the space's cost model counts at: one, or the values of an elastic resolution."""
    first = space.ir.nodes[0]
    assert first.kind is OpKind.INPUT
    value = dict(first.attrs)["resolution"]
    return sorted(value.values()) if isinstance(value, Sym) else value


def resolution_param(space) -> str | None:
    """The `param` the input resolution is, when it is exactly one (`input(3, resolution)`); None for a number,
    an expression or an elastic resolution (`resolution in {..}`)."""
    arg = _resolution_arg(space.program.network)
    value = getattr(arg, "value", None)
    if isinstance(arg, (ast.PosArg, ast.KwArg)) and isinstance(value, ast.Name) and value.name in space.program.params:
        return value.name
    return None


def resolution_params(space, overrides: Mapping[str, str]) -> frozenset[str]:
    """The `param`s the network's input resolution depends on: those its expression in `input(3, ...)` names,
    and those their own definitions name (`param resolution = 2 * base`), unless a --set replaced that
    definition. Read from the resolved syntax, and the `param` lines parsed again: nothing is compiled."""
    params = space.program.params
    definitions = _param_definitions(space.file)
    found: set[str] = set()
    todo = list(_names(_resolution_arg(space.program.network)))
    while todo:
        name = todo.pop()
        if name in params and name not in found:
            found.add(name)
            todo.extend(() if name in overrides else _names(definitions.get(name)))
    return frozenset(found)


def _resolution_arg(network: ast.Network):
    """The resolution argument of the network's `input(channels, resolution)`, matched as the compiler matches
    it: by name (`resolution = 32`, `resolution in {..}`) or by position."""
    first = network.body[0]
    assert isinstance(first, ast.NetInput), "the compiler checked that the network starts with its input"
    names = [n for n, _ in INPUT_PARAMS]
    positional = dict(zip(names, (a for a in first.args if isinstance(a, ast.PosArg))))
    named = {a.name.name: a for a in first.args if not isinstance(a, ast.PosArg)}
    return {**positional, **named}.get("resolution")


def _param_definitions(file: str) -> dict[str, ast.Expr]:
    return {item.name.name: item.value for program in load_syntax(file) for item in program.items
            if isinstance(item, ast.Param)}


def _names(node) -> set[str]:
    """Every name an expression (or argument, or set of values) reads."""
    if isinstance(node, ast.Name):
        return {node.name}
    if isinstance(node, tuple):
        return set().union(*map(_names, node))
    if hasattr(node, "__dataclass_fields__"):
        return set().union(*(_names(getattr(node, f)) for f in node.__dataclass_fields__))
    return set()


def _output_classes(space) -> set[int]:
    c = space.ir.shapes[space.ir.output].c
    return set(c.values()) if isinstance(c, Sym) else {c}


def _ints(values: set[int]) -> str:
    return "/".join(map(str, sorted(values)))
