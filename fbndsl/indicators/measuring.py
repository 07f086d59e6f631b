"""The measuring side of `indicators.measure`: one function per base indicator, and the order of work.

Imported only when something is measured (it imports torch). Every function takes (ctx, arch, prepared), where
`prepared` holds the work several indicators of the arch share, made once (`Prepared`).
"""
from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace

from ..ir.choices import Arch
from ..lower.batchnorm import tracking
from .calibrate import Calibrated, calibrate
from .context import IndicatorContext
from .cost_proxies import macs, min_depth, min_mixing, params
from .expressivity import expressivity
from .gamma import gamma
from .isotropy import init_layer_entropies, isotropy, progressivity
from .jacob_cov import jacob_cov
from .kinds import LAYER_MAPS, RECALIBRATION, Indicator, shared_steps
from .meco import meco
from .naswot import naswot
from .regions import regions
from .seeded import seeded
from .snip import snip
from .synflow import synflow
from .trainability import trainability
from .uncertainty import uncertainty


@dataclass(frozen=True)
class Prepared:
    """What several base indicators of one architecture read, made once by `measure_all` (None: not asked for)."""
    calibrated: Calibrated | None = None              # the trained supernet recalibrated for the arch
    layer_entropies: tuple[float, ...] | None = None  # the entropy of each layer's output at initialisation


Measure = Callable[[IndicatorContext, Arch, Prepared], float]

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
    Indicator.MIN_DEPTH: min_depth,
    Indicator.MIN_MIXING: min_mixing,
}
assert set(MEASURES) == {c for i in Indicator for c in i.components}
Seconds = MutableMapping["Indicator | str", float]


def measure_all(ctx: IndicatorContext, arch: Arch, base: tuple[Indicator, ...],
                seconds: Seconds | None = None) -> dict[Indicator, float]:
    """Each base indicator of `base` for `arch`. Torch's random state is seeded from ctx.seed for the call (and
    the caller's restored), so dropout in a recalibration pass draws the same masks whatever was measured
    before: the values are a function of (context, arch). `seconds`, when given, receives each indicator's wall
    time and, under `RECALIBRATION` and `LAYER_MAPS`, that of each step they share (`kinds.shared_steps`)."""
    timed = _stopwatch({} if seconds is None else seconds)
    trained = RECALIBRATION in shared_steps(base)
    with seeded(ctx), (_kept(ctx.supernet) if trained else nullcontext()):
        prepared = Prepared(timed(RECALIBRATION, calibrate, ctx, arch) if trained else None)
        values = {}
        for i in base:
            if i.reads_layer_maps and prepared.layer_entropies is None:
                # made just before the first indicator that reads them, not up front: the pass may draw random
                # numbers (dropout in train mode), and the indicators before it draw what they draw without it
                prepared = replace(prepared, layer_entropies=timed(LAYER_MAPS, init_layer_entropies, ctx, arch))
            values[i] = float(timed(i, MEASURES[i], ctx, arch, prepared))
        return values


@contextmanager
def _kept(net):
    """The trained supernet keeping running statistics while measured, and its mode put back afterwards."""
    # A single-stage (BigNAS) supernet keeps no running statistics while training; without them its BatchNorms
    # would normalise each held-out batch with that batch's own statistics.
    was_training = net.training
    with tracking(net):
        try:
            yield
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
