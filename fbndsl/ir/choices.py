"""Choice points (the labelled decisions of a space) and `Arch`, one decision per active label."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ..diagnostics import Span

Cond = tuple  # of (label, frozenset of allowed values); see graph.Cond


class ChoiceKind(Enum):
    OP = "op"            # one of several candidate operators
    VALUE = "value"      # an elastic dimension: width, kernel, expansion, depth, resolution, a flag
    PICK = "pick"        # k of a node's incoming edges (DARTS input choice)
    OPTIONAL = "optional"  # an operator on or off


@dataclass(frozen=True)
class ChoicePoint:
    label: str
    kind: ChoiceKind
    values: tuple
    span: Span
    cond: Cond = ()      # when the choice is active (empty: always)

    def __post_init__(self) -> None:
        assert self.values and len(set(self.values)) == len(self.values), self
        assert all(label != self.label for label, _ in self.cond), self

    def value_text(self, value) -> str:
        return format_value(value)

    def parse_value(self, text: str):
        for v in self.values:
            if format_value(v) == text:
                return v
        return None


def format_value(value) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "+".join(map(str, value))
    return str(value)


def _json_value(v):
    if isinstance(v, tuple):
        return list(v)
    return v.value if isinstance(v, Enum) else v


def _natural_key(label: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", label)]


@dataclass(frozen=True)
class Arch(Mapping[str, Any]):
    """An architecture: label -> value for every active choice. Hashable, with a canonical text."""

    items_: tuple[tuple[str, Any], ...]

    def __post_init__(self) -> None:
        labels = [k for k, _ in self.items_]
        assert labels == sorted(labels, key=_natural_key) and len(set(labels)) == len(labels), labels
        object.__setattr__(self, "_d", dict(self.items_))

    def as_dict(self) -> dict[str, Any]:
        """label -> value, as a plain dict for fast lookups (the cost model's, the IR walks'). It is the arch's
        own: read it, never change it."""
        return self._d

    @staticmethod
    def of(mapping: Mapping[str, Any]) -> "Arch":
        return Arch(tuple(sorted(mapping.items(), key=lambda kv: _natural_key(kv[0]))))

    def __getitem__(self, label: str):
        return self._d[label]

    def get(self, label, default=None):
        return self._d.get(label, default)

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self.items_)

    def __len__(self) -> int:
        return len(self.items_)

    def __hash__(self) -> int:
        return hash(self.items_)

    def __eq__(self, other) -> bool:
        return isinstance(other, Arch) and self.items_ == other.items_

    def text(self) -> str:
        """Canonical text: `label=value` pairs in natural label order, comma-separated."""
        return ",".join(f"{k}={format_value(v)}" for k, v in self.items_)

    def to_json(self) -> dict:
        return {k: _json_value(v) for k, v in self.items_}

    def json_text(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"))

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"Arch({self.text()!r})"
