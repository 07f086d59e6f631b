"""The top-k table `fbndsl search` prints: rank, MACs, params, each measured indicator with its rank among every
architecture evaluated, the refined value of the refined rows (`--refine-top`), and the architecture (NAS-Bench-201
notation where the space has it, else the canonical text)."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..cost.model import format_count
from ..diagnostics import ArchError
from ..indicators.kinds import Indicator
from .objective import Ranked

# Cost indicators have a column of their own whatever the ranking: when one ranks, its rank goes there too.
_COST = (Indicator.MACS, Indicator.PARAMS)


def arch_text(space, arch) -> str:
    """The architecture as its benchmark writes it, when the space has a notation (NAS-Bench-201), else canonical."""
    try:
        return space.format_arch(arch, "nb201")
    except ArchError:
        return arch.text()


def render(space, top: Sequence[Ranked], refined: Mapping | None = None, column: str = "refined") -> str:
    """The table; with `refined` (arch -> refined value), a column named `column`, empty in the rows not refined."""
    if not top:
        return "no architecture evaluated\n"
    columns = [c for c in top[0].values if c not in _COST]
    extra = [column] if refined else []
    header = ["rank", "MACs", "params", *(c.value for c in columns), *extra, "arch"]
    rows = [[str(r.rank), _cost(r, Indicator.MACS, r.entry.macs), _cost(r, Indicator.PARAMS, r.entry.params),
             *(f"{_value(r.values[c])} ({_rank(r.ranks[c])})" for c in columns),
             *([_value(refined[r.entry.arch]) if r.entry.arch in refined else ""] if refined else []),
             arch_text(space, r.entry.arch)]
            for r in top]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = ["  ".join([*(cell.rjust(w) for cell, w in zip(row, widths)), row[-1]]) for row in [header, *rows]]
    return "\n".join(lines) + "\n"


def _cost(row: Ranked, indicator: Indicator, count: float) -> str:
    """The count, with its rank when the ranking reads it."""
    return format_count(count) + (f" ({_rank(row.ranks[indicator])})" if indicator in row.ranks else "")


def _value(v: float) -> str:
    return "nan" if math.isnan(v) else f"{v:.4g}"


def _rank(r: float) -> str:
    return f"{r:g}"


def versus_median(best, pool: Sequence) -> str:
    """How `best` (an `Entry`) compares with the median of the evaluated `pool`: its cost, and each indicator
    value beside the pool's median, with how many of them it beats (by each indicator's own direction)."""
    parts = [f"{format_count(best.macs)} MACs (median {format_count(_median([e.macs for e in pool]))})",
             f"{format_count(best.params)} params (median {format_count(_median([e.params for e in pool]))})"]
    beats = 0
    for indicator, value in best.values.items():
        median = _median([e.values[indicator] for e in pool if indicator in e.values])
        better = value > median if indicator.higher_is_better else value < median
        beats += better
        if indicator not in _COST:  # already the first two parts
            parts.append(f"{indicator.value} {_value(value)} (median {_value(median)})")
    return f"better than the median on {beats} of {len(best.values)} indicators: " + ", ".join(parts)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(v for v in values if not math.isnan(v))
    if not ordered:
        return math.nan
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
