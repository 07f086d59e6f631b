"""`measure`: the indicators of one architecture. Torch-free to import; measuring imports `measuring`."""
from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import TYPE_CHECKING

from ..diagnostics import UserError
from .ensemble import Ensemble, parse_indicator
from .kinds import Indicator, base_indicators

if TYPE_CHECKING:
    from .context import IndicatorContext


def measure(ctx: IndicatorContext, arch, indicators: Iterable[Indicator | Ensemble | str], *,
            seconds: MutableMapping | None = None) -> dict[Indicator, float]:
    """Raw values of the base indicators `indicators` asks for (CPI expands to its three components, a rank
    ensemble to its members'; a CPI or ensemble value is never stored: it is relative to a pool, see
    `ranking.scores`).

    `arch` is an `Arch`, its text in any notation, or a label -> value mapping. The BatchNorms are recalibrated
    once for the arch before the trained-supernet indicators; the result is a function of the context's seed.
    `seconds`, when given, receives each base indicator's wall time (`measuring.measure_all`).
    """
    requested = [parse_indicator(i) for i in indicators]
    trained = [i for i in requested if i.needs_trained_supernet]
    if trained and ctx.supernet is None:
        untrained = ", ".join(i.value for i in Indicator if not i.needs_trained_supernet)
        raise UserError(f"indicator '{trained[0].value}' needs a trained supernet; without one only "
                        f"{untrained} can be measured")
    from .measuring import measure_all

    return measure_all(ctx, ctx.as_arch(arch), base_indicators(requested), seconds)
