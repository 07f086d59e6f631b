"""The measuring side of `indicators.measure`: one function per base indicator, and the order of work.

Imported only when something is measured (it imports torch). Every function takes (ctx, arch, calibrated),
where `calibrated` is the trained supernet's recalibration for the arch (None when no trained-supernet
indicator is asked for).
"""
from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping

from ..ir.choices import Arch
from ..lower.batchnorm import tracking
from .calibrate import Calibrated, calibrate
from .context import IndicatorContext
from .cost_proxies import macs, params
from .expressivity import expressivity
from .gamma import gamma
from .isotropy import isotropy, progressivity
from .jacob_cov import jacob_cov
from .kinds import RECALIBRATION, Indicator
from .meco import meco
from .naswot import naswot
from .regions import regions
from .seeded import seeded
from .snip import snip
from .synflow import synflow
from .trainability import trainability
from .uncertainty import uncertainty

Measure = Callable[[IndicatorContext, Arch, "Calibrated | None"], float]

MEASURES: dict[Indicator, Measure] = {
    Indicator.EXPRESSIVITY: expressivity,
    Indicator.TRAINABILITY: trainability,
    Indicator.UNCERTAINTY: uncertainty,
    Indicator.REGIONS: regions,
    Indicator.GAMMA: gamma,
    Indicator.NASWOT: naswot,
    Indicator.SYNFLOW: synflow,
    Indicator.JACOB_COV: jacob_cov,
    Indicator.SNIP: snip,
    Indicator.MECO: meco,
    Indicator.ISOTROPY: isotropy,
    Indicator.PROGRESSIVITY: progressivity,
    Indicator.PARAMS: params,
    Indicator.MACS: macs,
}
assert set(MEASURES) == {c for i in Indicator for c in i.components}
Seconds = MutableMapping["Indicator | str", float]


def measure_all(ctx: IndicatorContext, arch: Arch, base: tuple[Indicator, ...],
                seconds: Seconds | None = None) -> dict[Indicator, float]:
    """Each base indicator of `base` for `arch`. Torch's random state is seeded from ctx.seed for the call (and
    the caller's restored), so dropout in a recalibration pass draws the same masks whatever was measured
    before: the values are a function of (context, arch). `seconds`, when given, receives each indicator's wall
    time and, under `RECALIBRATION`, that of the one recalibration all trained-supernet indicators share."""
    timed = _stopwatch({} if seconds is None else seconds)
    if not any(i.needs_trained_supernet for i in base):
        with seeded(ctx):
            return {i: float(timed(i, MEASURES[i], ctx, arch, None)) for i in base}
    net = ctx.supernet
    was_training = net.training
    # A single-stage (BigNAS) supernet keeps no running statistics while training; without them its BatchNorms
    # would normalise each held-out batch with that batch's own statistics.
    with seeded(ctx), tracking(net):
        try:
            cal = timed(RECALIBRATION, calibrate, ctx, arch)
            return {i: float(timed(i, MEASURES[i], ctx, arch, cal)) for i in base}
        finally:
            net.train(was_training)


def _stopwatch(seconds: Seconds):
    """fn(*args), its wall time recorded in `seconds` under `key`."""
    def timed(key, fn, *args):
        start = time.perf_counter()
        try:
            return fn(*args)
        finally:
            seconds[key] = time.perf_counter() - start

    return timed
