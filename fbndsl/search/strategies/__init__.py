"""Search strategies: each proposes architectures within the budget and reads their scores.

- `RandomSampling`: uniform architectures within the budget.
- `Evolution`: regularised (aging) evolution, Real et al. 2019.
- `CoarseToFine`: BigNAS's grid over elastic dimensions, then mutations around the best skeletons.
- `Exhaustive`: every architecture within the budget, for small spaces.

`make(kind)` gives a strategy with its default settings; the `Search` they drive is the driver's.
"""
from __future__ import annotations

from .base import Entry, Search, Strategy, StrategyKind
from .coarse_to_fine import CoarseToFine
from .evolution import Evolution
from .exhaustive import Exhaustive
from .random_sampling import RandomSampling

_DEFAULTS = {StrategyKind.RANDOM: RandomSampling, StrategyKind.EVOLUTION: Evolution,
             StrategyKind.COARSE_TO_FINE: CoarseToFine, StrategyKind.EXHAUSTIVE: Exhaustive}


def make(kind: StrategyKind | str | Strategy) -> Strategy:
    """A strategy from its kind or its `--strategy` spelling (a `Strategy` is returned as it is)."""
    if isinstance(kind, Strategy):
        return kind
    return _DEFAULTS[strategy_kind(kind)]()


def strategy_kind(kind: StrategyKind | str) -> StrategyKind:
    from ...diagnostics import UserError

    if isinstance(kind, StrategyKind):
        return kind
    try:
        return StrategyKind(kind)
    except ValueError:
        raise UserError(f"--strategy {kind}: expected one of {', '.join(k.value for k in StrategyKind)}") from None


__all__ = ["make", "strategy_kind", "Strategy", "StrategyKind", "Search", "Entry", "RandomSampling", "Evolution",
           "CoarseToFine", "Exhaustive"]
