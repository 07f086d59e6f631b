"""Zero-cost proxies measured on the benchmark's own network (N = 5) instead of the N = 1 proxy, on the calibration
set.

    python perf/n5_zero_cost_study.py REPORT.json

REPORT.json is what `fbndsl bench nb201` wrote (its calibration networks, their ground truth, their values on the
N = 1 proxy, and the settings). The zero-cost proxies need no training, so nothing stops them from reading the
network NAS-Bench-201 actually trained (C = 16, N = 5) while the trained-supernet indicators stay on the proxy the
CPU can train. This measures every zero-cost proxy of the report (isotropy and progressivity from version 5's) of
every calibration network at N = 5 (the same seed and batches), and prints each one's calibration Kendall tau on
both networks, then the report's default ranking (version 5's, or versions 3 and 4's for an older report) with
its zero-cost members read at N = 5: all of them, each one in turn, and each N = 5 reading added to the default as
one more member beside its N = 1 reading. The evaluation set is never read. The last line is the figure: the
default ranking's calibration tau on the proxy, and its best with N = 5 readings.
"""
from __future__ import annotations

import time
from dataclasses import replace

import torch
from calibration_report import (
    STUDY_DEFAULT,
    STUDY_DEFAULT_V5,
    calibration_tau,
    product_tau,
    read_calibration,
    study_parser,
)

from fbndsl.bench.nb201 import correlate, zero_cost_context
from fbndsl.bench.protocol import ZERO_COST
from fbndsl.indicators import Indicator, measure, parse_indicator, scores


def main() -> None:
    cal = read_calibration(study_parser(__doc__).parse_args().report)
    zero_cost = [i for i in ZERO_COST if i in cal.records[0]]
    default = parse_indicator(STUDY_DEFAULT_V5 if Indicator.ISOTROPY in cal.records[0] else STUDY_DEFAULT)
    torch.set_num_threads(1)
    space, ctx = zero_cost_context(replace(cal.settings, sets=(("N", "5"),)))
    start = time.perf_counter()
    deep = [{**p, **measure(ctx, space.parse_arch(a), zero_cost)} for a, p in zip(cal.archs, cal.records)]
    print(f"zero-cost proxies at N=5: {(time.perf_counter() - start) / len(cal.archs):.2f} s per architecture")

    on_proxy, at_n5 = correlate(cal.records, cal.truth, zero_cost), correlate(deep, cal.truth, zero_cost)
    print(f"{'calibration Kendall tau':34s}{'N=1 proxy':>12s}{'N=5':>8s}")
    for i in zero_cost:
        print(f"{i.value:34s}{on_proxy[i].kendall_tau:12.3f}{at_n5[i].kendall_tau:8.3f}")

    members = [m for m, _ in default.members]
    proxy_tau = calibration_tau(cal.records, cal.truth, default.value)
    rows = {"every zero-cost member at N=5": [(m, deep if m in zero_cost else cal.records) for m in members]}
    for z in (m for m in members if m in zero_cost):
        rows[f"{z.value} at N=5 instead"] = [(m, deep if m is z else cal.records) for m in members]
    for z in zero_cost:
        rows[f"{z.value} at N=5 added"] = [(m, cal.records) for m in members] + [(z, deep)]
    print(f"\n{default.value}, calibration Kendall tau: {proxy_tau:.3f} on the proxy")
    taus = {name: _tau(cal, columns) for name, columns in rows.items()}
    for name, tau in taus.items():
        print(f"  {name:34s}{tau:8.3f}")
    best = max(taus, key=taus.get)
    print(f"N=5 zero-cost study, {default.value} calibration tau: zero-cost on the proxy {proxy_tau:.3f}, "
          f"best with N=5 readings {taus[best]:.3f} ({best})")


def _tau(cal, members: list[tuple[Indicator, list[dict]]]) -> float:
    """Calibration Kendall tau of the product of ranks of these members, each read from its own records (so one
    indicator can be a member twice, at two depths; `Ensemble` admits each indicator once)."""
    return product_tau([(scores(records, m), m.higher_is_better) for m, records in members], cal.truth)


if __name__ == "__main__":
    main()
