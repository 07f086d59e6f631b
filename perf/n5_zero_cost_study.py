"""Zero-cost proxies measured on the benchmark's own network (N = 5) instead of the N = 1 proxy, on the calibration
set.

    python perf/n5_zero_cost_study.py REPORT.json

REPORT.json is what `fbndsl bench nb201 --quick` wrote (its calibration networks, their ground truth, their values
on the N = 1 proxy, and the settings). The zero-cost proxies need no training, so nothing stops them from reading
the network NAS-Bench-201 actually trained (C = 16, N = 5) while the trained-supernet indicators stay on the
proxy the CPU can train. This measures MeCo, jacob_cov, NASWOT, synflow and the parameter count of every
calibration network at N = 5 (the same seed and batches), and prints each one's calibration Kendall tau on both
networks, and that of rankings that combine CPI (proxy) with them (N = 5). The evaluation set is never read. The
last line is the figure: the default ranking's calibration tau both ways.
"""
from __future__ import annotations

import time
from dataclasses import replace

import torch
from calibration_report import STUDY_DEFAULT, read_calibration, study_parser

from fbndsl.bench.nb201 import correlate, zero_cost_context
from fbndsl.indicators import Indicator, measure, parse_indicator

ZERO_COST = [Indicator.MECO, Indicator.JACOB_COV, Indicator.NASWOT, Indicator.SYNFLOW, Indicator.PARAMS]
RANKINGS = ("meco", "jacob_cov", "naswot", "synflow", "params", "jacob_cov+meco", "cpi+meco", STUDY_DEFAULT)


def main() -> None:
    cal = read_calibration(study_parser(__doc__).parse_args().report)
    torch.set_num_threads(1)
    space, ctx = zero_cost_context(replace(cal.settings, sets=(("N", "5"),)))
    start = time.perf_counter()
    deep = [measure(ctx, space.parse_arch(a), ZERO_COST) for a in cal.archs]
    print(f"zero-cost proxies at N=5: {(time.perf_counter() - start) / len(cal.archs):.2f} s per architecture")
    proxy = cal.records
    mixed = [{**p, **d} for p, d in zip(proxy, deep)]  # trained-supernet values from the proxy, zero-cost at N=5
    truth = cal.truth

    rankings = [parse_indicator(name) for name in RANKINGS]
    on_proxy, at_n5 = correlate(proxy, truth, rankings), correlate(mixed, truth, rankings)
    print(f"{'calibration Kendall tau':32s}{'N=1 proxy':>12s}{'zero-cost at N=5':>18s}")
    for r in rankings:
        print(f"{r.value:32s}{on_proxy[r].kendall_tau:12.3f}{at_n5[r].kendall_tau:18.3f}")
    default = parse_indicator(STUDY_DEFAULT)
    print(f"N=5 zero-cost study, {default.value} calibration tau: zero-cost on the proxy "
          f"{on_proxy[default].kendall_tau:.3f}, at N=5 {at_n5[default].kendall_tau:.3f}")


if __name__ == "__main__":
    main()
