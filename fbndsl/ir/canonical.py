"""The canonical form of an architecture: what makes two architectures one network.

Two architectures are one network when they compute the same function with the same parameters: an edge whose
output reaches nothing, a 'none' added to a sum, the order of a sum's terms and the choices that only the other
alternatives have change nothing. `canonical(ir, arch)` hashes the network the architecture is, Merkle-style,
from its active part (`subnet`):

- the network as written: identities, selects and sums of one term pass on their input, and the BatchNorms of
  the fairness pass are left out (they exist only while the supernet trains; the exported network, like the
  benchmarks' counts, is without them);
- zeros: a 'none' is zeros of its shape whatever it reads, and so is an operator that maps zeros to zeros and
  reads only zeros (pooling, ReLU, a convolution without bias, ...); zeros drop out of sums. A BatchNorm with
  `affine` is not such an operator: on zeros it returns its bias, a learned constant;
- each remaining node's hash is its operator, its attributes and its output shape as this architecture resolves
  them (never an id, a label, a span or a name) and its inputs' hashes: in order, but as a sorted multiset for
  a sum;
- the form is the output's hash with (the hash of) the multiset of the hashes of the nodes the output needs, so
  that one convolution read twice stays another network than two equal convolutions read once each.

The input resolution, the widths and every other attribute a choice sets are in the hashes through the
resolved attributes and shapes.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from . import sym
from .choices import Arch
from .graph import Node, Origin, SpaceIR, out_shape
from .ops import OpKind
from .subnet import passes_on, subnet

DIGEST_CHARS = 12  # of the hex digest shown in tables and written to JSON

# Operators whose output is zeros when every input is: f(0) == 0 with no learned offset.
_KEEPS_ZERO = frozenset({OpKind.IDENTITY, OpKind.RELU, OpKind.RELU6, OpKind.SWISH, OpKind.HSWISH, OpKind.AVG_POOL,
                         OpKind.MAX_POOL, OpKind.GLOBAL_POOL, OpKind.DROPOUT, OpKind.SE, OpKind.ADD,
                         OpKind.CONCAT})
_UNLESS = {OpKind.CONV: "bias", OpKind.DWCONV: "bias", OpKind.LINEAR: "bias", OpKind.BN: "affine"}


@dataclass(frozen=True)
class Canonical:
    """One network: the hash of its output, and the hash of the multiset of the hashes of the nodes it computes
    (hex sha256 prefixes of 128 bits: two networks that differ and agree on both are a practical impossibility)."""

    output: str
    nodes: str
    size: int  # how many nodes it computes

    def digest(self) -> str:
        """A short stable hex name of the network, for tables and JSON."""
        return _hash((self.output, self.nodes, self.size))[:DIGEST_CHARS]

    def __str__(self) -> str:
        return self.digest()


def canonical(ir: SpaceIR, arch: Arch, memo: dict | None = None) -> Canonical:
    """The canonical form of `arch`: equal for two architectures exactly when they are one network. `memo`, a dict
    kept with `ir` across calls (`Space` keeps one), holds the labels of the nodes no choice changes."""
    values = arch.as_dict()
    memo = {} if memo is None else memo
    found = subnet(ir, arch, _is_alias)
    hashes: dict[int, str] = {}
    zero: set[int] = set()
    reads: dict[int, tuple[int, ...]] = {}
    alias: dict[int, int] = {}  # a sum left with one term once its zeros are out: that term
    sums: set[int] = set()
    for node in found.nodes:
        inputs = tuple(alias.get(i, i) for i in found.inputs[node.id])
        if node.kind is OpKind.ADD:  # zeros drop out of a sum, and a sum of sums is one sum
            inputs = _terms(inputs, zero, reads, sums)
        if _is_zero(node, inputs, zero, values):
            zero.add(node.id)
            hashes[node.id] = _hash(("zero", out_shape(ir, node, values)))
        elif node.kind in (OpKind.ADD, OpKind.CONCAT) and len(inputs) == 1:
            alias[node.id] = inputs[0]
        else:
            hashes[node.id] = _hash((_label(ir, node, values, memo), _input_hashes(node, inputs, hashes)))
            reads[node.id] = inputs
            if node.kind is OpKind.ADD:
                sums.add(node.id)
    output = alias.get(found.output, found.output)
    computed = sorted(hashes[i] for i in _needed(output, reads))
    return Canonical(hashes[output], _hash(tuple(computed)), len(computed))


def _is_alias(node: Node, inputs: tuple[int, ...]) -> bool:
    return passes_on(node, inputs) or node.origin is Origin.FAIRNESS


def _terms(inputs: tuple[int, ...], zero: set[int], reads: Mapping[int, tuple[int, ...]],
           sums: set[int]) -> tuple[int, ...]:
    """A sum's terms: zeros out (a sum of zeros keeps one), a term that is itself a sum replaced by its terms
    (addition is associative: `a + (b + c)` is `a + b + c`)."""
    terms = tuple(i for i in inputs if i not in zero) or inputs[:1]
    if len(terms) == 1:  # the term itself, not a copy of it
        return terms
    return tuple(t for i in terms for t in (reads[i] if i in sums else (i,)))


def _is_zero(node: Node, inputs: tuple[int, ...], zero: set[int], values: Mapping[str, Any]) -> bool:
    if node.kind is OpKind.ZERO:
        return True
    if not inputs or not all(i in zero for i in inputs):
        return False
    flag = _UNLESS.get(node.kind)
    if flag is not None:
        return not sym.value_at(node.attr[flag], values)
    return node.kind in _KEEPS_ZERO


def _needed(output: int, reads: Mapping[int, tuple[int, ...]]) -> set[int]:
    """The nodes that compute something the output needs (each once, however often it is read)."""
    seen, todo = set(), [output]
    while todo:
        i = todo.pop()
        if i in seen or i not in reads:  # zeros compute nothing
            continue
        seen.add(i)
        todo.extend(reads[i])
    return seen


def _input_hashes(node: Node, inputs: tuple[int, ...], hashes: Mapping[int, str]) -> tuple[str, ...]:
    got = tuple(hashes[i] for i in inputs)
    return tuple(sorted(got)) if node.kind is OpKind.ADD else got


def _label(ir: SpaceIR, node: Node, values: Mapping[str, Any], memo: dict) -> tuple:
    """What the node computes in this architecture: its operator, attributes and output shape."""
    found = memo.get(node.id)
    if found is not None:
        return found
    attrs = () if node.kind in (OpKind.ADD, OpKind.CONCAT) else tuple(
        (name, _plain(sym.value_at(v, values))) for name, v in node.attrs)  # a sum's attributes are bookkeeping
    label = node.kind.value, attrs, out_shape(ir, node, values)
    if not any(sym.is_sym(v) for _, v in node.attrs) and not any(sym.is_sym(d) for d in ir.shapes[node.id]):
        memo[node.id] = label  # the same in every architecture
    return label


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def _hash(label: tuple) -> str:
    return hashlib.sha256(repr(label).encode()).hexdigest()[:32]
