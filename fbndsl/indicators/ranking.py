"""Ranks, scores and orders of measured architectures (pure Python: no torch).

Ranks are 1 = best; tied values share the average of the ranks they span (fractional ranking, as Kendall's and
Spearman's statistics use), and NaN (a failed or undefined measurement) ranks after every number. CPI is
relative: an architecture's CPI is the mean of its three component ranks within the pool it is ranked in, so
it changes when the pool does; re-rank the final candidates together. A rank ensemble (`Ensemble`) is relative
the same way: the weighted mean of its members' ranks within the pool, or the product of their normalised ranks.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from .ensemble import Aggregate, Ensemble
from .kinds import Indicator


def ranks(values: Sequence[float], higher_is_better: bool) -> list[float]:
    """The rank of each value among `values`: 1 = best, ties share their average rank, NaN ranks last."""
    keys = [_rank_key(v, higher_is_better) for v in values]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    out = [0.0] * len(keys)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and keys[order[end + 1]] == keys[order[start]]:
            end += 1
        for i in order[start:end + 1]:
            out[i] = (start + end) / 2 + 1  # the mean of ranks start+1 .. end+1
        start = end + 1
    return out


def _rank_key(value: float, higher_is_better: bool) -> tuple[int, float]:
    if math.isnan(value):
        return (1, 0.0)  # after every number; all NaNs tie
    return (0, -value if higher_is_better else value)


def scores(records: Sequence[Mapping[Indicator, float]], indicator: Indicator | Ensemble) -> list[float]:
    """Per record: the raw value; for CPI the mean of its three component ranks over all of `records`; for a rank
    ensemble its aggregate of the members' ranks over all of `records` (a member CPI: the rank of its CPI)."""
    if isinstance(indicator, Ensemble):
        columns = [(w, penalties(ranks(scores(records, m), m.higher_is_better), indicator.aggregate))
                   for m, w in indicator.members]
        return [math.fsum(w * col[i] for w, col in columns) / indicator.weight for i in range(len(records))]
    if indicator is not Indicator.CPI:
        return [_value(r, indicator, i) for i, r in enumerate(records)]
    columns = [ranks([_value(r, c, i) for i, r in enumerate(records)], c.higher_is_better)
               for c in indicator.components]
    return [math.fsum(col[i] for col in columns) / len(columns) for i in range(len(records))]


def penalties(rank_column: list[float], aggregate: Aggregate) -> list[float]:
    """What a member adds to the ensemble's weighted mean: its rank r, or for a product -log q with q = (n + 1 - r)
    / n, its normalised rank (1 for the best of n, 1/n for the last), so that the mean is minus the log of the
    weighted geometric mean of the q's: AZ-NAS' sum of log ranks, negated (lower is better) and divided by the
    weights (the order is the same)."""
    if aggregate is Aggregate.MEAN:
        return rank_column
    n = len(rank_column)
    return [-math.log((n + 1 - r) / n) for r in rank_column]


def order(records: Sequence[Mapping[Indicator, float]], indicator: Indicator | Ensemble) -> list[int]:
    """Indices of `records`, best first; equal scores keep their order in `records`."""
    return by_rank(ranks(scores(records, indicator), indicator.higher_is_better))


def by_rank(rank_column: Sequence[float]) -> list[int]:
    """Indices of a column of `ranks`, best first; equal ranks keep their order (`order`'s, for a caller that has
    the ranks already)."""
    return sorted(range(len(rank_column)), key=lambda i: (rank_column[i], i))


def _value(record: Mapping[Indicator, float], indicator: Indicator, index: int) -> float:
    if indicator not in record:
        raise KeyError(f"record {index} has no '{indicator.value}' value (measure it first)")
    return float(record[indicator])
