"""Indicators: what measures one architecture. FBN-NAS' composite performance indicator (CPI: trainability,
uncertainty and expressivity read as linear regions) and each of its parts on a trained BN-only supernet, the
held-out accuracy (the paper's other reading of expressivity), the baselines (BN-NAS' gamma, NASWOT, synflow,
jacob_cov, SNIP, MeCo, AZ-NAS' isotropy and progressivity, the cost model's parameters and MACs), the context they
are measured in, their ranking over a pool, and rank ensembles of them (`cpi+synflow`).

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
from .ensemble import Aggregate, Ensemble, parse_indicator
from .kinds import Indicator, base_indicators
from .measure import measure
from .ranking import order, penalties, ranks, scores

__all__ = ["Indicator", "Aggregate", "Ensemble", "parse_indicator", "base_indicators", "IndicatorContext", "measure",
           "ranks", "penalties", "scores", "order"]
