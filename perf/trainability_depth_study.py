"""Trainability through the network's depth: FBN-NAS' gamma / sigma aggregated over the subnet's BatchNorms as a sum
of logarithms (the bound composed layer by layer) instead of a mean, on the calibration set alone.

    python perf/trainability_depth_study.py REPORT.json [--supernet-dir DIR]

REPORT.json is what `fbndsl bench nb201` wrote (its calibration networks, their ground truth, every indicator's
value, the settings, the supernet folder). FBN-NAS' Eq. 6 bounds one BatchNorm's gradient by (gamma / sigma)^2
times the gradient reaching it; through a network of L BatchNorms in series those factors multiply, so the bound
on the input layers' gradient is the product of the layers' squared scales, and its logarithm the sum over
BatchNorms of 2 log(gamma / sigma). `trainability` (docs/indicators.md) takes the mean of the scales instead. This
recalibrates the report's fair supernet for every calibration network as `measure` does, checks that the mean of
its BatchNorms' scales is the report's `trainability`, and reads beside it, each lower is better:

- log-sum: the sum over the BatchNorms of log(scale), i.e. the log of the composed bound (halved);
- log-mean: the mean of log(scale) (the geometric mean of the scales: as the mean, a network's size aside);
- sum: the sum of the scales.

It prints the calibration Kendall tau of each alone, of CPI with it in trainability's place (the mean rank with
`regions` and `uncertainty`), and of the default ranking with it. The evaluation set is never read. The last line
is the figure: CPI's calibration tau with today's trainability and with the best of the readings.
"""
from __future__ import annotations

import math
import time

from calibration_report import STUDY_DEFAULT_V5, fair_supernet_context, supernet_study

from fbndsl.bench.nb201 import correlate
from fbndsl.indicators import Indicator, parse_indicator
from fbndsl.indicators.calibrate import calibrate
from fbndsl.indicators.seeded import seeded
from fbndsl.indicators.trainability import bn_scale, input_path_batchnorms, mean_bn_scale
from fbndsl.lower.batchnorm import tracking

RANKINGS = ("trainability", "cpi", STUDY_DEFAULT_V5)


def readings(ctx, space, arch) -> dict[str, float]:
    """Today's mean scale and the other aggregations of the same BatchNorms' scales (+inf: none, as today)."""
    net = ctx.supernet
    with seeded(ctx), tracking(net):
        cal = calibrate(ctx, arch)
        on_path = input_path_batchnorms(net, space, arch)
        used = [bn for bn in cal.batchnorms if id(bn) in on_path]
        scales = [s for s in map(bn_scale, used) if not math.isnan(s)]
        mean = mean_bn_scale(used)
    if not scales:
        return dict.fromkeys(("mean", "log-sum", "log-mean", "sum"), math.inf)
    logs = [math.log(s) for s in scales]
    return {"mean": mean, "log-sum": math.fsum(logs), "log-mean": math.fsum(logs) / len(logs),
            "sum": math.fsum(scales)}


def main() -> None:
    _, cal = supernet_study(__doc__)
    _, space, _, ctx = fair_supernet_context(cal.settings)
    start = time.perf_counter()
    values = [readings(ctx, space, space.parse_arch(a)) for a in cal.archs]
    print(f"{(time.perf_counter() - start) / len(values):.2f} s per network")
    if any(v["mean"] != r[Indicator.TRAINABILITY] for v, r in zip(values, cal.records)):
        # the readings are compared with the report's other values: they must come from the same supernet
        raise SystemExit(f"{cal.settings.supernet_dir}: not the fair supernet the report measured (its mean scale is "
                         "not the report's trainability); give the report's with --supernet-dir")
    rankings = [parse_indicator(n) for n in RANKINGS]
    print(f"{'reading':10s}" + "".join(f"{r.value:>12.12s}" for r in rankings))
    cpi = {}
    for name in values[0]:
        records = [{**r, Indicator.TRAINABILITY: v[name]} for r, v in zip(cal.records, values)]
        taus = correlate(records, cal.truth, rankings)
        cpi[name] = taus[rankings[1]].kendall_tau
        print(f"{name:10s}" + "".join(f"{taus[r].kendall_tau:12.3f}" for r in rankings))
    best = max(cpi, key=cpi.get)
    print(f"trainability depth study: CPI's calibration tau with the mean scale {cpi['mean']:.3f}; with the "
          f"{best} {cpi[best]:.3f}")


if __name__ == "__main__":
    main()
