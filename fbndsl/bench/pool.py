"""The architectures every indicator is judged on (a set of the protocol), measured once each.

Each architecture gets one `measure` call with every base indicator (one BN recalibration serves all those that
read the trained supernet); CPI itself is computed afterwards from the whole pool, as it is a mean of ranks within
it. The wall time of each call is kept: the benchmark reports the cost per architecture. Under torchrun every
process measures (`search.workers`), in rounds; each value is the one a single process measures.
"""
from __future__ import annotations

import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ..indicators.kinds import Indicator, base_indicators, shared_steps
from ..progress import Progress
from ..search.driver import ROUND_PER_WORKER
from ..search.workers import Task, Workers
from ..train.distributed import Launch

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
        """Mean seconds per architecture that measuring `ranking` alone costs: its base indicators, and the steps
        they share (`shared_steps`: the BatchNorm recalibration, the layer maps), NaN when not timed."""
        keys = [*ranking.components, *shared_steps(ranking.components)]
        if not self.parts or any(k not in self.parts[0] for k in keys):
            return math.nan
        return statistics.fmean(math.fsum(p[k] for k in keys) for p in self.parts)


def measure_pool(ctx, archs: Sequence, indicators: Sequence[Indicator] = ALL_BASE, what: str = "measuring",
                 quiet: bool = False, launch: Launch | None = None) -> Pool | None:
    """Measure `indicators` for each of `archs` on `ctx`, a progress bar named `what` on stderr unless `quiet`.
    Under torchrun (`launch`) every rank calls it: rank 0 gets the pool, the others measure their share and
    get None."""
    launch = launch or Launch()
    workers = Workers(launch, {Task.MEASURE: lambda arch: timed(ctx, arch, indicators)},
                      weight=lambda arch: ctx.space.cost(arch).macs)
    if not launch.main:
        workers.serve()
        return None
    measured = []
    try:
        with Progress(len(archs), what, unit="arch", quiet=quiet) as progress:
            size = ROUND_PER_WORKER * launch.world if launch.several else 1  # alone: one at a time, as ever
            for start in range(0, len(archs), size):
                chunk = archs[start:start + size]
                for arch, result in zip(chunk, workers.map(Task.MEASURE, chunk)):
                    measured.append(result)
                    progress.update(1, lambda arch=arch: f"{ctx.space.cost(arch).macs / 1e6:.3f}M MACs")
    finally:
        workers.stop()
    records, seconds, parts = zip(*measured)
    return Pool(tuple(archs), records, seconds, parts)


def timed(ctx, arch, indicators: Sequence[Indicator]) -> tuple[dict, float, dict]:
    """(the values, the measurement's wall time, each indicator's seconds: `measure`'s)."""
    from ..indicators.measure import measure

    start, parts = time.perf_counter(), {}
    record = measure(ctx, arch, indicators, seconds=parts)
    return record, time.perf_counter() - start, parts
