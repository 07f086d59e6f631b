"""Proxy resolutions: a `--set` that only lowers the input resolution trains and measures the supernet at that
proxy, while the budget is still counted on the space as declared (the architectures must be the same).

`compile_spaces` compiles the space once with every --set; a second time, without them, only when some --set
touches a `param` the network's input resolution depends on (read from the resolved syntax, nothing compiled).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..diagnostics import UserError
from ..fit import input_resolution as resolution
from ..fit import resolution_params, same_choices
from ..pipeline import compile as compile_space


@dataclass(frozen=True)
class Spaces:
    """The space the supernet runs (`run`, with every --set) and the one the budget is counted on (`declared`,
    without the --set values that change the input resolution: `proxies`)."""

    run: object
    declared: object
    proxies: dict[str, str]  # name -> value of each --set that only changes the input resolution


def compile_spaces(path: str, overrides: Mapping[str, str]) -> Spaces:
    """Compile the space once; a second time, without them, only when some --set values touch a `param` the
    input resolution depends on: those that do change it are proxies, and must leave the choices as they are."""
    space = compile_space(path, **overrides)
    touching = {k: v for k, v in overrides.items() if k in resolution_params(space, overrides)}
    if not touching:
        return Spaces(space, space, {})
    try:
        declared = compile_space(path, **{k: v for k, v in overrides.items() if k not in touching})
    except UserError:  # the space needs these values to compile at all: not mere proxies
        return Spaces(space, space, {})
    if resolution(declared) == resolution(space):  # e.g. the declared value restated: no proxy
        return Spaces(space, space, {})
    if not same_choices(declared, space):
        raise UserError(f"--set {_sets(touching)}: changes the choices of '{space.name}', not just its input "
                        f"resolution; the budget needs the same architectures at the declared resolution")
    return Spaces(space, declared, touching)


def proxy_note(spaces: Spaces) -> str:
    if not spaces.proxies:
        return ""
    return (f"the supernet ran at the proxy input resolution {format_resolution(resolution(spaces.run))} "
            f"(--set {_sets(spaces.proxies)}); MACs and the budget are at the declared "
            f"{format_resolution(resolution(spaces.declared))}")


def _sets(sets: Mapping[str, str]) -> str:
    return " --set ".join(f"{k}={v}" for k, v in sets.items())


def format_resolution(r) -> str:
    return f"{r}x{r}" if isinstance(r, int) else "/".join(map(str, r))
