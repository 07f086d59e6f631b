"""A compiled cost model: the MACs and parameters of any architecture by a few table look-ups.

Built by `passes.cost`: every operator's cost, as a function of the few choices it depends on
(including those that decide whether it is active), is summed into one table per set of labels.
Costing an architecture is then one dictionary look-up per table.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Entries are (MACs, parameters, parameters of BatchNorms inserted by the fairness pass).
ZERO = (0, 0, 0)


@dataclass(frozen=True)
class Cost:
    """Cost of one architecture as written (what papers and benchmarks count)."""

    macs: int
    params: int
    fairness_bn_params: int = 0  # BatchNorm affine parameters the BN-fairness pass adds for training

    @property
    def params_with_fairness_bn(self) -> int:
        return self.params + self.fairness_bn_params

    def __str__(self) -> str:
        extra = f" (+{self.fairness_bn_params:,} fairness BN)" if self.fairness_bn_params else ""
        return f"{format_count(self.macs)} MACs, {format_count(self.params)} params{extra}"


def format_count(n: int) -> str:
    for unit, size in (("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if abs(n) >= size:
            return f"{n / size:.3f}{unit}"
    return str(n)


@dataclass(frozen=True)
class Term:
    labels: tuple[str, ...]
    table: Mapping[tuple, tuple]  # missing keys: the term's operators are inactive (cost 0)


@dataclass(frozen=True)
class CostModel:
    const: tuple
    terms: tuple[Term, ...]

    def __call__(self, arch: Mapping[str, Any]) -> Cost:
        get = arch.get
        macs, params, extra = self.const
        for term in self.terms:
            m, p, e = term.table.get(tuple([get(label) for label in term.labels]), ZERO)
            macs += m
            params += p
            extra += e
        return Cost(macs, params, extra)
