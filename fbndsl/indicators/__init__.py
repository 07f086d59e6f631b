"""Indicators: what measures one architecture. FBN-NAS' composite performance indicator (CPI) and its three
components on a trained BN-only supernet, the baselines (BN-NAS' gamma, NASWOT, synflow, the cost model's
parameters and MACs), the context they are measured in, and their ranking over a pool.

    >>> import fbndsl
    >>> from fbndsl.indicators import Indicator, IndicatorContext, measure, order
    >>> space = fbndsl.compile("nb201", C=8, N=1)
    >>> ctx = IndicatorContext.build(space, trained_supernet, data)          # doctest: +SKIP
    >>> records = [measure(ctx, a, [Indicator.CPI]) for a in archs]          # doctest: +SKIP
    >>> best = archs[order(records, Indicator.CPI)[0]]                       # doctest: +SKIP

This package knows nothing of budgets or strategies (that is `fbndsl.search`, which uses it). Importing it does
not import torch; measuring does. docs/indicators.md defines every indicator.
"""
from .context import IndicatorContext
from .kinds import Indicator, base_indicators, parse_indicator
from .measure import measure
from .ranking import order, ranks, scores

__all__ = ["Indicator", "parse_indicator", "base_indicators", "IndicatorContext", "measure", "ranks", "scores",
           "order"]
