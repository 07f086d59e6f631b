"""Search: the indicators that rank architectures (FBN-NAS' CPI and the baselines), measured on a trained
supernet or at initialisation, and their ranking.

    >>> import fbndsl
    >>> from fbndsl.search import Indicator, IndicatorContext, measure, order
    >>> space = fbndsl.compile("nb201", C=8, N=1)
    >>> ctx = IndicatorContext.build(space, trained_supernet, data)          # doctest: +SKIP
    >>> records = [measure(ctx, a, [Indicator.CPI]) for a in archs]          # doctest: +SKIP
    >>> best = archs[order(records, Indicator.CPI)[0]]                       # doctest: +SKIP

Importing this package does not import torch; measuring does. docs/indicators.md defines every indicator.
"""
from .context import IndicatorContext
from .indicators import Indicator, base_indicators, measure, parse_indicator
from .ranking import order, ranks, scores

__all__ = ["Indicator", "parse_indicator", "base_indicators", "IndicatorContext", "measure", "ranks", "scores",
           "order"]

# Search: strategies under a budget, results.json, resume (docs/search.md)
from .budget import Budget  # noqa: E402
from .driver import SearchResult, search  # noqa: E402
from .strategies import CoarseToFine, Evolution, Exhaustive, RandomSampling, Strategy, StrategyKind  # noqa: E402

__all__ += ["search", "SearchResult", "Budget", "Strategy", "StrategyKind", "RandomSampling", "Evolution",
            "CoarseToFine", "Exhaustive"]
