"""Rank correlation of an indicator with ground-truth accuracy: Kendall's tau-b and Spearman's rho.

Both are computed by scipy.stats. Tau-b (not tau-a) and rho on average ranks, because indicators tie (the
accuracy of a subnet on a few hundred images, the parameter counts of isomorphic cells), and a tie must count
as neither agreement nor disagreement.

`correlation` first turns each indicator into ranks with the search's own `ranking.ranks` (1 = best,
lower-is-better indicators such as uncertainty and CPI flipped, NaN last), so the figures say how well the
ranking a search would use agrees with the truth, and an infinite or undefined value (a synflow overflow, a
NASWOT of a network without ReLU units) ranks exactly as the search ranks it. Both statistics depend on the
ranks alone, so this changes nothing for finite values.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from ..indicators.ranking import ranks


@dataclass(frozen=True)
class Correlation:
    kendall_tau: float
    spearman_rho: float
    n: int

    def to_json(self) -> dict:
        return {"kendall_tau": _finite_or_none(self.kendall_tau), "spearman_rho": _finite_or_none(self.spearman_rho),
                "n": self.n}


def kendall_tau(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's tau-b; NaN when either sequence is constant (the statistic is undefined)."""
    from scipy.stats import kendalltau

    return _statistic(kendalltau, x, y, variant="b")


def spearman_rho(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho: Pearson's correlation of the average ranks; NaN when either sequence is constant."""
    from scipy.stats import spearmanr

    return _statistic(spearmanr, x, y)


def correlation(scores: Sequence[float], higher_is_better: bool, truth: Sequence[float]) -> Correlation:
    """How well `scores` order the architectures as `truth` (accuracy: higher is better) does; 1 = perfectly."""
    assert len(scores) == len(truth), (len(scores), len(truth))
    by_score = [-r for r in ranks(scores, higher_is_better)]  # negated ranks: larger is better, as accuracy
    return Correlation(kendall_tau(by_score, truth), spearman_rho(by_score, truth), len(truth))


def _statistic(fn, x, y, **kw) -> float:
    assert len(x) == len(y), (len(x), len(y))
    if len(x) < 2:
        return math.nan
    with warnings.catch_warnings():  # a constant input: scipy warns and returns NaN, which is the answer
        warnings.simplefilter("ignore")
        return float(fn(list(map(float, x)), list(map(float, y)), **kw)[0])  # [0]: the statistic, in every scipy


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None  # JSON has no NaN
