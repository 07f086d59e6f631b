"""The FBN-NAS paper's Table 1: the operators of an indicator's top architectures, counted by operator.

With BatchNorms after the convolutions only (BN-NAS's placement, `fairness="off"`), a skip connection or a
pooling has no BatchNorm and the gamma indicator scores it 0, so the indicator's favourites are full of
convolutions whatever their accuracy. With a BatchNorm after every candidate (`fairness="insert"`) it is not
forced to. Counting the operators of the top 10 on both supernets shows which happened.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..indicators.kinds import Indicator
from ..indicators.ranking import order
from ..ir.choices import ChoiceKind

TOP = 10
CONVOLUTIONS = ("nor_conv_1x1", "nor_conv_3x3")  # NAS-Bench-201's convolution operators


def top_archs(archs: Sequence, records: Sequence[Mapping[Indicator, float]], indicator: Indicator,
              k: int = TOP) -> list:
    """The `k` best of `archs` by `indicator` over `records` (one per arch), best first."""
    assert len(archs) == len(records), (len(archs), len(records))
    return [archs[i] for i in order(records, indicator)[:k]]


def count_operators(space, archs: Sequence) -> dict[str, int]:
    """How often each operator is chosen in `archs`, over every operator choice of the space; every operator
    of the space appears, in the order the space declares them (zero when never chosen)."""
    choices = [c for c in space.choices if c.kind is ChoiceKind.OP]
    counts = {v: 0 for c in choices for v in c.values}
    for arch in archs:
        for c in choices:
            if c.label in arch:
                counts[arch[c.label]] += 1
    return counts


def convolution_share(counts: Mapping[str, int]) -> float:
    """The fraction of the counted operators that are convolutions (NaN when nothing was counted)."""
    total = sum(counts.values())
    return sum(counts.get(op, 0) for op in CONVOLUTIONS) / total if total else float("nan")


def format_table(columns: Mapping[str, Mapping[str, int]]) -> list[str]:
    """Rows: operator, then one count per column (e.g. {"fairness off": counts, "fairness on": counts})."""
    ops = list(dict.fromkeys(op for counts in columns.values() for op in counts))
    width = max(len(op) for op in ops)
    lines = [f"  {'operator':<{width}}  " + "  ".join(f"{name:>14}" for name in columns)]
    for op in ops:
        lines.append(f"  {op:<{width}}  " + "  ".join(f"{counts.get(op, 0):>14}" for counts in columns.values()))
    shares = "  ".join(f"{convolution_share(counts):>14.0%}" for counts in columns.values())
    lines.append(f"  {'conv share':<{width}}  {shares}")
    return lines
