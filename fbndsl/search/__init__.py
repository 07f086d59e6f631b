"""Search: strategies (random, aging evolution, BigNAS coarse-to-fine, exhaustive) that propose architectures
within a MACs/params budget, the loop that has each measured once by an indicator (`fbndsl.indicators`), the
ranking of the result, results.json with resume, the table and the plot (docs/search.md).

    >>> import fbndsl
    >>> from fbndsl.search import Budget, search
    >>> space = fbndsl.compile("nb201", C=8, N=1)
    >>> result = search(space, indicator="naswot", budget=Budget.parse(flops="20M"), evals=20)  # doctest: +SKIP

Importing this package does not import torch; measuring does.
"""
from .budget import Budget
from .driver import SearchResult, search
from .strategies import CoarseToFine, Evolution, Exhaustive, RandomSampling, Strategy, StrategyKind

__all__ = ["search", "SearchResult", "Budget", "Strategy", "StrategyKind", "RandomSampling", "Evolution",
           "CoarseToFine", "Exhaustive"]
