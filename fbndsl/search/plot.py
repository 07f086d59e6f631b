"""`search.png`: every evaluated architecture's indicator against its MACs, the budget and the Pareto front.

Drawn with matplotlib's Agg backend (no display needed), imported only here. The y axis is the score across the
whole pool of the ranking that lists the top-k, the search's pick (by default its indicator; for CPI, the mean rank
over the pool: lower is better, so that axis is inverted and better is always up). The Pareto front joins the
architectures that no other beats on both MACs and score.
"""
from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

from ..diagnostics import UserError
from ..files import atomic_write_bytes
from ..indicators.ensemble import Ensemble
from ..indicators.kinds import Indicator
from ..indicators.ranking import scores
from .budget import Budget
from .objective import Ranked
from .strategies.base import Entry

NAME = "search.png"


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the points (cost, goodness) that no other point has at most the cost and more goodness of,
    nor less cost and as much goodness; by increasing cost. NaN goodness is never on the front."""
    ordered = sorted((i for i, (_, g) in enumerate(points) if not math.isnan(g)),
                     key=lambda i: (points[i][0], -points[i][1]))
    front, best = [], -math.inf
    for i in ordered:
        if points[i][1] > best:
            front.append(i)
            best = points[i][1]
    return front


def draw(path: Path, entries: Sequence[Entry], top: Sequence[Ranked], indicator: Indicator | Ensemble,
         budget: Budget, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = scores([e.values for e in entries], indicator)
    sign = 1 if indicator.higher_is_better else -1
    macs = [e.macs / 1e6 for e in entries]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    try:
        ax.scatter(macs, values, s=14, alpha=0.5, color="tab:blue", label=f"evaluated ({len(entries)})")
        front = pareto_front([(m, sign * v) for m, v in zip(macs, values)])
        ax.plot([macs[i] for i in front], [values[i] for i in front], "-o", ms=4, color="tab:orange",
                label="Pareto front")
        _mark_top(ax, entries, top, values, macs)
        if budget.macs is not None:
            ax.axvline(budget.macs / 1e6, color="tab:red", ls="--", label=f"budget {budget.macs / 1e6:g}M MACs")
        if not indicator.higher_is_better:
            ax.invert_yaxis()
        ax.set_xlabel("MACs (millions, at the space's declared resolution)")
        ax.set_ylabel(_axis_label(indicator))
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
        image = io.BytesIO()
        fig.savefig(image, format="png")
        atomic_write_bytes(path, image.getvalue())  # a run killed while drawing keeps the previous plot whole
    except OSError as exc:
        raise UserError(f"{path}: cannot write the plot: {exc}") from None
    finally:
        plt.close(fig)


def _mark_top(ax, entries, top, values, macs) -> None:
    position = {e.arch: i for i, e in enumerate(entries)}
    if top:
        best = position[top[0].entry.arch]
        ax.scatter([macs[best]], [values[best]], s=90, marker="*", color="tab:green", zorder=3, label="rank 1")


def _axis_label(indicator: Indicator | Ensemble) -> str:
    if indicator is Indicator.CPI:
        return "CPI (mean rank over the pool; lower is better)"
    if isinstance(indicator, Ensemble):
        return f"{indicator.value} ({indicator.score_name} over the pool; lower is better)"
    return f"{indicator.value}" + ("" if indicator.higher_is_better else " (lower is better)")
