"""Isotropy and progressivity (AZ-NAS' expressivity and progressivity, read at each layer's output) beside the
default ranking, on the calibration set alone.

    python perf/isotropy_study.py REPORT.json [--depth N]

REPORT.json is what `fbndsl bench nb201` wrote (its calibration networks, their ground truth, every indicator's
value, the settings). This measures `isotropy` and `progressivity` (docs/indicators.md) of every calibration network
at initialisation, on the benchmark's N = 1 proxy (or at `--depth`), with the benchmark's seed and NASWOT batch,
and prints the calibration Kendall tau of each alone, of the rankings that version 5 of the protocol declares with
them (docs/nb201.md, "Protocol"), and of every pair of either with another zero-cost proxy. The evaluation set is never
read. The last line is the figure: the default ranking's calibration tau without and with them.
"""
from __future__ import annotations

import time

import torch
from calibration_report import read_calibration, study_parser

from fbndsl.bench.nb201 import correlate, zero_cost_context
from fbndsl.bench.protocol import ZERO_COST
from fbndsl.indicators import Indicator, measure, parse_indicator

RANKINGS = ("isotropy", "progressivity", "meco", "product(cpi+meco+jacob_cov+params+synflow)",
            "product(cpi+meco+jacob_cov+params+isotropy)", "product(cpi+meco+jacob_cov+params+synflow+isotropy)",
            "product(cpi+meco+jacob_cov+params+synflow+naswot+isotropy)",
            "product(cpi+meco+jacob_cov+params+synflow+progressivity)",
            "product(cpi+meco+jacob_cov+params+synflow+isotropy+progressivity)")
NEW = (Indicator.ISOTROPY, Indicator.PROGRESSIVITY)


def main() -> None:
    ap = study_parser(__doc__)
    ap.add_argument("--depth", type=int, default=None, help="cells per stage to measure isotropy at (default: "
                                                            "the report's, the N = 1 proxy)")
    args = ap.parse_args()
    cal = read_calibration(args.report)
    torch.set_num_threads(1)
    settings = cal.settings if args.depth is None else cal.settings.with_sets({"N": str(args.depth)})
    space, ctx = zero_cost_context(settings)
    start = time.perf_counter()
    measured = [measure(ctx, space.parse_arch(a), NEW) for a in cal.archs]
    print(f"isotropy and progressivity at {dict(settings.sets)}: "
          f"{(time.perf_counter() - start) / len(cal.archs):.2f} s per network")
    records = [{**r, **m} for r, m in zip(cal.records, measured)]
    pairs = [p for new in NEW for z in ZERO_COST if z not in NEW
             for p in (f"{z.value}+{new.value}", f"product({z.value}+{new.value})")]
    rankings = [parse_indicator(n) for n in (*RANKINGS, *pairs)]
    taus = correlate(records, cal.truth, rankings)
    print(f"{'calibration Kendall tau':68s}")
    for r in rankings:
        print(f"{r.value:68s}{taus[r].kendall_tau:8.3f}")
    default, with_one, with_both = (parse_indicator(RANKINGS[i]) for i in (3, 5, 8))
    print(f"isotropy study: calibration tau of {default.value} {taus[default].kendall_tau:.3f}; with isotropy "
          f"{taus[with_one].kendall_tau:.3f}; with isotropy and progressivity {taus[with_both].kendall_tau:.3f}")


if __name__ == "__main__":
    main()
