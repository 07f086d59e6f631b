"""The architectures every indicator is judged on (a set of the protocol), measured once each.

Each architecture gets one `measure` call with every base indicator (one BN recalibration serves all those that
read the trained supernet); CPI itself is computed afterwards from the whole pool, as it is a mean of ranks within
it. The wall time of each call is kept: the benchmark reports the cost per architecture.
"""
from __future__ import annotations

import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ..indicators.kinds import RECALIBRATION, Indicator, base_indicators
from ..progress import Progress

ALL_BASE = base_indicators(Indicator)  # every measured indicator (CPI is a mean of three of their ranks)


@dataclass(frozen=True)
class Pool:
    archs: tuple
    records: tuple[dict[Indicator, float], ...]  # raw values, one per arch
    seconds: tuple[float, ...]                   # wall time of each arch's measurement
    parts: tuple[dict, ...] = ()                 # per arch: each indicator's seconds, and the recalibration's

    def __post_init__(self) -> None:
        assert len(self.archs) == len(self.records) == len(self.seconds) >= 1
        assert not self.parts or len(self.parts) == len(self.archs)

    def timing(self) -> dict[str, float]:
        return {"mean": statistics.fmean(self.seconds), "median": statistics.median(self.seconds),
                "total": sum(self.seconds)}

    def seconds_of(self, ranking) -> float:
        """Mean seconds per architecture that measuring `ranking` alone costs: its base indicators, and the
        BatchNorm recalibration when one of them reads the trained supernet (NaN when not timed)."""
        keys = [*ranking.components, *([RECALIBRATION] if ranking.needs_trained_supernet else [])]
        if not self.parts or any(k not in self.parts[0] for k in keys):
            return math.nan
        return statistics.fmean(math.fsum(p[k] for k in keys) for p in self.parts)


def measure_pool(ctx, archs: Sequence, indicators: Sequence[Indicator] = ALL_BASE, what: str = "measuring",
                 quiet: bool = False) -> Pool:
    """Measure `indicators` for each of `archs` on `ctx`, a progress bar named `what` on stderr unless `quiet`."""
    from ..indicators.measure import measure

    records, seconds, parts = [], [], []
    with Progress(len(archs), what, unit="arch", quiet=quiet) as progress:
        for arch in archs:
            start = time.perf_counter()
            parts.append({})
            records.append(measure(ctx, arch, indicators, seconds=parts[-1]))
            seconds.append(time.perf_counter() - start)
            progress.update(1, lambda arch=arch: f"{ctx.space.cost(arch).macs / 1e6:.3f}M MACs")
    return Pool(tuple(archs), tuple(records), tuple(seconds), tuple(parts))
