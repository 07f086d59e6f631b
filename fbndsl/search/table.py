"""The top-k table `fbndsl search` prints: rank, MACs, params, each measured indicator with its rank among the
top-k, the refined accuracy of the refined rows (`--refine-top`), and the architecture (NAS-Bench-201 notation
where the space has it, else the canonical text)."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..cost.model import format_count
from ..diagnostics import ArchError
from .objective import Ranked


def arch_text(space, arch) -> str:
    """The architecture as its benchmark writes it, when the space has a notation (NAS-Bench-201), else canonical."""
    try:
        return space.format_arch(arch, "nb201")
    except ArchError:
        return arch.text()


def render(space, top: Sequence[Ranked], refined: Mapping | None = None) -> str:
    """The table; with `refined` (arch -> accuracy), a `refined` column, empty in the rows not refined."""
    if not top:
        return "no architecture evaluated\n"
    columns = list(top[0].values)
    extra = ["refined"] if refined else []
    header = ["rank", "MACs", "params", *(c.value for c in columns), *extra, "arch"]
    rows = [[str(r.rank), format_count(r.entry.macs), format_count(r.entry.params),
             *(f"{_value(r.values[c])} ({_rank(r.ranks[c])})" for c in columns),
             *([_value(refined[r.entry.arch]) if r.entry.arch in refined else ""] if refined else []),
             arch_text(space, r.entry.arch)]
            for r in top]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = ["  ".join([*(cell.rjust(w) for cell, w in zip(row, widths)), row[-1]]) for row in [header, *rows]]
    return "\n".join(lines) + "\n"


def _value(v: float) -> str:
    return "nan" if math.isnan(v) else f"{v:.4g}"


def _rank(r: float) -> str:
    return f"{r:g}"
