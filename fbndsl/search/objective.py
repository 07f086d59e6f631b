"""From measured values to decisions: the pool-relative goodness strategies read, and the final top-k.

Both go through `ranking`: CPI (and a rank ensemble, `cpi+synflow`) is a mean of ranks over the architectures
it is computed among, so the goodness of the pool is recomputed whenever the pool grows. The final top-k are the
k best over the whole evaluated pool, in that order, with every column and rank over the pool too: the search's
return is the first over all it measured, the network NAS-Bench-201's protocol measures (docs/nb201.md, version
7), by the ranking or by its `pick`, another ranking of what it measured (version 11). (Ranked again among
themselves, as the top-k were before, a composite's order among five can differ from the pool's: its ranks among
five are coarser and its product or mean of them another aggregate.)
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..indicators.ensemble import Ensemble
from ..indicators.kinds import Indicator
from ..indicators.ranking import ranks, scores
from ..ir.choices import Arch
from .strategies.base import Entry


def goodness(indicator: Indicator | Ensemble):
    """entries -> one number each, higher is better: minus the indicator's rank across the entries (ranks put a
    failed, NaN measurement last and average ties)."""
    def of(entries: Sequence[Entry]) -> list[float]:
        if not entries:
            return []
        values = scores([e.values for e in entries], indicator)
        return [-r for r in ranks(values, indicator.higher_is_better)]

    return of


@dataclass(frozen=True)
class Ranked:
    """One of the final top-k: its entry, its place, and each measured column with its rank over the pool."""

    rank: int
    entry: Entry
    values: dict[Indicator | Ensemble, float]  # the measured components, and the chosen one's score if composite
    ranks: dict[Indicator | Ensemble, float]   # 1 = best of the evaluated pool; ties share their average rank


def top_k(entries: Sequence[Entry], indicator: Indicator | Ensemble, k: int,
          pick: Indicator | Ensemble | None = None) -> list[Ranked]:
    """The k best of the pool by `pick` (by default the indicator) over the whole pool, in that order, equal ones in
    the indicator's order; each column of both (a composite's score one of its own) and its rank over the pool."""
    pick = pick or indicator
    records = [e.values for e in entries]
    columns = {c: [r[c] for r in records] for c in dict.fromkeys([*indicator.components, *pick.components])}
    for composite in (indicator, pick):  # a composite (CPI, an ensemble): its score over the pool is a column
        if composite not in columns:
            columns[composite] = scores(records, composite)
    column_ranks = {c: ranks(v, c.higher_is_better) for c, v in columns.items()}
    first = sorted(range(len(entries)), key=lambda i: (column_ranks[pick][i], column_ranks[indicator][i], i))
    return [Ranked(place, entries[i], {c: columns[c][i] for c in columns}, {c: column_ranks[c][i] for c in columns})
            for place, i in enumerate(first[:k], 1)]


def best_k(entries: Sequence[Entry], indicator: Indicator | Ensemble, k: int,
           pick: Indicator | Ensemble | None = None) -> list[Entry]:
    """The k best of the pool as `top_k` orders them."""
    return [r.entry for r in top_k(entries, indicator, k, pick)]


def refined_first(top: Sequence[Ranked], refined: Mapping[Arch, float], key=None) -> list[Ranked]:
    """`top` with the refined architectures first, least `key(arch)` first (by default the best refined accuracy;
    ties keep their order in `top`), then the others in their order; renumbered from 1. Columns and their ranks are
    unchanged."""
    key = key or (lambda arch: -refined[arch])
    first = sorted((r for r in top if r.entry.arch in refined), key=lambda r: key(r.entry.arch))
    rest = [r for r in top if r.entry.arch not in refined]
    return [replace(r, rank=place) for place, r in enumerate([*first, *rest], 1)]
