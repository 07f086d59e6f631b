"""`Space`: a compiled search space, the public face of the front end (no torch needed)."""
from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .cost.model import Cost, CostModel
from .cost.optimize import optimum
from .diagnostics import ArchError, did_you_mean
from .ir import count as counting
from .ir import dependence
from .ir.canonical import Canonical, canonical
from .ir.choices import Arch, ChoicePoint, format_value
from .ir.depth import least_depth, least_mixing_depth
from .ir.graph import SpaceIR, cond_holds
from .notation import format_as, parse_any
from .passes.insert_bn import FairnessReport

MAX_KNOWN_NETWORKS = 100_000  # architectures whose network `Space.canonical` remembers (NAS-Bench-201 has 15,625)


@dataclass(frozen=True)
class Space:
    ir: SpaceIR
    cost_model: CostModel
    fairness: FairnessReport
    source_sha256: str = ""
    program: Any = field(default=None, compare=False, repr=False)  # resolved syntax, for --emit dot
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict:
        """Pickled (a torchrun search sends its space to the other processes) without the remembered networks."""
        return {**self.__dict__, "_cache": {k: v for k, v in self._cache.items() if k != "networks"}}

    # -- structure ------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.ir.name

    @property
    def file(self) -> str:
        return self.ir.file

    @property
    def choices(self) -> tuple[ChoicePoint, ...]:
        return self.ir.choices

    @property
    def size(self) -> int:
        """Exact number of architectures."""
        if "size" not in self._cache:
            self._cache["size"] = counting.count(self.choices)
        return self._cache["size"]

    def choice(self, label: str) -> ChoicePoint:
        for c in self.choices:
            if c.label == label:
                return c
        raise KeyError(label)

    # -- architectures ----------------------------------------------------------
    def sample(self, seed: int | random.Random = 0) -> Arch:
        rng = seed if isinstance(seed, random.Random) else random.Random(seed)
        return Arch.of(counting.sample(self.choices, rng))

    def enumerate(self) -> Iterator[Arch]:
        for a in counting.enumerate_archs(self.choices):
            yield Arch.of(a)

    def arch(self, mapping: Mapping[str, Any]) -> Arch:
        """Validate a label -> value mapping (values as in the space, or their text) into an Arch."""
        known = {c.label: c for c in self.choices}
        for label in mapping:
            if label not in known:
                raise ArchError(f"unknown choice '{label}'; " + (did_you_mean(label, known) or
                                f"the space's choices are {', '.join(list(known)[:8])}..."))
        out: dict[str, Any] = {}
        for c in self.choices:
            active = cond_holds(c.cond, out)
            if c.label not in mapping:
                if active and len(c.values) == 1:  # nothing to choose (e.g. pick 2 of 2 inputs)
                    out[c.label] = c.values[0]
                elif active:
                    raise ArchError(f"missing choice '{c.label}' (one of {_vals(c)})")
                continue
            if not active:
                raise ArchError(f"choice '{c.label}' is not active in this architecture; remove it")
            out[c.label] = _value(c, mapping[c.label])
        return Arch.of(out)

    def parse_arch(self, text: str) -> Arch:
        """Canonical text (`label=value,...`), JSON, or an official notation (NAS-Bench-201, DARTS)."""
        return parse_any(self, text.strip())

    def format_arch(self, arch: Arch, notation: str = "canonical") -> str:
        return format_as(self, arch, notation)

    def canonical(self, arch: Arch | Mapping[str, Any]) -> Canonical:
        """The network `arch` is (`ir.canonical`): equal for two architectures exactly when they compute the same
        function with the same parameters (an edge whose output reaches nothing, or the order of a sum's terms,
        makes no other network). `.digest()` names it in 12 hex digits."""
        arch = arch if isinstance(arch, Arch) else self.arch(arch)
        known = self._cache.setdefault("networks", {})  # arch -> its network: 0.6 ms each for NB201's cell
        if arch not in known:
            if len(known) >= MAX_KNOWN_NETWORKS:
                known.clear()
            known[arch] = canonical(self.ir, arch, self._cache.setdefault("canonical", {}))
        return known[arch]

    # -- cost -------------------------------------------------------------------
    def reads_input(self, arch: Arch | Mapping[str, Any]) -> bool:
        """Does the architecture's output depend on its input? Not when 'none' operators cut every path (see
        `ir.dependence`): such a network computes a constant, and the search skips it."""
        arch = arch if isinstance(arch, Arch) else self.arch(arch)
        return dependence.reads_input(self.ir, arch.as_dict())

    def least_depth(self, arch: Arch | Mapping[str, Any]) -> float:
        """The fewest weighted layers on any path from the input to the output (`ir.depth`; inf: none)."""
        arch = arch if isinstance(arch, Arch) else self.arch(arch)
        return least_depth(self.ir, arch.as_dict())

    def least_mixing_depth(self, arch: Arch | Mapping[str, Any]) -> float:
        """The fewest weighted and pooling layers on any path from the input to the output (`ir.depth`)."""
        arch = arch if isinstance(arch, Arch) else self.arch(arch)
        return least_mixing_depth(self.ir, arch.as_dict())

    def cost(self, arch: Arch | Mapping[str, Any]) -> Cost:
        """MACs and parameters of the architecture as written; fairness BNs reported apart."""
        if not isinstance(arch, Arch):
            arch = self.arch(arch)
        return self.cost_model(arch.as_dict())

    def min_arch(self, by: str = "macs") -> Arch:
        """The architecture of least MACs (ties: fewest params), or least params with by='params'.

        Remaining ties are broken on the fairness BatchNorm params (fewest here, most in max_arch), so an
        extreme's cost never depends on the order in which the optimizer meets equal architectures."""
        return self._extreme(by, +1)

    def max_arch(self, by: str = "macs") -> Arch:
        return self._extreme(by, -1)

    def _extreme(self, by: str, sign: int) -> Arch:
        key = (by, sign)
        if key not in self._cache:
            first, second = {"macs": (0, 1), "params": (1, 0)}[by]
            self._cache[key] = Arch.of(optimum(self.cost_model, self.choices,
                                               lambda v: (sign * v[first], sign * v[second], sign * v[2])))
        return self._cache[key]

    def cost_range(self) -> dict[str, tuple[int, int]]:
        return {"macs": (self.cost(self.min_arch()).macs, self.cost(self.max_arch()).macs),
                "params": (self.cost(self.min_arch("params")).params, self.cost(self.max_arch("params")).params)}


def _vals(c: ChoicePoint) -> str:
    shown = [format_value(v) for v in c.values[:8]]
    return "{" + ", ".join(shown) + (", ..." if len(c.values) > 8 else "") + "}"


def _value(c: ChoicePoint, v: Any):
    if isinstance(v, list):
        v = tuple(v)
    if v in c.values and type(v) is type(c.values[c.values.index(v)]):
        return v
    parsed = c.parse_value(v if isinstance(v, str) else format_value(v))
    if parsed is None:
        raise ArchError(f"choice '{c.label}' cannot be {format_value(v) if not isinstance(v, str) else v!r};"
                        f" it is one of {_vals(c)}")
    return parsed
